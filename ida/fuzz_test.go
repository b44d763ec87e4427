package ida_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/require"
)

var fuzzReqID = uuid.MustParse("0b9b6c1e-2f0a-4b51-9a55-8f0d7c1c3a11")

func fuzzRequest(bulk bool) *ida.Request {
	r := &ida.Request{MessageID: fuzzReqID, Kind: ida.KindSearch, Sender: audit.Body{ID: "s"},
		Sent: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Purpose: "p", LegalBasis: "l", Fields: idnr.AllFields,
		Searches: []ida.Search{mueller()}}
	if bulk {
		r.Kind = ida.KindBulk
		r.Searches = []ida.Search{mueller(), mueller()}
	}
	return r
}

func encodeResponse(t testing.TB, resp *ida.Response) []byte {
	var b bytes.Buffer
	require.NoError(t, ida.JSONv1{}.EncodeResponse(&b, resp))
	return b.Bytes()
}

func fuzzSeeds(t testing.TB) [][]byte {
	p := testPeople()[0]
	hit := ida.Item{Outcome: ida.Hit, Person: p, Fields: idnr.AllFields}
	ni := ida.Item{Outcome: ida.NotIdentifiable}
	rej := ida.Item{Outcome: ida.Rejected, Code: "missing-field", Text: "Search.City: required"}
	mid := uuid.MustParse("6f1c1d2e-0000-4000-8000-000000000001")
	seeds := [][]byte{
		encodeResponse(t, &ida.Response{MessageID: mid, RequestID: fuzzReqID, Kind: ida.KindSearch, Items: []ida.Item{hit}}),
		encodeResponse(t, &ida.Response{MessageID: mid, RequestID: fuzzReqID, Kind: ida.KindSearch, Items: []ida.Item{ni}}),
		encodeResponse(t, &ida.Response{MessageID: mid, RequestID: fuzzReqID, Kind: ida.KindSearch, Items: []ida.Item{rej}}),
	}
	hit1 := hit
	hit1.Seq = 1
	seeds = append(seeds, encodeResponse(t, &ida.Response{MessageID: mid, RequestID: fuzzReqID, Kind: ida.KindBulk, Items: []ida.Item{ni, hit1}}))
	seeds = append(seeds, []byte(`{"protocol":"regmo-ida/1"}`), []byte("{}\n{}\n"), []byte(`{"seq":0}`))
	return seeds
}

// FuzzDecodeResponse checks that the strict decoder never panics, and that
// whatever it accepts is consistent and survives a round trip.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	for _, tc := range decodeCases {
		f.Add([]byte(tc.body), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, bulk bool) {
		req := fuzzRequest(bulk)
		resp, err := ida.JSONv1{}.DecodeResponse(bytes.NewReader(data), req)
		if err != nil {
			require.NotContains(t, err.Error(), "36574261809", "errors never carry an IDNr")
			return
		}
		require.Equal(t, fuzzReqID, resp.RequestID)
		require.Len(t, resp.Items, len(req.Searches))
		for i, it := range resp.Items {
			require.Equal(t, i, it.Seq)
			switch it.Outcome {
			case ida.Hit:
				require.False(t, it.Person.IDNr.IsZero())
				require.True(t, it.Fields.Has(idnr.FieldIDNr))
			case ida.NotIdentifiable:
				require.True(t, it.Person.IDNr.IsZero())
			case ida.Rejected:
				require.NotEmpty(t, it.Code)
			default:
				t.Fatalf("outcome %v", it.Outcome)
			}
		}
		again, err := ida.JSONv1{}.DecodeResponse(bytes.NewReader(encodeResponse(t, resp)), req)
		require.NoError(t, err)
		for i := range again.Items {
			a, b := again.Items[i], resp.Items[i]
			a.Raw, b.Raw = nil, nil
			require.Equal(t, b.Outcome, a.Outcome)
			require.Equal(t, b.Fields, a.Fields)
			require.Equal(t, b.Person.IDNr, a.Person.IDNr)
			require.Equal(t, b.Person.FamilyName, a.Person.FamilyName)
		}
	})
}

// FuzzDecodeRequest checks the server side decoder (used by idatest).
func FuzzDecodeRequest(f *testing.F) {
	for _, bulk := range []bool{false, true} {
		var b bytes.Buffer
		require.NoError(f, ida.JSONv1{}.EncodeRequest(&b, fuzzRequest(bulk)))
		f.Add(b.Bytes(), bulk)
	}
	var b bytes.Buffer
	require.NoError(f, ida.JSONv1{}.EncodeRequest(&b, &ida.Request{MessageID: fuzzReqID, Kind: ida.KindLookup,
		Sender: audit.Body{ID: "s"}, Sent: time.Now(), Purpose: "p", LegalBasis: "l", Fields: idnr.FieldIDNr,
		Lookup: &ida.Lookup{IDNr: idnr.MustParse("36574261809"), BirthDate: idnr.MustDate(1980, 3, 15)}}))
	f.Add(b.Bytes(), false)
	f.Fuzz(func(t *testing.T, data []byte, bulk bool) {
		k := ida.KindSearch
		if bulk {
			k = ida.KindBulk
		}
		req, err := ida.JSONv1{}.DecodeRequest(bytes.NewReader(data), k)
		if err != nil {
			return
		}
		require.Equal(t, k, req.Kind)
		require.NotEqual(t, uuid.Nil, req.MessageID)
		require.NotEmpty(t, req.Searches)
		var out bytes.Buffer
		require.NoError(t, ida.JSONv1{}.EncodeRequest(&out, req))
		again, err := ida.JSONv1{}.DecodeRequest(&out, k)
		require.NoError(t, err)
		require.Equal(t, len(req.Searches), len(again.Searches))
	})
}
