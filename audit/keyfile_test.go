package audit_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key created on first use is written as PEM with mode 0600 in a
// directory created 0700, and read back as the same key; a Log signed
// with it verifies after a restart that loads the key from the file.
func TestSigningKeyFileCreateAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "keys", "audit")
	path := filepath.Join(dir, "audit.key")
	key, created, err := audit.LoadOrCreateSigningKey(path)
	require.NoError(t, err)
	assert.True(t, created)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o700), di.Mode().Perm())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk)
	assert.Equal(t, "PRIVATE KEY", blk.Type)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	again, created, err := audit.LoadOrCreateSigningKey(path)
	require.NoError(t, err)
	assert.False(t, created)
	assert.True(t, key.Equal(again))

	// Restart: the second Log loads the key from the file; the closed
	// segment of the first still verifies.
	dbPath := filepath.Join(t.TempDir(), "a.db")
	clock := audittest.NewClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	open := func() *audit.Log {
		k, err := audit.LoadSigningKey(path)
		require.NoError(t, err)
		st, err := sqlite.Open(dbPath)
		require.NoError(t, err)
		l, err := audit.New(ctx, st, audit.Options{SigningKey: k, Clock: clock.Now, CheckpointFile: dbPath + ".checkpoint"})
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		return l
	}
	l := open()
	for i := range 3 {
		require.NoError(t, l.Append(ctx, audittest.NewRecord(i, time.Time{})))
	}
	require.NoError(t, l.Rotate(ctx))
	require.NoError(t, l.Close())
	clock.Add(24 * time.Hour)
	l = open()
	require.NoError(t, l.Append(ctx, audittest.NewRecord(3, time.Time{})))
	rep, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK())
	require.NoError(t, l.Close())
}

// Processes starting at once all end up with the one key on disk.
func TestSigningKeyFileConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.key")
	keys := make([]ed25519.PrivateKey, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, _, err := audit.LoadOrCreateSigningKey(path)
			assert.NoError(t, err)
			keys[i] = k
		})
	}
	wg.Wait()
	onDisk, err := audit.LoadSigningKey(path)
	require.NoError(t, err)
	for i, k := range keys {
		assert.True(t, onDisk.Equal(k), "caller %d", i)
	}
}

// The other accepted forms: the seed or the 64-byte key, raw, hex or
// base64.
func TestSigningKeyFileForms(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"seed-raw": key.Seed(), "seed-hex": []byte(hex.EncodeToString(key.Seed()) + "\n"),
		"seed-b64": []byte(base64.StdEncoding.EncodeToString(key.Seed())), "key-raw": key,
		"key-hex": []byte(hex.EncodeToString(key)),
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, content, 0o600))
		got, err := audit.LoadSigningKey(p)
		require.NoError(t, err, name)
		assert.True(t, key.Equal(got), name)
	}
}

// Files that are not a usable key are refused with a *KeyFileError naming
// the file and the reason, never quoting the content.
func TestSigningKeyFileRefused(t *testing.T) {
	dir := t.TempDir()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	require.NoError(t, err)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	mismatched := append(append([]byte{}, key.Seed()...), make([]byte, 32)...)
	cases := map[string]struct {
		content []byte
		reason  string
	}{
		"empty":     {nil, "not an ed25519 key"},
		"text":      {[]byte("geheim-Mustermann"), "not an ed25519 key"},
		"ecdsa":     {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}), "not an ed25519 key"},
		"cert":      {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}), `PEM block "CERTIFICATE"`},
		"bad-pkcs8": {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("xx")}), "not a PKCS #8"},
		"mismatch":  {mismatched, "public half"},
	}
	for name, c := range cases {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, c.content, 0o600))
		_, err := audit.LoadSigningKey(p)
		var ke *audit.KeyFileError
		require.ErrorAs(t, err, &ke, name)
		require.ErrorIs(t, err, audit.ErrKeyFile, name)
		assert.Equal(t, p, ke.Path)
		assert.Contains(t, ke.Reason, c.reason, name)
		assert.NotContains(t, err.Error(), "Mustermann")
		// LoadOrCreate never replaces a file that exists.
		_, created, err := audit.LoadOrCreateSigningKey(p)
		require.ErrorIs(t, err, audit.ErrKeyFile, name)
		assert.False(t, created)
	}

	_, err = audit.LoadSigningKey(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, audit.ErrKeyFile)
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = audit.LoadSigningKey("")
	require.ErrorIs(t, err, audit.ErrKeyFile)
}

// A key file readable by others has those permissions taken away.
func TestSigningKeyFileRestricted(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit.key")
	_, _, err := audit.LoadOrCreateSigningKey(p)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(p, 0o644))
	_, err = audit.LoadSigningKey(p)
	require.NoError(t, err)
	fi, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
}
