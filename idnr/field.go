package idnr

import (
	"iter"
	"math/bits"
	"slices"
	"strings"
)

// Fields is a set of the fields of the basic data (§ 4 Abs. 2 and 3 IDNrG).
// Each constant FieldIDNr ... FieldLastContact is the set of that one field,
// so sets are written with |, &, &^ (FieldFamilyName | FieldBirthDate). The
// zero value is the empty set.
//
// This is the one vocabulary of the basic data: every package derives its
// names for a field from the table behind Fields (the wire and protocol
// token of [Fields.Token], the clerk's German name of [Fields.German]) and
// reads or writes a field of a [Person] through [Fields.Filled],
// [Fields.Differing] and [Fields.Copy]. Adding a field means adding one row
// to that table (and the Person field it stands for).
type Fields uint32

// The fields of the basic data, in the order of § 4 IDNrG.
const (
	FieldIDNr              Fields = 1 << iota // Identifikationsnummer
	FieldFamilyName                           // Familienname
	FieldFormerNames                          // frühere Namen (with FormerNameKinds)
	FieldGivenNames                           // Vornamen
	FieldDoctoralDegree                       // Doktorgrad
	FieldBirthDate                            // Tag der Geburt
	FieldBirthPlace                           // Ort der Geburt (place and country)
	FieldSex                                  // Geschlecht
	FieldNationalities                        // Staatsangehörigkeiten
	FieldAddress                              // gegenwärtige oder letzte bekannte Anschrift
	FieldDeathDate                            // Sterbetag
	FieldMoveInDate                           // Tag des Einzugs
	FieldMoveOutDate                          // Tag des Auszugs
	FieldInformationBlocks                    // Auskunftssperren (§ 4 Abs. 3)
	FieldLastContact                          // letzter Verwaltungskontakt (§ 4 Abs. 3)

	fieldEnd
)

// numFields is the number of fields (rows of the table).
const numFields = 15

// AllFields is every field of the basic data.
const AllFields = fieldEnd - 1

// fieldRow is one row of the table: everything the library says about a field.
type fieldRow struct {
	token   string // stable token: wire, protocol category, reports
	german  string // the name a clerk or the Datenschutzcockpit shows
	section int    // the Absatz of § 4 IDNrG that lists it
	filled  func(p *Person) bool
	equal   func(a, b *Person) bool
	copy    func(dst, src *Person)
}

// fieldTable is the table, indexed by bit position. Keep it in the order of the
// constants.
var fieldTable = [...]fieldRow{
	{"idnr", "Identifikationsnummer", 2,
		func(p *Person) bool { return !p.IDNr.IsZero() },
		func(a, b *Person) bool { return a.IDNr == b.IDNr },
		func(d, s *Person) { d.IDNr = s.IDNr }},
	{"family_name", "Familienname", 2,
		func(p *Person) bool { return p.FamilyName != "" },
		func(a, b *Person) bool { return a.FamilyName == b.FamilyName },
		func(d, s *Person) { d.FamilyName = s.FamilyName }},
	{"former_names", "Frühere Namen", 2,
		func(p *Person) bool { return len(p.FormerNames) > 0 },
		func(a, b *Person) bool { return slices.Equal(a.FormerNames, b.FormerNames) },
		func(d, s *Person) { d.FormerNames, d.FormerNameKinds = s.FormerNames, s.FormerNameKinds }},
	{"given_names", "Vornamen", 2,
		func(p *Person) bool { return p.GivenNames != "" },
		func(a, b *Person) bool { return a.GivenNames == b.GivenNames },
		func(d, s *Person) { d.GivenNames = s.GivenNames }},
	{"doctoral_degree", "Doktorgrad", 2,
		func(p *Person) bool { return p.DoctoralDegree != "" },
		func(a, b *Person) bool { return a.DoctoralDegree == b.DoctoralDegree },
		func(d, s *Person) { d.DoctoralDegree = s.DoctoralDegree }},
	{"birth_date", "Geburtsdatum", 2,
		func(p *Person) bool { return !p.BirthDate.IsZero() },
		func(a, b *Person) bool { return a.BirthDate == b.BirthDate },
		func(d, s *Person) { d.BirthDate = s.BirthDate }},
	{"birth_place", "Geburtsort", 2,
		func(p *Person) bool { return p.BirthPlace != Place{} },
		func(a, b *Person) bool { return a.BirthPlace == b.BirthPlace },
		func(d, s *Person) { d.BirthPlace = s.BirthPlace }},
	{"sex", "Geschlecht", 2,
		func(p *Person) bool { return p.Sex != SexUnknown },
		func(a, b *Person) bool { return a.Sex == b.Sex },
		func(d, s *Person) { d.Sex = s.Sex }},
	{"nationalities", "Staatsangehörigkeiten", 2,
		func(p *Person) bool { return len(p.Nationalities) > 0 },
		func(a, b *Person) bool { return sameSet(a.Nationalities, b.Nationalities) },
		func(d, s *Person) { d.Nationalities = s.Nationalities }},
	{"address", "Anschrift", 2,
		func(p *Person) bool { return !p.Address.IsZero() },
		func(a, b *Person) bool { return a.Address == b.Address },
		func(d, s *Person) { d.Address = s.Address }},
	{"death_date", "Sterbetag", 2,
		func(p *Person) bool { return !p.DeathDate.IsZero() },
		func(a, b *Person) bool { return a.DeathDate == b.DeathDate },
		func(d, s *Person) { d.DeathDate = s.DeathDate }},
	{"move_in_date", "Tag des Einzugs", 2,
		func(p *Person) bool { return !p.MoveInDate.IsZero() },
		func(a, b *Person) bool { return a.MoveInDate == b.MoveInDate },
		func(d, s *Person) { d.MoveInDate = s.MoveInDate }},
	{"move_out_date", "Tag des Auszugs", 2,
		func(p *Person) bool { return !p.MoveOutDate.IsZero() },
		func(a, b *Person) bool { return a.MoveOutDate == b.MoveOutDate },
		func(d, s *Person) { d.MoveOutDate = s.MoveOutDate }},
	{"information_blocks", "Auskunftssperren", 3,
		func(p *Person) bool { return p.HasInformationBlock() },
		func(a, b *Person) bool { return slices.Equal(a.InformationBlocks, b.InformationBlocks) },
		func(d, s *Person) { d.InformationBlocks = s.InformationBlocks }},
	{"last_contact", "Datum des letzten Verwaltungskontakts", 3,
		func(p *Person) bool { return !p.LastContact.IsZero() },
		func(a, b *Person) bool { return a.LastContact == b.LastContact },
		func(d, s *Person) { d.LastContact = s.LastContact }},
}

