package ida_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var clarifyAuth = ida.Auth{Role: "meldebehoerde", Actor: "klaerung", Purpose: "Datenpflege",
	LegalBasis: "§ 10 Abs. 5 IDNrG", Fields: idnr.AllFields}

func clarifyStack(t *testing.T) (*idatest.Server, *ida.Client, *memProtocol, []idnr.Person) {
	people := testPeople()
	srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithClock(func() time.Time { return evNow }))
	t.Cleanup(srv.Close)
	c, proto := newClient(t, srv, func(cfg *ida.Config) { cfg.Clock = func() time.Time { return evNow } })
	return srv, c, proto, people
}

// TestClarificationFetch: the BVA's request arrives through the fetch, is
// protocolled as received before it is handed out, and the cursor moves.
func TestClarificationFetch(t *testing.T) {
	srv, c, proto, people := clarifyStack(t)
	ctx := context.Background()
	want := ida.ClarificationRequest{Reference: "KL-2026-000017", IDNr: people[0].IDNr, Fields: idnr.FieldFamilyName | idnr.FieldBirthDate,
		Reason: "deviation-reported", Issued: evNow.Add(-time.Hour)}
	srv.AddClarification("", want)
	srv.AddClarification("another-body", ida.ClarificationRequest{Reference: "KL-2026-000018", IDNr: people[1].IDNr, Fields: idnr.FieldSex, Reason: "data-conflict", Issued: evNow})
	page, err := c.Clarifications(ctx, clarifyAuth, "")
	require.NoError(t, err)
	require.Len(t, page.Requests, 1, "only the requests to this body")
	assert.Equal(t, want, page.Requests[0])
	assert.Empty(t, page.Refused)
	assert.Equal(t, "2", page.Next)

	recs := proto.Records()
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, audit.Received, r.Direction)
	assert.Equal(t, people[0].IDNr, r.IDNr)
	assert.Equal(t, page.MessageID, r.MessageID)
	assert.Equal(t, audit.CategoriesOf(idnr.FieldIDNr|idnr.FieldFamilyName|idnr.FieldBirthDate), r.Categories)
	assert.Contains(t, string(r.Content), "KL-2026-000017", "the request as transmitted")
	assert.Equal(t, "§ 10 Abs. 5 IDNrG", r.LegalBasis)

	again, err := c.Clarifications(ctx, clarifyAuth, page.Next)
	require.NoError(t, err)
	assert.Empty(t, again.Requests)
	assert.Equal(t, page.Next, again.Next)
	assert.Len(t, proto.Records(), 1)

	_, err = c.Clarifications(ctx, clarifyAuth, "bad cursor\n")
	var fe *ida.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "since", fe.Field)
}

