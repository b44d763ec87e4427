package cockpit_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
)

var (
	alice = idnr.MustParse("36574261809")
	bob   = idnr.MustParse("86095742719")
)

const aliceName = "Schönhuber-Alpenglück"

// testSession is the cockpit session of the tests; testKey the content key
// their requests carry.
var (
	testSession = uuid.MustParse("5b1f7e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b")
	testKey     = bytes.Repeat([]byte{0x42}, 32)
	testKeyB64  = base64.StdEncoding.EncodeToString(testKey)
)

// memSource is an in-memory Source with the audit contract's paging (by
// sequence, newest first) and knobs for faults.
type memSource struct {
	mu       sync.Mutex
	recs     []audit.Record
	accesses []audit.Access
	delay    time.Duration // sleeps this long, ignoring the context
	err      error
	lie      bool // answer with everybody's records
}

func (m *memSource) add(recs ...audit.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, recs...)
}

func (m *memSource) Query(ctx context.Context, a audit.Access, q audit.Query) (audit.Page, error) {
	if m.delay > 0 {
		time.Sleep(m.delay)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accesses = append(m.accesses, a)
	if m.err != nil {
		return audit.Page{}, m.err
	}
	before := len(m.recs)
	if q.After != "" {
		n, err := strconv.Atoi(q.After)
		if err != nil {
			return audit.Page{}, errors.New("bad cursor")
		}
		before = n
	}
	var p audit.Page
	for i := before - 1; i >= 0; i-- {
		r := m.recs[i]
		if (!m.lie && r.IDNr != q.IDNr) || r.Time.Before(q.From) || (!q.To.IsZero() && !r.Time.Before(q.To)) {
			continue
		}
		if len(p.Records) == q.Limit {
			p.Next = strconv.Itoa(i + 2)
			break
		}
		p.Records = append(p.Records, r)
	}
	return p, nil
}

func record(id idnr.IDNr, t time.Time, purpose string) audit.Record {
	return audit.Record{
		ID: uuid.New(), MessageID: uuid.New(), Time: t.UTC(),
		Direction:   audit.Sent,
		Own:         audit.Body{Name: "Bürgeramt Musterstadt", ID: "bund:musterstadt"},
		Counterpart: audit.Body{Name: "BVA", ID: "bund:bva"},
		Purpose:     purpose, LegalBasis: "§ 6 Abs. 3 IDNrG", Actor: "backfill",
		IDNr:       id,
		Categories: []audit.Category{audit.CatFamilyName, audit.CatBirthDate, audit.CatAddress},
		Content:    []byte(`{"family_name":"` + aliceName + `"}`),
		Result:     audit.Delivered,
	}
}

// lockedBuffer collects log output of concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	pki     *testPKI
	srv     *httptest.Server
	h       *cockpit.Handler
	logs    *lockedBuffer
	allowed tls.Certificate
}

type envOpt struct {
	clientAuth tls.ClientAuthType
	plain      bool // no TLS at all
	cfg        cockpit.Config
	hcfg       cockpit.HandlerConfig
}

func newEnv(t *testing.T, src cockpit.Source, o envOpt) *env {
	t.Helper()
	e := &env{pki: newTestPKI(t, "regmo test CA"), logs: &lockedBuffer{}}
	e.allowed = e.pki.client(t, "dsc.test")
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.cfg.Logger = logger
	if o.cfg.VerifyPerson == nil {
		o.cfg.InsecureSkipVerifyPerson = true // these tests are about the protocol, not the birth date
	}
	svc, err := cockpit.New(src, o.cfg)
	require.NoError(t, err)
	hcfg := o.hcfg
	if hcfg.Clients == nil {
		hcfg.Clients = []cockpit.AllowedClient{{Name: "dsc", SubjectDN: e.allowed.Leaf.Subject.String()}}
	}
	hcfg.Logger = logger
	e.h, err = cockpit.NewHandler(svc, hcfg)
	require.NoError(t, err)
	if o.plain {
		e.srv = httptest.NewServer(e.h)
	} else {
		e.srv = httptest.NewUnstartedServer(e.h)
		e.srv.TLS = cockpit.ServerTLSConfig(e.pki.server, e.pki.pool)
		if o.clientAuth != 0 {
			e.srv.TLS.ClientAuth = o.clientAuth
			if o.clientAuth < tls.VerifyClientCertIfGiven {
				e.srv.TLS.ClientCAs = nil // accept any certificate, verify none
			}
		}
		e.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		e.srv.StartTLS()
	}
	t.Cleanup(func() {
		e.srv.Close()
		require.NoError(t, e.h.Close())
	})
	return e
}

