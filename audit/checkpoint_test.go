package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without a signing key New fails, unless a throw-away key is chosen.
func TestNoSigningKey(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "a.db"))
	require.NoError(t, err)
	defer st.Close()
	_, err = audit.New(ctx, st, audit.Options{})
	var fe *audit.FieldError
	require.ErrorIs(t, err, audit.ErrNoSigningKey)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Options.SigningKey", fe.Field)

	l, err := audit.New(ctx, st, audit.Options{EphemeralKey: true})
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// The checkpoint file is written at New and Close, replaced atomically
// with mode 0600, and every CheckpointEvery records by the checkpoint
// goroutine.
func TestCheckpointFileWritten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cpFile := filepath.Join(dir, "audit.db.checkpoint")
	st, err := sqlite.Open(filepath.Join(dir, "audit.db"))
	require.NoError(t, err)
	l, err := audit.New(ctx, st, audit.Options{SigningKey: audittest.Key, CheckpointFile: cpFile, CheckpointEvery: 5, CheckpointInterval: time.Hour})
	require.NoError(t, err)
	read := func() audit.Checkpoint {
		cp, ok, err := audit.FileWitness(cpFile).Latest(ctx, l.LogID())
		require.NoError(t, err)
		require.True(t, ok)
		require.True(t, cp.Verify(l.PublicKey()))
		return cp
	}
	assert.Equal(t, int64(0), read().Size, "New writes the first checkpoint")
	fi, err := os.Stat(cpFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	for i := range 12 {
		require.NoError(t, l.Append(ctx, audittest.NewRecord(i, time.Time{})))
	}
	// The committer asks the checkpoint goroutine after 5 and 10 records;
	// wait (bounded) until it has written.
	deadline := time.Now().Add(10 * time.Second)
	for read().Size < 10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	assert.GreaterOrEqual(t, read().Size, int64(10))
	require.NoError(t, l.Close())
	assert.Equal(t, int64(12), read().Size, "Close writes the last checkpoint")
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	assert.Empty(t, left, "temporary files left behind")
}

// A configuration error is named, and the reset reason may not hold an IDNr.
func TestCheckpointOptions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "audit.db"))
	require.NoError(t, err)
	defer st.Close()
	_, err = audit.New(ctx, st, audit.Options{SigningKey: audittest.Key, Witnesses: []audit.Witness{nil}})
	var fe *audit.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Options.Witnesses[0]", fe.Field)
	id := audittest.IDNr(1).String()
	_, err = audit.New(ctx, st, audit.Options{SigningKey: audittest.Key, CheckpointFile: filepath.Join(dir, "cp"), CheckpointReset: "Person " + id})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Options.CheckpointReset", fe.Field)
	assert.NotContains(t, err.Error(), id)
	// A checkpoint file in a directory that does not exist is refused at New.
	_, err = audit.New(ctx, st, audit.Options{SigningKey: audittest.Key, CheckpointFile: filepath.Join(dir, "missing", "cp")})
	require.Error(t, err)
}

func FuzzCheckpointUnmarshal(f *testing.F) {
	l, err := audit.New(context.Background(), mustStore(f), audit.Options{SigningKey: audittest.Key})
	require.NoError(f, err)
	cp, err := l.Checkpoint(context.Background())
	require.NoError(f, err)
	require.NoError(f, l.Close())
	txt, err := cp.MarshalText()
	require.NoError(f, err)
	bin, err := cp.MarshalBinary()
	require.NoError(f, err)
	f.Add(txt)
	f.Add(bin)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, dec := range []func(*audit.Checkpoint, []byte) error{(*audit.Checkpoint).UnmarshalText, (*audit.Checkpoint).UnmarshalBinary} {
			var c audit.Checkpoint
			if err := dec(&c, b); err != nil {
				if !errors.Is(err, audit.ErrBadCheckpoint) {
					t.Fatalf("error does not wrap ErrBadCheckpoint: %v", err)
				}
				continue
			}
			if c.Size < 0 {
				t.Fatalf("negative size decoded")
			}
			again, err := c.MarshalBinary()
			if err != nil {
				t.Fatalf("decoded checkpoint does not encode: %v", err)
			}
			var back audit.Checkpoint
			if err := back.UnmarshalBinary(again); err != nil || back.Size != c.Size || back.Head != c.Head || back.Anchor != c.Anchor || !back.Time.Equal(c.Time) {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}

func mustStore(f *testing.F) audit.Store {
	st, err := sqlite.Open(filepath.Join(f.TempDir(), "a.db"))
	require.NoError(f, err)
	return st
}