// TestClarificationHostile: requests that are not acceptable are refused
// one by one (the others stand), with the field and the reason and never
// a value, and nothing of them reaches the protocol as a transfer.
func TestClarificationHostile(t *testing.T) {
	srv, c, proto, people := clarifyStack(t)
	ctx := context.Background()
	good := `{"reference":"KL-1","idnr":"` + people[2].IDNr.String() + `","fields":["family_name"],"reason":"data-conflict","issued":"2026-02-01T10:00:00Z"}`
	hostile := []struct{ name, raw, field string }{
		{"invalid idnr", `{"reference":"KL-2","idnr":"36574261890","fields":["family_name"],"reason":"data-conflict","issued":"2026-02-01T10:00:00Z"}`, "ClarificationRequest"},
		{"idnr missing", `{"reference":"KL-3","fields":["family_name"],"reason":"data-conflict","issued":"2026-02-01T10:00:00Z"}`, "ClarificationRequest.IDNr"},
		{"overlong reference", `{"reference":"` + strings.Repeat("K", 65) + `","idnr":"` + people[2].IDNr.String() + `","fields":["sex"],"reason":"x","issued":"2026-02-01T10:00:00Z"}`, "ClarificationRequest.Reference"},
		{"control characters", `{"reference":"KL-4\u001b[2J","idnr":"` + people[2].IDNr.String() + `","fields":["sex"],"reason":"x","issued":"2026-02-01T10:00:00Z"}`, "ClarificationRequest.Reference"},
		{"idnr in the reference", `{"reference":"KL-36574261809","idnr":"` + people[2].IDNr.String() + `","fields":["sex"],"reason":"x","issued":"2026-02-01T10:00:00Z"}`, "ClarificationRequest.Reference"},
		{"name in an unknown member", `{"reference":"KL-5","idnr":"` + people[2].IDNr.String() + `","fields":["sex"],"reason":"x","issued":"2026-02-01T10:00:00Z","Müller-Lüdenscheidt":1}`, "ClarificationRequest"},
		{"free text", `{"reference":"KL-6","idnr":"` + people[2].IDNr.String() + `","fields":["sex"],"reason":"x","issued":"2026-02-01T10:00:00Z","text":"Frau Müller, geb. 14.03.1980"}`, "ClarificationRequest"},
		{"unknown field", `{"reference":"KL-7","idnr":"` + people[2].IDNr.String() + `","fields":["shoe_size"],"reason":"x","issued":"2026-02-01T10:00:00Z"}`, "ClarificationRequest"},
		{"idnr only", `{"reference":"KL-8","idnr":"` + people[2].IDNr.String() + `","fields":["idnr"],"reason":"x","issued":"2026-02-01T10:00:00Z"}`, "ClarificationRequest.Fields"},
		{"not an object", `"Müller 36574261809"`, "ClarificationRequest"},
	}
	for _, h := range hostile {
		srv.AddRawClarification("", []byte(h.raw))
	}
	srv.AddRawClarification("", []byte(good))
	srv.AddRawClarification("", []byte(`{"reference":"KL-9","idnr":"`+people[3].IDNr.String()+`","fields":["sex"],"reason":"Mueller-Luedenscheidt","issued":"2026-02-01T10:00:00Z"}`))
	page, err := c.Clarifications(ctx, clarifyAuth, "")
	require.NoError(t, err)
	require.Len(t, page.Refused, len(hostile))
	for i, h := range hostile {
		fe := page.Refused[i]
		assert.Equal(t, i, fe.Index, h.name)
		assert.Equal(t, h.field, fe.Field, h.name)
		for _, v := range []string{"36574261809", people[2].IDNr.String(), "Müller", "1980", "\x1b"} {
			assert.NotContains(t, fe.Error(), v, h.name)
		}
	}
	require.Len(t, page.Requests, 2, "the acceptable requests stand")
	assert.Equal(t, "KL-1", page.Requests[0].Reference)
	assert.Equal(t, "unlisted", page.Requests[1].Reason, "a reason code that is not listed is not passed on")
	assert.Equal(t, "12", page.Next, "the cursor moves past refused requests")
	assert.Len(t, proto.Records(), 2, "only acceptable requests are § 9 transfers")
	var refusedEvents int
	for _, e := range proto.Events() {
		if e.Kind == "clarification-refused" {
			refusedEvents++
		}
		for _, v := range []string{"36574261809", people[2].IDNr.String(), "Müller", "14.03"} {
			assert.NotContains(t, e.Detail, v)
		}
	}
	assert.Equal(t, len(hostile), refusedEvents)
}

