package melde_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/melde"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/stretchr/testify/require"
)

var codec melde.JSONv1

func fullPerson() idnr.Person {
	p := idnrtest.New(3).Person()
	p.DoctoralDegree = "Dr."
	p.Nationalities = []string{"DEU", "AUT"}
	p.FormerNames = []string{"Schmidt"}
	p.FormerNameKinds = []idnr.NameKind{idnr.BirthName}
	p.InformationBlocks = []idnr.InformationBlock{idnr.BlockRisk}
	p.LastContact = idnr.MonthYear{Year: 2025, Month: 11}
	return p
}

// TestRoundTrip: what the client half writes the server half reads, and
// back, for every kind the route offers.
func TestRoundTrip(t *testing.T) {
	p := fullPerson()
	s := ida.Search{Kind: ida.ByResidence, FamilyName: p.FamilyName, BirthDate: idnr.Date{}, PostalCode: "12345", City: "Köln",
		Street: "Hauptstraße", HouseNumber: "1a", BirthPlace: "Bonn", Sex: idnr.Female}
	s.BirthDate = p.BirthDate
	fb := ida.Search{Kind: ida.ByName, FamilyName: p.FamilyName, GivenNames: p.GivenNames, BirthDate: p.BirthDate}
	base := ida.Request{MessageID: uuid.New(), Sender: authority, Sent: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Purpose: "Erstbefüllung", LegalBasis: melde.LegalBasis, FileRef: "AZ 1", Fields: idnr.AllFields}
	reqs := map[string]ida.Request{}
	r := base
	r.Kind, r.Lookup = ida.KindLookup, &ida.Lookup{IDNr: p.IDNr, BirthDate: p.BirthDate}
	reqs["lookup"] = r
	r = base
	r.Kind, r.Searches = ida.KindSearch, []ida.Search{s}
	reqs["search"] = r
	r = base
	r.Kind, r.Searches = ida.KindFallback, []ida.Search{fb}
	reqs["fallback"] = r
	r = base
	r.Kind, r.Searches = ida.KindBulk, []ida.Search{s, fb, s}
	reqs["bulk"] = r
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, codec.EncodeRequest(&buf, &req))
			require.NotContains(t, buf.String(), "*", "nothing masked on the wire")
			got, err := codec.DecodeRequest(bytes.NewReader(buf.Bytes()), req.Kind)
			require.NoError(t, err)
			require.Equal(t, req, *got)

			resp := &ida.Response{MessageID: uuid.New(), RequestID: req.MessageID, Kind: req.Kind}
			n := max(1, len(req.Searches))
			if req.Kind == ida.KindLookup {
				n = 1
			}
			for i := range n {
				it := ida.Item{Seq: i}
				switch i % 3 {
				case 0:
					it.Outcome, it.Person, it.Fields = ida.Hit, p, idnr.AllFields
				case 1:
					it.Outcome = ida.NotIdentifiable
				case 2:
					it.Outcome, it.Code, it.Text = ida.Rejected, "missing-field", "postal_code"
				}
				resp.Items = append(resp.Items, it)
			}
			buf.Reset()
			require.NoError(t, codec.EncodeResponse(&buf, resp))
			back, err := codec.DecodeResponse(bytes.NewReader(buf.Bytes()), &req)
			require.NoError(t, err)
			require.Len(t, back.Items, n)
			for i := range back.Items {
				require.NotEmpty(t, back.Items[i].Raw)
				back.Items[i].Raw = nil
			}
			require.Equal(t, resp.Items, back.Items)
		})
	}
}

