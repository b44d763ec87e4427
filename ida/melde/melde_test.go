package melde_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/ida/melde"
	"github.com/regmo/regmo/ida/melde/meldetest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/require"
)

// The route is configuration: a *melde.Client is what the backfill, the
// sync and the review workbench consume.
var (
	_ registers.Identifier = (*melde.Client)(nil)
	_ registers.Looker     = (*melde.Client)(nil)
)

// memProtocol is an in-memory ida.Protocol.
type memProtocol struct {
	mu      sync.Mutex
	records []audit.Record
	events  []audit.TransportEvent
}

func (m *memProtocol) Append(_ context.Context, recs ...audit.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, recs...)
	return nil
}

func (m *memProtocol) AppendTransport(_ context.Context, evs ...audit.TransportEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, evs...)
	return nil
}

func (m *memProtocol) take() ([]audit.Record, []audit.TransportEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, e := m.records, m.events
	m.records, m.events = nil, nil
	return r, e
}

// wireLog records the answer bodies as they come over the wire.
type wireLog struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	bodies [][]byte
}

func (w *wireLog) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.rt.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.bodies = append(w.bodies, b)
	w.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func (w *wireLog) last() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bodies[len(w.bodies)-1]
}

var authority = audit.Body{Name: "Stadt Musterstadt, Meldebehörde", ID: "mb-09162000"}

var policy = ida.Policy{Rules: []ida.Rule{{Role: "erstbefuellung", Purposes: []string{"Erstbefüllung"},
	Kinds: []ida.Kind{ida.KindBulk, ida.KindSearch, ida.KindFallback, ida.KindLookup}, Fields: idnr.AllFields}}}

var auth = ida.Auth{Role: "erstbefuellung", Actor: "regmo-backfill", Purpose: "Erstbefüllung",
	FileRef: "AZ 1/2026", Fields: idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldAddress}

// people: a plain person, a person with an information block, and the
// IDNr of nobody.
func people(t testing.TB) (plain, blocked idnr.Person, nobody idnr.IDNr) {
	g := idnrtest.New(7)
	plain, blocked = g.Person(), g.Person()
	plain.InformationBlocks = nil
	blocked.InformationBlocks = []idnr.InformationBlock{idnr.BlockRisk}
	blocked.BirthDate = plain.BirthDate // the same shape of request
	return plain, blocked, g.IDNr()
}

