package registers_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"

	"github.com/regmo/regmo/audit"
	auditsqlite "github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/require"
)

// The real stack for the bar tests: idnrtest people, register copies with
// defects, the idatest mock BVA holding the truth, the ida client writing
// the § 9 protocol to audit/sqlite, idnr/match deciding.

const purpose = "Erstbefüllung des Registers mit der IDNr"

var testKey = ed25519.NewKeyFromSeed(make([]byte, 32))

// world is the synthetic truth and the register's copies, derived from a seed.
type world struct {
	truth   []idnr.Person // held by the mock BVA (about 1% are missing there)
	entries []registers.Entry
}

func makeWorld(seed uint64, n int) world {
	g := idnrtest.New(seed)
	people := g.Population(n)[:n]
	var w world
	for i, p := range people {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		c, _ := idnrtest.RegisterCopy(rng, p)
		switch x := rng.IntN(1000); {
		case x < 3:
			c.BirthDate = idnr.Date{}
		case x < 25:
			c.Address = idnr.Address{}
		}
		if rng.IntN(100) != 0 {
			w.truth = append(w.truth, p)
		}
		w.entries = append(w.entries, registers.Entry{Key: registers.Key(strconv.Itoa(i + 1)), Person: c})
	}
	return w
}

func openSQLiteRegister(t testing.TB, path string) (*sqlregister.Register, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlregister.OpenSQLite(path)
	require.NoError(t, err)
	require.NoError(t, sqlregister.CreateTable(ctx, db, sqlregister.SQLite, "people"))
	r, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true,
		Columns: sqlregister.DefaultColumns(), Write: sqlregister.DefaultColumns().Mapped()})
	require.NoError(t, err)
	return r, db
}

// openSQLiteRegisterEvidence is openSQLiteRegister with the evidence
// column verified_evidence (which CreateTable creates) mapped.
func openSQLiteRegisterEvidence(t testing.TB, path string) (*sqlregister.Register, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlregister.OpenSQLite(path)
	require.NoError(t, err)
	require.NoError(t, sqlregister.CreateTable(ctx, db, sqlregister.SQLite, "people"))
	cols := sqlregister.DefaultColumns()
	cols.Evidence = "verified_evidence"
	r, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true,
		Columns: cols, Write: cols.Mapped()})
	require.NoError(t, err)
	return r, db
}

func insertAll(t testing.TB, r *sqlregister.Register, entries []registers.Entry) {
	t.Helper()
	for i := 0; i < len(entries); i += 5000 {
		require.NoError(t, r.Insert(context.Background(), entries[i:min(i+5000, len(entries))]))
	}
}

// stack is the ida client over the mock and the protocol.
type stack struct {
	mock   *idatest.Server
	client *ida.Client
	log    *audit.Log
	store  *auditsqlite.Store
	auth   ida.Auth
}

func newStack(t testing.TB, truth []idnr.Person, auditPath string, opts ...idatest.Option) *stack {
	return newStackConfig(t, truth, auditPath, nil, opts...)
}

// newStackConfig is newStack with a hook to change the ida client's config.
func newStackConfig(t testing.TB, truth []idnr.Person, auditPath string, tweak func(*ida.Config), opts ...idatest.Option) *stack {
	t.Helper()
	ctx := context.Background()
	s := &stack{mock: idatest.NewHandlerServer(append([]idatest.Option{idatest.WithPeople(truth)}, opts...)...)}
	var err error
	s.store, err = auditsqlite.Open(auditPath)
	require.NoError(t, err)
	s.log, err = audit.New(ctx, s.store, audit.Options{SigningKey: testKey})
	require.NoError(t, err)
	cfg := ida.Config{
		BaseURL: s.mock.URL, AllowHTTP: true, HTTPClient: &http.Client{Transport: s.mock.Transport()},
		Sender:   audit.Body{Name: "Bürgeramt Test", ID: "test"},
		Policy:   ida.Policy{Rules: []ida.Rule{{Role: "erstbefuellung", Purposes: []string{purpose}, Fields: idnr.AllFields}}},
		Protocol: s.log, RateLimit: ida.NoRateLimit,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	s.client, err = ida.New(cfg)
	require.NoError(t, err)
	s.auth = ida.Auth{Role: "erstbefuellung", Actor: "regmo-test", Purpose: purpose,
		LegalBasis: "§ 6 Abs. 3 IDNrG", Fields: idnr.AllFields}
	return s
}

func (s *stack) close() {
	s.client.Close()
	s.log.Close()
	s.mock.Close()
}

var theMatcher = registers.FromMatch(match.New())

// protocolled returns, per IDNr, the message IDs of the § 9 records that
// delivered it, read straight from the store.
func protocolled(t testing.TB, auditPath string) map[idnr.IDNr][]string {
	t.Helper()
	st, err := auditsqlite.Open(auditPath)
	require.NoError(t, err)
	defer st.Close()
	out := map[idnr.IDNr][]string{}
	err = st.Scan(context.Background(), 1, math.MaxInt64, func(row *audit.Row) error {
		rec, err := audit.DecodeRecord(row.Data)
		if err != nil {
			return err
		}
		if rec.Direction == audit.Received && rec.Result == audit.Delivered {
			out[rec.IDNr] = append(out[rec.IDNr], rec.MessageID.String())
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// verifyAudit opens the log and verifies it.
func verifyAudit(t testing.TB, auditPath string) *audit.Report {
	t.Helper()
	st, err := auditsqlite.Open(auditPath)
	require.NoError(t, err)
	l, err := audit.New(context.Background(), st, audit.Options{SigningKey: testKey})
	require.NoError(t, err)
	defer l.Close()
	rep, err := l.Verify(context.Background())
	require.NoError(t, err)
	require.True(t, rep.OK())
	return rep
}

// registerState is what a run leaves per key: IDNr, outcome, reason.
type registerState map[string]string

func readState(t testing.TB, db *sql.DB) registerState {
	t.Helper()
	rows, err := db.Query(`SELECT id, COALESCE(idnr, ''), COALESCE(regmo_state, 0), COALESCE(regmo_reason, '') FROM people ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	out := registerState{}
	for rows.Next() {
		var id, state int
		var idn, reason string
		require.NoError(t, rows.Scan(&id, &idn, &state, &reason))
		out[strconv.Itoa(id)] = idn + "|" + strconv.Itoa(state) + "|" + reason
	}
	require.NoError(t, rows.Err())
	return out
}

// syncConfig is the Sync configuration over the stack's IDA for reg.
func (s *stack) syncConfig(reg *sqlregister.Register, workers, batch int) registers.SyncConfig {
	return registers.SyncConfig{Register: reg, IDA: s.client, Auth: s.auth, Fields: reg.Fields(), Workers: workers, BatchSize: batch}
}
