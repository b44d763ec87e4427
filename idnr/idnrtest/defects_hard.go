package idnrtest

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// Harder defects: names exchanged or written family name first, names
// from other scripts in another Latin spelling, scanning errors, two
// defects at once; and the hard negatives that look like them.

// translitNationalities are nationalities whose names are written in
// another script (Arabic, Cyrillic, Greek) or were until recently
// (Turkish names reach registers through Arabic-script and German
// spellings).
var translitNationalities = []string{"SYR", "IRQ", "AFG", "IRN", "EGY", "LBN", "JOR", "MAR", "DZA", "TUN",
	"RUS", "KAZ", "UKR", "BLR", "KGZ", "UZB", "GRC", "TUR", "SRB", "BGR", "MKD"}

// translitRules rewrite one spelling of a sound into another, as
// transliterations from Arabic, Cyrillic, Greek and Turkish do (after the
// rules of ISO 233, ISO 9, DIN 1460, ELOT 743 and the English, French and
// German conventions they are written in). Synthetic: a rule is applied
// to one place in a name.
var translitRules = []struct{ from, to string }{
	{"ou", "u"}, {"u", "ou"}, {"sch", "sh"}, {"sh", "sch"}, {"kh", "ch"}, {"ch", "kh"}, {"w", "v"},
	{"v", "w"}, {"mm", "m"}, {"ss", "s"}, {"ll", "l"}, {"dd", "d"}, {"ei", "ai"}, {"ai", "ei"},
	{"ej", "ei"}, {"ij", "i"}, {"ph", "f"}, {"x", "ks"}, {"ks", "x"}, {"q", "k"}, {"ah", "a"},
	{"Al-", "El-"}, {"Al-", "Al "}, {"Al-", "Al"}, {"El-", "Al-"}, {"Y", "J"}, {"J", "Y"},
	{"Mohammed", "Muhammad"}, {"Mohammad", "Mohamed"}, {"Muhammad", "Mohammed"}, {"Hussein", "Husain"},
	{"Hüseyin", "Hussein"}, {"Yusuf", "Yousef"}, {"Yousef", "Youssef"}, {"Ahmad", "Ahmed"}, {"Ahmet", "Ahmed"},
	{"Mehmet", "Mehmed"}, {"Khaled", "Khalid"}, {"Omar", "Umar"}, {"Mahmoud", "Mahmud"}, {"Ibrahim", "Ebrahim"},
	{"Fatima", "Fatma"}, {"Aisha", "Aysha"}, {"Mariam", "Maryam"}, {"Nour", "Nur"},
	{"Alexander", "Aleksandr"}, {"Sergej", "Sergey"}, {"Dmitrij", "Dmitry"}, {"Andrej", "Andrei"},
	{"Jurij", "Yuri"}, {"Tatjana", "Tatiana"}, {"Natalja", "Natalia"}, {"Jelena", "Yelena"},
	{"Georgios", "Giorgos"}, {"Dimitrios", "Dimitris"}, {"Ioannis", "Giannis"},
	{"ow", "ov"}, {"owa", "ova"}, {"ew", "ev"}, {"tsch", "ch"}, {"j", "y"}, {"e", "a"}, {"o", "u"},
}

// translitApplies reports whether p has a name from another script
// (a nationality in [translitNationalities] or a birth place in such a
// country) that a rule can rewrite.
func translitApplies(p idnr.Person) bool {
	foreign := slices.ContainsFunc(p.Nationalities, func(n string) bool { return slices.Contains(translitNationalities, n) }) ||
		slices.Contains(translitNationalities, p.BirthPlace.Country)
	return foreign && (translitOptions(p.FamilyName) > 0 || translitOptions(p.GivenNames) > 0)
}

// translitOptions counts the rules that apply to s.
func translitOptions(s string) int {
	n := 0
	for _, r := range translitRules {
		if strings.Contains(translitSafe(s), r.from) {
			n++
		}
	}
	return n
}

// translitSafe is s without its last letter, so that a rule never
// changes the ending of a name (Lena and Leni are different names).
func translitSafe(s string) string {
	r := []rune(s)
	if len(r) < 2 {
		return ""
	}
	return string(r[:len(r)-1])
}

