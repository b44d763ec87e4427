package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/regmo/regmo/internal/privfile"
)

// ErrKeyFile is wrapped by the [*KeyFileError] of [LoadSigningKey] and
// [LoadOrCreateSigningKey] when the key file cannot be read, created or
// used as an ed25519 signing key.
var ErrKeyFile = errors.New("audit: signing key file")

// KeyFileError names the key file and why it was refused. It never holds
// key material.
type KeyFileError struct {
	Path   string
	Reason string // e.g. "does not exist", "not an ed25519 key"
	Err    error  // the underlying error, if any (never key material)
}

func (e *KeyFileError) Error() string {
	s := "audit: signing key " + e.Path + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrKeyFile and the underlying error.
func (e *KeyFileError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrKeyFile, e.Err}
	}
	return []error{ErrKeyFile}
}

// LoadSigningKey reads the ed25519 signing key of a Log ([Options.SigningKey])
// from path: PEM ("PRIVATE KEY", PKCS #8), or the 32-byte seed or the
// 64-byte private key, raw, hex or base64. A 64-byte key whose public half
// does not belong to its seed is refused. A file readable by the group or
// others has those permissions taken away (see internal/privfile); if that
// is impossible, the key is refused. A missing file is a [*KeyFileError]
// wrapping [ErrKeyFile] and fs.ErrNotExist.
func LoadSigningKey(path string) (ed25519.PrivateKey, error) {
	if path == "" {
		return nil, &KeyFileError{Path: `""`, Reason: "no path"}
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &KeyFileError{Path: path, Reason: "does not exist", Err: fs.ErrNotExist}
	}
	if err != nil {
		return nil, &KeyFileError{Path: path, Reason: "cannot be read", Err: err}
	}
	if err := privfile.Restrict(path); err != nil {
		return nil, &KeyFileError{Path: path, Reason: "open to other users", Err: err}
	}
	key, reason := parseSigningKey(b)
	if key == nil {
		return nil, &KeyFileError{Path: path, Reason: reason}
	}
	return key, nil
}

// LoadOrCreateSigningKey is [LoadSigningKey], except that a missing file is
// created with a fresh key (PEM, PKCS #8; the file 0600, missing
// directories 0700). created reports that. Creation is atomic: the key is
// written to a temporary file, synced and linked into place, so a crash
// never leaves a half-written key, and of several processes starting at
// once all use the one key that was linked first.
//
// Keep the file outside the protocol's database and back it up: without
// it, the anchors and checkpoints signed with it no longer verify.
func LoadOrCreateSigningKey(path string) (key ed25519.PrivateKey, created bool, err error) {
	key, err = LoadSigningKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	if err := privfile.MkdirAll(filepath.Dir(path)); err != nil {
		return nil, false, &KeyFileError{Path: path, Reason: "cannot create its directory", Err: err}
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, &KeyFileError{Path: path, Reason: "cannot generate a key", Err: err}
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, &KeyFileError{Path: path, Reason: "cannot encode the key", Err: err}
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, false, &KeyFileError{Path: path, Reason: "cannot be created", Err: err}
	}
	defer os.Remove(tmp.Name())
	if err := writeSynced(tmp, pemBytes); err != nil {
		return nil, false, &KeyFileError{Path: path, Reason: "cannot be written", Err: err}
	}
	// Link fails if another process created the key meanwhile: then that
	// key is the one.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			key, err := LoadSigningKey(path)
			return key, false, err
		}
		return nil, false, &KeyFileError{Path: path, Reason: "cannot be created", Err: err}
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return key, true, nil
}

func writeSynced(f *os.File, b []byte) error {
	if err := f.Chmod(privfile.FileMode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parseSigningKey decodes b as one of LoadSigningKey's forms; on failure
// it returns nil and the reason (which never quotes b).
func parseSigningKey(b []byte) (ed25519.PrivateKey, string) {
	if blk, _ := pem.Decode(b); blk != nil {
		if blk.Type != "PRIVATE KEY" {
			return nil, fmt.Sprintf("PEM block %q, want \"PRIVATE KEY\" (PKCS #8)", blk.Type)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, "not a PKCS #8 private key"
		}
		key, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Sprintf("a %T, not an ed25519 key", k)
		}
		return key, ""
	}
	raw := b
	if s := strings.TrimSpace(string(b)); s != "" {
		if d, err := hex.DecodeString(s); err == nil {
			raw = d
		} else if d, err := base64.StdEncoding.DecodeString(s); err == nil {
			raw = d
		}
	}
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), ""
	case ed25519.PrivateKeySize:
		key := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		if !bytes.Equal(key, raw) {
			return nil, "a 64-byte key whose public half does not belong to its seed"
		}
		return key, ""
	}
	return nil, "not an ed25519 key (PEM PKCS #8, or the 32-byte seed or 64-byte key raw, hex or base64)"
}
