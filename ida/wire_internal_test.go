package ida

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr"
)

// TestWireStructsAreTheFormat: the wire structs are the one source of
// format v1, and the package documentation describes them: every member
// name they carry appears in the doc's "Wire format v1" section, and every
// result value the codec writes or reads is named there too.
func TestWireStructsAreTheFormat(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	start := strings.Index(doc, "// # Wire format v1")
	end := strings.Index(doc, "// # Configuration")
	if start < 0 || end < start {
		t.Fatal("doc.go: section Wire format v1 not found")
	}
	doc = doc[start:end]
	word := func(name string) bool {
		return regexp.MustCompile(`(^|[^a-z_])` + regexp.QuoteMeta(name) + `($|[^a-z_])`).MatchString(doc)
	}
	for _, v := range []any{wireRequest{}, wireBulkItem{}, wireAnswer{}, wireLine{}, wireProblem{}, wirePerson{},
		wireSearch{}, wireLookup{}, wireInaccuracy{}, wireLastContact{}, wireBody{}, wireFormerName{}, wirePlace{}, wireAddress{}, wireEvidence{},
		wireFetch{}, wireReply{}, wireClarification{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				t.Errorf("%s.%s: no json name", rt.Name(), rt.Field(i).Name)
				continue
			}
			if !word(name) {
				t.Errorf("%s.%s: member %q is not in the doc's wire format", rt.Name(), rt.Field(i).Name, name)
			}
		}
	}
	for _, tok := range wireTokens {
		if !regexp.MustCompile(`^[a-z][a-z_]*$`).MatchString(tok) {
			t.Errorf("wire token %q needs escaping; wireFields.MarshalJSON writes tokens as they are", tok)
		}
	}
	var all, none, two []byte
	all, _ = wireFields(idnr.AllFields).MarshalJSON()
	none, _ = wireFields(0).MarshalJSON()
	two, _ = wireFields(idnr.FieldIDNr | idnr.FieldAddress).MarshalJSON()
	want, _ := json.Marshal(idnr.AllFields.Tokens())
	if string(all) != string(want) || string(none) != "[]" || string(two) != `["idnr","address"]` {
		t.Errorf("field lists: %s, %s, %s; want %s, [], [\"idnr\",\"address\"]", all, none, two, want)
	}
	for _, r := range []string{resultHit, resultNotIdentifiable, resultRejected, resultReceived, resultClarifications} {
		if !strings.Contains(doc, `"`+r+`"`) {
			t.Errorf("result %q is not in the doc's wire format", r)
		}
	}
}
