package sqlregister

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/regmo/regmo/idnr"
)

// Every string field of Columns has exactly one row in the column table
// (MoreGivenNames, the further given-name columns, extends the given
// names' row), and a column of a field kept in one column carries the
// field's token.
func TestColumnTableCoversColumns(t *testing.T) {
	typ := reflect.TypeFor[Columns]()
	if typ.NumField()-1 != len(columns) {
		t.Fatalf("Columns has %d string fields, the column table %d rows", typ.NumField()-1, len(columns))
	}
	var c Columns
	seen := map[*string]string{}
	for i := range columns {
		p := columns[i].name(&c)
		if other, dup := seen[p]; dup {
			t.Errorf("%s and %s name the same Columns field", other, columns[i].token)
		}
		seen[p] = columns[i].token
		if f := columns[i].field; f != 0 && f.Len() != 1 {
			t.Errorf("%s: field %v is not one field", columns[i].token, f)
		}
		if x, ok := idnr.ParseField(columns[i].token); ok && x != columns[i].field {
			t.Errorf("column %s belongs to %v, not to the field of its token", columns[i].token, columns[i].field)
		}
	}
	d := DefaultColumns()
	v := reflect.ValueOf(d)
	for i := range v.NumField() {
		if typ.Field(i).Name == "MoreGivenNames" {
			continue // the demo register keeps the given names in one column
		}
		if v.Field(i).String() == "" && typ.Field(i).Name != "Evidence" { // optional: the demo register keeps none
			t.Errorf("DefaultColumns leaves %s unmapped", typ.Field(i).Name)
		}
	}
}

// The candidate of a review case survives the round trip through its JSON,
// and the form of earlier versions (former names as an array) is read.
func TestCandidateJSON(t *testing.T) {
	r := &Register{}
	for i := range columns {
		if columns[i].field != 0 {
			r.cols = append(r.cols, mappedCol{column: &columns[i]})
		}
	}
	p := idnr.Person{IDNr: idnr.MustParse("65929970489"), FamilyName: "Muster", FormerNames: []string{"Gabler", "Weiß"},
		GivenNames: "Erika Maria", BirthDate: idnr.MustDate(1964, 8, 0), BirthPlace: idnr.Place{City: "Bonn"}, Sex: idnr.Female,
		Nationalities: []string{"DEU"}, Address: idnr.Address{Street: "Heidestraße", HouseNumber: "17", PostalCode: "51147", City: "Köln"}}
	b, err := json.Marshal(r.candidateJSON(&p))
	if err != nil {
		t.Fatal(err)
	}
	if got := readCandidate(b); !reflect.DeepEqual(got, p) {
		t.Errorf("round trip:\n got %#v\nwant %#v", got, p)
	}
	old := `{"idnr":"65929970489","family_name":"Muster","former_names":["Gabler","Weiß"],"given_names":"Erika Maria","birth_date":"1964-08-00","sex":"w","city":"Köln"}`
	got := readCandidate([]byte(old))
	if got.IDNr != p.IDNr || !reflect.DeepEqual(got.FormerNames, p.FormerNames) || got.BirthDate != p.BirthDate || got.Sex != idnr.Female || got.Address.City != "Köln" {
		t.Errorf("earlier form read as %#v", got)
	}
	if got := readCandidate([]byte("not json")); !reflect.DeepEqual(got, idnr.Person{}) {
		t.Errorf("garbage read as %#v", got)
	}
}
