package audit

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/regmo/regmo/idnr"
)

// Item is one datum of the content transmitted: a field of the basic data
// (in the one field vocabulary of [idnr.Fields]) and its value as sent or
// received. The Datenschutzcockpit shows a record's items field by field
// ("Familienname: Mustermann").
//
// A field with several values has one item per value, in the order
// transmitted: one per former name, nationality and information block.
// The given names are one value, as a register keeps them ("Erika Maria").
// A field made of parts has one item per part transmitted, named by Part:
// the address (street, house_number, supplement, postal_code, city,
// municipality_key, country), the place of birth (city, country); a former
// name's Part is its kind when known (birth, before-change, religious,
// artist, the tokens of [idnr.NameKind]). Every other field has Part "".
// [PartName] gives a part's German name.
//
// Values are as [ItemsOf] writes them: dates "YYYY-MM-DD" (zeros for
// unknown parts), the last contact "YYYY-MM", sex, nationalities and
// information blocks by their codes, names and places as they are.
type Item struct {
	Field idnr.Fields // exactly one field
	Part  string      // the part of a field made of parts, else ""
	Value string      // not empty
}

// Bounds of [Record.Items].
const (
	MaxItems     = 512  // items of one record
	MaxItemValue = 1000 // characters of one item's value
)

// parts is the table of the parts of the fields made of parts: the token
// (the member names of the IDA wire and of [idnr.NameKind]) and the German
// name the cockpit shows.
var parts = []struct {
	field         idnr.Fields
	token, german string
}{
	{idnr.FieldFormerNames, idnr.BirthName.String(), "Geburtsname"},
	{idnr.FieldFormerNames, idnr.NameBeforeChange.String(), "Familienname vor Änderung"},
	{idnr.FieldFormerNames, idnr.ReligiousName.String(), "Ordensname"},
	{idnr.FieldFormerNames, idnr.ArtistName.String(), "Künstlername"},
	{idnr.FieldBirthPlace, "city", "Ort"},
	{idnr.FieldBirthPlace, "country", "Staat"},
	{idnr.FieldAddress, "street", "Straße"},
	{idnr.FieldAddress, "house_number", "Hausnummer"},
	{idnr.FieldAddress, "supplement", "Anschriftenzusatz"},
	{idnr.FieldAddress, "postal_code", "Postleitzahl"},
	{idnr.FieldAddress, "city", "Ort"},
	{idnr.FieldAddress, "municipality_key", "Gemeindeschlüssel"},
	{idnr.FieldAddress, "country", "Staat"},
}

// PartName returns the German name of a part of field f ("Straße" for the
// address's "street"), or "" if part is not a part of f.
func PartName(f idnr.Fields, part string) string {
	for i := range parts {
		if parts[i].field == f && parts[i].token == part {
			return parts[i].german
		}
	}
	return ""
}

// validPart reports whether part may stand with field f: "" for every
// field but the address and the place of birth (whose items name their
// part), or one of the field's parts.
func validPart(f idnr.Fields, part string) bool {
	if part == "" {
		return f != idnr.FieldAddress && f != idnr.FieldBirthPlace
	}
	return PartName(f, part) != ""
}

