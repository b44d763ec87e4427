package idnrtest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/regmo/regmo/idnr"
)

// DefectKind names a way in which a register's record of a person differs
// from the clean basic data held at the BZSt (the positive kinds), or a
// different person who is easily taken for the same one (the hard
// negatives). Register records are dirtier than the BZSt's: the defects are
// the ones domain experts report as normal, not as errors.
type DefectKind uint8

// Positive kinds: the register copy is the same person with a defect.
const (
	// Clean: the register holds exactly the basic data.
	Clean DefectKind = iota
	// Transliteration: umlauts and ß written out (ü → ue, ß → ss), or the
	// names in capitals, as older systems stored them.
	Transliteration
	// MissingDiacritics: diacritics lost (Müller → Muller, Sørensen → Sorensen).
	MissingDiacritics
	// GivenNameSubset: only some of the given names are recorded (the
	// first, or the one in daily use).
	GivenNameSubset
	// GivenNameOrder: the given names in another order.
	GivenNameOrder
	// Typo: one keyboard typo (neighbour key, dropped, doubled or
	// transposed letter) in the family name, a given name or the street.
	Typo
	// MarriedName: the register still has the birth name while the BZSt has
	// the married name with the birth name among the former names, or the
	// other way round.
	MarriedName
	// PartialBirthDate: the day (or day and month) unknown in the register.
	PartialBirthDate
	// SwappedBirthDate: day and month swapped (only where both are ≤ 12).
	SwappedBirthDate
	// BirthDateTypo: one digit of the birth date wrong, or two neighbouring
	// digits transposed.
	BirthDateTypo
	// PlaceVariant: the birth place with its district, by an old or foreign
	// name, or in another spelling ("Frankfurt a. M.").
	PlaceVariant
	// MovedAddress: the register has an outdated address.
	MovedAddress
	// DoctoralDegree: the doctoral degree present on one side only.
	DoctoralDegree

	// Hard negatives: a different person (see [HardNegative]).

	// Twin: same family name, birth date, birth place and address; other given names.
	Twin
	// NamesakeSameBirthDate: same names and birth date, born and living elsewhere.
	NamesakeSameBirthDate
	// FatherSon: father and son (or mother and daughter) with the same names
	// at the same address.
	FatherSon
	// Sibling: same family name, parents' address and birth place; other
	// given names and birth date.
	Sibling
	// NamesakeNearBirthDate: same names, a birth date a few days to a year
	// away, living elsewhere.
	NamesakeNearBirthDate

	// Harder positive kinds (see [HardKinds]).

	// NameSwap: given and family name exchanged, as forms and foreign
	// documents write them.
	NameSwap
	// FamilyNameFirst: the whole name written family name first and split
	// at the wrong place: the last given name taken for the family name.
	FamilyNameFirst
	// NameSwapPlus: given and family name exchanged and one more defect (a
	// typo, a partial birth date, an outdated address or a scanning error).
	NameSwapPlus
	// TranslitVariant: a name from another script in another Latin
	// spelling (Mohammed, Muhammad; Yusuf, Yousef; Al-Hassan, El Hasan).
	TranslitVariant
	// OCRError: a name read from a scanned form: rn for m, cl for d, ii
	// for u or ü, l and I, 0 for O, 1 for l.
	OCRError
	// TwoDefects: two ordinary defects of different kinds combined.
	TwoDefects

	// Harder negatives.

	// TwinSimilarName: a twin whose first given name differs from p's in
	// one letter (Anna, Anja; Lena, Lina).
	TwinSimilarName
	// SwappedNamesOther: a different person whose given and family name
	// are p's exchanged, born one to five years apart, in the same town.
	SwappedNamesOther
	// NamesakeSameCity: same names and birth date, living in the same town
	// (another street), born elsewhere.
	NamesakeSameCity
	// TranslitNamesake: a namesake in another Latin spelling of the same
	// names, born the same day, born and living elsewhere.
	TranslitNamesake

	numDefectKinds
)