// translitVariant rewrites s by one or two applicable rules; s itself if
// none applies.
func translitVariant(rng *rand.Rand, s string) string {
	for range 1 + rng.IntN(2) {
		var opts []int
		safe := translitSafe(s)
		for i, r := range translitRules {
			if strings.Contains(safe, r.from) {
				opts = append(opts, i)
			}
		}
		if len(opts) == 0 {
			return s
		}
		r := translitRules[opts[rng.IntN(len(opts))]]
		// one occurrence, never in the last letter
		var idx []int
		for i := 0; i+len(r.from) <= len(safe); i++ {
			if strings.HasPrefix(safe[i:], r.from) {
				idx = append(idx, i)
			}
		}
		i := idx[rng.IntN(len(idx))]
		s = s[:i] + r.to + s[i+len(r.from):]
	}
	return s
}

// ocrConfusions are what scanning forms makes of letters.
var ocrConfusions = []struct{ from, to string }{
	{"m", "rn"}, {"d", "cl"}, {"u", "ii"}, {"ü", "ii"}, {"l", "I"}, {"I", "l"}, {"O", "0"}, {"o", "0"},
	{"l", "1"}, {"rn", "m"}, {"w", "vv"},
}

func ocrApplies(s string) bool {
	for _, c := range ocrConfusions {
		if strings.Contains(s, c.from) {
			return true
		}
	}
	return false
}

// ocrConfuse makes one scanning error in s.
func ocrConfuse(rng *rand.Rand, s string) string {
	var opts []int
	for i, c := range ocrConfusions {
		if strings.Contains(s, c.from) {
			opts = append(opts, i)
		}
	}
	if len(opts) == 0 {
		return s
	}
	c := ocrConfusions[opts[rng.IntN(len(opts))]]
	var idx []int
	for i := 0; i+len(c.from) <= len(s); i++ {
		if strings.HasPrefix(s[i:], c.from) {
			idx = append(idx, i)
		}
	}
	i := idx[rng.IntN(len(idx))]
	return s[:i] + c.to + s[i+len(c.from):]
}

// swapNames exchanges given and family name.
func swapNames(q *idnr.Person) {
	q.FamilyName, q.GivenNames = q.GivenNames, q.FamilyName
}

// applyHardDefect applies the harder kinds to q, the clean copy of p.
func applyHardDefect(rng *rand.Rand, p, q idnr.Person, k DefectKind) idnr.Person {
	switch k {
	case NameSwap:
		swapNames(&q)
	case FamilyNameFirst:
		parts := strings.Fields(p.GivenNames)
		q.FamilyName = parts[len(parts)-1]
		q.GivenNames = p.FamilyName + " " + strings.Join(parts[:len(parts)-1], " ")
	case NameSwapPlus:
		second := []DefectKind{Typo, PartialBirthDate, MovedAddress, OCRError, Transliteration}[rng.IntN(5)]
		if second.Applies(q) {
			q = ApplyDefect(rng, q, second)
		}
		swapNames(&q)
	case TranslitVariant:
		switch x := rng.IntN(10); {
		case x < 4 && translitOptions(q.FamilyName) > 0:
			q.FamilyName = translitVariant(rng, q.FamilyName)
		case x < 7 && translitOptions(q.GivenNames) > 0:
			q.GivenNames = translitVariant(rng, q.GivenNames)
		default:
			q.FamilyName = translitVariant(rng, q.FamilyName)
			q.GivenNames = translitVariant(rng, q.GivenNames)
		}
	case OCRError:
		if ocrApplies(q.FamilyName) && (rng.IntN(10) < 6 || !ocrApplies(q.GivenNames)) {
			q.FamilyName = ocrConfuse(rng, q.FamilyName)
		} else {
			q.GivenNames = ocrConfuse(rng, q.GivenNames)
		}
	case TwoDefects:
		kinds := PositiveKinds()[1:]
		first := kinds[rng.IntN(len(kinds))]
		for range 20 {
			if first.Applies(p) {
				break
			}
			first = kinds[rng.IntN(len(kinds))]
		}
		q = ApplyDefect(rng, p, first)
		for range 20 {
			second := kinds[rng.IntN(len(kinds))]
			if second != first && second.Applies(q) {
				return ApplyDefect(rng, q, second)
			}
		}
	}
	return q
}

