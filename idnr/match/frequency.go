package match

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"iter"
	"math"

	"github.com/regmo/regmo/idnr"
)

// Name frequencies (term-frequency adjustment).
//
// Agreement on a rare name is stronger evidence than agreement on a common
// one: two records named Müller agree by chance far more often than two
// named Eckmüller. Splink and fastLink adjust the weight of an exact
// agreement by the value's frequency; so does the matcher when it is given
// a [Frequencies] table built from the register itself ([BuildFrequencies],
// one pass, e.g. during the onboarding preflight, kept with
// [Frequencies.MarshalBinary]) with [WithFrequencies].
//
// The formula: the default weight of an exact family name (given names:
// likewise) is w = log2(m/u) with u = 2^-w for m ≈ 1, the chance that two
// different people agree. With the table, u is the name's own frequency
// f = (count + 1) / (people + 1), and the weight becomes w + adj with
//
//	adj = clamp(log2(2^-w / f), -MaxLower, +MaxRaise)   (MaxLower 4, MaxRaise 3)
//
// applied to [LevelExact] of the current family name and of the given
// names (by the first given name of the register record). The guard: the
// adjustment is bounded, and it only changes the score: every rule of
// "Decisions" still holds, so a pair that conflicts on birth date, sex,
// IDNr or given names is held back however rare its names are. Tables of
// fewer than 1,000 people are not used (the frequencies would be noise).
//
// The table holds no names: it keeps 64-bit hashes of the search forms
// (with a seed of its own, stored with it) and their counts.

// Limits of the term-frequency adjustment.
const (
	MaxRaise     = 3.0
	MaxLower     = 4.0
	minFreqTotal = 1000
)

// Frequencies counts the family names and given names of a register.
type Frequencies struct {
	raw    uint64 // the seed as stored
	family map[uint64]uint32
	given  map[uint64]uint32
	people uint64
}

// BuildFrequencies counts the current family names and every given name
// of people in one pass.
func BuildFrequencies(people iter.Seq[idnr.Person]) *Frequencies {
	f := newFrequencies(seedValue())
	var buf []byte
	for p := range people {
		f.people++
		buf = appendNameSearchForm(buf[:0], p.FamilyName)
		if len(buf) > 0 {
			f.family[f.hash(buf)]++
		}
		given := p.GivenNames
		start := 0
		for i := 0; i <= len(given); i++ {
			if i < len(given) && given[i] != ' ' && given[i] != '\t' {
				continue
			}
			if i > start {
				buf = appendNameSearchForm(buf[:0], given[start:i])
				if len(buf) > 0 {
					f.given[f.hash(buf)]++
				}
			}
			start = i + 1
		}
	}
	return f
}

func seedValue() uint64 {
	var h maphash.Hash
	return h.Sum64() // random per process
}

func newFrequencies(raw uint64) *Frequencies {
	f := &Frequencies{raw: raw, family: map[uint64]uint32{}, given: map[uint64]uint32{}}
	return f
}

// hash is FNV-1a of the search form mixed with the table's seed: stable
// across processes for a stored table.
func (f *Frequencies) hash(sf []byte) uint64 {
	h := uint64(14695981039346656037) ^ f.raw
	for _, c := range sf {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// People returns the number of people counted.
func (f *Frequencies) People() uint64 { return f.people }

// adjust returns the adjustment for a name of search form sf in counts,
// given the default weight w of its exact agreement.
func (f *Frequencies) adjust(counts map[uint64]uint32, sf string, w float64) float32 {
	if f == nil || f.people < minFreqTotal || sf == "" {
		return 0
	}
	var buf [64]byte
	b := append(buf[:0], sf...)
	c := counts[f.hash(b)]
	freq := (float64(c) + 1) / (float64(f.people) + 1)
	adj := math.Log2(math.Exp2(-w) / freq)
	return float32(max(-MaxLower, min(MaxRaise, adj)))
}

// WithFrequencies makes the matcher adjust the weight of exact name
// agreement by the names' frequencies in f (see "Name frequencies" in the
// package documentation). A nil f, or a table of fewer than 1,000 people,
// leaves the default weights.
func WithFrequencies(f *Frequencies) Option { return func(c *config) { c.freq = f } }

// setAdjustments fills the term-frequency adjustments of p.
func (m *Matcher) setAdjustments(p *Prepared) {
	if m.freq == nil {
		return
	}
	if p.nfam > 0 && p.famCurrent {
		p.famAdj = m.freq.adjust(m.freq.family, p.fam[0].sf, m.w[FieldFamilyName][LevelExact])
	}
	if p.ngiven > 0 {
		p.givAdj = m.freq.adjust(m.freq.given, p.given[0], m.w[FieldGivenNames][LevelExact])
	}
}

// ErrFrequencies is returned for a stored table that cannot be read.
var ErrFrequencies = errors.New("match: frequencies: malformed table")

const freqMagic = "regmo-freq-1"

// MarshalBinary stores the table: a header, the seed, the number of people
// and the hashed counts. It holds no names.
func (f *Frequencies) MarshalBinary() ([]byte, error) {
	out := append([]byte(nil), freqMagic...)
	out = binary.BigEndian.AppendUint64(out, f.raw)
	out = binary.BigEndian.AppendUint64(out, f.people)
	for _, m := range []map[uint64]uint32{f.family, f.given} {
		out = binary.BigEndian.AppendUint64(out, uint64(len(m)))
		for k, v := range m {
			out = binary.BigEndian.AppendUint64(out, k)
			out = binary.BigEndian.AppendUint32(out, v)
		}
	}
	return out, nil
}

// UnmarshalBinary reads a table stored by MarshalBinary.
func (f *Frequencies) UnmarshalBinary(b []byte) error {
	if len(b) < len(freqMagic)+16 || string(b[:len(freqMagic)]) != freqMagic {
		return ErrFrequencies
	}
	b = b[len(freqMagic):]
	g := newFrequencies(binary.BigEndian.Uint64(b))
	g.people = binary.BigEndian.Uint64(b[8:])
	b = b[16:]
	for _, m := range []map[uint64]uint32{g.family, g.given} {
		if len(b) < 8 {
			return ErrFrequencies
		}
		n := binary.BigEndian.Uint64(b)
		b = b[8:]
		if n > uint64(len(b))/12 {
			return ErrFrequencies
		}
		for range n {
			m[binary.BigEndian.Uint64(b)] = binary.BigEndian.Uint32(b[8:])
			b = b[12:]
		}
	}
	if len(b) != 0 {
		return ErrFrequencies
	}
	*f = *g
	return nil
}
