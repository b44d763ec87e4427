package privfile_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/regmo/regmo/internal/privfile"
)

func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestCreateModes(t *testing.T) {
	for _, mask := range []int{0o022, 0o000, 0o277} {
		withUmask(t, mask)
		dir := t.TempDir()
		os.Chmod(dir, 0o755) // an existing, open directory
		f := filepath.Join(dir, "a", "b", "audit.db")
		if err := privfile.Create(f); err != nil {
			t.Fatal(err)
		}
		if m := mode(t, f); m != 0o600 {
			t.Errorf("umask %03o: file mode %04o, want 0600", mask, m)
		}
		for _, d := range []string{filepath.Join(dir, "a"), filepath.Join(dir, "a", "b")} {
			if m := mode(t, d); m != 0o700 {
				t.Errorf("umask %03o: dir %s mode %04o, want 0700", mask, d, m)
			}
		}
		if m := mode(t, dir); m != 0o755 {
			t.Errorf("an existing directory was changed: %04o", m)
		}
		// Existing content stays.
		os.WriteFile(f, []byte("x"), 0o600)
		if err := privfile.Create(f); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(f); string(b) != "x" {
			t.Errorf("Create truncated an existing file")
		}
	}
}

func TestRestrict(t *testing.T) {
	withUmask(t, 0)
	dir := t.TempDir()
	f := filepath.Join(dir, "old.db")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := privfile.CreateRestricted(f); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, f); m != 0o600 {
		t.Errorf("mode %04o, want 0600", m)
	}
	if err := privfile.Restrict(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("missing file: %v", err)
	}
}
