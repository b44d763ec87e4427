package cockpit

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

// Entry IDs (see "Entry IDs" in the package documentation).
//
//	key      = HMAC-SHA256(Config.EntryKey, "regmo-dsc entry v1" 0x00 session(16) IDNr(11 ASCII))
//	token    = base64url(0x01 ‖ nonce(12) ‖ AES-256-GCM_key(nonce, plain, aad="regmo-dsc entry v1"))
//	plain    = kind(1) ‖ expiry(8, Unix seconds, big-endian) ‖ payload
//	payload  = protocol: record time (8, Unix ns) ‖ record ID (16)
//	           current:  the register's item ID (1..64 bytes)
//
// The key is derived per session and person, so a token opens only under
// the session and IDNr it was issued for, a token reveals nothing (not the
// record, not its time, not the person), and each derived key seals few
// tokens (the random nonces stay far from their collision bound).

const (
	entryVersion  = 1
	entryLabel    = "regmo-dsc entry v1"
	maxItemIDLen  = 64
	maxEntryIDLen = 4 * (1 + 12 + 1 + 8 + maxItemIDLen + 16 + 2) / 3
)

type refKind byte

const (
	refProtocol refKind = 1
	refCurrent  refKind = 2
)

// entryRef is what an entry ID points at.
type entryRef struct {
	kind   refKind
	time   time.Time // protocol
	record uuid.UUID // protocol
	item   string    // current
}

type entrySealer struct{ key []byte }

func (s entrySealer) derive(session uuid.UUID, id idnr.IDNr) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(entryLabel))
	m.Write([]byte{0})
	m.Write(session[:])
	m.Write([]byte(id.String()))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sessionSealer issues the entry IDs of one list answer.
type sessionSealer struct {
	aead   cipher.AEAD
	expiry int64
	nonces []byte // random nonces drawn ahead, 12 bytes each
}

// reserve draws the nonces of n entry IDs with one read of the random
// source (a system call per entry costs more than the sealing).
func (ss *sessionSealer) reserve(n int) error {
	ss.nonces = make([]byte, 12*n)
	_, err := rand.Read(ss.nonces)
	return err
}

func (s entrySealer) forSession(session uuid.UUID, id idnr.IDNr, expiry time.Time) (*sessionSealer, error) {
	aead, err := s.derive(session, id)
	if err != nil {
		return nil, err
	}
	return &sessionSealer{aead: aead, expiry: expiry.Unix()}, nil
}

func (ss *sessionSealer) seal(kind refKind, payload []byte) (string, error) {
	plain := make([]byte, 0, 1+8+len(payload))
	plain = append(plain, byte(kind))
	plain = binary.BigEndian.AppendUint64(plain, uint64(ss.expiry))
	plain = append(plain, payload...)
	out := make([]byte, 1+12, 1+12+len(plain)+16)
	out[0] = entryVersion
	if len(ss.nonces) >= 12 {
		copy(out[1:13], ss.nonces[:12])
		ss.nonces = ss.nonces[12:]
	} else if _, err := rand.Read(out[1:13]); err != nil {
		return "", err
	}
	out = ss.aead.Seal(out, out[1:13], plain, []byte(entryLabel))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func (ss *sessionSealer) protocol(t time.Time, record uuid.UUID) (string, error) {
	var p [24]byte
	binary.BigEndian.PutUint64(p[:8], uint64(t.UnixNano()))
	copy(p[8:], record[:])
	return ss.seal(refProtocol, p[:])
}

func (ss *sessionSealer) current(item string) (string, error) {
	if err := checkItemID(item); err != nil {
		return "", err
	}
	return ss.seal(refCurrent, []byte(item))
}

// open returns what token points at, if it was issued for session and id
// and has not expired at now: ErrEntryUnknown for anything that does not
// open (forged, another register's, another person's or session's, bit
// flips), ErrEntryExpired for a genuine one past its lifetime.
func (s entrySealer) open(token string, session uuid.UUID, id idnr.IDNr, now time.Time) (entryRef, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 1+12+1+8+16 || raw[0] != entryVersion {
		return entryRef{}, ErrEntryUnknown
	}
	aead, err := s.derive(session, id)
	if err != nil {
		return entryRef{}, err
	}
	plain, err := aead.Open(nil, raw[1:13], raw[13:], []byte(entryLabel))
	if err != nil || len(plain) < 1+8 {
		return entryRef{}, ErrEntryUnknown
	}
	if int64(binary.BigEndian.Uint64(plain[1:9])) < now.Unix() {
		return entryRef{}, ErrEntryExpired
	}
	payload := plain[9:]
	switch refKind(plain[0]) {
	case refProtocol:
		if len(payload) != 24 {
			return entryRef{}, ErrEntryUnknown
		}
		r := entryRef{kind: refProtocol, time: time.Unix(0, int64(binary.BigEndian.Uint64(payload[:8]))).UTC()}
		copy(r.record[:], payload[8:])
		return r, nil
	case refCurrent:
		if checkItemID(string(payload)) != nil {
			return entryRef{}, ErrEntryUnknown
		}
		return entryRef{kind: refCurrent, item: string(payload)}, nil
	}
	return entryRef{}, ErrEntryUnknown
}
