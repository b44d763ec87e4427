package cockpit

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

// referenceEncodeResponse is the reflection-based encoder the hand-written
// one replaced: the wire types through encoding/json.
func referenceEncodeResponse(w io.Writer, resp *Response) error {
	wr := wireResponse{Version: Version, RequestID: resp.RequestID,
		Window:  &wireWindow{From: resp.From.UTC(), To: resp.To.UTC()},
		Entries: make([]wireEntry, len(resp.Entries)), Next: resp.Next}
	for i := range resp.Entries {
		e := &resp.Entries[i]
		we := wireEntry{
			ID: e.ID.String(), MessageID: e.MessageID.String(), Time: e.Time.UTC(),
			Direction:   wireCode{codeOf(directionCodes, e.Direction), e.DirectionText},
			Own:         wireParty(e.Own),
			Counterpart: wireParty(e.Counterpart),
			Purpose:     wireCode{e.Purpose, e.PurposeText},
			LegalBasis:  wireCode{e.LegalBasis, e.LegalBasisText},
			Categories:  make([]wireCode, len(e.Categories)),
			ContentRef:  e.ContentRef,
			Result:      wireCode{codeOf(resultCodes, e.Result), e.ResultText},
			Reason:      e.Reason,
		}
		for j, c := range e.Categories {
			we.Categories[j] = wireCode{string(c.Category), c.Text}
		}
		if len(e.Content) > 0 {
			if utf8.Valid(e.Content) {
				s := string(e.Content)
				we.ContentText = &s
			} else {
				s := base64.StdEncoding.EncodeToString(e.Content)
				we.ContentBase64 = &s
			}
		}
		wr.Entries[i] = we
	}
	return encodeJSON(w, &wr)
}

// nastyStrings are the cases where JSON encoders differ.
var nastyStrings = []string{
	"", "Bürgeramt Musterstadt", `quote " and \ backslash`, "<html> & 'x'", "tab\tnew\nline\rcr",
	"\b\f\x00\x01\x1f\x7f", "\u2028 line \u2029 para", "bad \xff\xfe utf8 \xc3", "emoji 😀 ǅ", "\xed\xa0\x80 surrogate",
	"§ 6 Abs. 3 IDNrG", "ends in backslash \\",
}

func randString(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return nastyStrings[r.IntN(len(nastyStrings))]
	}
	b := make([]byte, r.IntN(24))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

func randEntry(r *rand.Rand) Entry {
	e := Entry{
		ID: uuid.New(), MessageID: uuid.New(),
		Time:      time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(time.FixedZone("x", 3600*(r.IntN(5)-2))),
		Direction: audit.Direction(r.IntN(4)), DirectionText: randString(r),
		Own: Party{randString(r), randString(r)}, Counterpart: Party{randString(r), randString(r)},
		Purpose: randString(r), PurposeText: randString(r), LegalBasis: randString(r), LegalBasisText: randString(r),
		ContentRef: randString(r), Result: audit.Result(r.IntN(5)), ResultText: randString(r), Reason: randString(r),
	}
	switch r.IntN(3) {
	case 0: // nil categories
	case 1:
		e.Categories = []CategoryText{}
	default:
		for range 1 + r.IntN(4) {
			e.Categories = append(e.Categories, CategoryText{audit.Category(randString(r)), randString(r)})
		}
	}
	switch r.IntN(3) {
	case 0:
	case 1:
		e.Content = []byte(randString(r))
	default:
		e.Content = binary.LittleEndian.AppendUint64(nil, r.Uint64())
	}
	return e
}

// TestEncodeResponseMatchesEncodingJSON checks the hand-written encoder
// byte for byte against encoding/json over random and nasty answers.
func TestEncodeResponseMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		resp := Response{From: time.Unix(r.Int64N(4e9), 0), To: time.Unix(r.Int64N(4e9), r.Int64N(1e9))}
		if r.IntN(2) == 0 {
			resp.RequestID, resp.Next = randString(r), randString(r)
		}
		for range r.IntN(4) {
			resp.Entries = append(resp.Entries, randEntry(r))
		}
		var got, want bytes.Buffer
		if err := (JSONCodec{}).EncodeResponse(&got, &resp); err != nil {
			t.Fatal(err)
		}
		if err := referenceEncodeResponse(&want, &resp); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("case %d differs:\n got %q\nwant %q", i, got.Bytes(), want.Bytes())
		}
		// Also through a plain io.Writer.
		var plain bytes.Buffer
		if err := (JSONCodec{}).EncodeResponse(struct{ io.Writer }{&plain}, &resp); err != nil || !bytes.Equal(plain.Bytes(), want.Bytes()) {
			t.Fatalf("case %d differs through an io.Writer: %v", i, err)
		}
	}
}

// TestEncodeResponseYearRange: like encoding/json, times outside the years
// 0000..9999 are refused, not written as invalid RFC 3339.
func TestEncodeResponseYearRange(t *testing.T) {
	for _, tm := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
		resp := Response{From: time.Unix(0, 0), To: time.Unix(0, 0), Entries: []Entry{{Time: tm}}}
		var got, want bytes.Buffer
		if err := (JSONCodec{}).EncodeResponse(&got, &resp); err == nil {
			t.Fatalf("%v: no error", tm)
		}
		if err := referenceEncodeResponse(&want, &resp); err == nil {
			t.Fatalf("%v: encoding/json has no error either", tm)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range nastyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := encodeJSON(&want, s); err != nil {
			t.Fatal(err)
		}
		got := append(appendJSONString(nil, s), '\n')
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("got %q want %q", got, want.Bytes())
		}
	})
}

func BenchmarkEncodeResponse200(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	resp := Response{From: time.Now().Add(-time.Hour), To: time.Now(), Next: "abc"}
	for range 200 {
		e := randEntry(r)
		e.Own, e.Counterpart = Party{"mst", "Bürgeramt Musterstadt"}, Party{"bva", "Bundesverwaltungsamt"}
		e.PurposeText, e.LegalBasisText = "Erstbefüllung der Identifikationsnummer", "§ 6 Abs. 3 IDNrG"
		resp.Entries = append(resp.Entries, e)
	}
	for _, tc := range []struct {
		name string
		enc  func(io.Writer, *Response) error
	}{{"handwritten", JSONCodec{}.EncodeResponse}, {"encoding_json", referenceEncodeResponse}} {
		b.Run(tc.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := tc.enc(&buf, &resp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
