package review_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/regmo/regmo/audit"
	auditsqlite "github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/require"
)

const (
	purpose      = "erstbefuellung"
	clerkPurpose = "erstbefuellung-klaerung"
)

var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

// demo is a demo register after a backfill through the real IDA client,
// the mock BVA and the § 9 protocol, with a workbench over it.
type demo struct {
	truth   []idnr.Person
	reg     *sqlregister.Register
	log     *audit.Log
	client  *ida.Client
	mock    *idatest.Server
	wb      *review.Workbench
	logBuf  *syncBuffer
	handler *review.Handler
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var theClerk = review.Clerk{ID: "sb-0815", Name: "Frau Beispiel", Role: "sachbearbeitung", Purpose: clerkPurpose}

var thePolicy = review.Policy{Rules: []review.Rule{
	{Role: "sachbearbeitung", Purposes: []string{clerkPurpose}, Actions: []review.Action{review.ActionRead, review.ActionDecide, review.ActionSearch}},
}}

// newDemo fills a register of n people (realistic defects) and runs the
// backfill; auth returns the clerk of a request.
func newDemo(t testing.TB, n int, auth func(*http.Request) (review.Clerk, bool)) *demo {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	d := &demo{truth: idnrtest.New(42).Population(n)[:n]}
	d.mock = idatest.NewHandlerServer(idatest.WithPeople(d.truth))
	t.Cleanup(d.mock.Close)
	st, err := auditsqlite.Open(filepath.Join(dir, "audit.db"))
	require.NoError(t, err)
	d.log, err = audit.New(ctx, st, audit.Options{SigningKey: testKey})
	require.NoError(t, err)
	t.Cleanup(func() { d.log.Close() })
	d.client, err = ida.New(ida.Config{
		BaseURL: d.mock.URL, AllowHTTP: true, HTTPClient: &http.Client{Transport: d.mock.Transport()},
		Sender: audit.Body{Name: "Bürgeramt Test", ID: "test"},
		Policy: ida.Policy{Rules: []ida.Rule{
			{Role: "erstbefuellung", Purposes: []string{purpose}, Fields: idnr.AllFields},
			{Role: "sachbearbeitung", Purposes: []string{clerkPurpose}, Fields: idnr.AllFields},
		}},
		Protocol: d.log, RateLimit: ida.NoRateLimit,
	})
	require.NoError(t, err)
	t.Cleanup(func() { d.client.Close() })
	db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, sqlregister.CreateTable(ctx, db, sqlregister.SQLite, "people"))
	d.reg, err = sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true, Columns: sqlregister.DefaultColumns()})
	require.NoError(t, err)
	entries := make([]registers.Entry, n)
	for i := range n {
		c, _ := idnrtest.RegisterCopy(rand.New(rand.NewPCG(42, uint64(i))), d.truth[i])
		c.IDNr = idnr.IDNr{}
		entries[i] = registers.Entry{Key: registers.Key(strconv.Itoa(i + 1)), Person: c}
	}
	require.NoError(t, d.reg.Insert(ctx, entries))
	matcher := registers.FromMatch(match.New())
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: d.reg, IDA: d.client, Matcher: matcher, BatchSize: 100, Workers: 2,
		Auth: ida.Auth{Role: "erstbefuellung", Actor: "regmo-test", Purpose: purpose, LegalBasis: "§ 6 Abs. 3 IDNrG", Fields: idnr.AllFields}})
	require.NoError(t, err)
	_, err = bf.Run(ctx)
	require.NoError(t, err)
	d.logBuf = &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(d.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d.wb, err = review.New(review.Config{Store: d.reg, Policy: thePolicy, Access: d.log, Matcher: matcher, Identifier: d.client,
		LegalBasis: "§ 6 Abs. 3 IDNrG", Logger: logger})
	require.NoError(t, err)
	if auth == nil {
		auth = func(*http.Request) (review.Clerk, bool) { return theClerk, true }
	}
	d.handler, err = review.NewHandler(review.HandlerConfig{Workbench: d.wb, Authenticate: auth, Logger: logger})
	require.NoError(t, err)
	return d
}
