package cockpit_test

import (
	"bytes"
	"encoding/json"
	"reflect"
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
	for _, in := range []cockpit.Request{
		{Kind: cockpit.KindList, MessageID: uuid.New(), SessionID: testSession, IDNr: alice,
			BirthDate: idnr.MustDate(1980, 5, 0), ContentKey: testKey, Cursor: "abc.123", Limit: 20},
		{Kind: cockpit.KindContent, MessageID: uuid.New(), SessionID: testSession, IDNr: alice, EntryID: "AbC-_1"},
	} {
		var b bytes.Buffer
		require.NoError(t, c.EncodeRequest(&b, &in))
		out, err := c.DecodeRequest(&b)
		require.NoError(t, err)
		assert.Equal(t, in, out)
	}
}

func TestJSONCodecAnswerRoundTrip(t *testing.T) {
	c := cockpit.JSONCodec{}
	ts := time.Date(2026, 3, 2, 9, 14, 7, 120_000_000, time.UTC)
	entry := cockpit.Entry{ID: "tok1", MessageID: uuid.New(), Time: ts, Direction: audit.Received, DirectionText: "Empfang von",
		Own: cockpit.Party{ID: "a", Name: "A"}, Counterpart: cockpit.Party{ID: "b", Name: "B <&>"},
		Purpose: "p", PurposeText: "P", LegalBasis: "l", LegalBasisText: "L",
		Categories: []cockpit.CategoryText{{Category: audit.CatAddress, Text: "Anschrift"}},
		HasContent: true, Result: audit.Rejected, ResultText: "abgelehnt", Reason: "r"}
	cur := cockpit.CurrentEntry{ID: "tok2", Title: "Meldedaten", AsOf: ts,
		Categories: []cockpit.CategoryText{{Category: audit.CatFamilyName, Text: "Familienname"}}}
	for _, in := range []cockpit.Answer{
		{List: &cockpit.ListAnswer{From: ts.Add(-time.Hour), To: ts, Next: "n",
			Entries: []cockpit.Entry{entry, {ID: "t3", MessageID: uuid.New(), Time: ts, Direction: audit.Sent, Result: audit.NotIdentifiable}},
			Current: []cockpit.CurrentEntry{cur}}},
		{Content: &cockpit.ContentAnswer{EntryID: "tok1", Entry: &entry, Content: []byte("text ü")}},
		{Content: &cockpit.ContentAnswer{EntryID: "tok1", Entry: &entry, Content: []byte{0xff, 0, 1}, ContentRef: "ref"}},
		{Content: &cockpit.ContentAnswer{EntryID: "tok2", Current: &cur, Content: []byte(`{"a":1}`)}},
		{Status: &cockpit.StatusAnswer{Code: cockpit.CodeNothingFound, Message: "m"}},
	} {
		body, err := c.MarshalAnswer(&in)
		require.NoError(t, err)
		assert.NotContains(t, string(body), `\u003c`, "no HTML escaping")
		out, err := c.UnmarshalAnswer(body)
		require.NoError(t, err)
		if in.List != nil {
			in.List.Entries[1].Categories = nil // [] and nil are one on the wire
			out.List.Entries[1].Categories = nil
		}
		assert.Equal(t, in, out)
	}
	_, err := c.MarshalAnswer(&cockpit.Answer{})
	assert.Error(t, err, "an answer needs one body")
	_, err = c.MarshalAnswer(&cockpit.Answer{Status: &cockpit.StatusAnswer{}, List: &cockpit.ListAnswer{}})
	assert.Error(t, err, "an answer has one body only")
}

// TestWireStructsAreTheFormat: every field a server writes is one the
// client reads (the wire structs are the single source of the format; the
// client decodes with unknown fields disallowed).
func TestWireStructsAreTheFormat(t *testing.T) {
	c := cockpit.JSONCodec{}
	body, err := c.MarshalAnswer(&cockpit.Answer{List: &cockpit.ListAnswer{}})
	require.NoError(t, err)
	var m map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &m))
	assert.Contains(t, m["list"], "window")
	assert.Equal(t, "[]", string(m["list"]["entries"]), "an empty list is [] not null")
	assert.Equal(t, reflect.TypeFor[cockpit.StatusCode](), reflect.TypeFor[cockpit.ErrorCode]())
}

var digitRun = regexp.MustCompile(`[0-9]{9,}`)

// FuzzDecodeRequest checks that decoding never panics, that what decodes
// encodes back to the same request, and that no error repeats a long digit
// run of the input.
func FuzzDecodeRequest(f *testing.F) {
	a := alice.String()
	for _, s := range []string{
		``, `{}`, `[]`, `null`, ask(alice, ""), ask(alice, `,"limit":5,"cursor":"x","birth_date":"1980-00-00"`),
		ask(alice, "") + "{}", strings.Replace(ask(alice, ""), `"`+a+`"`, a, 1),
		ask(alice, `,"idnr":"`+a+`"`), `{"limit":1e3}`, `{"limit":-1}`, `{"cursor":{"a":[1,2]}}`,
		strings.Replace(strings.Replace(ask(alice, ""), `"kind":"list"`, `"kind":"content"`, 1), `}`, `,"entry_id":"AAAA"}`, 1),
		ask(alice, "") + "\xff", `{"` + a + `":1}`, `{"limit":null}`,
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
		if !reflect.DeepEqual(again, req) {
			t.Fatalf("round trip changed the request")
		}
	})
}

// FuzzReadAnswer: reading any answer bytes never panics, and a sealed body
// never opens with another key.
func FuzzReadAnswer(f *testing.F) {
	c := cockpit.JSONCodec{}
	body, _ := c.MarshalAnswer(&cockpit.Answer{Status: &cockpit.StatusAnswer{Code: cockpit.CodeNothingFound}})
	env := cockpit.Envelope{MessageID: uuid.New(), InReplyTo: uuid.New()}
	_ = cockpit.Seal(testKey, &env, body)
	var sealed bytes.Buffer
	_ = c.EncodeEnvelope(&sealed, &env)
	f.Add(sealed.Bytes())
	f.Add([]byte(`{"version":"regmo-dsc/2","message_id":"` + uuid.NewString() + `","body":{"status":{"code":"x","message":"y"}}}`))
	f.Add([]byte(`{"version":"regmo-dsc/2","message_id":"x","encrypted":{"algorithm":"a","cipher_value":"AAAA"}}`))
	other := bytes.Repeat([]byte{1}, 32)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = cockpit.ReadAnswer(c, bytes.NewReader(data), testKey)
		if bytes.Equal(data, sealed.Bytes()) {
			if _, err := cockpit.ReadAnswer(c, bytes.NewReader(data), other); err == nil {
				t.Fatal("opened with another key")
			}
		}
	})
}