// similarGivenPairs are given names of twins that differ in a letter.
var similarGivenPairs = [][2]string{{"Anna", "Anja"}, {"Lena", "Lina"}, {"Lea", "Lia"}, {"Mia", "Mila"},
	{"Tim", "Tom"}, {"Jan", "Jon"}, {"Leni", "Lena"}, {"Emma", "Emmi"}, {"Ella", "Elli"}, {"Laura", "Lara"},
	{"Stefan", "Steffen"}, {"Marvin", "Merwin"}, {"Jonas", "Jonah"}, {"Elias", "Elijas"}, {"Nils", "Niels"},
	{"Hanna", "Hanne"}, {"Marie", "Maria"}, {"Leon", "Leo"}, {"Finn", "Fynn"}, {"Carla", "Clara"},
	{"Hasan", "Hüseyin"}, {"Mehmet", "Mahmut"}, {"Ali", "Alim"}, {"Olga", "Olja"}}

// similarGiven returns a name that differs from first as twins' names
// do: from [similarGivenPairs], or with another ending (a last vowel
// changed, an e added or dropped: Carolin, Caroline; Marlene, Marlena).
func similarGiven(rng *rand.Rand, first string) string {
	for _, pr := range similarGivenPairs {
		switch first {
		case pr[0]:
			return pr[1]
		case pr[1]:
			return pr[0]
		}
	}
	if rng.IntN(3) == 0 {
		pr := similarGivenPairs[rng.IntN(len(similarGivenPairs))]
		return pr[rng.IntN(2)]
	}
	r := []rune(first)
	last := r[len(r)-1]
	switch {
	case last == 'e' && rng.IntN(2) == 0:
		return string(r[:len(r)-1])
	case strings.ContainsRune("aeiou", last):
		for {
			c := rune("aeio"[rng.IntN(4)])
			if c != last {
				r[len(r)-1] = c
				return string(r)
			}
		}
	case strings.ContainsRune("àèéìòóùáíúâêîôû", last):
		// not Niccolòe, which is Niccolò with its umlaut spelled out
		return first + "a"
	}
	return first + []string{"e", "a"}[rng.IntN(2)]
}

// hardNegative makes q, a copy of p with its own IDNr, into a hard
// negative of one of the harder kinds.
func hardNegative(rng *rand.Rand, p idnr.Person, q *idnr.Person, k DefectKind) {
	switch k {
	case TwinSimilarName:
		parts := strings.Fields(p.GivenNames)
		first := parts[0]
		for i := 0; ; i++ {
			// not one of p's names (Hasan Hüseyin's twin is not Hüseyin)
			parts[0] = similarGiven(rng, first)
			if i == 20 {
				parts[0] = first + "a" // Lara Clara Laura: Laraa
			}
			if i == 20 || !slices.Contains(defectNameKeys(p.GivenNames), defectNameKeys(parts[0])[0]) {
				break
			}
		}
		if len(parts) > 1 && rng.IntN(2) == 0 {
			parts = parts[:1]
		}
		q.GivenNames = strings.Join(parts, " ")
		q.FormerNames, q.FormerNameKinds = nil, nil
	case SwappedNamesOther:
		first, _, _ := strings.Cut(p.GivenNames, " ")
		q.FamilyName, q.GivenNames = first, p.FamilyName
		years := 1 + rng.IntN(5)
		if rng.IntN(2) == 0 {
			years = -years
		}
		q.BirthDate = defectShiftDate(defectYears(p.BirthDate, years), rng.IntN(61)-30)
		q.FormerNames, q.FormerNameKinds = nil, nil
		a := defectOtherAddress(rng, p.Address)
		a.PostalCode, a.City = p.Address.PostalCode, p.Address.City
		q.Address = a
	case NamesakeSameCity:
		q.FormerNames, q.FormerNameKinds = nil, nil
		q.BirthPlace = idnr.Place{City: defectOtherTown(rng, p.BirthPlace.City)}
		a := defectOtherAddress(rng, p.Address)
		a.PostalCode, a.City = p.Address.PostalCode, p.Address.City
		if a.Street == p.Address.Street {
			a.Street = defectStreets[(slices.Index(defectStreets, a.Street)+1)%len(defectStreets)]
		}
		q.Address = a
	case TranslitNamesake:
		q.FamilyName = translitVariant(rng, p.FamilyName)
		q.GivenNames = translitVariant(rng, p.GivenNames)
		q.FormerNames, q.FormerNameKinds = nil, nil
		q.BirthPlace = idnr.Place{City: defectOtherTown(rng, p.BirthPlace.City)}
		q.Address = defectOtherAddress(rng, p.Address)
	}
}
