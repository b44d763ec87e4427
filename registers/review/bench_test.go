package review_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	auditsqlite "github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/regmo/regmo/registers/sqlregister"
)

// The speed benchmarks of the workbench (issue 15, item 5): a register of
// benchPeople records, half of them settled (an IDNr written) and half
// open cases, written through the register's own WriteBatch (not a full
// backfill: no IDA, but the real matcher on realistic register copies):
// 60% review with candidate, details and the hold codes, 25% not
// identifiable, 15% rejected by the matcher, the records that cannot form
// a lawful search as no search, and every 1000th case
// idnr_already_assigned. Server time is the handler's ServeHTTP in
// process (no network), with the real § 9 read-access log (SQLite,
// durable) for every opened case.
//
// Building takes a while (SQLite about half a minute on 2 cores,
// PostgreSQL longer), so the benchmarks run only with REGMO_BENCH_100K=1.
// The register is built once per process (kept in a temporary directory,
// or in REGMO_BENCH_DIR if set, reused across runs); PostgreSQL uses
// REGMO_TEST_POSTGRES_DSN and the schema REGMO_BENCH_SCHEMA if set (kept
// and reused), else a temporary one. The accept benchmark decides cases:
// a reused register has fewer open cases each run (36,000 to accept).
const benchPeople = 200_000

// TestMain removes what the benchmarks built in temporary places.
func TestMain(m *testing.M) {
	code := m.Run()
	benchMu.Lock()
	for _, f := range benchCleanup {
		f()
	}
	benchMu.Unlock()
	os.Exit(code)
}

var (
	benchMu      sync.Mutex
	benchEnvs    = map[sqlregister.Dialect]*benchEnv{}
	benchCleanup []func()
)

type benchEnv struct {
	reg     *sqlregister.Register
	db      *sql.DB
	wb      *review.Workbench
	handler *review.Handler
	open    []registers.Key // every open case, in key order
	accept  []registers.Key // open review cases whose candidate nobody holds
	next    int             // the next of accept to decide
	csrf    string
	commitT string // a table of one row for BenchmarkAccept/commit
}

func benchGate(b *testing.B) {
	if os.Getenv("REGMO_BENCH_100K") != "1" {
		b.Skip("set REGMO_BENCH_100K=1 to run the benchmarks with 100,000 open cases (building the register takes a while)")
	}
}

