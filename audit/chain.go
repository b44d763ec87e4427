package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
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
	h := hashers.Get().(*hasher)
	sum := h.sum(prev, segment, data)
	hashers.Put(h)
	return sum
}

// hashers keeps the hashers of rowHash, which a query calls for every
// copy it serves (CopyMatches).
var hashers = sync.Pool{New: func() any { return new(hasher) }}

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
