package idnr

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Length bounds of [Person.Validate], in characters (runes).
const (
	MaxNameLen        = 200 // FamilyName, each of FormerNames, GivenNames
	MaxDegreeLen      = 120 // DoctoralDegree
	MaxPlaceLen       = 200 // cities, streets, address supplement, countries
	MaxHouseNumberLen = 32  // Address.HouseNumber
	MaxPostalCodeLen  = 16  // Address.PostalCode abroad
)

// Validation errors, wrapped in the [*FieldError] values that
// [Person.Validate] returns, next to [ErrNameChars], [ErrNameUTF8],
// [ErrNotNFC] and the date errors.
var (
	ErrTooLong         = errors.New("idnr: value too long")
	ErrNoLetter        = errors.New("idnr: name has no letter")
	ErrEmptyName       = errors.New("idnr: empty name")
	ErrSpacing         = errors.New("idnr: given names not separated by single spaces")
	ErrDegreeInName    = errors.New("idnr: doctoral degree inside a name")
	ErrDateOrder       = errors.New("idnr: dates out of order")
	ErrNationality     = errors.New("idnr: nationality is neither a 3-letter ISO 3166-1 code nor a 3-digit key")
	ErrDuplicate       = errors.New("idnr: duplicate entry")
	ErrPostalCode      = errors.New("idnr: German postcode is not 5 digits")
	ErrMunicipalityKey = errors.New("idnr: municipality key is not 8 digits with a Land code 01-16")
	ErrCode            = errors.New("idnr: unknown code")
	ErrLastContact     = errors.New("idnr: last contact is not a valid month and year")
)

// Validate checks the basic data that are present; it requires no field,
// because an IDA answer may carry only a subset (even the IDNr alone) and a
// register record may lack an IDNr before the initial fill. It checks:
//
//   - names (FamilyName, each of FormerNames, GivenNames, DoctoralDegree):
//     DIN 91379 data type A, in NFC, at least one letter, at most
//     [MaxNameLen] ([MaxDegreeLen]) characters; no empty former name; given
//     names separated by single spaces; no "Dr." at the start of a name
//     (the degree has its own field);
//   - FormerNameKinds: not longer than FormerNames, known kinds only;
//   - places and the address (BirthPlace, Address.Street, HouseNumber,
//     Supplement, City, Country, PostalCode abroad): DIN 91379 data type B,
//     in NFC, within the length bounds;
//   - Address.PostalCode: 5 digits when Address.Country is empty (Germany);
//     Address.MunicipalityKey: 8 digits beginning with a Land code 01-16;
//   - Nationalities: 3 letters A-Z (ISO 3166-1 alpha-3) or 3 digits (a
//     register key), no duplicates;
//   - Sex and InformationBlocks: known codes;
//   - dates: each a valid partial date (year 1000-9999 or unknown); death,
//     move-in and move-out not certainly before birth, move-out not certainly
//     before move-in (partial dates are compared only where they are
//     certain, see [Date.Before]);
//   - LastContact: unknown, or a month 1-12 of a year 1000-9999 that is not
//     before the year of birth.
//
// Validate reports every problem, not just the first: the result is nil or
// an errors.Join of [*FieldError] values in field order. Get them with
// [FieldErrors], or ask errors.Is(err, ErrNameChars) and the like. The
// errors name the field path ("Address.Street", "FormerNames[1]") and never
// contain a value.
func (p *Person) Validate() error {
	var v validator

	v.name(field{name: "FamilyName"}, p.FamilyName, MaxNameLen)
	for i, n := range p.FormerNames {
		if n == "" {
			v.add(indexed("FormerNames", i), "empty", ErrEmptyName)
			continue
		}
		v.name(field{"FormerNames", i, true}, n, MaxNameLen)
	}
	if len(p.FormerNameKinds) > len(p.FormerNames) {
		v.add("FormerNameKinds", "more kinds than former names", ErrCode)
	}
	for i, k := range p.FormerNameKinds {
		if k > ArtistName {
			v.add(indexed("FormerNameKinds", i), "unknown name kind", ErrCode)
		}
	}
	if v.name(field{name: "GivenNames"}, p.GivenNames, MaxNameLen) && p.GivenNames != "" {
		g := p.GivenNames
		if g[0] == ' ' || g[len(g)-1] == ' ' || strings.Contains(g, "  ") {
			v.add("GivenNames", "not separated by single spaces", ErrSpacing)
		}
	}
	if p.DoctoralDegree != "" {
		v.text("DoctoralDegree", p.DoctoralDegree, DataTypeA, MaxDegreeLen)
	}

	v.date("BirthDate", p.BirthDate)
	v.text("BirthPlace.City", p.BirthPlace.City, DataTypeB, MaxPlaceLen)
	v.text("BirthPlace.Country", p.BirthPlace.Country, DataTypeB, MaxPlaceLen)
	if p.Sex > Unspecified {
		v.add("Sex", "unknown code", ErrCode)
	}
	for i, n := range p.Nationalities {
		if !isNationality(n) {
			v.add(indexed("Nationalities", i), "neither 3 letters A-Z nor 3 digits", ErrNationality)
			continue
		}
		for _, m := range p.Nationalities[:i] {
			if m == n {
				v.add(indexed("Nationalities", i), "duplicate", ErrDuplicate)
				break
			}
		}
	}

	a := &p.Address
	v.text("Address.Street", a.Street, DataTypeB, MaxPlaceLen)
	v.text("Address.HouseNumber", a.HouseNumber, DataTypeB, MaxHouseNumberLen)
	v.text("Address.Supplement", a.Supplement, DataTypeB, MaxPlaceLen)
	if a.PostalCode != "" {
		if a.Country == "" {
			if !isDigits(a.PostalCode, 5) {
				v.add("Address.PostalCode", "not 5 digits", ErrPostalCode)
			}
		} else {
			v.text("Address.PostalCode", a.PostalCode, DataTypeB, MaxPostalCodeLen)
		}
	}
	v.text("Address.City", a.City, DataTypeB, MaxPlaceLen)
	if a.MunicipalityKey != "" {
		k := a.MunicipalityKey
		if !isDigits(k, 8) || k[:2] < "01" || k[:2] > "16" {
			v.add("Address.MunicipalityKey", "not 8 digits with a Land code 01-16", ErrMunicipalityKey)
		}
	}
	v.text("Address.Country", a.Country, DataTypeB, MaxPlaceLen)

	v.date("DeathDate", p.DeathDate)
	v.date("MoveInDate", p.MoveInDate)
	v.date("MoveOutDate", p.MoveOutDate)
	if p.DeathDate.Before(p.BirthDate) {
		v.add("DeathDate", "before BirthDate", ErrDateOrder)
	}
	if p.MoveInDate.Before(p.BirthDate) {
		v.add("MoveInDate", "before BirthDate", ErrDateOrder)
	}
	if p.MoveOutDate.Before(p.BirthDate) {
		v.add("MoveOutDate", "before BirthDate", ErrDateOrder)
	}
	if p.MoveOutDate.Before(p.MoveInDate) {
		v.add("MoveOutDate", "before MoveInDate", ErrDateOrder)
	}

	for i, b := range p.InformationBlocks {
		if b == BlockNone || b > BlockConditional {
			v.add(indexed("InformationBlocks", i), "unknown code", ErrCode)
		}
	}
	if lc := p.LastContact; !lc.IsZero() {
		switch {
		case lc.Year < 1000 || lc.Year > 9999 || lc.Month < 1 || lc.Month > 12:
			v.add("LastContact", "not a month 1-12 of a year 1000-9999", ErrLastContact)
		case birthYear(p.BirthDate) != 0 && lc.Year < birthYear(p.BirthDate):
			v.add("LastContact", "before the year of birth", ErrDateOrder)
		}
	}
	return v.err()
}

