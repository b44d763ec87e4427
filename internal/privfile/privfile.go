// Package privfile creates the files that hold personal data or the
// protocol (SQLite databases and their companions) so that only their owner
// can read them: files 0600, missing directories 0700, whatever the umask
// and whatever the mode of a directory that already exists.
//
// SQLite creates a database file with 0644 less the umask, and its -wal,
// -shm and -journal files with the mode of the database file. Creating the
// database file first, 0600, therefore covers its companions too.
package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileMode and DirMode are the modes of the files and directories created.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// Create makes sure the file at path exists, creating it empty with
// [FileMode] (and its missing parent directories with [DirMode]) if it does
// not. An existing file is left as it is; see [Restrict].
func Create(path string) error {
	if err := MkdirAll(filepath.Dir(path)); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// The umask may have taken bits away; set the mode exactly.
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Restrict takes the group's and others' permissions away from an existing
// file (a file created before this package, or by other software). A file
// that does not exist is not an error. It fails, naming the mode, if the
// file is open to others and cannot be changed (another owner).
func Restrict(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	m := st.Mode().Perm()
	if m&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, m&^0o077); err != nil {
		return fmt.Errorf("%s is open to other users (mode %04o) and its mode cannot be restricted: %w", path, m, err)
	}
	return nil
}

// CreateRestricted is [Create] followed by [Restrict].
func CreateRestricted(path string) error {
	if err := Create(path); err != nil {
		return err
	}
	return Restrict(path)
}

// MkdirAll creates dir and its missing parents with [DirMode] exactly (the
// umask may not widen or narrow it). Directories that exist are left as
// they are.
func MkdirAll(dir string) error {
	if dir == "" || dir == "." {
		return nil
	}
	st, err := os.Stat(dir)
	if err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := MkdirAll(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, DirMode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // created concurrently
		}
		return err
	}
	return os.Chmod(dir, DirMode)
}
