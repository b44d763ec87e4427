package idnr

import (
	"errors"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run ../internal/din91379gen

// DataType is a DIN 91379 data type: the set of characters a field may hold.
type DataType uint8

const (
	// DataTypeA is for names of natural persons (family, former and given
	// names, the doctoral degree): the Latin letters of group bll (single
	// characters and sequences of a base letter and combining marks) and
	// the non-letters N1 (group bnlreq: space ' , - . ` ~ ¨ ´ · ʹ ʺ ʾ ʿ ˈ ˌ ’ ‡).
	// It is the zero value, the strictest type.
	DataTypeA DataType = iota
	// DataTypeB is for other names, which in the basic data are places,
	// streets, house numbers, postcodes abroad and countries: DataTypeA plus
	// the non-letters N2 (group bnl: digits, ! " # $ % & ( ) * + / : ; < = >
	// ? @ [ \ ] ^ _ { | } and ¡ ¢ £ ¥ § © ª « ¬ ® ¯ ° ± ² ³ µ ¶ ¹ º » ¿ × ÷ €).
	DataTypeB
)

// String returns "A" or "B".
func (t DataType) String() string {
	if t == DataTypeB {
		return "B"
	}
	return "A"
}

func (t DataType) mask() uint8 {
	if t == DataTypeB {
		return dinLetter | dinN1 | dinN2
	}
	return dinLetter | dinN1
}

// Name errors, wrapped in a [*FieldError] that names the field and lists the
// offending code points. They never carry the value.
var (
	ErrNameChars = errors.New("idnr: characters outside DIN 91379")
	ErrNameUTF8  = errors.New("idnr: not valid UTF-8")
	ErrNotNFC    = errors.New("idnr: not in Unicode normalization form C")
)

// maxBadCodePoints caps the code points listed in one error.
const maxBadCodePoints = 16

// NormalizeName returns s in Unicode normalization form C (NFC), the form
// DIN 91379 and this package expect: a decomposed "a" + U+0308 becomes "ä".
// It changes nothing else (no trimming, no case folding). ASCII input and
// input already in NFC are returned as they are, without allocating.
func NormalizeName(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFC.String(s)
		}
	}
	return s
}

// CheckName reports whether s uses only the characters of the DIN 91379
// data type t. It judges the NFC form of s (see [NormalizeName]), so a
// decomposed "a" + U+0308 passes as "ä"; store the normalised form.
//
// The error is a [*FieldError] with an empty Field, the reason, the
// offending characters as code points (of the NFC form) and Err set to
// [ErrNameChars] or [ErrNameUTF8]; use [CheckField] to name the field. It
// never contains s. An empty string passes.
func CheckName(s string, t DataType) error {
	return CheckField("", s, t)
}

// CheckField is [CheckName] with the field path (such as "FamilyName" or
// "Address.Street") set in the returned [*FieldError].
func CheckField(field, s string, t DataType) error {
	if dinScan(s, t.mask(), nil) {
		return nil
	}
	return nameError(field, s, t, false)
}

// nameError builds the error for a value that failed the fast scan.
func nameError(field, s string, t DataType, requireNFC bool) error {
	if !utf8.ValidString(s) {
		return &FieldError{Field: field, Reason: "not valid UTF-8", Err: ErrNameUTF8}
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
		if dinScan(s, t.mask(), nil) {
			if !requireNFC {
				return nil
			}
			return &FieldError{Field: field, Reason: "not in Unicode NFC (normalise with NormalizeName)", Err: ErrNotNFC}
		}
	}
	var bad []rune
	dinScan(s, t.mask(), &bad)
	return &FieldError{
		Field:      field,
		Reason:     "characters outside DIN 91379 data type " + t.String(),
		CodePoints: bad,
		Err:        ErrNameChars,
	}
}