// The table must have one row per constant.
var _ [len(fieldTable)]struct{} = [numFields]struct{}{}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// row returns the table row of a single field, or nil if f is not exactly
// one known field.
func (f Fields) row() *fieldRow {
	if f == 0 || f&(f-1) != 0 || f&^AllFields != 0 {
		return nil
	}
	return &fieldTable[bits.TrailingZeros32(uint32(f))]
}

// Has reports whether every field of o is in f.
func (f Fields) Has(o Fields) bool { return f&o == o }

// Len returns the number of fields in f.
func (f Fields) Len() int { return bits.OnesCount32(uint32(f & AllFields)) }

// All yields the fields of f one by one (each a set of one field), in the
// order of the constants.
func (f Fields) All() iter.Seq[Fields] {
	return func(yield func(Fields) bool) {
		for x := f & AllFields; x != 0; x &= x - 1 {
			if !yield(x & -x) {
				return
			}
		}
	}
}

// Token returns the stable token of a single field ("family_name"): the
// field's name on the IDA wire, its § 9 protocol category and its name in
// reports and reason codes. It is "" unless f is exactly one field.
func (f Fields) Token() string {
	if r := f.row(); r != nil {
		return r.token
	}
	return ""
}

// German returns the German name of a single field as a clerk and the
// Datenschutzcockpit show it ("Familienname"), or "" unless f is exactly one
// field.
func (f Fields) German() string {
	if r := f.row(); r != nil {
		return r.german
	}
	return ""
}

// Section returns the Absatz of § 4 IDNrG that lists a single field: 2 for
// the basic data proper, 3 for the information blocks and the last
// administrative contact; 0 unless f is exactly one field.
func (f Fields) Section() int {
	if r := f.row(); r != nil {
		return r.section
	}
	return 0
}

// Tokens returns the tokens of the fields of f, in the order of the
// constants.
func (f Fields) Tokens() []string {
	out := make([]string, 0, f.Len())
	for x := range f.All() {
		out = append(out, x.Token())
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

// ParseField returns the single field whose token is s ("family_name"), or
// 0 and false.
func ParseField(s string) (Fields, bool) {
	for i := range fieldTable {
		if fieldTable[i].token == s {
			return 1 << i, true
		}
	}
	return 0, false
}

// Filled returns the fields of f that are filled in p (not zero, not empty;
// the information blocks count when one is set).
func (f Fields) Filled(p *Person) Fields {
	var out Fields
	for x := range f.All() {
		if x.row().filled(p) {
			out |= x
		}
	}
	return out
}

// Differing returns the fields of f whose values differ between a and b.
// Nationalities compare as sets; every other field by value and order.
func (f Fields) Differing(a, b *Person) Fields {
	var out Fields
	for x := range f.All() {
		if !x.row().equal(a, b) {
			out |= x
		}
	}
	return out
}

// Copy copies the fields f from src to dst (the former names with their
// kinds); the other fields of dst stay as they are. Slices are shared, not
// cloned.
func (f Fields) Copy(dst, src *Person) {
	for x := range f.All() {
		x.row().copy(dst, src)
	}
}

// The constants and numFields must agree.
var _ [1]struct{} = [fieldEnd >> numFields]struct{}{}
