package review_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClarificationWorkThrough: a clarification request of the BVA (§ 10
// Abs. 5 IDNrG) arrives through the real IDA client from the mock, becomes
// a case for the clerks, is deferred and answered with evidence through
// the web UI, and both transfers (the request received, the reply sent)
// are in the § 9 protocol; a request for someone the register does not
// hold is answered not_held and a hostile one refused, without personal
// data in the logs.
func TestClarificationWorkThrough(t *testing.T) {
	ctx := context.Background()
	d := newDemo(t, 40, nil)
	held, err := d.reg.NextWithIDNr(ctx, "", 1)
	require.NoError(t, err)
	require.Len(t, held, 1)
	person := held[0]
	stranger := idnr.MustParse("86095742719")
	d.mock.AddClarification("test", ida.ClarificationRequest{Reference: "KL-2026-000017", IDNr: person.Person.IDNr,
		Fields: idnr.FieldFamilyName | idnr.FieldBirthDate, Reason: "deviation-reported", Issued: time.Now().UTC().Truncate(time.Second)})
	d.mock.AddClarification("test", ida.ClarificationRequest{Reference: "KL-2026-000018", IDNr: stranger,
		Fields: idnr.FieldSex, Reason: "data-conflict", Issued: time.Now().UTC()})
	d.mock.AddRawClarification("test", []byte(`{"reference":"KL-2026-\u0007","idnr":"`+person.Person.IDNr.String()+`","fields":["sex"],"reason":"x","issued":"2026-01-01T00:00:00Z"}`))

	intakeAuth := ida.Auth{Role: "erstbefuellung", Actor: "klaerung-abruf", Purpose: purpose, Fields: idnr.AllFields}
	rep, err := registers.IntakeClarifications(ctx, registers.IntakeConfig{Source: d.client, Store: d.reg, Replier: d.client, Auth: intakeAuth})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Fetched)
	assert.Equal(t, 1, rep.Refused)
	assert.Equal(t, 1, rep.Added)
	assert.Equal(t, 1, rep.NotInRegister)
	assert.Equal(t, 1, rep.RepliedNotHeld)

	logger := slog.New(slog.NewTextHandler(d.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wb, err := review.New(review.Config{Store: d.reg, Policy: thePolicy, Access: d.log, Matcher: registers.FromMatch(match.New()),
		Clarifier: d.client, Logger: logger})
	require.NoError(t, err)
	h, err := review.NewHandler(review.HandlerConfig{Workbench: wb, Authenticate: func(*http.Request) (review.Clerk, bool) { return theClerk, true }, Logger: logger})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(path string) string {
		res, err := noRedirect.Get(srv.URL + "/" + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		require.Equal(t, http.StatusOK, res.StatusCode, string(b))
		return string(b)
	}
	assert.Contains(t, page(""), `href="klaerungen"`)
	list := page("klaerungen")
	assert.Contains(t, list, "KL-2026-000017")
	assert.Contains(t, list, "Eine andere Stelle hat eine Unrichtigkeit gemeldet")
	assert.NotContains(t, list, "KL-2026-000018", "not a case: the person is not in the register")

	body := page("klaerung?ref=KL-2026-000017")
	assert.Contains(t, body, "Familienname (gefragt)")
	assert.Contains(t, body, person.Person.FamilyName, "the register's value for the clerk")
	assert.Contains(t, body, "Geburtsurkunde")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindStringSubmatch(body)[1]
	post := func(form url.Values) (int, string) {
		form.Set("csrf", csrf)
		form.Set("ref", "KL-2026-000017")
		res, err := noRedirect.PostForm(srv.URL+"/klaerung", form)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Location") + string(b)
	}
	status, loc := post(url.Values{"kind": {"defer"}, "id": {"c1"}, "version": {"0"}, "note": {"Urkunde beim Standesamt angefordert"}})
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/klaerung?ref=KL-2026-000017&done=defer", loc)
	assert.Empty(t, d.mock.ClarificationReplies()[1:], "a defer sends nothing")

	// A reply with a document date in the future is refused, naming the field.
	future := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	reply := url.Values{"kind": {"reply"}, "id": {"c2"}, "version": {"1"}, "f_family_name": {"1"}, "doc": {"birth_certificate"},
		"doc_ref": {"G 17/1970"}, "doc_date": {future}, "doc_authority": {"Standesamt Musterstadt"}}
	status, out := post(reply)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, out, "Ausstellungsdatum – in the future")
	reply.Set("doc_date", "1970-05-04")
	reply.Set("id", "c3")
	status, loc = post(reply)
	require.Equal(t, http.StatusSeeOther, status, loc)
	body = page("klaerung?ref=KL-2026-000017&done=reply")
	assert.Contains(t, body, "Entschieden: Antworten mit Nachweis")
	assert.Contains(t, body, "beantwortet")
	assert.Contains(t, body, "Geburtsurkunde G 17/1970 (Familienname)")
	assert.NotContains(t, page("klaerungen"), "KL-2026-000017", "answered: no longer open")
	status, _ = post(url.Values{"kind": {"decline"}, "id": {"c4"}, "version": {"2"}, "reason": {"zu spät"}})
	assert.Equal(t, http.StatusConflict, status)

	replies := d.mock.ClarificationReplies()
	require.Len(t, replies, 2)
	assert.Equal(t, ida.ReplyNotHeld, replies[0].Reply.Answer)
	r := replies[1].Reply
	assert.Equal(t, ida.ReplyEvidence, r.Answer)
	assert.Equal(t, idnr.FieldFamilyName, r.Fields)
	assert.Equal(t, person.Person.FamilyName, r.Held.FamilyName)
	require.Len(t, r.Evidence, 1)
	assert.Equal(t, ida.Evidence{Fields: idnr.FieldFamilyName, Kind: ida.DocBirthCertificate, Reference: "G 17/1970",
		Date: idnr.MustDate(1970, 5, 4), Authority: "Standesamt Musterstadt"}, r.Evidence[0])

	// Both transfers are in the § 9 protocol: the request received and the reply sent.
	pg, err := d.log.Query(ctx, audit.Access{Who: "test", Purpose: audit.DataProtectionCheck}, audit.Query{IDNr: person.Person.IDNr, Limit: 1000})
	require.NoError(t, err)
	var received, sent *audit.Record
	for i := range pg.Records {
		rec := &pg.Records[i]
		if rec.LegalBasis != "§ 10 Abs. 5 IDNrG" {
			continue
		}
		switch rec.Direction {
		case audit.Received:
			received = rec
		case audit.Sent:
			sent = rec
		}
	}
	require.NotNil(t, received, "the request received")
	require.NotNil(t, sent, "the reply sent")
	assert.Contains(t, string(received.Content), "KL-2026-000017")
	assert.Contains(t, string(sent.Content), "KL-2026-000017")
	assert.Contains(t, string(sent.Content), "G 17/1970")
	assert.Equal(t, theClerk.ID, sent.Actor)
	assert.Equal(t, "klaerung-abruf", received.Actor)

	for _, v := range []string{person.Person.IDNr.String(), stranger.String(), person.Person.FamilyName} {
		assert.NotContains(t, d.logBuf.String(), v, "no personal data in the log")
	}
	assert.False(t, strings.Contains(d.logBuf.String(), "\a"))
}

// TestClarificationDecline: through the workbench, a decline needs a
// reason without an IDNr, is sent to the BVA, and closes the request; a
// clerk without the decide right is refused; an answer whose evidence
// proves a field not asked about is refused naming the field.
func TestClarificationDecline(t *testing.T) {
	ctx := context.Background()
	d := newDemo(t, 20, nil)
	held, err := d.reg.NextWithIDNr(ctx, "", 1)
	require.NoError(t, err)
	require.Len(t, held, 1)
	id := held[0].Person.IDNr
	d.mock.AddClarification("", ida.ClarificationRequest{Reference: "KL-7", IDNr: id, Fields: idnr.FieldSex, Reason: "identity-unclear", Issued: time.Now().UTC()})
	_, err = registers.IntakeClarifications(ctx, registers.IntakeConfig{Source: d.client, Store: d.reg,
		Auth: ida.Auth{Role: "erstbefuellung", Actor: "klaerung-abruf", Purpose: purpose, Fields: idnr.AllFields}})
	require.NoError(t, err)
	wb, err := review.New(review.Config{Store: d.reg, Policy: thePolicy, Access: d.log, Matcher: registers.FromMatch(match.New()), Clarifier: d.client})
	require.NoError(t, err)

	reader := review.Clerk{ID: "sb-1", Role: "lesen", Purpose: clerkPurpose}
	_, _, err = wb.DecideClarification(ctx, reader, review.ClarificationDecision{ID: "x", Reference: "KL-7", Kind: review.ClarifyDefer})
	assert.ErrorIs(t, err, review.ErrForbidden)

	_, _, err = wb.DecideClarification(ctx, theClerk, review.ClarificationDecision{ID: "d0", Reference: "KL-7", Kind: review.ClarifyDecline,
		Reason: "betrifft " + id.String()})
	var ie *review.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "reason", ie.Field)
	assert.NotContains(t, err.Error(), id.String())

	ev := ida.Evidence{Fields: idnr.FieldFamilyName, Kind: ida.DocPassport, Reference: "C01X00T47", Date: idnr.MustDate(2020, 1, 2), Authority: "Stadt Musterstadt"}
	_, _, err = wb.DecideClarification(ctx, theClerk, review.ClarificationDecision{ID: "d1", Reference: "KL-7", Kind: review.ClarifyReply, Evidence: []ida.Evidence{ev}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "evidence", ie.Field)
	ev.Fields, ev.Authority = idnr.FieldSex, ""
	_, _, err = wb.DecideClarification(ctx, theClerk, review.ClarificationDecision{ID: "d2", Reference: "KL-7", Kind: review.ClarifyReply, Evidence: []ida.Evidence{ev}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "Evidence[0].Authority", ie.Field)
	assert.Empty(t, d.mock.ClarificationReplies(), "nothing sent for refused decisions")

	dec, replayed, err := wb.DecideClarification(ctx, theClerk, review.ClarificationDecision{ID: "d3", Reference: "KL-7", Kind: review.ClarifyDecline,
		Reason: "Geschlecht wird im Register nicht geführt"})
	require.NoError(t, err)
	assert.False(t, replayed)
	assert.NotEmpty(t, dec.ReplyMessage)
	_, replayed, err = wb.DecideClarification(ctx, theClerk, review.ClarificationDecision{ID: "d3", Reference: "KL-7", Kind: review.ClarifyDecline,
		Reason: "Geschlecht wird im Register nicht geführt"})
	require.NoError(t, err)
	assert.True(t, replayed, "a double submit decides nothing again")
	replies := d.mock.ClarificationReplies()
	require.Len(t, replies, 1)
	assert.Equal(t, ida.ReplyDeclined, replies[0].Reply.Answer)
	assert.Equal(t, "Geschlecht wird im Register nicht geführt", replies[0].Reply.Reason)
	st, err := wb.OpenClarification(ctx, theClerk, "KL-7")
	require.NoError(t, err)
	assert.Equal(t, review.ClarificationDeclined, st.State)
	list, _, err := wb.Clarifications(ctx, theClerk, "", 0)
	require.NoError(t, err)
	assert.Empty(t, list)
}