// FieldErrors returns the [*FieldError] values in err, which may be a single
// one or an errors.Join of several (as [Person.Validate] returns).
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// validator collects the field errors of one Validate call.
type validator struct{ errs []error }

func (v *validator) add(field, reason string, err error) {
	v.errs = append(v.errs, &FieldError{Field: field, Reason: reason, Err: err})
}

func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return errors.Join(v.errs...)
}

// field is a field path, built into a string only for an error.
type field struct {
	name    string
	index   int
	indexed bool
}

func (f field) String() string {
	if f.indexed {
		return indexed(f.name, f.index)
	}
	return f.name
}

// text checks a data-type field that may be empty; it reports whether the
// field passed.
func (v *validator) text(name string, s string, t DataType, max int) bool {
	return v.textAt(field{name: name}, s, t, max)
}

func (v *validator) textAt(f field, s string, t DataType, max int) bool {
	if s == "" {
		return true
	}
	if len(s) > max && utf8.RuneCountInString(s) > max {
		v.add(f.String(), "longer than "+strconv.Itoa(max)+" characters", ErrTooLong)
		return false
	}
	if dinScan(s, t.mask(), nil) {
		return true
	}
	if err := nameError(f.String(), s, t, true); err != nil {
		v.errs = append(v.errs, err)
		return false
	}
	return true
}

// name checks a personal name (data type A with at least one letter and no
// doctoral degree) that may be empty.
func (v *validator) name(f field, s string, max int) bool {
	if !v.textAt(f, s, DataTypeA, max) {
		return false
	}
	if s == "" {
		return true
	}
	if !hasLetter(s) {
		v.add(f.String(), "no letter", ErrNoLetter)
		return false
	}
	if strings.HasPrefix(s, "Dr.") || strings.HasPrefix(s, "Dr ") {
		v.add(f.String(), "starts with a doctoral degree (use DoctoralDegree)", ErrDegreeInName)
		return false
	}
	return true
}

func (v *validator) date(field string, d Date) {
	y, m, day := d.parts()
	if _, err := NewDate(y, m, day); err != nil {
		v.errs = append(v.errs, &FieldError{Field: field, Reason: "impossible date", Err: err})
	}
}

func birthYear(d Date) int {
	y, _, _ := d.parts()
	return y
}

func indexed(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// hasLetter reports whether the DIN-valid string s contains a letter.
func hasLetter(s string) bool {
	for _, r := range s {
		if dinClass(r)&dinLetter != 0 {
			return true
		}
	}
	return false
}

// IsPostalCode reports whether s is a German postcode: exactly 5 digits,
// nothing around them.
func IsPostalCode(s string) bool { return isDigits(s, 5) }

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isNationality(s string) bool {
	if len(s) != 3 {
		return false
	}
	if isDigits(s, 3) {
		return true
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