// TestDecodeRefuses: the decoder is strict and quotes nothing.
func TestDecodeRefuses(t *testing.T) {
	p := fullPerson()
	id := uuid.MustParse("00000000-0000-4000-8000-000000000001")
	req := &ida.Request{MessageID: id, Kind: ida.KindBulk, Searches: make([]ida.Search, 2)}
	head := `{"protocol":"regmo-melde/1","message_id":"00000000-0000-4000-8000-000000000009","request_id":"` + id.String() + `","kind":"batch",`
	found := `{"seq":0,"result":"found","fields":["idnr","family_name"],"person":{"idnr":"` + p.IDNr.String() + `","family_name":"` + p.FamilyName + `"}}`
	none := `{"seq":1,"result":"none"}`
	ok := head + `"count":2,"answers":[` + found + `,` + none + `]}`
	resp, err := codec.DecodeResponse(strings.NewReader(ok), req)
	require.NoError(t, err)
	require.Equal(t, found, string(resp.Items[0].Raw), "each item as transmitted")
	require.Equal(t, none, string(resp.Items[1].Raw))
	spaced := strings.NewReplacer(`[`, "[\n  ", `,{`, " ,\n {").Replace(ok)
	resp, err = codec.DecodeResponse(strings.NewReader(spaced), req)
	require.NoError(t, err)
	require.Equal(t, none, string(resp.Items[1].Raw))
	for name, tc := range map[string]struct {
		body string
		want error
	}{
		"other request": {strings.Replace(ok, id.String(), uuid.NewString(), 1), ida.ErrMessageMismatch},
		"wrong count":   {strings.Replace(ok, `"count":2`, `"count":3`, 1), ida.ErrMalformed},
		"seq twice":     {strings.Replace(ok, `"seq":1`, `"seq":0`, 1), ida.ErrMalformed},
		"seq missing":   {strings.Replace(ok, `"seq":1,`, ``, 1), ida.ErrMalformed},
		"seq range":     {strings.Replace(ok, `"seq":1`, `"seq":7`, 1), ida.ErrMalformed},
		"kind":          {strings.Replace(ok, `"batch"`, `"search"`, 1), ida.ErrMalformed},
		"protocol":      {strings.Replace(ok, `regmo-melde/1`, `regmo-ida/1`, 1), ida.ErrMalformed},
		"unknown member in person": {strings.Replace(ok, `"family_name":"`+p.FamilyName+`"}`,
			`"family_name":"`+p.FamilyName+`","`+p.FamilyName+`":1}`, 1), ida.ErrMalformed},
		"field not listed":  {strings.Replace(ok, `["idnr","family_name"]`, `["idnr"]`, 1), ida.ErrMalformed},
		"none with data":    {strings.Replace(ok, none, `{"seq":1,"result":"none","fields":["idnr"]}`, 1), ida.ErrMalformed},
		"found without id":  {strings.Replace(ok, `"idnr":"`+p.IDNr.String()+`",`, ``, 1), ida.ErrMalformed},
		"bad idnr":          {strings.Replace(ok, p.IDNr.String(), "12345678901", 1), ida.ErrMalformed},
		"unknown result":    {strings.Replace(ok, `"none"`, `"blocked"`, 1), ida.ErrMalformed},
		"trailing data":     {ok + `{}`, ida.ErrMalformed},
		"trailing garbage":  {ok + `x`, ida.ErrMalformed},
		"repeated member":   {strings.Replace(ok, `"count":2,`, `"count":2,"count":2,`, 1), ida.ErrMalformed},
		"unknown member":    {strings.Replace(ok, `"count":2,`, `"count":2,"`+p.FamilyName+`":2,`, 1), ida.ErrMalformed},
		"answers not array": {strings.Replace(ok, `"answers":[`, `"answers":{`, 1), ida.ErrMalformed},
		"answers null":      {head + `"count":2,"answers":null}`, ida.ErrMalformed},
		"answer missing":    {head + `"count":2,"answers":[` + found + `]}`, ida.ErrMalformed},
		"truncated":         {ok[:len(ok)/2], ida.ErrMalformed},
		"unknown field tok": {strings.Replace(ok, `["idnr","family_name"]`, `["idnr","family_name","religion"]`, 1), ida.ErrMalformed},
	} {
		_, err := codec.DecodeResponse(strings.NewReader(tc.body), req)
		require.ErrorIs(t, err, tc.want, name)
		requireClean(t, err.Error(), p)
	}
}

