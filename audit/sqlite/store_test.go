package sqlite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
)

func harness(t *testing.T) audittest.Harness {
	path := filepath.Join(t.TempDir(), "audit.db")
	var raw *sqlite.Store
	h := audittest.Harness{
		Open: func() (audit.Store, error) { return sqlite.Open(path) },
		Exec: func(q string, args ...any) error {
			if raw == nil {
				var err error
				if raw, err = sqlite.Open(path); err != nil {
					return err
				}
				t.Cleanup(func() { raw.Close() })
			}
			_, err := raw.DB().Exec(q, args...)
			return err
		},
	}
	h.Tables = audittest.Tables{Records: "audit_records", Anchors: "audit_anchors", Access: "audit_access", Transport: "audit_transport", Holds: "audit_holds"}
	return h
}

func TestConformance(t *testing.T) { audittest.Run(t, harness) }

func TestPrefix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	if _, err := sqlite.Open(path, sqlite.WithTablePrefix("bad-prefix")); err == nil || strings.Contains(err.Error(), "bad-prefix") {
		t.Fatalf("bad prefix: %v", err)
	}
	s, err := sqlite.Open(path, sqlite.WithTablePrefix("x_"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, _, _, _, _ := s.Tables()
	if rec != "x_audit_records" {
		t.Fatalf("records table = %s", rec)
	}
}

func crashKills() int {
	if os.Getenv("REGMO_LONG") == "1" {
		return 25
	}
	return 5
}

func TestCrashChild(t *testing.T) {
	audittest.CrashChild(t, func() (audit.Store, error) { return sqlite.Open(os.Getenv("AUDIT_CRASH_SQLITE")) })
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	h := audittest.Harness{Open: func() (audit.Store, error) { return sqlite.Open(path) }}
	audittest.RunCrash(t, h, "TestCrashChild", crashKills(), []string{"AUDIT_CRASH_SQLITE=" + path})
}
