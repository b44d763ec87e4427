package ida_test

import (
	"context"
	"github.com/regmo/regmo/idnr"
	"sync"
	"testing"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/stretchr/testify/require"
)

// memProtocol is an in-memory Protocol that checks what the client writes.
type memProtocol struct {
	mu      sync.Mutex
	records []audit.Record
	events  []audit.TransportEvent
	failRec error
}

func (m *memProtocol) Append(_ context.Context, recs ...audit.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failRec != nil {
		return m.failRec
	}
	for _, r := range recs {
		if r.IDNr.IsZero() {
			panic("protocol record without IDNr")
		}
	}
	m.records = append(m.records, recs...)
	return nil
}

func (m *memProtocol) AppendTransport(_ context.Context, evs ...audit.TransportEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, evs...)
	return nil
}

func (m *memProtocol) Records() []audit.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]audit.Record(nil), m.records...)
}

func (m *memProtocol) Events() []audit.TransportEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]audit.TransportEvent(nil), m.events...)
}

var testAuth = ida.Auth{
	Role: "meldebehoerde", Actor: "sb-4711", Purpose: "Erstbefüllung",
	LegalBasis: "§ 6 Abs. 3 IDNrG", FileRef: "AZ 1/2026",
	Fields: idnr.AllFields,
}

var testPolicy = ida.Policy{Rules: []ida.Rule{
	{Role: "meldebehoerde", Purposes: []string{"Erstbefüllung", "Datenpflege"}, Fields: idnr.AllFields},
	{Role: "gewerbeamt", Purposes: []string{"Gewerbeanzeige"}, Kinds: []ida.Kind{ida.KindLookup, ida.KindSearch},
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate},
}}

func newClient(t testing.TB, srv *idatest.Server, mod func(*ida.Config)) (*ida.Client, *memProtocol) {
	t.Helper()
	p := &memProtocol{}
	cfg := ida.Config{
		BaseURL:    srv.URL,
		HTTPClient: srv.Client(),
		AllowHTTP:  true,
		Sender:     audit.Body{Name: "Bürgeramt Musterstadt", ID: "bhkz-099999"},
		Policy:     testPolicy,
		Protocol:   p,
		RateLimit:  ida.NoRateLimit,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := ida.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c, p
}
