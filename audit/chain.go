package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"time"

	"github.com/google/uuid"
)

const day = 24 * time.Hour

// segmentOf is the UTC day of t, in days since 1970-01-01.
func segmentOf(t time.Time) int64 {
	u := t.UnixNano()
	d := u / int64(day)
	if u < 0 && u%int64(day) != 0 {
		d--
	}
	return d
}

// segmentEnd is the first instant after segment s.
func segmentEnd(s int64) time.Time { return time.Unix(0, (s+1)*int64(day)).UTC() }

// rowHash is SHA-256 over a domain tag, the previous hash, the segment and
// the canonical record encoding (length-prefixed).
func rowHash(prev *[32]byte, segment int64, data []byte) [32]byte {
	var h hasher
	return h.sum(prev, segment, data)
}

// hasher computes rowHash without allocating; it is not safe for
// concurrent use.
type hasher struct {
	d   hash.Hash
	hdr [1 + 32 + 8 + binary.MaxVarintLen64]byte
	out [32]byte
}

func (h *hasher) sum(prev *[32]byte, segment int64, data []byte) [32]byte {
	if h.d == nil {
		h.d = sha256.New()
	}
	h.d.Reset()
	h.hdr[0] = 'R'
	copy(h.hdr[1:], prev[:])
	binary.BigEndian.PutUint64(h.hdr[33:], uint64(segment))
	n := binary.PutUvarint(h.hdr[41:], uint64(len(data)))
	h.d.Write(h.hdr[:41+n])
	h.d.Write(data)
	h.d.Sum(h.out[:0])
	return h.out
}

// anchorMessage is what an anchor's signature covers.
func anchorMessage(logID uuid.UUID, a *Anchor) []byte {
	b := make([]byte, 0, 160)
	b = append(b, "regmo/audit/anchor/v1\n"...)
	b = append(b, logID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(a.Segment))
	b = binary.BigEndian.AppendUint64(b, uint64(a.FirstSeq))
	b = binary.BigEndian.AppendUint64(b, uint64(a.LastSeq))
	b = append(b, a.Prev[:]...)
	b = append(b, a.Last[:]...)
	b = append(b, a.PrevAnchor[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(a.Closed))
	return b
}

// anchorHash chains anchors: SHA-256 over the signed message and the signature.
func anchorHash(logID uuid.UUID, a *Anchor) [32]byte {
	h := sha256.New()
	h.Write(anchorMessage(logID, a))
	h.Write(a.Sig)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Checkpoint is a signed statement of the log's state: its first Size
// records chain to Head. Export it (MarshalText) and keep it elsewhere; an
// auditor holding it detects with [Log.VerifyAgainst] a log cut back below
// Size or whose history before Size was rewritten.
type Checkpoint struct {
	LogID uuid.UUID // the log's random identity, fixed when its store was created
	Size  int64     // records appended so far (the Seq of the last one)
	Head  [32]byte  // chain hash of record Size (zero when Size is 0)
	Time  time.Time // when the checkpoint was taken
	Sig   []byte    // ed25519 over the encoding without Sig
}

const checkpointLen = 1 + 16 + 8 + 32 + 8 + ed25519.SignatureSize

func (c *Checkpoint) message() []byte {
	b := make([]byte, 0, 100)
	b = append(b, "regmo/audit/checkpoint/v1\n"...)
	b = append(b, c.LogID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Size))
	b = append(b, c.Head[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
}

// MarshalBinary encodes the checkpoint in its fixed 129-byte form.
func (c Checkpoint) MarshalBinary() ([]byte, error) {
	if len(c.Sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: not signed", ErrBadCheckpoint)
	}
	b := make([]byte, 0, checkpointLen)
	b = append(b, 1)
	b = append(b, c.LogID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Size))
	b = append(b, c.Head[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
	return append(b, c.Sig...), nil
}

// UnmarshalBinary decodes the form of MarshalBinary. It checks the form,
// not the signature: [Log.VerifyAgainst] and [Checkpoint.Verify] do.
func (c *Checkpoint) UnmarshalBinary(b []byte) error {
	if len(b) != checkpointLen || b[0] != 1 {
		return fmt.Errorf("%w: malformed", ErrBadCheckpoint)
	}
	size := int64(binary.BigEndian.Uint64(b[17:]))
	if size < 0 {
		return fmt.Errorf("%w: malformed", ErrBadCheckpoint)
	}
	c.LogID = uuid.UUID(b[1:17])
	c.Size = size
	copy(c.Head[:], b[25:57])
	c.Time = time.Unix(0, int64(binary.BigEndian.Uint64(b[57:]))).UTC()
	c.Sig = append([]byte(nil), b[65:]...)
	return nil
}

// MarshalText encodes the checkpoint as unpadded base64url of MarshalBinary.
func (c Checkpoint) MarshalText() ([]byte, error) {
	b, err := c.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return []byte(base64.RawURLEncoding.EncodeToString(b)), nil
}

// UnmarshalText decodes the form of MarshalText.
func (c *Checkpoint) UnmarshalText(t []byte) error {
	b, err := base64.RawURLEncoding.DecodeString(string(t))
	if err != nil {
		return fmt.Errorf("%w: malformed", ErrBadCheckpoint)
	}
	return c.UnmarshalBinary(b)
}

// Verify reports whether the checkpoint is signed by one of keys.
func (c *Checkpoint) Verify(keys ...ed25519.PublicKey) bool {
	if len(c.Sig) != ed25519.SignatureSize {
		return false
	}
	m := c.message()
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, m, c.Sig) {
			return true
		}
	}
	return false
}