// FuzzDecodeResponse: the decoder never panics, and what it accepts is
// whole: one item per query, each seq once, a found item with an IDNr and
// no field beyond those listed.
func FuzzDecodeResponse(f *testing.F) {
	p := fullPerson()
	id := uuid.MustParse("00000000-0000-4000-8000-000000000001")
	for _, kind := range []ida.Kind{ida.KindLookup, ida.KindSearch, ida.KindBulk} {
		resp := &ida.Response{MessageID: uuid.New(), RequestID: id, Kind: kind, Items: []ida.Item{
			{Seq: 0, Outcome: ida.Hit, Person: p, Fields: idnr.AllFields}}}
		if kind == ida.KindBulk {
			resp.Items = append(resp.Items, ida.Item{Seq: 1, Outcome: ida.NotIdentifiable},
				ida.Item{Seq: 2, Outcome: ida.Rejected, Code: "missing-field"})
		}
		var buf bytes.Buffer
		if err := codec.EncodeResponse(&buf, resp); err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(kind), buf.Bytes())
	}
	f.Add(uint8(ida.KindBulk), []byte(`{"protocol":"regmo-melde/1","answers":[{}]}`))
	f.Fuzz(func(t *testing.T, k uint8, body []byte) {
		kind := []ida.Kind{ida.KindLookup, ida.KindSearch, ida.KindFallback, ida.KindBulk}[int(k)%4]
		req := &ida.Request{MessageID: id, Kind: kind, Searches: make([]ida.Search, 3)}
		resp, err := codec.DecodeResponse(bytes.NewReader(body), req)
		if err != nil {
			if !errors.Is(err, ida.ErrMalformed) && !errors.Is(err, ida.ErrMessageMismatch) {
				t.Fatalf("error not typed: %v", err)
			}
			return
		}
		want := 1
		if kind == ida.KindBulk {
			want = 3
		}
		if len(resp.Items) != want || resp.RequestID != id {
			t.Fatalf("accepted %d items for %d queries", len(resp.Items), want)
		}
		for i, it := range resp.Items {
			if it.Seq != i || len(it.Raw) == 0 {
				t.Fatalf("item %d: seq %d", i, it.Seq)
			}
			if it.Outcome == ida.Hit && (it.Person.IDNr.IsZero() || it.Fields.Filled(&it.Person)&^it.Fields != 0) {
				t.Fatalf("item %d: hit without IDNr or with fields not listed", i)
			}
		}
	})
}

// FuzzDecodeRequest: the server half never panics and accepts only whole
// requests.
func FuzzDecodeRequest(f *testing.F) {
	p := fullPerson()
	req := ida.Request{MessageID: uuid.New(), Kind: ida.KindBulk, Sender: authority, Sent: time.Now().UTC(),
		Purpose: "p", LegalBasis: melde.LegalBasis, Fields: idnr.AllFields,
		Searches: []ida.Search{{FamilyName: p.FamilyName, BirthDate: p.BirthDate, PostalCode: "12345", City: "Köln"}}}
	var buf bytes.Buffer
	if err := codec.EncodeRequest(&buf, &req); err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(ida.KindBulk), buf.Bytes())
	f.Fuzz(func(t *testing.T, k uint8, body []byte) {
		kind := ida.Kind(k%6 + 1)
		r, err := codec.DecodeRequest(bytes.NewReader(body), kind)
		if err != nil {
			return
		}
		switch kind {
		case ida.KindLookup:
			if r.Lookup == nil {
				t.Fatal("lookup without lookup")
			}
		case ida.KindSearch, ida.KindFallback:
			if len(r.Searches) != 1 {
				t.Fatal("single search with other than one query")
			}
		case ida.KindBulk:
			if len(r.Searches) == 0 || len(r.Searches) > ida.MaxBulk {
				t.Fatal("batch size")
			}
		default:
			t.Fatalf("kind %v accepted", kind)
		}
	})
}
