package ida

import (
	"strings"

	"github.com/regmo/regmo/audit"
)

// Fields is a set of basic-data fields (§ 4 Abs. 2 and 3 IDNrG): the fields a
// caller needs ([Auth.Fields]), the fields a [Rule] allows, and the fields an
// answer delivered ([Answer.Fields]). The zero value is the empty set.
type Fields uint32

// The fields of the basic data, one bit each. Their text form is the token of
// the matching [audit.Category].
const (
	FieldIDNr Fields = 1 << iota
	FieldFamilyName
	FieldFormerNames
	FieldGivenNames
	FieldDoctoralDegree
	FieldBirthDate
	FieldBirthPlace
	FieldSex
	FieldNationalities
	FieldAddress
	FieldDeathDate
	FieldMoveInDate
	FieldMoveOutDate
	FieldInformationBlocks
	FieldLastContact

	fieldEnd
)

// AllFields is every field of the basic data.
const AllFields = fieldEnd - 1

var fieldCategory = [...]audit.Category{
	audit.CatIDNr, audit.CatFamilyName, audit.CatFormerNames, audit.CatGivenNames,
	audit.CatDoctoralDegree, audit.CatBirthDate, audit.CatBirthPlace, audit.CatSex,
	audit.CatNationalities, audit.CatAddress, audit.CatDeathDate, audit.CatMoveInDate,
	audit.CatMoveOutDate, audit.CatInformationBlocks, audit.CatLastContact,
}

// Has reports whether every field of o is in f.
func (f Fields) Has(o Fields) bool { return f&o == o }

// Len returns the number of fields in f.
func (f Fields) Len() int {
	n := 0
	for x := f & AllFields; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// Categories returns the audit categories of f, in the order of the constants.
func (f Fields) Categories() []audit.Category {
	out := make([]audit.Category, 0, f.Len())
	for i, c := range fieldCategory {
		if f&(1<<i) != 0 {
			out = append(out, c)
		}
	}
	return out
}

// Tokens returns the text tokens of f ("idnr", "family_name", ...).
func (f Fields) Tokens() []string {
	out := make([]string, 0, f.Len())
	for i, c := range fieldCategory {
		if f&(1<<i) != 0 {
			out = append(out, string(c))
		}
	}
	return out
}

// String returns the tokens joined by "|", or "none".
func (f Fields) String() string {
	if f&AllFields == 0 {
		return "none"
	}
	return strings.Join(f.Tokens(), "|")
}

// FieldOf returns the field whose token is s ("family_name"), or 0 and false.
func FieldOf(s string) (Fields, bool) {
	for i, c := range fieldCategory {
		if string(c) == s {
			return 1 << i, true
		}
	}
	return 0, false
}