var defectKindNames = [numDefectKinds]string{
	"clean", "transliteration", "missing-diacritics", "given-name-subset", "given-name-order", "typo",
	"married-name", "partial-birth-date", "swapped-birth-date", "birth-date-typo", "place-variant",
	"moved-address", "doctoral-degree",
	"twin", "namesake-same-birth-date", "father-son", "sibling", "namesake-near-birth-date",
	"name-swap", "family-name-first", "name-swap-plus", "translit-variant", "ocr-error", "two-defects",
	"twin-similar-name", "swapped-names-other", "namesake-same-city", "translit-namesake",
}

// String returns a stable token such as "swapped-birth-date".
func (k DefectKind) String() string {
	if k < numDefectKinds {
		return defectKindNames[k]
	}
	return "defect(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (k DefectKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *DefectKind) UnmarshalText(b []byte) error {
	for i, n := range defectKindNames {
		if n == string(b) {
			*k = DefectKind(i)
			return nil
		}
	}
	return &idnr.FieldError{Field: "DefectKind", Reason: "unknown defect kind"}
}

// IsNegative reports whether k is a hard negative (a different person).
func (k DefectKind) IsNegative() bool {
	return (k >= Twin && k <= NamesakeNearBirthDate) || (k >= TwinSimilarName && k < numDefectKinds)
}

// IsHard reports whether k is one of the harder positive kinds ([HardKinds]).
func (k DefectKind) IsHard() bool { return k >= NameSwap && k <= TwoDefects }

// PositiveKinds returns the ordinary defect kinds that keep the person,
// Clean first.
func PositiveKinds() []DefectKind {
	out := make([]DefectKind, 0, Twin)
	for k := Clean; k < Twin; k++ {
		out = append(out, k)
	}
	return out
}

// HardKinds returns the harder defect kinds that keep the person: names
// exchanged or written family name first, transliteration variants,
// scanning errors, two defects combined.
func HardKinds() []DefectKind {
	return []DefectKind{NameSwap, FamilyNameFirst, NameSwapPlus, TranslitVariant, OCRError, TwoDefects}
}

// NegativeKinds returns the hard-negative kinds.
func NegativeKinds() []DefectKind {
	out := make([]DefectKind, 0, numDefectKinds-Twin)
	for k := Twin; k <= NamesakeNearBirthDate; k++ {
		out = append(out, k)
	}
	for k := TwinSimilarName; k < numDefectKinds; k++ {
		out = append(out, k)
	}
	return out
}

// Applies reports whether the defect kind can be applied to p (a
// transliteration needs an umlaut or ß, a swap a day ≤ 12, a subset two
// given names, ...). [ApplyDefect] returns p unchanged when it does not.
func (k DefectKind) Applies(p idnr.Person) bool {
	switch k {
	case Transliteration:
		return defectHasAny(p, "äöüÄÖÜß")
	case MissingDiacritics:
		return defectHasAny(p, "äöüÄÖÜ") || defectHasNonASCII(p.FamilyName+p.GivenNames)
	case GivenNameSubset, GivenNameOrder:
		return len(strings.Fields(p.GivenNames)) >= 2
	case Typo:
		return defectLetters(p.FamilyName) >= 4
	case PartialBirthDate, BirthDateTypo:
		return p.BirthDate.IsComplete()
	case SwappedBirthDate:
		d, _ := p.BirthDate.Day()
		mo, _ := p.BirthDate.Month()
		return p.BirthDate.IsComplete() && d <= 12 && d != int(mo)
	case PlaceVariant:
		return p.BirthPlace.City != ""
	case MovedAddress:
		return !p.Address.IsZero()
	case Twin, NamesakeSameBirthDate, NamesakeNearBirthDate, FatherSon, Sibling,
		TwinSimilarName, SwappedNamesOther, NamesakeSameCity:
		return p.BirthDate.IsComplete() && p.FamilyName != "" && p.GivenNames != ""
	case NameSwap, NameSwapPlus:
		return p.FamilyName != "" && p.GivenNames != "" && !strings.EqualFold(p.FamilyName, p.GivenNames)
	case FamilyNameFirst:
		return p.FamilyName != "" && len(strings.Fields(p.GivenNames)) >= 2
	case TranslitVariant:
		return translitApplies(p)
	case TranslitNamesake:
		return p.BirthDate.IsComplete() && translitApplies(p)
	case OCRError:
		return ocrApplies(p.FamilyName) || ocrApplies(p.GivenNames)
	}
	return k < numDefectKinds
}

