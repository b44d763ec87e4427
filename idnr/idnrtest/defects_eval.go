package idnrtest

import (
	"math/rand/v2"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// registerMix is the realistic mix of defects in a register's copy of the
// basic data: most records are clean or only lightly dirty. Weights in
// per mille.
var registerMix = []struct {
	kind   DefectKind
	weight int
}{
	{Clean, 520}, {Transliteration, 80}, {MissingDiacritics, 40}, {GivenNameSubset, 80},
	{GivenNameOrder, 15}, {Typo, 50}, {MarriedName, 40}, {PartialBirthDate, 25},
	{SwappedBirthDate, 10}, {BirthDateTypo, 15}, {PlaceVariant, 40}, {MovedAddress, 70},
	{DoctoralDegree, 15},
}

// RegisterCopy returns the record a register might hold for p, with a
// realistic random mix of defects: about half of the records are clean,
// the rest carry one defect, a few a second one (an outdated address or a
// given-name subset on top). It returns the first defect applied (Clean for
// a clean copy). The copy has no IDNr.
func RegisterCopy(rng *rand.Rand, p idnr.Person) (idnr.Person, DefectKind) {
	k := Clean
	x := rng.IntN(1000)
	for _, m := range registerMix {
		if x < m.weight {
			k = m.kind
			break
		}
		x -= m.weight
	}
	if !k.Applies(p) {
		k = Clean
	}
	q := ApplyDefect(rng, p, k)
	if k != Clean && rng.IntN(10) == 0 {
		second := []DefectKind{MovedAddress, GivenNameSubset, Transliteration}[rng.IntN(3)]
		if second != k && second.Applies(q) {
			q = ApplyDefect(rng, q, second)
		}
	}
	return q, k
}

// Case is one labelled matching case: a register record and the candidates
// an answer or a hit list offered, with the index of the true person among
// them (-1 when the person is absent).
type Case struct {
	Kind       DefectKind    `json:"kind"`
	Register   idnr.Person   `json:"register"`
	Candidates []idnr.Person `json:"candidates"`
	Truth      int           `json:"truth"`
}

// MakeCase builds a labelled case of kind k around a clean person from
// person (called again until k applies).
//
// Positive kinds: the register record is ApplyDefect(person, k); the
// candidates are the clean person alone (four cases in five, as in a unique
// IDA hit) or the person among one to three hard negatives (a hit list).
// Negative kinds: the register record is a [RegisterCopy] of the person; the
// candidates are a hard negative of kind k alone, or with further hard
// negatives, and never the person.
func MakeCase(rng *rand.Rand, k DefectKind, person func() idnr.Person) Case {
	newID := func() idnr.IDNr { return defectIDNr(rng) }
	return makeCase(rng, k, person, func(p idnr.Person, k DefectKind) idnr.Person {
		return HardNegative(rng, p, k, newID)
	})
}

func makeCase(rng *rand.Rand, k DefectKind, person func() idnr.Person, negative func(idnr.Person, DefectKind) idnr.Person) Case {
	var p idnr.Person
	for i := 0; ; i++ {
		p = person()
		if k.Applies(p) || i > 1000 {
			break
		}
	}
	c := Case{Kind: k, Truth: -1}
	if k.IsNegative() {
		c.Register, _ = RegisterCopy(rng, p)
		c.Candidates = []idnr.Person{negative(p, k)}
	} else {
		c.Register = ApplyDefect(rng, p, k)
		c.Candidates = []idnr.Person{p}
		c.Truth = 0
	}
	if rng.IntN(5) == 0 {
		neg := NegativeKinds()
		for range 1 + rng.IntN(3) {
			c.Candidates = append(c.Candidates, negative(p, neg[rng.IntN(len(neg))]))
		}
	}
	// A defect must not turn p's record into another candidate's: a typo
	// that makes Lena of Lina, or a birth date one digit off that is a
	// namesake's, leaves a record that is the other person's by every
	// field, and no matcher or clerk could tell the truth from it.
	for range 20 {
		if !defectTurnsInto(p, c.Register, c.Candidates, c.Truth) {
			break
		}
		if k.IsNegative() {
			c.Register, _ = RegisterCopy(rng, p)
		} else {
			c.Register = ApplyDefect(rng, p, k)
		}
	}
	if !k.IsNegative() && defectTurnsInto(p, c.Register, c.Candidates, c.Truth) {
		// the defect always gives the same name (Christiane written
		// Christiana, the twin's name): drop the other candidates
		c.Candidates = c.Candidates[:1]
	}
	if len(c.Candidates) > 1 {
		rng.Shuffle(len(c.Candidates), func(i, j int) {
			c.Candidates[i], c.Candidates[j] = c.Candidates[j], c.Candidates[i]
			switch c.Truth {
			case i:
				c.Truth = j
			case j:
				c.Truth = i
			}
		})
	}
	return c
}

// defectTurnsInto reports whether reg, p's record with defects, carries
// the identity of one of the other candidates instead of p's: its first
// given name or birth date changed from p's to that candidate's while the
// family name, the first given name and the birth date agree with it.
func defectTurnsInto(p, reg idnr.Person, cands []idnr.Person, truth int) bool {
	fold := func(s string) string {
		return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(defectStrip(defectTransliterate(s))))
	}
	first := func(s string) string { f, _, _ := strings.Cut(strings.TrimSpace(s), " "); return fold(f) }
	rf, pf := first(reg.GivenNames), first(p.GivenNames)
	for i, q := range cands {
		if i == truth || fold(q.FamilyName) != fold(reg.FamilyName) || first(q.GivenNames) != rf || q.BirthDate != reg.BirthDate {
			continue
		}
		if rf != pf || reg.BirthDate != p.BirthDate {
			return true
		}
	}
	return false
}