// dinScan checks s against the class mask. With bad == nil it stops at the
// first offending character; otherwise it collects the offending code points
// (without duplicates, at most maxBadCodePoints) into *bad. It reports
// whether s passed.
//
// A letter followed by combining marks is one unit that must be one of the
// DIN 91379 sequences; a double diacritic (U+035C to U+0362) joins the
// letter after it, as in K͟H. For a unit that is not a sequence the marks are
// reported, for a mark without a letter the mark itself.
func dinScan(s string, mask uint8, bad *[]rune) bool {
	ok := true
	fail := func(r rune) bool {
		ok = false
		if bad == nil {
			return true
		}
		for _, x := range *bad {
			if x == r {
				return false
			}
		}
		if len(*bad) < maxBadCodePoints {
			*bad = append(*bad, r)
		}
		return false
	}
	letter := -1 // byte offset of the preceding rune if it is a letter, else -1
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			cls := dinBlock00[c]
			if cls&mask == 0 && fail(rune(c)) {
				return false
			}
			letter = -1
			if cls&dinLetter != 0 {
				letter = i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			if fail(utf8.RuneError) {
				return false
			}
			letter = -1
			i++
			continue
		}
		if cls := dinClass(r); cls != 0 {
			if cls&mask == 0 && fail(r) {
				return false
			}
			letter = -1
			if cls&dinLetter != 0 {
				letter = i
			}
			i += n
			continue
		}
		if !isMark(r) {
			if fail(r) {
				return false
			}
			letter = -1
			i += n
			continue
		}
		// A run of combining marks from i to j.
		j, last := i+n, r
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if !isMark(r2) {
				break
			}
			j, last = j+n2, r2
		}
		start := letter
		next := -1
		if start >= 0 && last >= 0x35C && last <= 0x362 && j < len(s) {
			// A double diacritic spans the following letter.
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if dinClass(r2)&dinLetter != 0 {
				next = j
				j += n2
			}
		}
		if start >= 0 && isSequence(s[start:j]) {
			letter = next
			i = j
			continue
		}
		if next >= 0 {
			j = next // the letter after the double diacritic is judged on its own
		}
		for _, m := range s[i:j] {
			if fail(m) {
				return false
			}
		}
		letter = -1
		i = j
	}
	return ok
}

// isMark reports whether r is a combining mark.
func isMark(r rune) bool {
	if r >= 0x300 && r <= 0x36F {
		return true
	}
	return r > 0x36F && unicode.Is(unicode.M, r)
}

// isSequence reports whether u is one of the DIN 91379 letter sequences.
func isSequence(u string) bool {
	lo, hi := 0, len(dinSequences)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if dinSequences[m] < u {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(dinSequences) && dinSequences[lo] == u
}

// Normalize puts every text field of p into NFC (see [NormalizeName]). It
// replaces FormerNames with a new slice when one of them changes, so copies
// of p that share the old slice are not affected.
func (p *Person) Normalize() {
	p.FamilyName = NormalizeName(p.FamilyName)
	p.GivenNames = NormalizeName(p.GivenNames)
	p.DoctoralDegree = NormalizeName(p.DoctoralDegree)
	for i, n := range p.FormerNames {
		if m := NormalizeName(n); m != n {
			fn := make([]string, len(p.FormerNames))
			copy(fn, p.FormerNames)
			for j := i; j < len(fn); j++ {
				fn[j] = NormalizeName(fn[j])
			}
			p.FormerNames = fn
			break
		}
	}
	p.BirthPlace.City = NormalizeName(p.BirthPlace.City)
	p.BirthPlace.Country = NormalizeName(p.BirthPlace.Country)
	a := &p.Address
	a.Street = NormalizeName(a.Street)
	a.HouseNumber = NormalizeName(a.HouseNumber)
	a.Supplement = NormalizeName(a.Supplement)
	a.PostalCode = NormalizeName(a.PostalCode)
	a.City = NormalizeName(a.City)
	a.Country = NormalizeName(a.Country)
}
