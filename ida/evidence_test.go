package ida_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
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

var evNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func birthCert() ida.Evidence {
	return ida.Evidence{Fields: idnr.FieldFamilyName | idnr.FieldBirthDate, Kind: ida.DocBirthCertificate,
		Reference: "G 1234/1980", Date: idnr.MustDate(1980, 3, 14), Authority: "Standesamt Bremen-Mitte"}
}

func evidenceReport(id idnr.IDNr) ida.InaccuracyReport {
	return ida.InaccuracyReport{
		IDNr: id, Fields: idnr.FieldFamilyName | idnr.FieldBirthDate | idnr.FieldDeathDate, Reason: "register-evidence",
		Held: idnr.Person{FamilyName: "Graf von Neuenwalde", BirthDate: idnr.MustDate(1980, 3, 14), DeathDate: idnr.MustDate(2026, 2, 1)},
		Evidence: []ida.Evidence{birthCert(), {Fields: idnr.FieldDeathDate, Kind: ida.DocOther, KindText: "Todesbescheinigung (Leichenschauschein)",
			Reference: "LS-77", Date: idnr.MustDate(2026, 2, 2), Authority: "Gesundheitsamt Bremen"}},
	}
}

// TestReportEvidenceReachesMock: a report with evidence for every field
// reaches the mock BVA intact, and the § 9 record of the report holds the
// message as transmitted, evidence included.
func TestReportEvidenceReachesMock(t *testing.T) {
	people := testPeople()
	srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithClock(func() time.Time { return evNow }))
	defer srv.Close()
	c, proto := newClient(t, srv, func(cfg *ida.Config) { cfg.Clock = func() time.Time { return evNow } })
	want := evidenceReport(people[0].IDNr)
	rc, err := c.ReportInaccuracy(context.Background(), testAuth, want)
	require.NoError(t, err)
	assert.Equal(t, evNow, rc.Received)
	reps := srv.Reports()
	require.Len(t, reps, 1)
	got := reps[0].Inaccuracy
	require.NotNil(t, got)
	assert.Equal(t, want.Evidence, got.Evidence)
	assert.Equal(t, want.Fields, got.Fields)
	assert.Equal(t, "Graf von Neuenwalde", got.Held.FamilyName)

	recs := proto.Records()
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, audit.Sent, r.Direction)
	assert.Equal(t, people[0].IDNr, r.IDNr)
	for _, s := range []string{`"evidence"`, `"birth_certificate"`, "G 1234/1980", "Standesamt Bremen-Mitte", "Todesbescheinigung"} {
		assert.Contains(t, string(r.Content), s, "the protocol lists what was transmitted")
	}
}

