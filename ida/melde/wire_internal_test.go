package melde

import (
	"encoding/json"
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

// TestWireFields: the hand-written decoder of a field set takes what
// encoding/json writes and refuses everything else.
func TestWireFields(t *testing.T) {
	for name, in := range map[string]string{
		"unknown":        `["idnr","religion"]`,
		"repeated":       `["idnr","idnr"]`,
		"empty token":    `[""]`,
		"escape":         `["idn\u0072"]`,
		"trailing comma": `["idnr",]`,
		"no comma":       `["idnr" "sex"]`,
		"not an array":   `"idnr"`,
		"number":         `[1]`,
		"unterminated":   `["idnr`,
	} {
		var f wireFields
		if err := json.Unmarshal([]byte(in), &f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, f := range []idnr.Fields{0, idnr.FieldIDNr, idnr.AllFields, idnr.FieldIDNr | idnr.FieldAddress | idnr.FieldLastContact} {
		b, err := json.Marshal(wireFields(f))
		if err != nil {
			t.Fatal(err)
		}
		var back wireFields
		if err := json.Unmarshal(b, &back); err != nil || idnr.Fields(back) != f {
			t.Fatalf("%v: %s -> %v, %v", f, b, back, err)
		}
		var toks []string
		if err := json.Unmarshal(b, &toks); err != nil || !reflect.DeepEqual(toks, append([]string{}, f.Tokens()...)) && f != 0 {
			t.Fatalf("%v: %s is not the token array", f, b)
		}
	}
	var f wireFields
	if err := json.Unmarshal([]byte(` [ "address" , "idnr" ] `), &f); err != nil || idnr.Fields(f) != idnr.FieldIDNr|idnr.FieldAddress {
		t.Fatalf("got %v, %v", f, err)
	}
}

// TestAnswerMembers: the one-pass decoder accepts exactly the members of
// wireAnswer, the struct the server half writes.
func TestAnswerMembers(t *testing.T) {
	typ := reflect.TypeFor[wireAnswer]()
	var members []string
	for i := range typ.NumField() {
		members = append(members, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
	}
	if !reflect.DeepEqual(members, answerMembers) {
		t.Fatalf("wireAnswer members %v, decoder accepts %v", members, answerMembers)
	}
}
