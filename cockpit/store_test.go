package cockpit_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
)

// testClock is a settable clock shared by the audit log and the service.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type storeCase struct {
	name string
	open func(t testing.TB) audit.Store
}

// openPostgres is set by postgres_test.go when REGMO_TEST_POSTGRES_DSN is set.
var openPostgres func(t testing.TB) audit.Store

func realStores(t *testing.T) []storeCase {
	cases := []storeCase{{"sqlite", func(t testing.TB) audit.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "audit.db"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}}}
	if openPostgres != nil {
		cases = append(cases, storeCase{"postgres", openPostgres})
	} else {
		t.Log("REGMO_TEST_POSTGRES_DSN unset: PostgreSQL store not tested")
	}
	return cases
}

func openLog(t testing.TB, sc storeCase, clock func() time.Time) *audit.Log {
	l, err := audit.New(t.Context(), sc.open(t), audit.Options{Clock: clock, EphemeralKey: true})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

// testIDs returns n distinct valid IDNrs, deterministically: a permutation
// of the ten digits with one digit replaced by another (so exactly one digit
// occurs twice), no leading zero, and the check digit.
func testIDs(n int, seed uint64) []idnr.IDNr {
	rng := rand.New(rand.NewPCG(seed, 1))
	seen := make(map[idnr.IDNr]bool, n)
	out := make([]idnr.IDNr, 0, n)
	var d [10]byte
	for len(out) < n {
		p := rng.Perm(10)
		for i := range d {
			d[i] = byte('0' + p[i])
		}
		i, j := rng.IntN(10), rng.IntN(10)
		if i == j {
			continue
		}
		d[i] = d[j]
		if d[0] == '0' {
			continue
		}
		c, err := idnr.CheckDigit(string(d[:]))
		if err != nil {
			panic(err)
		}
		id, err := idnr.ParseStrict(string(d[:]) + string('0'+c))
		if err != nil || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// lookupAll pages through a person's answer and returns the entries.
func lookupAll(t testing.TB, svc *cockpit.Service, id idnr.IDNr, limit int) []cockpit.Entry {
	t.Helper()
	var all []cockpit.Entry
	req := cockpit.Request{SessionID: testSession, IDNr: id, Limit: limit}
	for range 10000 {
		resp, err := svc.List(t.Context(), req)
		require.NoError(t, err)
		all = append(all, resp.Entries...)
		if resp.Next == "" {
			return all
		}
		req.Cursor = resp.Next
	}
	t.Fatal("pagination does not end")
	return nil
}

func ids(es []cockpit.Entry) []uuid.UUID {
	out := make([]uuid.UUID, len(es))
	for i, e := range es {
		out[i] = e.RecordID
	}
	return out
}

func TestRealStoreRightPersonOnly(t *testing.T) {
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			clock := &testClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
			l := openLog(t, sc, clock.Now)
			svc, err := cockpit.New(l, cockpit.Config{Clock: clock.Now, Who: "cockpit-test", InsecureSkipVerifyPerson: true})
			require.NoError(t, err)

			people := testIDs(5, 1)
			want := map[idnr.IDNr][]uuid.UUID{}
			var recs []audit.Record
			for i := range 300 {
				id := people[i%4] // people[4] has no records
				r := record(id, clock.Now().Add(-time.Duration(300-i)*time.Hour), "p"+strconv.Itoa(i))
				recs = append(recs, r)
				want[id] = append(want[id], r.ID)
			}
			require.NoError(t, l.Append(t.Context(), recs...))
			for _, id := range people {
				got := lookupAll(t, svc, id, 11)
				w := slices.Clone(want[id])
				slices.Reverse(w) // newest first
				if len(w) == 0 {
					assert.Empty(t, got, "person %v", id)
				} else {
					assert.Equal(t, w, ids(got), "person %v", id)
				}
				for _, e := range got {
					assert.Equal(t, "Familienname", e.Categories[0].Text)
				}
			}

			// Every lookup was recorded as a cockpit read, without the IDNr.
			page, err := l.Accesses(t.Context(), audit.Access{Who: "test", Purpose: audit.DataProtectionCheck, Reason: "test"}, audit.AccessQuery{Limit: 1000})
			require.NoError(t, err)
			n := 0
			for _, e := range page.Entries {
				if e.Who != "cockpit-test" {
					continue
				}
				n++
				assert.Equal(t, audit.Datenschutzcockpit, e.Purpose)
				assert.False(t, audit.ContainsIDNr(e.Reason))
				for _, id := range people {
					assert.NotContains(t, e.Reason, id.String())
				}
			}
			assert.Equal(t, 4*7+1, n, "one access per page: four people with 75 records in 7 pages of 11, one with an empty page")
		})
	}
}

func TestRealStoreTwoYearBoundary(t *testing.T) {
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
			clock := &testClock{t: now}
			l := openLog(t, sc, clock.Now)
			svc, err := cockpit.New(l, cockpit.Config{Clock: clock.Now, InsecureSkipVerifyPerson: true})
			require.NoError(t, err)
			edge := now.Add(-cockpit.DefaultRetention)
			require.Equal(t, now.AddDate(0, 0, -730), edge)
			var recs []audit.Record
			for _, c := range []struct {
				name string
				t    time.Time
			}{
				{"older", edge.Add(-time.Microsecond)},
				{"just-older", edge.Add(-time.Nanosecond)},
				{"edge", edge},
				{"just-newer", edge.Add(time.Nanosecond)},
				{"now", now},
			} {
				recs = append(recs, record(alice, c.t, c.name))
			}
			require.NoError(t, l.Append(t.Context(), recs...))
			purposes := func() []string {
				var ps []string
				for _, e := range lookupAll(t, svc, alice, 2) {
					ps = append(ps, e.Purpose)
				}
				return ps
			}
			assert.Equal(t, []string{"now", "just-newer", "edge"}, purposes(), "the record exactly two years old is shown, an older one is not")
			clock.Set(now.Add(time.Nanosecond))
			assert.Equal(t, []string{"now", "just-newer"}, purposes(), "one nanosecond later the edge record is gone")
			clock.Set(now.Add(cockpit.DefaultRetention + time.Nanosecond))
			assert.Empty(t, purposes())
		})
	}
}