func newClient(t testing.TB, srv *meldetest.Server, mod func(*melde.Config)) (*melde.Client, *memProtocol, *wireLog) {
	t.Helper()
	p := &memProtocol{}
	wl := &wireLog{rt: srv.Client().Transport}
	if wl.rt == nil {
		wl.rt = http.DefaultTransport
	}
	cfg := melde.Config{
		Authority: authority,
		Client: ida.Config{
			BaseURL: srv.URL, HTTPClient: &http.Client{Transport: wl},
			Sender:   audit.Body{Name: "Bürgeramt Musterstadt", ID: "bhkz-099999"},
			Policy:   policy,
			Protocol: p, RateLimit: ida.NoRateLimit,
			Retry: ida.Retry{Max: -1},
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := melde.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c, p, wl
}

func searchOf(p idnr.Person) ida.Search {
	return ida.Search{Kind: ida.ByResidence, FamilyName: p.FamilyName, BirthDate: p.BirthDate,
		PostalCode: p.Address.PostalCode, City: p.Address.City}
}

// TestBulkAndProtocol: a batch through the Melde route answers the person
// and writes one § 9 record naming the Meldebehörde, with § 6 Abs. 1 IDNrG,
// the delivered categories and the item as transmitted.
func TestBulkAndProtocol(t *testing.T) {
	plain, blocked, _ := people(t)
	srv := meldetest.NewServer(idatest.WithPeople([]idnr.Person{plain, blocked}))
	defer srv.Close()
	c, proto, _ := newClient(t, srv, nil)

	answers, err := c.Bulk(t.Context(), auth, []ida.Search{searchOf(plain), {FamilyName: "X"}})
	require.NoError(t, err)
	require.Len(t, answers, 2)
	require.Equal(t, ida.Hit, answers[0].Outcome)
	require.Equal(t, plain.IDNr, answers[0].Person.IDNr)
	require.Equal(t, plain.FamilyName, answers[0].Person.FamilyName)
	require.Equal(t, ida.Invalid, answers[1].Outcome)

	recs, evs := proto.take()
	require.Len(t, recs, 1)
	r := recs[0]
	require.Equal(t, authority, r.Counterpart)
	require.Equal(t, melde.LegalBasis, r.LegalBasis)
	require.Equal(t, audit.Received, r.Direction)
	require.Equal(t, plain.IDNr, r.IDNr)
	require.Equal(t, audit.CategoriesOf(auth.Fields|idnr.FieldIDNr), r.Categories)
	require.Contains(t, string(r.Content), `"result":"found"`)
	require.Contains(t, string(r.Content), plain.IDNr.String())
	kinds := eventKinds(evs)
	require.Subset(t, kinds, []string{"sent", "schema-check", "answered"})
	require.NotContains(t, kinds, "error")
	require.Contains(t, evs[len(evs)-1].Detail, "hits=1 not_identifiable=0")
	requireNoPersonalData(t, evs, plain, blocked)

	// The request went to the Melde endpoint in the Melde format.
	reqs := srv.Requests()
	require.Equal(t, ida.KindBulk, reqs[0].Kind)
	require.Equal(t, 1, reqs[0].Searches)
}

// TestLookupProtocolledAsSent: a lookup carries an IDNr, so it is written
// as sent to the Meldebehörde before it leaves, and its hit as received.
func TestLookupProtocolledAsSent(t *testing.T) {
	plain, _, _ := people(t)
	srv := meldetest.NewServer(idatest.WithPeople([]idnr.Person{plain}))
	defer srv.Close()
	c, proto, _ := newClient(t, srv, nil)
	a, err := c.Lookup(t.Context(), auth, ida.Lookup{IDNr: plain.IDNr, BirthDate: plain.BirthDate})
	require.NoError(t, err)
	require.Equal(t, plain.IDNr, a.Person.IDNr)
	recs, _ := proto.take()
	require.Len(t, recs, 2)
	require.Equal(t, audit.Sent, recs[0].Direction)
	require.Equal(t, audit.Received, recs[1].Direction)
	for _, r := range recs {
		require.Equal(t, authority, r.Counterpart)
		require.Equal(t, melde.LegalBasis, r.LegalBasis)
		require.Equal(t, plain.IDNr, r.IDNr)
	}
	require.Contains(t, string(recs[0].Content), `"by":"idnr"`)
	require.Contains(t, string(recs[0].Content), `"legal_basis":"§ 6 Abs. 1 IDNrG"`)
}

// TestBlockedLooksLikeNotFound: after the initial fill, a person with an
// information block is answered exactly like nobody: the same outcome and
// error, the same bytes on the wire (but for the message IDs), the same
// protocol records (but for the IDNr sent, the message ID and the time)
// and the same transport events.
func TestBlockedLooksLikeNotFound(t *testing.T) {
	plain, blocked, nobody := people(t)
	srv := meldetest.NewServer(idatest.WithPeople([]idnr.Person{plain, blocked}))
	defer srv.Close()
	c, proto, wl := newClient(t, srv, nil)

	type seen struct {
		outcome ida.Outcome
		err     error
		wire    string
		recs    []audit.Record
		events  []string
	}
	ids := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	observe := func(a ida.Answer, err error) seen {
		recs, evs := proto.take()
		for i := range recs {
			recs[i].MessageID, recs[i].Time, recs[i].IDNr, recs[i].Content = [16]byte{}, time.Time{}, idnr.IDNr{}, nil
		}
		var details []string
		for _, e := range evs {
			details = append(details, e.Kind+" "+e.Detail)
		}
		return seen{a.Outcome, err, ids.ReplaceAllString(string(wl.last()), "ID"), recs, details}
	}

	// Lookups.
	lookBlocked := observe(c.Lookup(t.Context(), auth, ida.Lookup{IDNr: blocked.IDNr, BirthDate: blocked.BirthDate}))
	lookNobody := observe(c.Lookup(t.Context(), auth, ida.Lookup{IDNr: nobody, BirthDate: blocked.BirthDate}))
	require.Equal(t, ida.NotIdentifiable, lookBlocked.outcome)
	require.ErrorIs(t, lookBlocked.err, ida.ErrNotIdentifiable)
	require.Equal(t, lookNobody, lookBlocked)
	require.Len(t, lookBlocked.recs, 1, "the lookup's sent record only, nothing received")

	// Single searches.
	ghost := blocked
	ghost.FamilyName = "Zzyzx"
	sBlocked := observe(c.Search(t.Context(), auth, searchOf(blocked)))
	sNobody := observe(c.Search(t.Context(), auth, searchOf(ghost)))
	require.ErrorIs(t, sBlocked.err, ida.ErrNotIdentifiable)
	require.Equal(t, sNobody, sBlocked)
	require.Empty(t, sBlocked.recs)

	// The initial fill delivers the blocked person once; a later batch
	// answers it as nobody, item by item.
	fill, err := c.Bulk(t.Context(), auth, []ida.Search{searchOf(blocked)})
	require.NoError(t, err)
	require.Equal(t, ida.Hit, fill[0].Outcome)
	proto.take()
	again, err := c.Bulk(t.Context(), auth, []ida.Search{searchOf(blocked), searchOf(ghost)})
	require.NoError(t, err)
	require.Equal(t, again[0].Outcome, again[1].Outcome)
	require.Equal(t, ida.NotIdentifiable, again[0].Outcome)
	require.Equal(t, again[1].Err, again[0].Err)
	body := string(wl.last())
	require.Contains(t, body, `{"seq":0,"result":"none"}`)
	require.Contains(t, body, `{"seq":1,"result":"none"}`)
	recs, _ := proto.take()
	require.Empty(t, recs)
}

// TestHostileAnswersRefused: another person, fields not asked for and
// characters outside DIN 91379 are refused by the same checks as on the
// BVA route; an unknown member (named after a person's data) fails the
// decoding. Nothing of them is protocolled as received or handed out, and
// no error or event quotes the data.
func TestHostileAnswersRefused(t *testing.T) {
	plain, other, _ := people(t)
	other.InformationBlocks = nil
	other.BirthDate = idnr.MustDate(1950, 1, 2)
	for _, tc := range []struct {
		fault idatest.Fault
		want  func(error) bool
	}{
		{idatest.FaultOtherPerson, is(ida.ErrAnswerMismatch)},
		{idatest.FaultUnrequested, is(ida.ErrAnswerMismatch)},
		{idatest.FaultBadChars, is(ida.ErrAnswerInvalid)},
		{idatest.FaultBadUTF8, is(ida.ErrAnswerInvalid)},
		{idatest.FaultUnknownField, is(ida.ErrMalformed)},
		{idatest.FaultMalformed, is(ida.ErrMalformed)},
		{idatest.FaultWrongID, is(ida.ErrMessageMismatch)},
		{idatest.FaultPersonalText, ida.IsRejected},
		{idatest.FaultPersonalCode, func(err error) bool { return err == nil }},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			srv := meldetest.NewServer(idatest.WithPeople([]idnr.Person{plain, other}), idatest.WithScript(tc.fault))
			defer srv.Close()
			c, proto, _ := newClient(t, srv, nil)
			answers, err := c.Bulk(t.Context(), auth, []ida.Search{searchOf(plain)})
			if tc.fault == idatest.FaultPersonalCode {
				// A rejection whose code holds an IDNr: the code is masked.
				require.NoError(t, err)
				require.Equal(t, ida.Rejected, answers[0].Outcome)
				err = answers[0].Err
				requireClean(t, err.Error(), plain, other)
				return
			}
			if err == nil {
				require.Equal(t, ida.Refused, answers[0].Outcome)
				err = answers[0].Err
				require.True(t, ida.IsAnswerRefused(err))
				require.Zero(t, answers[0].Person.IDNr)
			}
			require.True(t, tc.want(err), "%v", err)
			if errors.Is(err, ida.ErrMalformed) || errors.Is(err, ida.ErrMessageMismatch) {
				// The codec's errors reach the caller as ida's, like JSONv1's.
				var de *ida.DecodeError
				require.ErrorAs(t, err, &de)
			}
			requireClean(t, err.Error(), plain, other)
			recs, evs := proto.take()
			require.Empty(t, recs, "nothing protocolled as received")
			requireNoPersonalData(t, evs, plain, other)
		})
	}
}

