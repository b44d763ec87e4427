package cockpit_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
)

func TestJSONCodecRequestRoundTrip(t *testing.T) {
	c := cockpit.JSONCodec{}
	in := cockpit.Request{IDNr: alice, BirthDate: idnr.MustDate(1980, 5, 0), Cursor: "abc.123", Limit: 20, RequestID: uuid.NewString()}
	var b bytes.Buffer
	require.NoError(t, c.EncodeRequest(&b, &in))
	out, err := c.DecodeRequest(&b)
	require.NoError(t, err)
	assert.Equal(t, in, out)
}

func TestJSONCodecResponseRoundTrip(t *testing.T) {
	c := cockpit.JSONCodec{}
	ts := time.Date(2026, 3, 2, 9, 14, 7, 120_000_000, time.UTC)
	in := cockpit.Response{RequestID: uuid.NewString(), From: ts.Add(-time.Hour), To: ts, Next: "n", Entries: []cockpit.Entry{
		{ID: uuid.New(), MessageID: uuid.New(), Time: ts, Direction: audit.Received, DirectionText: "Empfang von",
			Own: cockpit.Party{ID: "a", Name: "A"}, Counterpart: cockpit.Party{ID: "b", Name: "B"},
			Purpose: "p", PurposeText: "P", LegalBasis: "l", LegalBasisText: "L",
			Categories: []cockpit.CategoryText{{Category: audit.CatAddress, Text: "Anschrift"}},
			Content:    []byte("text ü"), Result: audit.Rejected, ResultText: "abgelehnt", Reason: "r"},
		{ID: uuid.New(), MessageID: uuid.New(), Time: ts, Direction: audit.Sent, Content: []byte{0xff, 0, 1}, ContentRef: "ref", Result: audit.NotIdentifiable},
	}}
	var b bytes.Buffer
	require.NoError(t, c.EncodeResponse(&b, &in))
	assert.Contains(t, b.String(), `"content_base64"`)
	assert.Contains(t, b.String(), `"content_text":"text ü"`)
	out, err := c.DecodeResponse(&b)
	require.NoError(t, err)
	assert.Equal(t, in, out)
}

var digitRun = regexp.MustCompile(`[0-9]{9,}`)

// FuzzDecodeRequest checks that decoding never panics, that what decodes
// encodes back to the same request, and that no error repeats a long digit
// run of the input.
func FuzzDecodeRequest(f *testing.F) {
	a := alice.String()
	for _, s := range []string{
		``, `{}`, `[]`, `null`, ask(alice, ""), ask(alice, `,"limit":5,"cursor":"x","birth_date":"1980-00-00"`),
		ask(alice, `,"request_id":"`+uuid.NewString()+`"`), ask(alice, "") + "{}", `{"version":"regmo-dsc/1","idnr":` + a + `}`,
		`{"version":"regmo-dsc/1","idnr":"` + a + `","idnr":"` + a + `"}`, `{"limit":1e3}`, `{"limit":-1}`, `{"cursor":{"a":[1,2]}}`,
		"{\"version\":\"regmo-dsc/1\",\"idnr\":\"" + a + "\"\xff}",
	} {
		f.Add([]byte(s))
	}
	c := cockpit.JSONCodec{}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := c.DecodeRequest(bytes.NewReader(data))
		if err != nil {
			for _, run := range digitRun.FindAllString(string(data), -1) {
				if strings.Contains(err.Error(), run) {
					t.Fatalf("error %q repeats input digits", err)
				}
			}
			return
		}
		var b bytes.Buffer
		if err := c.EncodeRequest(&b, &req); err != nil {
			t.Fatal(err)
		}
		again, err := c.DecodeRequest(&b)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", b.String(), err)
		}
		if again != req {
			t.Fatalf("round trip changed the request")
		}
	})
}