// TestReportEvidenceRefused: a report whose evidence is missing or bad is
// refused before anything is sent, with a *FieldError naming the field and
// without the value.
func TestReportEvidenceRefused(t *testing.T) {
	people := testPeople()
	srv := idatest.NewServer(idatest.WithPeople(people))
	defer srv.Close()
	c, proto := newClient(t, srv, func(cfg *ida.Config) { cfg.Clock = func() time.Time { return evNow } })
	id := people[0].IDNr
	cases := []struct {
		name   string
		mod    func(r *ida.InaccuracyReport)
		field  string
		reason string
	}{
		{"no evidence at all", func(r *ida.InaccuracyReport) { r.Evidence = nil }, "InaccuracyReport.Evidence", "no evidence for family_name|birth_date|death_date"},
		{"one field unproved", func(r *ida.InaccuracyReport) { r.Evidence = r.Evidence[:1] }, "InaccuracyReport.Evidence", "no evidence for death_date"},
		{"proves a field not reported", func(r *ida.InaccuracyReport) { r.Evidence[0].Fields |= idnr.FieldSex }, "InaccuracyReport.Evidence[0].Fields", "proves fields not reported (sex)"},
		{"proves the idnr", func(r *ida.InaccuracyReport) { r.Evidence[0].Fields |= idnr.FieldIDNr }, "InaccuracyReport.Evidence[0].Fields", ""},
		{"no fields", func(r *ida.InaccuracyReport) { r.Evidence[1].Fields = 0 }, "InaccuracyReport.Evidence[1].Fields", ""},
		{"unknown kind", func(r *ida.InaccuracyReport) { r.Evidence[0].Kind = 99 }, "InaccuracyReport.Evidence[0].Kind", ""},
		{"no kind", func(r *ida.InaccuracyReport) { r.Evidence[0].Kind = 0 }, "InaccuracyReport.Evidence[0].Kind", ""},
		{"other without text", func(r *ida.InaccuracyReport) { r.Evidence[1].KindText = "" }, "InaccuracyReport.Evidence[1].KindText", "required for kind other"},
		{"text without other", func(r *ida.InaccuracyReport) { r.Evidence[0].KindText = "x" }, "InaccuracyReport.Evidence[0].KindText", "only for kind other"},
		{"no reference", func(r *ida.InaccuracyReport) { r.Evidence[0].Reference = "" }, "InaccuracyReport.Evidence[0].Reference", "required"},
		{"reference too long", func(r *ida.InaccuracyReport) { r.Evidence[0].Reference = strings.Repeat("R", 121) }, "InaccuracyReport.Evidence[0].Reference", "longer than 120 characters"},
		{"reference with control character", func(r *ida.InaccuracyReport) { r.Evidence[0].Reference = "G 12\x1b[31m" }, "InaccuracyReport.Evidence[0].Reference", "contains a control character"},
		{"authority missing", func(r *ida.InaccuracyReport) { r.Evidence[1].Authority = "" }, "InaccuracyReport.Evidence[1].Authority", "required"},
		{"authority too long", func(r *ida.InaccuracyReport) { r.Evidence[1].Authority = strings.Repeat("Ä", 201) }, "InaccuracyReport.Evidence[1].Authority", "longer than 200 characters"},
		{"authority not UTF-8", func(r *ida.InaccuracyReport) { r.Evidence[1].Authority = "Amt \xff" }, "InaccuracyReport.Evidence[1].Authority", "not valid UTF-8"},
		{"no date", func(r *ida.InaccuracyReport) { r.Evidence[0].Date = idnr.Date{} }, "InaccuracyReport.Evidence[0].Date", "required"},
		{"partial date", func(r *ida.InaccuracyReport) { r.Evidence[0].Date = idnr.MustDate(1980, 3, 0) }, "InaccuracyReport.Evidence[0].Date", "not a complete date"},
		{"date in the future", func(r *ida.InaccuracyReport) { r.Evidence[1].Date = idnr.MustDate(2026, 3, 2) }, "InaccuracyReport.Evidence[1].Date", "in the future"},
		{"too many items", func(r *ida.InaccuracyReport) {
			for range ida.MaxEvidence {
				r.Evidence = append(r.Evidence, birthCert())
			}
		}, "InaccuracyReport.Evidence", "more than 16 items"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := evidenceReport(id)
			r.Evidence = append([]ida.Evidence(nil), r.Evidence...)
			tc.mod(&r)
			_, err := c.ReportInaccuracy(context.Background(), testAuth, r)
			var fe *ida.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			if tc.reason != "" {
				assert.Equal(t, tc.reason, fe.Reason)
			}
			assert.True(t, ida.IsInvalid(err))
			for _, v := range []string{id.String(), "G 1234/1980", "Standesamt", "Neuenwalde"} {
				assert.NotContains(t, err.Error(), v)
			}
		})
	}
	assert.Empty(t, srv.Reports(), "nothing was sent")
	assert.Empty(t, proto.Records(), "nothing was protocolled as sent")
}