// ItemsOf returns the items of the fields f of p that are filled, in the
// order of the fields; the items of one field in the order of p's values.
// Build a record's Items from exactly the values transmitted: the fields
// of a request that were sent, the fields an answer delivered.
func ItemsOf(p *idnr.Person, f idnr.Fields) []Item {
	f = f.Filled(p)
	if f == 0 {
		return nil
	}
	out := make([]Item, 0, f.Len()+4)
	add := func(x idnr.Fields, part, v string) {
		if v != "" {
			out = append(out, Item{Field: x, Part: part, Value: v})
		}
	}
	for x := range f.All() {
		switch x {
		case idnr.FieldIDNr:
			add(x, "", p.IDNr.String())
		case idnr.FieldFamilyName:
			add(x, "", p.FamilyName)
		case idnr.FieldFormerNames:
			for i, n := range p.FormerNames {
				kind := ""
				if i < len(p.FormerNameKinds) {
					kind = p.FormerNameKinds[i].String()
				}
				add(x, kind, n)
			}
		case idnr.FieldGivenNames:
			add(x, "", p.GivenNames)
		case idnr.FieldDoctoralDegree:
			add(x, "", p.DoctoralDegree)
		case idnr.FieldBirthDate:
			add(x, "", p.BirthDate.String())
		case idnr.FieldBirthPlace:
			add(x, "city", p.BirthPlace.City)
			add(x, "country", p.BirthPlace.Country)
		case idnr.FieldSex:
			add(x, "", p.Sex.String())
		case idnr.FieldNationalities:
			for _, n := range p.Nationalities {
				add(x, "", n)
			}
		case idnr.FieldAddress:
			a := &p.Address
			add(x, "street", a.Street)
			add(x, "house_number", a.HouseNumber)
			add(x, "supplement", a.Supplement)
			add(x, "postal_code", a.PostalCode)
			add(x, "city", a.City)
			add(x, "municipality_key", a.MunicipalityKey)
			add(x, "country", a.Country)
		case idnr.FieldDeathDate:
			add(x, "", p.DeathDate.String())
		case idnr.FieldMoveInDate:
			add(x, "", p.MoveInDate.String())
		case idnr.FieldMoveOutDate:
			add(x, "", p.MoveOutDate.String())
		case idnr.FieldInformationBlocks:
			for _, b := range p.InformationBlocks {
				add(x, "", b.String())
			}
		case idnr.FieldLastContact:
			add(x, "", p.LastContact.String())
		}
	}
	return out
}

// itemName is how an error names item k: its position, field and part,
// never its value ("Items[3].address.street").
func itemName(k int, it *Item) string {
	s := fmt.Sprintf("Items[%d]", k)
	if t := it.Field.Token(); t != "" {
		s += "." + t
		if it.Part != "" && validPart(it.Field, it.Part) {
			s += "." + it.Part
		}
	}
	return s
}

// valueProblem returns why v is not acceptable as an item's value, or "".
// Values are text as DIN 91379 knows it: no control characters (C0, C1),
// no format characters (bidirectional overrides, zero-width characters,
// the soft hyphen) and no line or paragraph separators, none of which DIN
// 91379 admits and any of which could make the cockpit show something
// other than what was sent.
func valueProblem(v string) string {
	if v == "" {
		return "empty value"
	}
	if !utf8.ValidString(v) {
		return "not valid UTF-8"
	}
	if utf8.RuneCountInString(v) > MaxItemValue {
		return fmt.Sprintf("value longer than %d characters", MaxItemValue)
	}
	for _, r := range v {
		switch {
		case unicode.IsControl(r):
			return "value contains a control character"
		case unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
			return "value contains a format or separator character"
		}
	}
	return ""
}

// validateItems checks r.Items: at most MaxItems, each a known single field
// with a part that fits it and a valid value, together at most MaxContent
// bytes of values, and not beside Content.
func (r *Record) validateItems(i int) error {
	if len(r.Items) == 0 {
		return nil
	}
	if len(r.Content) > 0 {
		return &FieldError{Index: i, Field: "Items", Reason: "set together with Content: keep one"}
	}
	if len(r.Items) > MaxItems {
		return &FieldError{Index: i, Field: "Items", Reason: fmt.Sprintf("more than %d entries", MaxItems)}
	}
	total := 0
	for k := range r.Items {
		it := &r.Items[k]
		if it.Field.Token() == "" {
			return &FieldError{Index: i, Field: itemName(k, it), Reason: "not exactly one known field"}
		}
		if !validPart(it.Field, it.Part) {
			if it.Part == "" {
				return &FieldError{Index: i, Field: itemName(k, it), Reason: "part required for this field"}
			}
			return &FieldError{Index: i, Field: itemName(k, it), Reason: "unknown part for this field"}
		}
		if p := valueProblem(it.Value); p != "" {
			return &FieldError{Index: i, Field: itemName(k, it), Reason: p}
		}
		total += len(it.Value)
	}
	if total > MaxContent {
		return &FieldError{Index: i, Field: "Items", Reason: fmt.Sprintf("values longer than %d bytes together", MaxContent)}
	}
	return nil
}
