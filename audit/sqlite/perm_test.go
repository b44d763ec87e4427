package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/idnr"
)

// TestFilesArePrivate: the protocol's files (records, -access, -person and
// SQLite's -wal and -shm beside them) are created 0600 even in an existing
// directory open to others under the usual umask 022, and a file left 0644
// by an earlier version is restricted on open.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "audit.db")
	if err := os.WriteFile(path+"-access", nil, 0o644); err != nil { // left by an earlier version
		t.Fatal(err)
	}
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := audit.New(ctx, st, audit.Options{EphemeralKey: true})
	if err != nil {
		t.Fatal(err)
	}
	err = l.Append(ctx, audit.Record{MessageID: uuid.New(), Time: time.Now(), Direction: audit.Sent,
		Own: audit.Body{Name: "a", ID: "a"}, Counterpart: audit.Body{Name: "b", ID: "b"}, Purpose: "p", LegalBasis: "l", Actor: "x",
		IDNr: idnr.MustParse("36574261809"), Result: audit.Delivered})
	if err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, dir)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, dir)
}

func checkPrivate(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), "audit.db") {
			continue
		}
		n++
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 {
			t.Errorf("%s: mode %04o, want no access for group and others", e.Name(), m)
		}
	}
	if n < 3 {
		t.Errorf("only %d protocol files found", n)
	}
}