// TestMockRefusesReportWithoutEvidence: the mock BVA checks the evidence
// itself (a client that skips the check is answered with a rejection), so
// that tests of other clients see what the BVA counts.
func TestMockRefusesReportWithoutEvidence(t *testing.T) {
	people := testPeople()
	srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithClock(func() time.Time { return evNow }))
	defer srv.Close()
	send := func(t *testing.T, r ida.InaccuracyReport) (ida.Item, int) {
		id := uuid.New()
		req := &ida.Request{MessageID: id, Kind: ida.KindInaccuracy, Sender: audit.Body{Name: "B", ID: "bhkz-1"},
			Sent: evNow, Purpose: "Datenpflege", LegalBasis: "§ 10 Abs. 4 IDNrG", Fields: r.Fields | idnr.FieldIDNr, Inaccuracy: &r}
		var body bytes.Buffer
		require.NoError(t, ida.JSONv1{}.EncodeRequest(&body, req))
		hr, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/inaccuracy", &body)
		hr.Header.Set(ida.HeaderMessageID, id.String())
		hr.Header.Set(ida.HeaderSender, "bhkz-1")
		hr.Header.Set("Content-Type", ida.MediaJSON)
		resp, err := srv.Client().Do(hr)
		require.NoError(t, err)
		defer resp.Body.Close()
		var a struct {
			Result, Code, Text string
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
		it := ida.Item{Code: a.Code, Text: a.Text}
		if a.Result == "rejected" {
			it.Outcome = ida.Rejected
		}
		return it, resp.StatusCode
	}
	r := evidenceReport(people[0].IDNr)
	r.Evidence = r.Evidence[:1]
	it, status := send(t, r)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, ida.Rejected, it.Outcome)
	assert.Equal(t, "missing-evidence", it.Code)
	assert.Equal(t, "InaccuracyReport.Evidence: no evidence for death_date", it.Text)
	r = evidenceReport(people[0].IDNr)
	r.Evidence[0].Date = idnr.MustDate(2027, 1, 1)
	it, _ = send(t, r)
	assert.Equal(t, "InaccuracyReport.Evidence[0].Date: in the future", it.Text)
	assert.Empty(t, srv.Reports())
	it, _ = send(t, evidenceReport(people[0].IDNr))
	assert.NotEqual(t, ida.Rejected, it.Outcome)
	require.Len(t, srv.Reports(), 1)
}

func TestDocumentKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range ida.DocumentKinds() {
		tok, err := k.MarshalText()
		require.NoError(t, err)
		var back ida.DocumentKind
		require.NoError(t, back.UnmarshalText(tok))
		assert.Equal(t, k, back)
		assert.NotEqual(t, k.String(), k.German())
		assert.False(t, seen[k.German()])
		seen[k.German()] = true
	}
	assert.Equal(t, "Geburtsurkunde", ida.DocBirthCertificate.German())
	var k ida.DocumentKind
	err := k.UnmarshalText([]byte("36574261809"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "36574261809")
	_, err = ida.DocumentKind(0).MarshalText()
	require.Error(t, err)
}

// FuzzDecodeInaccuracy: the server half decodes any report body without
// panicking; errors carry no IDNr; a report that decodes and validates
// survives a round trip unchanged.
func FuzzDecodeInaccuracy(f *testing.F) {
	r := evidenceReport(idnr.MustParse("36574261809"))
	var b bytes.Buffer
	require.NoError(f, ida.JSONv1{}.EncodeRequest(&b, &ida.Request{MessageID: uuid.New(), Kind: ida.KindInaccuracy,
		Sender: audit.Body{ID: "s"}, Sent: evNow, Purpose: "p", LegalBasis: "l", Fields: r.Fields | idnr.FieldIDNr, Inaccuracy: &r}))
	f.Add(b.Bytes())
	f.Add(bytes.Replace(b.Bytes(), []byte(`"birth_certificate"`), []byte(`"36574261809"`), 1))
	f.Add(bytes.Replace(b.Bytes(), []byte(`"1980-03-14"`), []byte(`"1980-13-14"`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ida.JSONv1{}.DecodeRequest(bytes.NewReader(data), ida.KindInaccuracy)
		if err != nil {
			require.NotContains(t, err.Error(), "36574261809")
			return
		}
		x := req.Inaccuracy
		require.NotNil(t, x)
		if err := x.ValidateAt(evNow); err != nil {
			require.NotContains(t, err.Error(), "36574261809")
			return
		}
		var out bytes.Buffer
		require.NoError(t, ida.JSONv1{}.EncodeRequest(&out, req))
		again, err := ida.JSONv1{}.DecodeRequest(&out, ida.KindInaccuracy)
		require.NoError(t, err)
		require.Equal(t, x.Evidence, again.Inaccuracy.Evidence)
		require.Equal(t, x.Fields, again.Inaccuracy.Fields)
	})
}
