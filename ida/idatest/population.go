package idatest

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"golang.org/x/text/unicode/norm"
)

// searchForm is the mock's stand-in for the BZSt's matching, which the law
// does not describe: upper case, umlauts and ß folded (Ä → AE, Ö → OE,
// Ü → UE, ß → SS), other letters stripped of their diacritics, everything
// that is not A–Z removed. "Müller-Lüdenscheidt" and "MUELLER LUEDENSCHEIDT"
// are the same; "Muller" is not.
func searchForm(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	if ascii {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			if c >= 'A' && c <= 'Z' {
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	for _, r := range norm.NFC.String(s) {
		switch r {
		case 'ä', 'Ä':
			b.WriteString("AE")
			continue
		case 'ö', 'Ö':
			b.WriteString("OE")
			continue
		case 'ü', 'Ü':
			b.WriteString("UE")
			continue
		case 'ß', 'ẞ':
			b.WriteString("SS")
			continue
		}
		for _, d := range norm.NFD.String(string(r)) {
			d = unicode.ToUpper(d)
			if d >= 'A' && d <= 'Z' {
				b.WriteRune(d)
			}
		}
	}
	return b.String()
}

// nameParts returns the search forms of the space-separated parts of s.
func nameParts(s string) []string {
	f := strings.Fields(s)
	out := f[:0]
	for _, p := range f {
		if x := searchForm(p); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// generate makes n synthetic people from seed with idnr/idnrtest
// (households with couples, siblings and twins, partial birth dates, former
// names), and gives about 2% of them an information block.
func generate(n int, seed uint64) []idnr.Person {
	people := idnrtest.New(seed).Population(n)
	r := rand.New(rand.NewPCG(seed, 0x1da7e57))
	for i := range people {
		if r.IntN(50) == 0 && !people[i].HasInformationBlock() {
			people[i].InformationBlocks = append(people[i].InformationBlocks, idnr.BlockRisk)
		}
	}
	return people
}
