package melde

import (
	"reflect"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr"
)

// TestWireMembersAreFieldTokens: a person on the wire is named in idnr's
// one field vocabulary, member by member, in the table's order.
func TestWireMembersAreFieldTokens(t *testing.T) {
	typ := reflect.TypeFor[wirePerson]()
	var members []string
	for i := range typ.NumField() {
		members = append(members, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
	}
	want := idnr.AllFields.Tokens()
	if !reflect.DeepEqual(members, want) {
		t.Fatalf("wirePerson members %v, want idnr's tokens %v", members, want)
	}
}

func TestFieldsFromWire(t *testing.T) {
	for name, toks := range map[string][]string{
		"unknown":  {"idnr", "religion"},
		"repeated": {"idnr", "idnr"},
		"empty":    {""},
	} {
		if _, err := fieldsFromWire(toks); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	f, err := fieldsFromWire([]string{"address", "idnr"})
	if err != nil || f != idnr.FieldIDNr|idnr.FieldAddress {
		t.Fatalf("got %v, %v", f, err)
	}
}