// TestClarificationReply: a reply with evidence reaches the mock intact
// and is protocolled as sent; a declined one too; an invalid reply is
// refused before sending; a reply to a reference the BVA did not issue is
// rejected.
func TestClarificationReply(t *testing.T) {
	srv, c, proto, people := clarifyStack(t)
	ctx := context.Background()
	id := people[0].IDNr
	srv.AddClarification("", ida.ClarificationRequest{Reference: "KL-2026-000017", IDNr: id, Fields: idnr.FieldFamilyName, Reason: "deviation-reported", Issued: evNow})
	srv.AddClarification("", ida.ClarificationRequest{Reference: "KL-2026-000019", IDNr: people[1].IDNr, Fields: idnr.FieldSex, Reason: "data-conflict", Issued: evNow})
	ev := birthCert()
	ev.Fields = idnr.FieldFamilyName
	reply := ida.ClarificationReply{Reference: "KL-2026-000017", IDNr: id, Answer: ida.ReplyEvidence, Fields: idnr.FieldFamilyName,
		Held: idnr.Person{FamilyName: "Graf von Neuenwalde"}, Evidence: []ida.Evidence{ev}}
	rc, err := c.ReplyClarification(ctx, clarifyAuth, reply)
	require.NoError(t, err)
	assert.Equal(t, evNow, rc.Received)
	_, err = c.ReplyClarification(ctx, clarifyAuth, ida.ClarificationReply{Reference: "KL-2026-000019", IDNr: people[1].IDNr,
		Answer: ida.ReplyDeclined, Reason: "Register führt das Geschlecht nicht"})
	require.NoError(t, err)
	got := srv.ClarificationReplies()
	require.Len(t, got, 2)
	assert.Equal(t, reply.Evidence, got[0].Reply.Evidence)
	assert.Equal(t, "Graf von Neuenwalde", got[0].Reply.Held.FamilyName)
	assert.Equal(t, ida.ReplyDeclined, got[1].Reply.Answer)

	recs := proto.Records()
	require.Len(t, recs, 2)
	assert.Equal(t, audit.Sent, recs[0].Direction)
	assert.Equal(t, id, recs[0].IDNr)
	assert.Contains(t, string(recs[0].Content), "KL-2026-000017")
	assert.Contains(t, string(recs[0].Content), `"birth_certificate"`)

	bad := reply
	bad.Evidence = nil
	_, err = c.ReplyClarification(ctx, clarifyAuth, bad)
	var fe *ida.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ClarificationReply.Evidence", fe.Field)
	bad = ida.ClarificationReply{Reference: "KL-2026-000019", IDNr: people[1].IDNr, Answer: ida.ReplyDeclined, Reason: "IDNr " + people[1].IDNr.String()}
	_, err = c.ReplyClarification(ctx, clarifyAuth, bad)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ClarificationReply.Reason", fe.Field)
	assert.NotContains(t, err.Error(), people[1].IDNr.String())

	_, err = c.ReplyClarification(ctx, clarifyAuth, ida.ClarificationReply{Reference: "KL-9999", IDNr: id, Answer: ida.ReplyNotHeld, Reason: "nicht im Register"})
	var re *ida.RejectedError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "unknown-reference", re.Code)
	assert.Len(t, srv.ClarificationReplies(), 2)
}

// FuzzDecodeClarifications: any answer to a fetch decodes or fails
// without panicking and without an IDNr in the error; every request that
// decodes either has an Err or was taken from its raw bytes.
func FuzzDecodeClarifications(f *testing.F) {
	req := &ida.Request{MessageID: fuzzReqID, Kind: ida.KindClarifications}
	resp := &ida.Response{MessageID: uuid.New(), RequestID: fuzzReqID, Kind: ida.KindClarifications, Next: "3",
		Clarifications: []ida.ClarificationItem{{Request: ida.ClarificationRequest{Reference: "KL-1", IDNr: idnr.MustParse("36574261809"),
			Fields: idnr.FieldSex, Reason: "data-conflict", Issued: evNow}}, {Raw: []byte(`{"reference":"x"}`)}}}
	var b bytes.Buffer
	require.NoError(f, ida.JSONv1{}.EncodeResponse(&b, resp))
	f.Add(b.Bytes())
	f.Add(bytes.Replace(b.Bytes(), []byte(`"KL-1"`), []byte(`"KL-36574261809"`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ida.JSONv1{}.DecodeResponse(bytes.NewReader(data), req)
		if err != nil {
			require.NotContains(t, err.Error(), "36574261809")
			return
		}
		require.LessOrEqual(t, len(got.Clarifications), ida.MaxClarificationPage)
		for _, it := range got.Clarifications {
			require.NotNil(t, it.Raw)
			if it.Err != nil {
				require.NotContains(t, it.Err.Error(), "36574261809")
			}
		}
	})
}