func (e *env) client(cert *tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: e.pki.pool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 5 * time.Second}
}

func (e *env) post(t *testing.T, c *http.Client, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Post(e.srv.URL+"/regmo-dsc/v1", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// ask is a list request for id with the test session and key, plus extra
// fields.
func ask(id idnr.IDNr, extra string) string {
	return `{"version":"regmo-dsc/2","message_id":"` + uuid.NewString() + `","session_id":"` + testSession.String() +
		`","kind":"list","content_key":"` + testKeyB64 + `","idnr":"` + id.String() + `"` + extra + `}`
}

// open reads an answer body with the test key.
func open(t *testing.T, body []byte) cockpit.Answer {
	t.Helper()
	a, err := cockpit.ReadAnswer(cockpit.JSONCodec{}, bytes.NewReader(body), testKey)
	require.NoError(t, err, "body: %s", body)
	return a
}

// assertClean checks that nothing personal leaked into b.
func assertClean(t *testing.T, what string, b string) {
	t.Helper()
	for _, id := range []idnr.IDNr{alice, bob} {
		assert.NotContains(t, b, id.String(), "%s leaks an IDNr", what)
		assert.NotContains(t, b, id.Grouped(), "%s leaks an IDNr", what)
	}
	assert.NotContains(t, b, aliceName, "%s leaks a name", what)
	assert.NotContains(t, b, "1980-05-17", "%s leaks a birth date", what)
}

func errorCode(t *testing.T, body []byte) cockpit.StatusCode {
	t.Helper()
	a := open(t, body)
	require.NotNil(t, a.Status, "body: %s", body)
	return a.Status.Code
}

func TestHandlerAnswersAllowedClient(t *testing.T) {
	now := time.Now().UTC()
	src := &memSource{}
	src.add(record(alice, now.Add(-48*time.Hour), "ida-initial-fill"), record(bob, now.Add(-time.Hour), "x"),
		record(alice, now.Add(-time.Hour), "ida-lookup"))
	e := newEnv(t, src, envOpt{cfg: cockpit.Config{Texts: cockpit.Texts{
		Purposes: map[string]string{"ida-lookup": "Abruf der Basisdaten beim Bundeszentralamt für Steuern"},
		Bodies:   map[string]string{"bund:bva": "Bundesverwaltungsamt"},
	}}})
	rid := uuid.New()
	body0 := `{"version":"regmo-dsc/2","message_id":"` + rid.String() + `","session_id":"` + testSession.String() +
		`","kind":"list","content_key":"` + testKeyB64 + `","idnr":"` + alice.String() + `","birth_date":"1980-05-17"}`
	resp, body := e.post(t, e.client(&e.allowed), body0)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.NotContains(t, string(body), "1980-05-17", "the birth date is not echoed")
	assert.NotContains(t, string(body), "Bürgeramt", "the answer is sealed")
	a := open(t, body)
	assert.Equal(t, rid, a.InReplyTo)
	require.NotNil(t, a.List, "%+v", a.Status)
	got := a.List
	require.Len(t, got.Entries, 2)
	first := got.Entries[0]
	assert.Equal(t, "ida-lookup", first.Purpose)
	assert.Equal(t, "Abruf der Basisdaten beim Bundeszentralamt für Steuern", first.PurposeText)
	assert.Equal(t, "Bundesverwaltungsamt", first.Counterpart.Name)
	assert.Equal(t, "Bürgeramt Musterstadt", first.Own.Name)
	assert.Equal(t, "Übermittlung an", first.DirectionText)
	assert.Equal(t, audit.Sent, first.Direction)
	assert.Equal(t, audit.Delivered, first.Result)
	assert.Equal(t, "Daten übermittelt", first.ResultText)
	assert.Equal(t, []cockpit.CategoryText{{Category: audit.CatFamilyName, Text: "Familienname"},
		{Category: audit.CatBirthDate, Text: "Geburtsdatum"}, {Category: audit.CatAddress, Text: "Anschrift"}}, first.Categories)
	assert.True(t, first.HasContent)
	assert.NotEmpty(t, first.ID)
	assert.Equal(t, "ida-initial-fill", got.Entries[1].PurposeText, "unconfigured purposes show as recorded")
	assert.True(t, got.Entries[0].Time.After(got.Entries[1].Time))

	require.Len(t, src.accesses, 1)
	assert.Equal(t, audit.Datenschutzcockpit, src.accesses[0].Purpose)
	assert.Equal(t, "regmo-cockpit", src.accesses[0].Who)
	assert.Contains(t, src.accesses[0].Reason, "dsc")
	assert.Contains(t, src.accesses[0].Reason, rid.String())
	assertClean(t, "access reason", src.accesses[0].Reason)
	assertClean(t, "logs", e.logs.String())
}

func TestHandlerRefusesWithoutVerifiedClientCertificate(t *testing.T) {
	src := &memSource{}
	src.add(record(alice, time.Now(), "p"))

	t.Run("handshake fails without a certificate", func(t *testing.T) {
		e := newEnv(t, src, envOpt{})
		_, err := e.client(nil).Post(e.srv.URL, "application/json", strings.NewReader(ask(alice, "")))
		require.Error(t, err)
	})
	t.Run("handshake fails with a certificate of another CA", func(t *testing.T) {
		e := newEnv(t, src, envOpt{})
		other := newTestPKI(t, "other CA").client(t, "dsc.test")
		_, err := e.client(&other).Post(e.srv.URL, "application/json", strings.NewReader(ask(alice, "")))
		require.Error(t, err)
	})
	t.Run("server misconfigured to not verify: handler refuses", func(t *testing.T) {
		e := newEnv(t, src, envOpt{clientAuth: tls.RequireAnyClientCert})
		other := newTestPKI(t, "other CA").client(t, "dsc.test")
		for _, c := range []*tls.Certificate{&other, &e.allowed} {
			resp, body := e.post(t, e.client(c), ask(alice, ""))
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			assert.Equal(t, cockpit.CodeCertificateRequired, errorCode(t, body))
			assertClean(t, "body", string(body))
		}
	})
	t.Run("plain HTTP: handler refuses", func(t *testing.T) {
		e := newEnv(t, src, envOpt{plain: true})
		resp, err := http.Post(e.srv.URL, "application/json", strings.NewReader(ask(alice, "")))
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, cockpit.CodeCertificateRequired, errorCode(t, body))
	})
	assert.Empty(t, src.accesses, "the protocol was never read")
}

func TestHandlerAllowList(t *testing.T) {
	src := &memSource{}
	src.add(record(alice, time.Now(), "p"))
	pki := newTestPKI(t, "regmo test CA")
	good := pki.client(t, "dsc.test")
	sameDNOtherKey := pki.client(t, "dsc.test")
	stranger := pki.client(t, "stranger.test")

	cases := []struct {
		name    string
		entry   cockpit.AllowedClient
		cert    tls.Certificate
		allowed bool
	}{
		{"DN matches", cockpit.AllowedClient{Name: "dsc", SubjectDN: "CN=dsc.test,O=Datenschutzcockpit Test,C=DE"}, good, true},
		{"DN differs", cockpit.AllowedClient{Name: "dsc", SubjectDN: "CN=dsc.test,O=Datenschutzcockpit Test,C=DE"}, stranger, false},
		{"pin matches", cockpit.AllowedClient{Name: "dsc", SPKISHA256: cockpit.SPKIPin(good.Leaf)}, good, true},
		{"pin differs, same DN", cockpit.AllowedClient{Name: "dsc", SPKISHA256: cockpit.SPKIPin(good.Leaf)}, sameDNOtherKey, false},
		{"DN and pin match", cockpit.AllowedClient{Name: "dsc", SubjectDN: good.Leaf.Subject.String(), SPKISHA256: cockpit.SPKIPin(good.Leaf)}, good, true},
		{"DN matches, pin not", cockpit.AllowedClient{Name: "dsc", SubjectDN: good.Leaf.Subject.String(), SPKISHA256: cockpit.SPKIPin(good.Leaf)}, sameDNOtherKey, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, src, envOpt{hcfg: cockpit.HandlerConfig{Clients: []cockpit.AllowedClient{tc.entry}}})
			e.pki = pki
			e.srv.Close()
			e.srv = httptest.NewUnstartedServer(e.h)
			e.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			e.srv.TLS = cockpit.ServerTLSConfig(pki.server, pki.pool)
			e.srv.StartTLS()
			resp, body := e.post(t, e.client(&tc.cert), ask(alice, ""))
			if tc.allowed {
				assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
				return
			}
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			assert.Equal(t, cockpit.CodeNotAllowed, errorCode(t, body))
			assertClean(t, "body", string(body))
			assertClean(t, "logs", e.logs.String())
		})
	}
}