func defectHasAny(p idnr.Person, chars string) bool {
	for _, s := range []string{p.FamilyName, p.GivenNames, p.BirthPlace.City, p.Address.Street} {
		if strings.ContainsAny(s, chars) {
			return true
		}
	}
	return slices.ContainsFunc(p.FormerNames, func(s string) bool { return strings.ContainsAny(s, chars) })
}

func defectHasNonASCII(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func defectLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// defectClone copies p deeply enough that changing the copy's slices does
// not change p.
func defectClone(p idnr.Person) idnr.Person {
	q := p
	q.FormerNames = slices.Clone(p.FormerNames)
	q.FormerNameKinds = slices.Clone(p.FormerNameKinds)
	q.Nationalities = slices.Clone(p.Nationalities)
	q.InformationBlocks = slices.Clone(p.InformationBlocks)
	return q
}

// ApplyDefect returns the record a register might hold for p, with one
// defect of the positive kind k. The register's copy never carries the
// IDNr (the initial fill is what brings it). For a kind that does not
// apply to p (see [DefectKind.Applies]) or a hard-negative kind it returns
// the clean copy. The rng decides the details.
func ApplyDefect(rng *rand.Rand, p idnr.Person, k DefectKind) idnr.Person {
	q := defectClone(p)
	q.IDNr = idnr.IDNr{}
	if !k.Applies(p) {
		return q
	}
	switch k {
	case Transliteration:
		upper := rng.IntN(4) == 0
		f := func(s string) string {
			s = defectTransliterate(s)
			if upper {
				s = strings.ToUpper(s)
			}
			return s
		}
		q.FamilyName, q.GivenNames = f(q.FamilyName), f(q.GivenNames)
		for i := range q.FormerNames {
			q.FormerNames[i] = f(q.FormerNames[i])
		}
		q.BirthPlace.City = f(q.BirthPlace.City)
		q.Address.Street, q.Address.City = f(q.Address.Street), f(q.Address.City)
	case MissingDiacritics:
		q.FamilyName, q.GivenNames = defectStrip(q.FamilyName), defectStrip(q.GivenNames)
		for i := range q.FormerNames {
			q.FormerNames[i] = defectStrip(q.FormerNames[i])
		}
		if rng.IntN(2) == 0 {
			q.BirthPlace.City = defectStrip(q.BirthPlace.City)
			q.Address.Street, q.Address.City = defectStrip(q.Address.Street), defectStrip(q.Address.City)
		}
	case GivenNameSubset:
		parts := strings.Fields(q.GivenNames)
		if rng.IntN(5) < 3 {
			q.GivenNames = parts[0] // the first given name only
		} else {
			keep := parts[:0:0]
			for len(keep) == 0 || len(keep) == len(parts) {
				keep = keep[:0]
				for _, g := range parts {
					if rng.IntN(2) == 0 {
						keep = append(keep, g)
					}
				}
			}
			q.GivenNames = strings.Join(keep, " ")
		}
	case GivenNameOrder:
		parts := strings.Fields(q.GivenNames)
		orig := slices.Clone(parts)
		for slices.Equal(parts, orig) {
			rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		}
		q.GivenNames = strings.Join(parts, " ")
	case Typo:
		switch x := rng.IntN(10); {
		case x < 6:
			q.FamilyName = defectTypo(rng, q.FamilyName)
		case x < 8 && q.GivenNames != "":
			parts := strings.Fields(q.GivenNames)
			i := rng.IntN(len(parts))
			parts[i] = defectTypo(rng, parts[i])
			q.GivenNames = strings.Join(parts, " ")
		case q.Address.Street != "":
			q.Address.Street = defectTypo(rng, q.Address.Street)
		default:
			q.FamilyName = defectTypo(rng, q.FamilyName)
		}
	case MarriedName:
		if i := defectBirthNameIndex(p); i >= 0 {
			// The register was not told of the marriage: it keeps the birth name.
			q.FamilyName = p.FormerNames[i]
			q.FormerNames, q.FormerNameKinds = nil, nil
		} else {
			// The register knows of a marriage the BZSt copy does not show yet.
			q.FormerNames = []string{p.FamilyName}
			q.FormerNameKinds = []idnr.NameKind{idnr.BirthName}
			q.FamilyName = defectOtherSurname(rng, p.FamilyName)
			if rng.IntN(5) == 0 {
				q.FamilyName = q.FamilyName + "-" + p.FamilyName
			}
		}
	case PartialBirthDate:
		y, _ := p.BirthDate.Year()
		mo, _ := p.BirthDate.Month()
		if rng.IntN(10) < 7 {
			q.BirthDate = idnr.MustDate(y, int(mo), 0)
		} else {
			q.BirthDate = idnr.MustDate(y, 0, 0)
		}
	case SwappedBirthDate:
		y, _ := p.BirthDate.Year()
		mo, _ := p.BirthDate.Month()
		d, _ := p.BirthDate.Day()
		q.BirthDate = idnr.MustDate(y, d, int(mo))
	case BirthDateTypo:
		q.BirthDate = defectDateTypo(rng, p.BirthDate)
	case PlaceVariant:
		q.BirthPlace.City = defectPlaceVariant(rng, p.BirthPlace.City)
	case MovedAddress:
		q.Address = defectOtherAddress(rng, p.Address)
	case DoctoralDegree:
		if p.DoctoralDegree != "" {
			q.DoctoralDegree = ""
		} else {
			q.DoctoralDegree = defectDegrees[rng.IntN(len(defectDegrees))]
		}
	default:
		q = applyHardDefect(rng, p, q, k)
	}
	return q
}

var defectDegrees = []string{"Dr.", "Dr.", "Dr.", "Dr. med.", "Dr. rer. nat.", "Dr.-Ing.", "Dr. phil."}

// defectBirthNameIndex returns the index of p's birth name among its
// former names (or of its first former name), or -1.
func defectBirthNameIndex(p idnr.Person) int {
	for i := range p.FormerNames {
		if p.FormerNameKind(i) == idnr.BirthName {
			return i
		}
	}
	if len(p.FormerNames) > 0 {
		return 0
	}
	return -1
}

var defectTranslit = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss")

// defectTransliterate writes umlauts and ß out (ü → ue, ß → ss).
func defectTransliterate(s string) string { return defectTranslit.Replace(s) }

var defectStripper = strings.NewReplacer(
	"ä", "a", "ö", "o", "ü", "u", "Ä", "A", "Ö", "O", "Ü", "U", "ß", "ss",
	"é", "e", "è", "e", "ê", "e", "á", "a", "à", "a", "â", "a", "ó", "o", "ò", "o", "ô", "o",
	"í", "i", "ì", "i", "ú", "u", "ç", "c", "ñ", "n", "ø", "o", "Ø", "O", "å", "a", "Å", "A",
	"ł", "l", "Ł", "L", "ś", "s", "Ś", "S", "ć", "c", "ń", "n", "ź", "z", "ż", "z", "Ż", "Z",
	"č", "c", "Č", "C", "š", "s", "Š", "S", "ž", "z", "Ž", "Z", "ř", "r", "ě", "e", "ą", "a", "ę", "e",
	"ğ", "g", "ı", "i", "İ", "I", "ş", "s", "Ş", "S", "æ", "ae", "œ", "oe",
)

// defectStrip drops diacritics (Müller → Muller).
func defectStrip(s string) string { return defectStripper.Replace(s) }

// defectNeighbours are neighbouring keys on a German QWERTZ keyboard.
var defectNeighbours = map[rune]string{
	'q': "wa", 'w': "qes", 'e': "wrd", 'r': "etf", 't': "rzg", 'z': "tuh", 'u': "zij", 'i': "uok",
	'o': "ipl", 'p': "oü", 'a': "qsy", 's': "adw", 'd': "sfe", 'f': "dgr", 'g': "fht", 'h': "gjz",
	'j': "hku", 'k': "jli", 'l': "kö", 'y': "xa", 'x': "ycs", 'c': "xvd", 'v': "cbf", 'b': "vng",
	'n': "bmh", 'm': "nj", 'ü': "pä", 'ö': "lä", 'ä': "öü",
}

// defectTypo makes one keyboard typo in a letter of s other than the first:
// a neighbouring key, a dropped, doubled or transposed letter.
func defectTypo(rng *rand.Rand, s string) string {
	r := []rune(s)
	var pos []int
	for i := 1; i < len(r); i++ {
		if unicode.IsLetter(r[i]) {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		return s
	}
	for range 8 {
		i := pos[rng.IntN(len(pos))]
		out := slices.Clone(r)
		switch rng.IntN(4) {
		case 0: // neighbouring key
			lower := unicode.ToLower(out[i])
			nb := []rune(defectNeighbours[lower])
			if len(nb) == 0 {
				continue
			}
			c := nb[rng.IntN(len(nb))]
			if unicode.IsUpper(out[i]) {
				c = unicode.ToUpper(c)
			}
			out[i] = c
		case 1: // dropped
			out = slices.Delete(out, i, i+1)
		case 2: // doubled
			out = slices.Insert(out, i, out[i])
		case 3: // transposed with the next letter
			if i+1 >= len(out) || !unicode.IsLetter(out[i+1]) || out[i] == out[i+1] {
				continue
			}
			out[i], out[i+1] = out[i+1], out[i]
		}
		if t := string(out); t != s && !strings.EqualFold(defectTransliterate(t), defectTransliterate(s)) {
			return t
		}
	}
	return s
}

// defectDateTypo returns a valid complete date that differs from d in one
// digit of its register form DDMMYYYY or by two transposed neighbouring
// digits.
func defectDateTypo(rng *rand.Rand, d idnr.Date) idnr.Date {
	form := []byte(d.RegisterForm())
	for range 50 {
		b := slices.Clone(form)
		if rng.IntN(4) == 0 {
			i := rng.IntN(len(b) - 1)
			if i == 1 || i == 3 || b[i] == b[i+1] { // keep transpositions within day, month, year
				continue
			}
			b[i], b[i+1] = b[i+1], b[i]
		} else {
			i := rng.IntN(len(b))
			if i == 4 { // the millennium digit does not get mistyped plausibly
				continue
			}
			c := byte('0' + rng.IntN(10))
			if c == b[i] {
				continue
			}
			b[i] = c
		}
		nd, err := idnr.ParseDate(string(b))
		if err != nil || !nd.IsComplete() || nd == d {
			continue
		}
		y, _ := nd.Year()
		if y < 1900 || y > 2025 {
			continue
		}
		return nd
	}
	// fall back to the neighbouring day digit
	y, _ := d.Year()
	mo, _ := d.Month()
	day, _ := d.Day()
	switch {
	case day%10 != 0 && day > 1:
		return idnr.MustDate(y, int(mo), day-1)
	case day == 1:
		return idnr.MustDate(y, int(mo), 2)
	}
	return idnr.MustDate(y, int(mo), day-10)
}