// defectIDNr returns a random valid IDNr (one digit twice among the first ten).
func defectIDNr(rng *rand.Rand) idnr.IDNr {
	for {
		d := rng.Perm(10)
		if d[0] == 0 {
			continue
		}
		// replace one digit by a copy of another, not next to it
		i, j := rng.IntN(10), rng.IntN(10)
		if i == j || i == 0 && d[j] == 0 || i-j == 1 || j-i == 1 {
			continue
		}
		d[i] = d[j]
		var b strings.Builder
		for _, x := range d {
			b.WriteByte(byte('0' + x))
		}
		c, err := idnr.CheckDigit(b.String())
		if err != nil {
			continue
		}
		b.WriteByte('0' + c)
		id, err := idnr.Parse(b.String())
		if err == nil {
			return id
		}
	}
}

// defectForeignPlaces are birth places abroad.
var defectForeignPlaces = []idnr.Place{
	{City: "Wrocław", Country: "POL"}, {City: "Gdańsk", Country: "POL"}, {City: "Kaliningrad", Country: "RUS"},
	{City: "Szczecin", Country: "POL"}, {City: "Praha", Country: "CZE"}, {City: "Kyiv", Country: "UKR"},
	{City: "İstanbul", Country: "TUR"}, {City: "Ankara", Country: "TUR"}, {City: "Wien", Country: "AUT"},
	{City: "Zürich", Country: "CHE"}, {City: "Kraków", Country: "POL"}, {City: "Timișoara", Country: "ROU"},
}

// EvalPerson returns a synthetic clean person as the BZSt might hold it:
// one to three given names, a common surname (married women with their
// birth name among the former names), a birth date between 1930 and 2008,
// a birth place in Germany or abroad, an address, nationality, and
// sometimes a doctoral degree. It is the population of the evaluation set
// of idnr/match.
func EvalPerson(rng *rand.Rand) idnr.Person {
	p := idnr.Person{IDNr: defectIDNr(rng)}
	p.Sex = idnr.Male
	if rng.IntN(2) == 0 {
		p.Sex = idnr.Female
	}
	if rng.IntN(200) == 0 {
		p.Sex = []idnr.Sex{idnr.Diverse, idnr.Unspecified}[rng.IntN(2)]
	}
	p.GivenNames = defectOtherGiven(rng, p.Sex, "")
	if rng.IntN(3) == 0 {
		p.GivenNames += " " + defectOtherGiven(rng, p.Sex, p.GivenNames)
	}
	if parts := strings.Fields(p.GivenNames); len(parts) >= 2 && rng.IntN(6) == 0 {
		// a hyphenated given name (Hans-Georg)
		p.GivenNames = parts[0] + "-" + parts[1]
		if len(parts) > 2 {
			p.GivenNames += " " + strings.Join(parts[2:], " ")
		}
	}
	p.FamilyName = defectSurnames[rng.IntN(len(defectSurnames))]
	y := 1930 + rng.IntN(79)
	p.BirthDate = defectShiftDate(idnr.MustDate(y, 1, 1), rng.IntN(365))
	if p.Sex == idnr.Female && y < 1995 && rng.IntN(2) == 0 {
		p.FormerNames = []string{defectOtherSurname(rng, p.FamilyName)}
		p.FormerNameKinds = []idnr.NameKind{idnr.BirthName}
	}
	if rng.IntN(6) == 0 {
		p.BirthPlace = defectForeignPlaces[rng.IntN(len(defectForeignPlaces))]
		p.Nationalities = []string{p.BirthPlace.Country}
		if rng.IntN(2) == 0 {
			p.Nationalities = append(p.Nationalities, "DEU")
		}
	} else {
		p.BirthPlace = idnr.Place{City: defectTowns[rng.IntN(len(defectTowns))].city}
		p.Nationalities = []string{"DEU"}
	}
	p.Address = defectAddress(rng)
	if y < 1990 && rng.IntN(20) == 0 {
		p.DoctoralDegree = defectDegrees[rng.IntN(len(defectDegrees))]
	}
	return p
}