func TestHandlerMalformedAndOversized(t *testing.T) {
	src := &memSource{}
	src.add(record(alice, time.Now(), "p"))
	e := newEnv(t, src, envOpt{hcfg: cockpit.HandlerConfig{MaxRequestBytes: 1024}})
	c := e.client(&e.allowed)
	a := alice.String()
	bad := a[:10] + strconv.Itoa(int(a[10]-'0'+1)%10)
	cases := []struct {
		name, body string
		status     int
		code       cockpit.StatusCode
	}{
		{"empty", ``, 400, cockpit.CodeMalformedRequest},
		{"not JSON", `idnr=` + a, 400, cockpit.CodeMalformedRequest},
		{"truncated", `{"version":"regmo-dsc/2","idnr":"` + a, 400, cockpit.CodeMalformedRequest},
		{"array", `["` + a + `"]`, 400, cockpit.CodeMalformedRequest},
		{"unknown field", ask(alice, `,"name":"`+aliceName+`"`), 400, cockpit.CodeMalformedRequest},
		{"field twice", ask(alice, `,"idnr":"`+bob.String()+`"`), 400, cockpit.CodeMalformedRequest},
		{"bad check digit", strings.Replace(ask(alice, ""), a, bad, 1), 400, cockpit.CodeMalformedRequest},
		{"idnr as number", strings.Replace(ask(alice, ""), `"`+a+`"`, a, 1), 400, cockpit.CodeMalformedRequest},
		{"idnr grouped", strings.Replace(ask(alice, ""), a, alice.Grouped(), 1), 400, cockpit.CodeMalformedRequest},
		{"idnr missing", strings.Replace(ask(alice, ""), `,"idnr":"`+a+`"`, "", 1), 400, cockpit.CodeMalformedRequest},
		{"version missing", strings.Replace(ask(alice, ""), `"version":"regmo-dsc/2",`, "", 1), 400, cockpit.CodeMalformedRequest},
		{"version 1", strings.Replace(ask(alice, ""), `regmo-dsc/2`, "regmo-dsc/1", 1), 400, cockpit.CodeMalformedRequest},
		{"version wrong", strings.Replace(ask(alice, ""), `regmo-dsc/2`, "XDatenschutzcockpit", 1), 400, cockpit.CodeMalformedRequest},
		{"kind missing", strings.Replace(ask(alice, ""), `"kind":"list",`, "", 1), 400, cockpit.CodeMalformedRequest},
		{"kind unknown", strings.Replace(ask(alice, ""), `"kind":"list"`, `"kind":"all"`, 1), 400, cockpit.CodeMalformedRequest},
		{"session missing", strings.Replace(ask(alice, ""), `"session_id":"`+testSession.String()+`",`, "", 1), 400, cockpit.CodeMalformedRequest},
		{"key short", strings.Replace(ask(alice, ""), testKeyB64, "QUJD", 1), 400, cockpit.CodeMalformedRequest},
		{"key not base64", strings.Replace(ask(alice, ""), testKeyB64, a, 1), 400, cockpit.CodeMalformedRequest},
		{"entry id with list", ask(alice, `,"entry_id":"x"`), 400, cockpit.CodeMalformedRequest},
		{"trailing data", ask(alice, "") + `{}`, 400, cockpit.CodeMalformedRequest},
		{"trailing garbage", ask(alice, "") + `x` + a, 400, cockpit.CodeMalformedRequest},
		{"limit zero", ask(alice, `,"limit":0`), 400, cockpit.CodeMalformedRequest},
		{"limit as string", ask(alice, `,"limit":"5"`), 400, cockpit.CodeMalformedRequest},
		{"limit fraction", ask(alice, `,"limit":2.5`), 400, cockpit.CodeMalformedRequest},
		{"birth date register form", ask(alice, `,"birth_date":"17051980"`), 400, cockpit.CodeMalformedRequest},
		{"birth date impossible", ask(alice, `,"birth_date":"1980-02-30"`), 400, cockpit.CodeMalformedRequest},
		{"message id not a UUID", `{"version":"regmo-dsc/2","message_id":"` + a + `","session_id":"` + testSession.String() + `","kind":"list","idnr":"` + a + `"}`, 400, cockpit.CodeMalformedRequest},
		{"nested value", ask(alice, `,"cursor":{"idnr":"`+a+`"}`), 400, cockpit.CodeMalformedRequest},
		{"cursor with control", ask(alice, `,"cursor":"a\nb"`), 400, cockpit.CodeMalformedRequest},
		{"oversized", ask(alice, `,"cursor":"`+strings.Repeat("x", 2000)+`"`), 413, cockpit.CodeRequestTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.post(t, c, tc.body)
			assert.Equal(t, tc.status, resp.StatusCode, "%s", body)
			assert.Equal(t, tc.code, errorCode(t, body))
			assertClean(t, "body", string(body))
			assert.NotContains(t, string(body), bad)
		})
	}
	t.Run("oversized without Content-Length", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(`{"version":"regmo-dsc/2","cursor":"`), strings.NewReader(strings.Repeat("y", 4000)), strings.NewReader(`"}`))
		req, err := http.NewRequest(http.MethodPost, e.srv.URL, io.NopCloser(r))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		assert.Equal(t, cockpit.CodeRequestTooLarge, errorCode(t, body))
	})
	t.Run("GET", func(t *testing.T) {
		resp, err := c.Get(e.srv.URL + "?idnr=" + a)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, cockpit.CodeMethodNotAllowed, errorCode(t, body))
	})
	t.Run("wrong content type", func(t *testing.T) {
		resp, err := c.Post(e.srv.URL, "text/plain", strings.NewReader(ask(alice, "")))
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
		assert.Equal(t, cockpit.CodeUnsupportedMediaType, errorCode(t, body))
	})
	assert.Empty(t, src.accesses, "no malformed request reached the protocol")
	logs := e.logs.String()
	assert.Contains(t, logs, "malformed_request")
	assertClean(t, "logs", logs)
	assert.NotContains(t, logs, bad)
}

