package ida_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/regmo/regmo/ida"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const rid = "0b9b6c1e-2f0a-4b51-9a55-8f0d7c1c3a11" // fuzzReqID

func answer(rest string) string {
	return `{"protocol":"regmo-ida/1","message_id":"6f1c1d2e-0000-4000-8000-000000000001","request_id":"` + rid + `","kind":"search",` + rest + "}\n"
}

var decodeCases = []struct {
	name string
	body string
	err  error // nil: accepted
}{
	{"hit", answer(`"result":"hit","fields":["idnr","family_name"],"person":{"idnr":"36574261809","family_name":"Müller"}`), nil},
	{"hit with spaces in fields", answer(`"result":"hit","fields": [ "idnr" , "family_name" ] ,"person":{"idnr":"36574261809"}`), nil},
	{"not identifiable", answer(`"result":"not_identifiable"`), nil},
	{"rejected", answer(`"result":"rejected","code":"missing-field","text":"Search.City: required"`), nil},
	{"unknown top-level field", answer(`"result":"not_identifiable","hint":"x"`), ida.ErrMalformed},
	{"unknown person field", answer(`"result":"hit","fields":["idnr"],"person":{"idnr":"36574261809","religion":"x"}`), ida.ErrMalformed},
	{"person field not listed", answer(`"result":"hit","fields":["idnr"],"person":{"idnr":"36574261809","family_name":"Müller"}`), ida.ErrMalformed},
	{"unknown field token", answer(`"result":"hit","fields":["idnr","shoe_size"],"person":{"idnr":"36574261809"}`), ida.ErrMalformed},
	{"repeated field token", answer(`"result":"hit","fields":["idnr","idnr"],"person":{"idnr":"36574261809"}`), ida.ErrMalformed},
	{"escaped field token", answer(`"result":"hit","fields":["id\u006er"],"person":{"idnr":"36574261809"}`), ida.ErrMalformed},
	{"hit without idnr", answer(`"result":"hit","fields":["idnr","family_name"],"person":{"family_name":"Müller"}`), ida.ErrMalformed},
	{"bad idnr", answer(`"result":"hit","fields":["idnr"],"person":{"idnr":"36574261890"}`), ida.ErrMalformed},
	{"not identifiable with data", answer(`"result":"not_identifiable","fields":["idnr"],"person":{"idnr":"36574261809"}`), ida.ErrMalformed},
	{"rejected without code", answer(`"result":"rejected"`), ida.ErrMalformed},
	{"missing result", answer(`"fields":["idnr"]`), ida.ErrMalformed},
	{"wrong protocol", strings.Replace(answer(`"result":"not_identifiable"`), "regmo-ida/1", "regmo-ida/2", 1), ida.ErrMalformed},
	{"other request", strings.Replace(answer(`"result":"not_identifiable"`), rid, "0b9b6c1e-2f0a-4b51-9a55-8f0d7c1c3a12", 1), ida.ErrMessageMismatch},
	{"duplicated", answer(`"result":"not_identifiable"`) + answer(`"result":"not_identifiable"`), ida.ErrMalformed},
	{"truncated", answer(`"result":"not_identifiable"`)[:40], ida.ErrMalformed},
	{"empty", "", ida.ErrMalformed},
}

func TestDecodeResponseStrict(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ida.JSONv1{}.DecodeResponse(bytes.NewBufferString(tc.body), fuzzRequest(false))
			if tc.err == nil {
				require.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.err)
			assert.NotContains(t, err.Error(), "36574261809")
			assert.NotContains(t, err.Error(), "Müller")
		})
	}
}
