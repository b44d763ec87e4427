package sqlregister_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/regmo/regmo/registers/sqlregister"
)

// TestOpenSQLiteCreatesPrivateFile: a register database that OpenSQLite
// creates (and SQLite's -wal and -shm beside it) is 0600 under umask 022
// in an existing directory open to others.
func TestOpenSQLiteCreatesPrivateFile(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "register.db")
	db, err := sqlregister.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqlregister.CreateTable(context.Background(), db, sqlregister.SQLite, "people"); err != nil {
		t.Fatal(err)
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), "register.db") {
			continue
		}
		n++
		fi, _ := e.Info()
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", e.Name(), m)
		}
	}
	if n < 2 {
		t.Errorf("only %d files (want the database and its WAL)", n)
	}
}