func TestHandlerRateLimitPerClient(t *testing.T) {
	src := &memSource{}
	pki := newTestPKI(t, "regmo test CA")
	one, two := pki.client(t, "one.test"), pki.client(t, "two.test")
	e := newEnv(t, src, envOpt{hcfg: cockpit.HandlerConfig{RatePerSecond: 0.001, Burst: 2, Clients: []cockpit.AllowedClient{
		{Name: "one", SPKISHA256: cockpit.SPKIPin(one.Leaf)}, {Name: "two", SPKISHA256: cockpit.SPKIPin(two.Leaf)}}}})
	e.srv.Close()
	e.srv = httptest.NewUnstartedServer(e.h)
	e.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	e.srv.TLS = cockpit.ServerTLSConfig(pki.server, pki.pool)
	e.srv.StartTLS()
	e.pki = pki
	c1, c2 := e.client(&one), e.client(&two)
	for range 2 {
		resp, body := e.post(t, c1, ask(alice, ""))
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	}
	resp, body := e.post(t, c1, ask(alice, ""))
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Equal(t, cockpit.CodeRateLimited, errorCode(t, body))
	resp, _ = e.post(t, c2, ask(alice, ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the other client has its own bucket")
}

func TestHandlerDeadline(t *testing.T) {
	src := &memSource{delay: 700 * time.Millisecond} // ignores the context
	e := newEnv(t, src, envOpt{hcfg: cockpit.HandlerConfig{Timeout: 100 * time.Millisecond}})
	c := e.client(&e.allowed)
	start := time.Now()
	resp, body := e.post(t, c, ask(alice, ""))
	took := time.Since(start)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, cockpit.CodeTimeout, errorCode(t, body))
	assert.Less(t, took, 600*time.Millisecond, "answered at the deadline, not when the store returned")
	assertClean(t, "body", string(body))
}

func TestHandlerInternalErrorLeaksNothing(t *testing.T) {
	src := &memSource{err: fmt.Errorf("driver: row with key %s broken (%s)", alice.String(), aliceName[:3])}
	e := newEnv(t, src, envOpt{})
	resp, body := e.post(t, e.client(&e.allowed), ask(alice, ""))
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, cockpit.CodeInternal, errorCode(t, body))
	assertClean(t, "body", string(body))
	logs := e.logs.String()
	assert.Contains(t, logs, "answer failed")
	assertClean(t, "logs", logs)
}

