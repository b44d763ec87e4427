package idnrtest

import (
	"math/rand/v2"

	"github.com/regmo/regmo/idnr"
)

// Valid first ten digits, counted: exactly one digit occurs twice (the
// other eight positions hold eight distinct digits of the nine left), or
// three times at positions not all adjacent (seven distinct digits of nine).
const (
	numPairs    = 45 // position pairs among 10
	numTriples  = 112
	permsDouble = 9 * 8 * 7 * 6 * 5 * 4 * 3 * 2 // ordered 8 of 9 digits
	permsTriple = 9 * 8 * 7 * 6 * 5 * 4 * 3     // ordered 7 of 9 digits
	spaceDouble = 10 * numPairs * permsDouble
	spaceTriple = 10 * numTriples * permsTriple
	// idSpace is the number of first-ten-digit strings valid under the
	// default rules, leading zeros included (they are skipped).
	idSpace = spaceDouble + spaceTriple
)

// pairPos and triplePos list the positions the repeated digit may take.
var pairPos, triplePos = func() (p [numPairs][2]uint8, t [numTriples][3]uint8) {
	n := 0
	for i := uint8(0); i < 10; i++ {
		for j := i + 1; j < 10; j++ {
			p[n] = [2]uint8{i, j}
			n++
		}
	}
	n = 0
	for i := uint8(0); i < 10; i++ {
		for j := i + 1; j < 10; j++ {
			for k := j + 1; k < 10; k++ {
				if j == i+1 && k == j+1 {
					continue // three in a row
				}
				t[n] = [3]uint8{i, j, k}
				n++
			}
		}
	}
	return p, t
}()

// idSource hands out distinct valid numbers: the counter runs through an
// affine bijection of [0, idSpace) (multiplier coprime to idSpace), and each
// index is unranked into its digits. No set is kept, so millions of numbers
// cost no memory and never collide.
type idSource struct {
	mul, add, next uint64
}

func newIDSource(r *rand.Rand) idSource {
	mul := idSpace/3 + r.Uint64N(idSpace/2)
	for gcd(mul, idSpace) != 1 {
		mul++
	}
	return idSource{mul: mul, add: r.Uint64N(idSpace)}
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// nextDigits returns the first ten digits of the next number.
func (s *idSource) nextDigits() [11]byte {
	for {
		if s.next >= idSpace {
			panic("idnrtest: all valid IDNrs of this Generator are used up")
		}
		i := (s.mul*s.next + s.add) % idSpace
		s.next++
		d := unrank(i)
		if d[0] != 0 {
			return d
		}
	}
}

// unrank maps i in [0, idSpace) to distinct first ten digits.
func unrank(i uint64) [11]byte {
	var d [11]byte
	var taken [10]bool
	rep := byte(i % 10)
	i /= 10
	if i < spaceDouble/10 {
		pp := pairPos[i%numPairs]
		i /= numPairs
		d[pp[0]], d[pp[1]] = rep, rep
		taken[pp[0]], taken[pp[1]] = true, true
		fill(&d, &taken, rep, i, 8)
		return d
	}
	i -= spaceDouble / 10
	tp := triplePos[i%numTriples]
	i /= numTriples
	for _, p := range tp {
		d[p] = rep
		taken[p] = true
	}
	fill(&d, &taken, rep, i, 7)
	return d
}

// fill writes into the free positions of d, in order, an ordered selection
// of distinct digits other than rep, given by its rank.
func fill(d *[11]byte, taken *[10]bool, rep byte, rank uint64, picks int) {
	var avail [9]byte
	n := 0
	for x := byte(0); x < 10; x++ {
		if x != rep {
			avail[n] = x
			n++
		}
	}
	pos := 0
	for k := 0; k < picks; k++ {
		base := uint64(9 - k)
		j := int(rank % base)
		rank /= base
		for taken[pos] {
			pos++
		}
		d[pos] = avail[j]
		copy(avail[j:], avail[j+1:n])
		n--
		pos++
	}
}

// IDNr returns a new valid number (default rules: no leading zero, the
// repetition rules, the check digit), never one this Generator returned
// before. A Generator can hand out over 300 million numbers.
func (g *Generator) IDNr() idnr.IDNr {
	d := g.ids.nextDigits()
	var s [11]byte
	for i := 0; i < 10; i++ {
		s[i] = '0' + d[i]
	}
	c, err := idnr.CheckDigit(string(s[:10]))
	if err != nil {
		panic("idnrtest: " + err.Error())
	}
	s[10] = '0' + c
	id, err := idnr.ParseStrict(string(s[:]))
	if err != nil {
		panic("idnrtest: generated an invalid IDNr: " + err.Error())
	}
	return id
}
