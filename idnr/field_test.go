package idnr_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/regmo/regmo/idnr"
)

// full returns a person with every field filled.
func full() idnr.Person {
	return idnr.Person{
		IDNr:              idnr.MustParse("65929970489"),
		FamilyName:        "Graf von Neuenwalde",
		FormerNames:       []string{"Meyer"},
		FormerNameKinds:   []idnr.NameKind{idnr.BirthName},
		GivenNames:        "Hans-Georg Peter",
		DoctoralDegree:    "Dr.",
		BirthDate:         idnr.MustDate(1970, 3, 0),
		BirthPlace:        idnr.Place{City: "Bremen"},
		Sex:               idnr.Male,
		Nationalities:     []string{"DEU", "FRA"},
		Address:           idnr.Address{Street: "Lindenweg", HouseNumber: "3a", PostalCode: "28195", City: "Bremen"},
		DeathDate:         idnr.MustDate(2024, 1, 2),
		MoveInDate:        idnr.MustDate(2001, 5, 6),
		MoveOutDate:       idnr.MustDate(2003, 5, 6),
		InformationBlocks: []idnr.InformationBlock{idnr.BlockRisk},
		LastContact:       idnr.MonthYear{Year: 2024, Month: 2},
	}
}

func TestFieldsTable(t *testing.T) {
	seen := map[string]bool{}
	n := 0
	for f := range idnr.AllFields.All() {
		n++
		tok := f.Token()
		if tok == "" || f.German() == "" || (f.Section() != 2 && f.Section() != 3) {
			t.Errorf("field %#x: token %q, German %q, section %d", uint32(f), tok, f.German(), f.Section())
		}
		if seen[tok] {
			t.Errorf("token %q twice", tok)
		}
		seen[tok] = true
		if g, ok := idnr.ParseField(tok); !ok || g != f {
			t.Errorf("ParseField(%q) = %v, %v; want %v", tok, g, ok, f)
		}
	}
	if n != 15 || idnr.AllFields.Len() != 15 {
		t.Errorf("%d fields, Len %d; want 15", n, idnr.AllFields.Len())
	}
	if _, ok := idnr.ParseField("nope"); ok {
		t.Error("ParseField accepted an unknown token")
	}
	for _, f := range []idnr.Fields{0, idnr.FieldFamilyName | idnr.FieldSex, idnr.AllFields + 1} {
		if f.Token() != "" || f.German() != "" || f.Section() != 0 {
			t.Errorf("%#x is not one field but has token %q", uint32(f), f.Token())
		}
	}
	if got := (idnr.FieldBirthDate | idnr.FieldIDNr).String(); got != "idnr|birth_date" {
		t.Errorf("String = %q", got)
	}
	if got := idnr.Fields(0).String(); got != "none" {
		t.Errorf("empty String = %q", got)
	}
	if idnr.FieldLastContact.Section() != 3 || idnr.FieldInformationBlocks.Section() != 3 || idnr.FieldAddress.Section() != 2 {
		t.Error("sections of § 4 wrong")
	}
}

// TestFieldsCoverPerson checks that the table covers every field of Person:
// a Person with exactly one struct field set is filled in exactly one
// Fields, Differing finds exactly that one against the zero Person, and
// Copy moves it. A field added to Person without a row fails here.
func TestFieldsCoverPerson(t *testing.T) {
	src := full()
	sv := reflect.ValueOf(src)
	for i := range sv.NumField() {
		name := sv.Type().Field(i).Name
		var one idnr.Person
		reflect.ValueOf(&one).Elem().Field(i).Set(sv.Field(i))
		f := idnr.AllFields.Filled(&one)
		if name == "FormerNameKinds" {
			// Kinds belong to the former names; alone they fill nothing.
			if f != 0 {
				t.Errorf("FormerNameKinds alone fill %v", f)
			}
			continue
		}
		if f.Len() != 1 {
			t.Errorf("Person.%s fills %v; want exactly one field", name, f)
			continue
		}
		if d := idnr.AllFields.Differing(&one, &idnr.Person{}); d != f {
			t.Errorf("Person.%s: Differing = %v; want %v", name, d, f)
		}
		var cp idnr.Person
		f.Copy(&cp, &one)
		if !reflect.DeepEqual(cp, one) {
			t.Errorf("Person.%s: Copy did not copy it", name)
		}
		if (idnr.AllFields &^ f).Filled(&one) != 0 {
			t.Errorf("Person.%s is filled in another field", name)
		}
	}
	if got := idnr.AllFields.Filled(&src); got != idnr.AllFields {
		t.Errorf("full person fills %v", got)
	}
	var dst idnr.Person
	idnr.AllFields.Copy(&dst, &src)
	if !reflect.DeepEqual(dst, src) {
		t.Error("Copy of all fields differs")
	}
	if d := idnr.AllFields.Differing(&dst, &src); d != 0 {
		t.Errorf("Differing after Copy = %v", d)
	}
}

func TestFieldsDiffering(t *testing.T) {
	a, b := full(), full()
	b.Nationalities = []string{"FRA", "DEU"} // a set: order does not matter
	b.FormerNames = []string{"Meier"}
	b.Address.HouseNumber = "3b"
	if d := idnr.AllFields.Differing(&a, &b); d != idnr.FieldFormerNames|idnr.FieldAddress {
		t.Errorf("Differing = %v", d)
	}
	if d := idnr.FieldAddress.Differing(&a, &b); d != idnr.FieldAddress {
		t.Errorf("Differing restricted = %v", d)
	}
	if d := (idnr.FieldFamilyName | idnr.FieldSex).Differing(&a, &b); d != 0 {
		t.Errorf("Differing outside the set = %v", d)
	}
	var got []string
	for f := range (idnr.FieldSex | idnr.FieldIDNr | idnr.FieldLastContact).All() {
		got = append(got, f.Token())
	}
	if !slices.Equal(got, []string{"idnr", "sex", "last_contact"}) {
		t.Errorf("All = %v", got)
	}
}