func TestHandlerLookupMismatch(t *testing.T) {
	src := &memSource{}
	src.add(record(alice, time.Now(), "p"))
	birth := idnr.MustDate(1980, 5, 17)
	e := newEnv(t, src, envOpt{cfg: cockpit.Config{VerifyPerson: func(_ context.Context, id idnr.IDNr, d idnr.Date) error {
		if id == alice && d.Compatible(birth) {
			return nil
		}
		return cockpit.ErrLookupMismatch
	}}})
	c := e.client(&e.allowed)
	resp, body := e.post(t, c, ask(alice, `,"birth_date":"1981-05-17"`))
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Equal(t, cockpit.CodeLookupMismatch, errorCode(t, body))
	assertClean(t, "body", string(body))
	assert.Empty(t, src.accesses)
	resp, body = e.post(t, c, ask(alice, `,"birth_date":"1980-05-00"`))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assertClean(t, "logs", e.logs.String())
}

func TestServiceWithholdsOtherPeoplesRecords(t *testing.T) {
	src := &memSource{lie: true}
	now := time.Now()
	src.add(record(alice, now.Add(-time.Hour), "p"), record(bob, now, "p"))
	var logs lockedBuffer
	svc, err := cockpit.New(src, cockpit.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), InsecureSkipVerifyPerson: true})
	require.NoError(t, err)
	_, err = svc.List(t.Context(), cockpit.Request{SessionID: testSession, IDNr: alice})
	require.ErrorIs(t, err, cockpit.ErrInconsistent)
	assertClean(t, "logs", logs.String())
	assertClean(t, "error", err.Error())
}