func TestRealStorePaginationStableUnderConcurrentAppends(t *testing.T) {
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			l := openLog(t, sc, nil)
			svc, err := cockpit.New(l, cockpit.Config{InsecureSkipVerifyPerson: true})
			require.NoError(t, err)
			now := time.Now()
			existing := map[uuid.UUID]bool{}
			var recs []audit.Record
			for i := range 400 {
				id := alice
				if i%3 == 0 {
					id = bob
				}
				r := record(id, now.Add(-time.Duration(i)*time.Minute), "before")
				recs = append(recs, r)
				if id == alice {
					existing[r.ID] = true
				}
			}
			require.NoError(t, l.Append(t.Context(), recs...))

			// Writers append for alice and bob while alice's answer is paged,
			// some records dated now, some back-dated into the window.
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			var mu sync.Mutex
			appended := map[uuid.UUID]bool{}
			for w := range 3 {
				wg.Go(func() {
					for i := 0; ctx.Err() == nil; i++ {
						id := alice
						if i%2 == w%2 {
							id = bob
						}
						r := record(id, time.Now().Add(-time.Duration(i%500)*time.Minute), "during")
						if err := l.Append(context.Background(), r); err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						appended[r.ID] = true
						mu.Unlock()
					}
				})
			}
			time.Sleep(20 * time.Millisecond)
			got := map[uuid.UUID]bool{}
			req := cockpit.Request{SessionID: testSession, IDNr: alice, Limit: 7}
			pages := 0
			for {
				resp, err := svc.List(t.Context(), req)
				require.NoError(t, err)
				pages++
				for _, e := range resp.Entries {
					require.False(t, got[e.RecordID], "entry shown twice")
					got[e.RecordID] = true
				}
				if resp.Next == "" {
					break
				}
				req.Cursor = resp.Next
				time.Sleep(time.Millisecond) // let the writers in between pages
			}
			cancel()
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			assert.Greater(t, len(appended), 10, "writers ran during paging")
			for id := range existing {
				assert.True(t, got[id], "a record that existed when paging started is missing")
			}
			for id := range got {
				assert.True(t, existing[id] || appended[id], "unknown record")
			}
			t.Logf("%d pages, %d entries, %d existing, %d appended meanwhile", pages, len(got), len(existing), len(appended))
		})
	}
}

// TestRealStoreHTTPCorrectness is the default-sized version of the load
// test: a log of 100,000 records (20,000 under the race detector; see
// BenchmarkCockpitLoad for the 10-million-record run), concurrent mTLS
// clients on loopback, every answer checked against what was written.
func TestRealStoreHTTPCorrectness(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			l := openLog(t, sc, nil)
			fx := buildLoadLog(t, l, correctnessRecords, time.Now())
			lt := newLoadTarget(t, l)
			var wg sync.WaitGroup
			for c := range 4 {
				wg.Go(func() {
					client := lt.client()
					for i := c; i < len(fx.heavy); i += 4 * 10 {
						id := fx.heavy[i]
						n, err := lt.countAll(client, id)
						if !assert.NoError(t, err) {
							return
						}
						assert.Equal(t, fx.perHeavy, n, "entries of a heavy person")
					}
					for i := c; i < len(fx.light); i += 4 * 200 {
						n, err := lt.countAll(client, fx.light[i])
						if !assert.NoError(t, err) {
							return
						}
						assert.Equal(t, fx.perLight, n, "entries of a light person")
					}
				})
			}
			wg.Wait()
			assertClean(t, "logs", lt.logs.String())
			if n := lt.retries.Load(); n > 0 {
				t.Logf("%d pages asked again after a timeout answer (shared machine)", n)
			}
		})
	}
}

func TestRealStoreForeignCursorIsARequestError(t *testing.T) {
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			l := openLog(t, sc, nil)
			svc, err := cockpit.New(l, cockpit.Config{InsecureSkipVerifyPerson: true})
			require.NoError(t, err)
			for _, c := range []string{"zzz", "AAAA", "Yw"} {
				_, err = svc.List(t.Context(), cockpit.Request{SessionID: testSession, IDNr: alice, Cursor: c})
				var re *cockpit.RequestError
				require.ErrorAs(t, err, &re, "cursor %q", c)
				assert.Equal(t, "cursor", re.Field)
			}
		})
	}
}

func TestVerifyPersonFailureIsInternal(t *testing.T) {
	src := &memSource{}
	svc, err := cockpit.New(src, cockpit.Config{VerifyPerson: func(context.Context, idnr.IDNr, idnr.Date) error {
		return errors.New("register unreachable")
	}})
	require.NoError(t, err)
	_, err = svc.List(t.Context(), cockpit.Request{SessionID: testSession, IDNr: alice})
	require.Error(t, err)
	assert.NotErrorIs(t, err, cockpit.ErrLookupMismatch)
	assert.Empty(t, src.accesses)
}