// TestLegalBasis: the route's basis is filled in or must begin with § 6
// Abs. 1 IDNrG; another is refused before anything is sent.
func TestLegalBasis(t *testing.T) {
	plain, _, _ := people(t)
	srv := meldetest.NewServer(idatest.WithPeople([]idnr.Person{plain}))
	defer srv.Close()
	c, proto, _ := newClient(t, srv, nil)
	a := auth
	a.LegalBasis = "§ 6 Abs. 3 IDNrG"
	_, err := c.Bulk(t.Context(), a, []ida.Search{searchOf(plain)})
	var fe *ida.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "Auth.LegalBasis", fe.Field)
	require.Empty(t, srv.Requests())
	a.LegalBasis = melde.LegalBasis + " i. V. m. § 34 BMG"
	_, err = c.Search(t.Context(), a, searchOf(plain))
	require.NoError(t, err)
	recs, _ := proto.take()
	require.Equal(t, a.LegalBasis, recs[0].LegalBasis)
}

func TestConfig(t *testing.T) {
	base := ida.Config{BaseURL: "https://melde.example", Sender: audit.Body{ID: "x"}, Policy: policy, Protocol: &memProtocol{}}
	for name, cfg := range map[string]melde.Config{
		"no authority":      {Client: base},
		"no authority id":   {Authority: audit.Body{Name: "Meldebehörde"}, Client: base},
		"other counterpart": {Authority: authority, Client: func() ida.Config { c := base; c.Counterpart = audit.Body{Name: "BVA", ID: "BVA"}; return c }()},
		"too long":          {Authority: audit.Body{Name: strings.Repeat("M", 121), ID: "x"}, Client: base},
	} {
		_, err := melde.New(cfg)
		var fe *ida.FieldError
		require.ErrorAs(t, err, &fe, name)
		require.True(t, strings.HasPrefix(fe.Field, "Config."), name)
	}
	_, err := melde.New(melde.Config{Authority: authority, Client: base})
	require.NoError(t, err)
}