func TestServiceDropsRecordsOutsideTheWindow(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	src := &ignoresFrom{}
	src.add(record(alice, now.Add(-cockpit.DefaultRetention-time.Nanosecond), "old"),
		record(alice, now.Add(-cockpit.DefaultRetention), "edge"), record(alice, now, "new"))
	svc, err := cockpit.New(src, cockpit.Config{Clock: func() time.Time { return now }, InsecureSkipVerifyPerson: true})
	require.NoError(t, err)
	resp, err := svc.List(t.Context(), cockpit.Request{SessionID: testSession, IDNr: alice})
	require.NoError(t, err)
	var purposes []string
	for _, e := range resp.Entries {
		purposes = append(purposes, e.Purpose)
	}
	assert.Equal(t, []string{"new", "edge"}, purposes)
	assert.Equal(t, now.Add(-cockpit.DefaultRetention), resp.From)
}

// ignoresFrom is a faulty store that returns records older than asked for.
type ignoresFrom struct{ memSource }

func (s *ignoresFrom) Query(ctx context.Context, a audit.Access, q audit.Query) (audit.Page, error) {
	q.From = time.Time{}
	return s.memSource.Query(ctx, a, q)
}

func TestNewValidatesConfig(t *testing.T) {
	_, err := cockpit.New(nil, cockpit.Config{InsecureSkipVerifyPerson: true})
	assert.Error(t, err)
	for _, cfg := range []cockpit.Config{{Retention: -1}, {PageSize: 300}, {MaxPageSize: 2000}, {Who: strings.Repeat("x", 121)}} {
		cfg.InsecureSkipVerifyPerson = true
		_, err := cockpit.New(&memSource{}, cfg)
		assert.Error(t, err, "%+v", cfg)
	}
	svc, err := cockpit.New(&memSource{}, cockpit.Config{InsecureSkipVerifyPerson: true})
	require.NoError(t, err)
	for _, hc := range []cockpit.HandlerConfig{
		{},
		{Clients: []cockpit.AllowedClient{{Name: "x"}}},
		{Clients: []cockpit.AllowedClient{{Name: "", SubjectDN: "CN=x"}}},
		{Clients: []cockpit.AllowedClient{{Name: "x", SPKISHA256: "abc"}}},
		{Clients: []cockpit.AllowedClient{{Name: "x", SubjectDN: "CN=x"}, {Name: "x", SubjectDN: "CN=y"}}},
		{Clients: []cockpit.AllowedClient{{Name: "x", SubjectDN: "CN=x"}}, Timeout: 500 * time.Millisecond},
	} {
		_, err := cockpit.NewHandler(svc, hc)
		assert.Error(t, err, "%+v", hc)
	}
}