// env returns the built register of the dialect, building it on first use.
func env(b *testing.B, d sqlregister.Dialect) *benchEnv {
	b.Helper()
	benchGate(b)
	benchMu.Lock()
	defer benchMu.Unlock()
	if e := benchEnvs[d]; e != nil {
		return e
	}
	ctx := context.Background()
	var db *sql.DB
	var table, dir, commitT string
	var err error
	tmp, err := os.MkdirTemp("", "regmo-review-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchCleanup = append(benchCleanup, func() { os.RemoveAll(tmp) })
	switch d {
	case sqlregister.SQLite:
		dir = os.Getenv("REGMO_BENCH_DIR")
		if dir == "" {
			dir = tmp
		}
		db, err = sqlregister.OpenSQLite(filepath.Join(dir, fmt.Sprintf("review-bench-%d.db", benchPeople)))
		table, commitT = "people", "regmo_bench_commit"
	case sqlregister.PostgreSQL:
		dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
		if dsn == "" {
			b.Skip("REGMO_TEST_POSTGRES_DSN is not set")
		}
		schema := os.Getenv("REGMO_BENCH_SCHEMA")
		if db, err = sqlregister.OpenPostgres(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		if schema == "" {
			schema = fmt.Sprintf("regmo_review_bench_%d", rand.Uint64()%1e12)
			benchCleanup = append(benchCleanup, func() { _, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
		}
		_, err = db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema)
		table, commitT = schema+".people", schema+".regmo_bench_commit"
	}
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	reg, built, err := buildBench(ctx, db, d, table)
	if err != nil {
		b.Fatal(err)
	}
	if built {
		b.Logf("built the register of %d records (%d open cases) in %s", benchPeople, benchPeople/2, time.Since(start).Round(time.Second))
	}
	if d == sqlregister.PostgreSQL {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	st, err := auditsqlite.Open(filepath.Join(tmp, "audit.db"))
	if err != nil {
		b.Fatal(err)
	}
	log, err := audit.New(ctx, st, audit.Options{SigningKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	benchCleanup = append(benchCleanup, func() { log.Close() })
	e := &benchEnv{reg: reg, db: db, commitT: commitT}
	e.wb, err = review.New(review.Config{Store: reg, Policy: thePolicy, Access: log, Matcher: registers.FromMatch(match.New())})
	if err != nil {
		b.Fatal(err)
	}
	e.handler, err = review.NewHandler(review.HandlerConfig{Workbench: e.wb, Authenticate: func(*http.Request) (review.Clerk, bool) { return theClerk, true }})
	if err != nil {
		b.Fatal(err)
	}
	for after := registers.Key(""); ; {
		page, next, err := e.wb.List(ctx, theClerk, review.Filter{}, after, 500)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range page {
			e.open = append(e.open, s.Key)
			if s.Outcome == registers.Review && strings.HasPrefix(s.Reason, registers.ReasonMatchReview) {
				e.accept = append(e.accept, s.Key)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	if len(e.open) < 1000 || len(e.accept) < 1000 {
		b.Fatalf("too few cases left: %d open, %d to accept (rebuild: remove REGMO_BENCH_DIR's database)", len(e.open), len(e.accept))
	}
	// A CSRF token from a case page.
	res := serve(e.handler, "GET", "/case?key="+string(e.open[0]), nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(res.Body.String())
	if res.Code != http.StatusOK || m == nil {
		b.Fatalf("case page: %d", res.Code)
	}
	e.csrf = m[1]
	benchEnvs[d] = e
	return e
}

// buildBench creates and fills the register table unless it is there.
func buildBench(ctx context.Context, db *sql.DB, d sqlregister.Dialect, table string) (*sqlregister.Register, bool, error) {
	cols := sqlregister.DefaultColumns()
	cfg := sqlregister.Config{Dialect: d, Table: table, Key: "id", IntegerKey: true, Columns: cols, Write: cols.Mapped()}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE regmo_state IS NOT NULL").Scan(&n); err == nil && n == benchPeople {
		r, err := sqlregister.New(ctx, db, cfg)
		return r, false, err
	}
	if err := sqlregister.CreateTable(ctx, db, d, table); err != nil {
		return nil, false, err
	}
	r, err := sqlregister.New(ctx, db, cfg)
	if err != nil {
		return nil, false, err
	}
	truth := idnrtest.New(7).Population(benchPeople)[:benchPeople]
	copies := make([]idnr.Person, benchPeople)
	for i := range truth {
		copies[i], _ = idnrtest.RegisterCopy(rand.New(rand.NewPCG(7, uint64(i))), truth[i])
		copies[i].IDNr = idnr.IDNr{}
	}
	const chunk = 5000
	for i := 0; i < benchPeople; i += chunk {
		es := make([]registers.Entry, 0, chunk)
		for j := i; j < min(i+chunk, benchPeople); j++ {
			es = append(es, registers.Entry{Key: registers.Key(strconv.Itoa(j + 1)), Person: copies[j]})
		}
		if err := r.Insert(ctx, es); err != nil {
			return nil, false, err
		}
	}
	matcher := registers.FromMatch(match.New())
	const batch = 2000
	for i := 0; i < benchPeople; i += batch {
		msg := uuid.NewSHA1(uuid.Nil, []byte("bench-"+strconv.Itoa(i)))
		var results []registers.Result
		for j := i; j < min(i+batch, benchPeople); j++ {
			results = append(results, benchResult(matcher, j, &copies[j], truth, msg))
		}
		if err := r.WriteBatch(ctx, registers.Batch{Results: results, Job: "backfill", Checkpoint: results[len(results)-1].Key}); err != nil {
			return nil, false, err
		}
	}
	return r, true, nil
}

// benchResult is record j's result: even records accepted, odd ones open
// cases of every kind.
func benchResult(m registers.Matcher, j int, reg *idnr.Person, truth []idnr.Person, msg uuid.UUID) registers.Result {
	key := registers.Key(strconv.Itoa(j + 1))
	hit := func(p idnr.Person) registers.Result {
		return registers.ResultOf(m, key, reg, &ida.Answer{Outcome: ida.Hit, Person: p, Fields: idnr.AllFields, MessageID: msg})
	}
	if j%2 == 0 {
		res := hit(truth[j])
		res.Outcome, res.Reason, res.Details = registers.Accepted, "", nil
		return res
	}
	if _, err := registers.BuildSearch(reg); err != nil {
		var ns *registers.NoSearchError
		reason := "no_search"
		if errors.As(err, &ns) {
			reason = ns.Reason
		}
		return registers.Result{Key: key, Outcome: registers.NoSearch, Reason: reason}
	}
	switch c := (j / 2) % 20; {
	case (j/2)%1000 == 1:
		// The IDNr of the record before, accepted already: WriteBatch
		// makes it an idnr_already_assigned case.
		res := hit(truth[j-1])
		res.Outcome, res.Reason, res.Details = registers.Accepted, "", nil
		return res
	case c < 12:
		res := hit(truth[j])
		if res.Outcome != registers.Review {
			o := m.Match(reg, &truth[j])
			res.Outcome, res.Reason, res.Details = registers.Review, registers.ReasonMatchReview, strings.Split(o.German(), "\n")
			if code := o.HoldCode(); code != "" {
				res.Reason += ":" + code
			}
		}
		return res
	case c < 17:
		return registers.ResultOf(m, key, reg, &ida.Answer{Outcome: ida.NotIdentifiable, Err: ida.ErrNotIdentifiable, MessageID: msg})
	default:
		res := hit(truth[j])
		res.Outcome, res.Reason = registers.Rejected, registers.ReasonMatchReject
		return res
	}
}

func serve(h http.Handler, method, target string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// latencies collects the server time of each request and reports p50
// and p99 in milliseconds.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(q float64) float64 {
		i := min(len(l)-1, int(math.Ceil(q*float64(len(l))))-1)
		return float64(l[max(i, 0)].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

func timed(b *testing.B, l *latencies, h http.Handler, method, target string, form url.Values, want int) {
	t0 := time.Now()
	res := serve(h, method, target, form)
	*l = append(*l, time.Since(t0))
	if res.Code != want {
		b.Fatalf("%s %s: %d, want %d: %.200s", method, target, res.Code, want, res.Body.String())
	}
}

func BenchmarkCasePageSQLite(b *testing.B) { benchCasePage(b, sqlregister.SQLite) }
func BenchmarkCasePagePostgres(b *testing.B) {
	benchCasePage(b, sqlregister.PostgreSQL)
}
func BenchmarkWorkListSQLite(b *testing.B)   { benchWorkList(b, sqlregister.SQLite) }
func BenchmarkWorkListPostgres(b *testing.B) { benchWorkList(b, sqlregister.PostgreSQL) }
func BenchmarkAcceptSQLite(b *testing.B)     { benchAccept(b, sqlregister.SQLite) }
func BenchmarkAcceptPostgres(b *testing.B)   { benchAccept(b, sqlregister.PostgreSQL) }

// benchCasePage opens random open cases: the case page with the
// read-access log entry, the comparison and the previous and next case,
// without a filter and within the list of review cases of a score band.
func benchCasePage(b *testing.B, d sqlregister.Dialect) {
	e := env(b, d)
	for _, v := range []struct{ name, list string }{{"all", ""}, {"review-band", "&outcome=review&min=-10&max=10"}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			rng := rand.New(rand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				k := e.open[rng.IntN(len(e.open))]
				if v.list != "" {
					k = e.accept[rng.IntN(len(e.accept))]
				}
				timed(b, &l, e.handler, "GET", "/case?key="+string(k)+v.list, nil, http.StatusOK)
			}
			l.report(b)
		})
	}
}

// benchWorkList renders the work list (50 cases and the counts per
// reason): the first page and a deep keyset page (after 90% of the open
// cases), unfiltered, filtered by outcome and score band, and by reason.
func benchWorkList(b *testing.B, d sqlregister.Dialect) {
	e := env(b, d)
	deep := string(e.open[len(e.open)*9/10])
	for _, v := range []struct{ name, query string }{
		{"first", ""},
		{"deep", "after=" + deep},
		{"review-band-first", "outcome=review&min=-10&max=10"},
		{"review-band-deep", "outcome=review&min=-10&max=10&after=" + deep},
		{"reason-deep", "reason=not_identifiable&after=" + deep},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			var l latencies
			for b.Loop() {
				timed(b, &l, e.handler, "GET", "/?"+v.query, nil, http.StatusOK)
			}
			l.report(b)
		})
	}
}

// benchAccept accepts one review case per iteration through the form
// (POST /decide: the checks, the decision with its history entry, the
// IDNr and the delivered fields written, the register's commit, and the
// redirect to the next case). BenchmarkCommit gives the commit alone.
func benchAccept(b *testing.B, d sqlregister.Dialect) {
	e := env(b, d)
	b.Run("accept", func(b *testing.B) {
		b.ReportAllocs()
		var l latencies
		for b.Loop() {
			if e.next >= len(e.accept) {
				b.Fatal("no case left to accept")
			}
			k := e.accept[e.next]
			e.next++
			form := url.Values{"csrf": {e.csrf}, "kind": {"accept"}, "id": {uuid.NewString()}, "key": {string(k)}, "version": {"0"}}
			timed(b, &l, e.handler, "POST", "/decide", form, http.StatusSeeOther)
		}
		l.report(b)
	})
	// The register's commit alone: one row updated in its own
	// transaction, as durable as the decision's.
	b.Run("commit", func(b *testing.B) {
		ctx := context.Background()
		if _, err := e.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+e.commitT+" (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
			b.Fatal(err)
		}
		if _, err := e.db.ExecContext(ctx, "INSERT INTO "+e.commitT+" (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"); err != nil {
			b.Fatal(err)
		}
		var l latencies
		for b.Loop() {
			t0 := time.Now()
			tx, err := e.db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+e.commitT+" SET n = n + 1 WHERE id = 1"); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			l = append(l, time.Since(t0))
		}
		l.report(b)
	})
}
