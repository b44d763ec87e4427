package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"
)

// A Witness keeps the log's signed checkpoints outside its store. The Log
// calls Put with every checkpoint it writes (at New, every
// Options.CheckpointEvery records or Options.CheckpointInterval, at Close
// and on [Log.Checkpoint]), one call at a time, with growing Size except
// after a reset (Options.CheckpointReset).
type Witness interface {
	Put(ctx context.Context, cp Checkpoint) error
}

// A WitnessReader is a Witness that gives its newest checkpoint of a log
// back; New and Verify check what it returns against the store.
type WitnessReader interface {
	Witness
	// Latest returns the newest checkpoint kept for the log logID; ok is
	// false if there is none. A kept checkpoint that does not decode is an
	// error wrapping ErrBadCheckpoint.
	Latest(ctx context.Context, logID uuid.UUID) (cp Checkpoint, ok bool, err error)
}

// WitnessFunc is a write-only witness: a function that sends each
// checkpoint on, for example to another system or a write-once store. Its
// checkpoints are not read back by the Log; check them with
// [Log.VerifyAgainst].
type WitnessFunc func(ctx context.Context, cp Checkpoint) error

// Put calls f.
func (f WitnessFunc) Put(ctx context.Context, cp Checkpoint) error { return f(ctx, cp) }

// FileWitness keeps the newest checkpoint in the file at path (the form of
// [Checkpoint.MarshalText] and a newline), replaced atomically (a
// temporary file, fsync, rename, fsync of the directory; mode 0600). It
// never replaces a checkpoint of the same log with a larger Size, so that
// a second Log on the same store cannot move it back. Options.CheckpointFile
// uses it.
func FileWitness(path string) WitnessReader { return &fileWitness{path: path} }

// DirWitness keeps the newest checkpoint of each log in the directory dir,
// in the file "<log ID>.checkpoint", as [FileWitness] does. Point it at a
// directory the database's administrators cannot write (another machine's
// mount, a separate account).
func DirWitness(dir string) WitnessReader { return &fileWitness{dir: dir} }

type fileWitness struct {
	path, dir string
	mu        sync.Mutex
}

func (w *fileWitness) String() string {
	if w.dir != "" {
		return "witness directory " + w.dir
	}
	return "checkpoint file " + w.path
}

func (w *fileWitness) file(logID uuid.UUID) string {
	if w.dir != "" {
		return filepath.Join(w.dir, logID.String()+".checkpoint")
	}
	return w.path
}

func (w *fileWitness) Put(ctx context.Context, cp Checkpoint) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	text, err := cp.MarshalText()
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	path := w.file(cp.LogID)
	if old, ok, err := readCheckpointFile(path); err == nil && ok && old.LogID == cp.LogID && old.Size > cp.Size {
		return nil
	}
	return writeFileAtomic(path, append(text, '\n'))
}

func (w *fileWitness) Latest(ctx context.Context, logID uuid.UUID) (Checkpoint, bool, error) {
	if err := ctx.Err(); err != nil {
		return Checkpoint{}, false, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return readCheckpointFile(w.file(logID))
}

// keepAside renames the kept checkpoint to "<file>.reset-<time>".
func (w *fileWitness) keepAside(logID uuid.UUID, now time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	path := w.file(logID)
	err := os.Rename(path, path+".reset-"+now.UTC().Format("20060102T150405.000000000Z"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func readCheckpointFile(path string) (Checkpoint, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, err
	}
	var cp Checkpoint
	if err := cp.UnmarshalText(bytes.TrimSpace(b)); err != nil {
		return Checkpoint{}, false, fmt.Errorf("%s: %w", path, err)
	}
	return cp, true, nil
}

// writeFileAtomic replaces path by data: a temporary file in the same
// directory (mode 0600), fsync, rename, fsync of the directory.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