// TestMutualTLS: the route runs over mutual TLS like ida; a client without
// the client certificate is refused by the server.
func TestMutualTLS(t *testing.T) {
	plain, _, _ := people(t)
	srv := meldetest.NewTLSServer(idatest.WithPeople([]idnr.Person{plain}))
	defer srv.Close()
	p := &memProtocol{}
	cfg := melde.Config{Authority: authority, Client: ida.Config{
		BaseURL: srv.URL, TLS: srv.ClientTLS(), Sender: audit.Body{ID: "bhkz-099999"},
		Policy: policy, Protocol: p, RateLimit: ida.NoRateLimit, Retry: ida.Retry{Max: -1},
	}}
	c, err := melde.New(cfg)
	require.NoError(t, err)
	defer c.Close()
	a, err := c.Search(t.Context(), auth, searchOf(plain))
	require.NoError(t, err)
	require.Equal(t, plain.IDNr, a.Person.IDNr)

	noCert := srv.ClientTLS().Clone()
	noCert.Certificates = nil
	cfg.Client.TLS = noCert
	c2, err := melde.New(cfg)
	require.NoError(t, err)
	defer c2.Close()
	_, err = c2.Search(t.Context(), auth, searchOf(plain))
	var te *ida.TransportError
	require.ErrorAs(t, err, &te)
}

// TestReportsNotOffered: reports go to the BVA; the codec refuses them.
func TestReportsNotOffered(t *testing.T) {
	var buf bytes.Buffer
	err := melde.JSONv1{}.EncodeRequest(&buf, &ida.Request{Kind: ida.KindInaccuracy})
	require.Error(t, err)
	_, err = melde.JSONv1{}.DecodeRequest(strings.NewReader("{}"), ida.KindLastContact)
	require.Error(t, err)
}

func eventKinds(evs []audit.TransportEvent) []string {
	var k []string
	for _, e := range evs {
		k = append(k, e.Kind)
	}
	return k
}

func requireNoPersonalData(t *testing.T, evs []audit.TransportEvent, ps ...idnr.Person) {
	t.Helper()
	for _, e := range evs {
		requireClean(t, e.Detail, ps...)
	}
}

func requireClean(t *testing.T, s string, ps ...idnr.Person) {
	t.Helper()
	for _, p := range ps {
		for _, v := range []string{p.IDNr.String(), p.FamilyName, p.GivenNames, p.BirthDate.String()} {
			if v != "" {
				require.NotContains(t, s, v)
			}
		}
	}
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}
