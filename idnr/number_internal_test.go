package idnr

import (
	"math/rand/v2"
	"testing"
)

// refCheck is the rule text of domain.md, written plainly, to compare the
// fast implementation against.
func refCheck(d *[11]byte, skipAdjacency bool) error {
	var count [10]int
	for _, x := range d[:10] {
		count[x]++
	}
	repeated := -1
	for digit, c := range count {
		if c > 3 {
			return ErrRepetition
		}
		if c >= 2 {
			if repeated >= 0 {
				return ErrRepetition
			}
			repeated = digit
		}
	}
	if repeated < 0 {
		return ErrRepetition
	}
	if count[repeated] == 3 && !skipAdjacency {
		for i := 0; i+2 < 10; i++ {
			if int(d[i]) == repeated && int(d[i+1]) == repeated && int(d[i+2]) == repeated {
				return ErrThreeInARow
			}
		}
	}
	p := 10
	for _, x := range d[:10] {
		s := (int(x) + p) % 10
		if s == 0 {
			s = 10
		}
		p = (2 * s) % 11
	}
	c := 11 - p
	if c == 10 {
		c = 0
	}
	if byte(c) != d[10] {
		return ErrCheckDigit
	}
	return nil
}

func TestRulesAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 300_000
	if testing.Short() {
		n = 30_000
	}
	var valid int
	for i := 0; i < n; i++ {
		var d [11]byte
		// Draw digits from a small alphabet now and then so that repetitions
		// of every kind occur often.
		k := 10
		if i%2 == 0 {
			k = 4 + r.IntN(6)
		}
		for j := range d {
			d[j] = byte(r.IntN(k))
		}
		if i%3 == 0 {
			d[10] = checkDigit(&d)
		}
		d[0] = 1 + d[0]%9
		for _, skip := range []bool{false, true} {
			var opt Option
			if skip {
				opt = StdnumCompatible
			}
			want := refCheck(&d, skip)
			_, got := fromDigits(&d, opt)
			if got != want {
				t.Fatalf("%v skip=%v: got %v, want %v", d, skip, got, want)
			}
			if got == nil {
				valid++
			}
		}
	}
	if valid == 0 {
		t.Fatal("no valid number drawn")
	}
}
