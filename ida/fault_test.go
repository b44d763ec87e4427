package ida_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newInprocClient connects a client to srv through its in-process transport
// (no sockets), so that the test can run in a synctest bubble.
func newInprocClient(t testing.TB, srv *idatest.Server, mod func(*ida.Config)) (*ida.Client, *memProtocol) {
	t.Helper()
	p := &memProtocol{}
	cfg := ida.Config{
		BaseURL:        srv.URL,
		AllowHTTP:      true,
		HTTPClient:     &http.Client{Transport: srv.Transport()},
		Sender:         audit.Body{Name: "Bürgeramt Musterstadt", ID: "bhkz-099999"},
		Policy:         testPolicy,
		Protocol:       p,
		RateLimit:      ida.NoRateLimit,
		AttemptTimeout: 2 * time.Second,
		Retry:          ida.Retry{Max: 3, WaitMin: 50 * time.Millisecond, WaitMax: time.Second},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := ida.New(cfg)
	require.NoError(t, err)
	return c, p
}

// Every fault, once, is survived by a retry of the same message, which the
// server answers from its de-duplication cache without processing it again.
func TestFaultRecovered(t *testing.T) {
	cases := []struct {
		fault     idatest.Fault
		faults    idatest.Faults
		processed bool // the faulted attempt processed the message
		minWait   time.Duration
	}{
		{idatest.Fault429, idatest.Faults{RetryAfter: 3 * time.Second}, false, 3 * time.Second},
		{idatest.Fault429, idatest.Faults{RetryAfter: 2 * time.Second, RetryAfterDate: true}, false, time.Second},
		{idatest.Fault503, idatest.Faults{RetryAfter: 2 * time.Second}, false, 2 * time.Second},
		{idatest.Fault500, idatest.Faults{}, false, 0},
		{idatest.FaultLatency, idatest.Faults{LatencyDelay: 500 * time.Millisecond}, true, 0},
		{idatest.FaultTimeout, idatest.Faults{}, true, 2 * time.Second},
		{idatest.FaultDrop, idatest.Faults{}, true, 0},
		{idatest.FaultTruncate, idatest.Faults{}, true, 0},
		{idatest.FaultMalformed, idatest.Faults{}, true, 0},
		{idatest.FaultWrongID, idatest.Faults{}, true, 0},
		{idatest.FaultDuplicate, idatest.Faults{}, true, 0},
	}
	for _, tc := range cases {
		name := tc.fault.String()
		if tc.faults.RetryAfterDate {
			name += "-http-date"
		}
		for _, bulk := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/bulk=%v", name, bulk), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					srv := idatest.NewHandlerServer(idatest.WithPeople(testPeople()),
						idatest.WithScript(tc.fault), idatest.WithFaults(tc.faults))
					defer srv.Close()
					tc.faults.Status429 = 0
					c, proto := newInprocClient(t, srv, nil)
					start := time.Now()
					var a ida.Answer
					if bulk {
						as, err := c.Bulk(t.Context(), testAuth, []ida.Search{mueller(), mueller()})
						require.NoError(t, err)
						a = as[1]
					} else {
						var err error
						a, err = c.Search(t.Context(), testAuth, mueller())
						require.NoError(t, err)
					}
					elapsed := time.Since(start)
					assert.Equal(t, ida.Hit, a.Outcome)
					assert.GreaterOrEqual(t, elapsed, tc.minWait, "Retry-After or timeout honoured")

					reqs := srv.Requests()
					if tc.fault == idatest.FaultLatency {
						require.Len(t, reqs, 1, "latency below the attempt timeout is no fault")
						assert.GreaterOrEqual(t, elapsed, 500*time.Millisecond)
						return
					}
					require.Len(t, reqs, 2, "one fault, one retry")
					assert.Equal(t, reqs[0].MessageID, reqs[1].MessageID, "a retry is the same message")
					assert.Equal(t, tc.fault, reqs[0].Fault)
					assert.Equal(t, tc.processed, reqs[0].Processed)
					assert.Equal(t, tc.processed, reqs[1].Replayed)
					assert.Equal(t, 1, srv.Processed(a.RequestID), "processed exactly once")
					assert.Equal(t, 1, srv.Stats().MaxProcessed)

					st := c.Stats()
					assert.EqualValues(t, 2, st.Attempts)
					assert.EqualValues(t, 1, st.Retries)
					n := 1
					if bulk {
						n = 2
					}
					assert.Len(t, proto.Records(), n, "one record per person delivered")
					kinds := map[string]int{}
					for _, e := range proto.Events() {
						kinds[e.Kind]++
						assert.Equal(t, a.RequestID, e.MessageID)
					}
					assert.Equal(t, 2, kinds["sent"])
					assert.Equal(t, 1, kinds["retry"])
					assert.Equal(t, 1, kinds["answered"])
				})
			})
		}
	}
}

// When the faults persist, the call ends with the right typed error.
func TestFaultGiveUp(t *testing.T) {
	cases := []struct {
		name   string
		faults idatest.Faults
		check  func(t *testing.T, err error)
	}{
		{"503", idatest.Faults{Status503: 1, RetryAfter: time.Second}, func(t *testing.T, err error) {
			var re *ida.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 503, re.Status)
			assert.Equal(t, 4, re.Attempts)
			assert.Equal(t, time.Second, re.RetryAfter)
			assert.True(t, ida.IsRetryable(err))
		}},
		{"500", idatest.Faults{Status500: 1}, func(t *testing.T, err error) {
			var re *ida.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 500, re.Status)
		}},
		{"retry-after beyond the limit", idatest.Faults{Status429: 1, RetryAfter: 2 * time.Minute}, func(t *testing.T, err error) {
			var re *ida.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 429, re.Status)
			assert.Equal(t, 1, re.Attempts, "no retry when Retry-After exceeds MaxRetryAfter")
			assert.Equal(t, 2*time.Minute, re.RetryAfter)
			assert.True(t, ida.IsRetryable(err))
		}},
		{"malformed", idatest.Faults{Malformed: 1}, func(t *testing.T, err error) {
			var de *ida.DecodeError
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, ida.ErrMalformed)
			assert.Equal(t, 4, de.Attempts)
		}},
		{"truncated", idatest.Faults{Truncate: 1}, func(t *testing.T, err error) {
			assert.True(t, ida.IsRetryable(err))
			var te *ida.TransportError
			var de *ida.DecodeError
			assert.True(t, errors.As(err, &te) || errors.As(err, &de), "%T", err)
		}},
		{"wrong message ID", idatest.Faults{WrongID: 1}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ida.ErrMessageMismatch)
		}},
		{"duplicated answer", idatest.Faults{Duplicate: 1}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ida.ErrMalformed)
		}},
		{"timeout", idatest.Faults{Timeout: 1}, func(t *testing.T, err error) {
			var te *ida.TransportError
			require.ErrorAs(t, err, &te)
			assert.True(t, ida.IsTimeout(err))
			assert.True(t, ida.IsRetryable(err))
		}},
		{"dropped", idatest.Faults{Drop: 1}, func(t *testing.T, err error) {
			var te *ida.TransportError
			require.ErrorAs(t, err, &te)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := idatest.NewHandlerServer(idatest.WithPeople(testPeople()), idatest.WithFaults(tc.faults))
				defer srv.Close()
				c, proto := newInprocClient(t, srv, func(cfg *ida.Config) { cfg.Breaker.Failures = -1 })
				a, err := c.Search(t.Context(), testAuth, mueller())
				require.Error(t, err)
				assert.Equal(t, ida.Answer{}, a)
				tc.check(t, err)
				assert.LessOrEqual(t, srv.Stats().MaxProcessed, 1)
				assert.Empty(t, proto.Records(), "no data reached the caller, no record")
				var sawError bool
				for _, e := range proto.Events() {
					sawError = sawError || e.Kind == "error"
				}
				assert.True(t, sawError, "the failure is in the transport log")
			})
		})
	}
	t.Run("caller deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := idatest.NewHandlerServer(idatest.WithPeople(testPeople()), idatest.WithFaults(idatest.Faults{Status503: 1, RetryAfter: 5 * time.Second}))
			defer srv.Close()
			c, _ := newInprocClient(t, srv, nil)
			ctx, cancel := context.WithTimeout(t.Context(), 7*time.Second)
			defer cancel()
			_, err := c.Search(ctx, testAuth, mueller())
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.True(t, ida.IsTimeout(err))
			assert.Equal(t, 2, srv.Stats().Requests)
		})
	})
}

func TestBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := idatest.NewHandlerServer(idatest.WithPeople(testPeople()), idatest.WithFaults(idatest.Faults{Status500: 1}))
		defer srv.Close()
		c, _ := newInprocClient(t, srv, func(cfg *ida.Config) {
			cfg.Retry.Max = -1
			cfg.Breaker = ida.Breaker{Failures: 3, OpenFor: 10 * time.Second, Probes: 2}
		})
		ctx := t.Context()
		for range 3 {
			_, err := c.Search(ctx, testAuth, mueller())
			var re *ida.ResponseError
			require.ErrorAs(t, err, &re)
		}
		assert.Equal(t, "open", c.Stats().BreakerState)
		_, err := c.Search(ctx, testAuth, mueller())
		var be *ida.BreakerOpenError
		require.ErrorAs(t, err, &be)
		assert.True(t, ida.IsCircuitOpen(err))
		assert.True(t, ida.IsRetryable(err))
		assert.Equal(t, 3, srv.Stats().Requests, "nothing sent while open")

		// Still failing after OpenFor: the probe fails and the breaker opens again.
		time.Sleep(10*time.Second + time.Millisecond)
		_, err = c.Search(ctx, testAuth, mueller())
		require.False(t, ida.IsCircuitOpen(err))
		_, err = c.Search(ctx, testAuth, mueller())
		require.True(t, ida.IsCircuitOpen(err))
		assert.EqualValues(t, 2, c.Stats().BreakerOpened)

		// The server recovers: after OpenFor, two successful probes close it.
		srv.SetFaults(idatest.Faults{})
		time.Sleep(10*time.Second + time.Millisecond)
		_, err = c.Search(ctx, testAuth, mueller())
		require.NoError(t, err)
		assert.Equal(t, "half-open", c.Stats().BreakerState)
		_, err = c.Search(ctx, testAuth, mueller())
		require.NoError(t, err)
		st := c.Stats()
		assert.Equal(t, "closed", st.BreakerState)
		assert.EqualValues(t, 1, st.BreakerClosed)

		// Not-identifiable answers and rejections do not count as failures.
		for range 5 {
			s := mueller()
			s.PostalCode = "00000"
			_, err := c.Search(ctx, testAuth, s)
			require.True(t, ida.IsNotIdentifiable(err))
		}
		assert.Equal(t, "closed", c.Stats().BreakerState)
	})
}

// TestFaultRun10k is the bar: 10,000 requests against 10% 503, 5% 429 with
// Retry-After, 2% timeouts and 1% malformed answers, with an outage in the
// middle that opens the breaker. Every request ends answered or with a typed
// error, no message is processed twice, every delivered person has its
// protocol record, and the breaker opens and recovers as configured.
func TestFaultRun10k(t *testing.T) {
	n := 10_000 // the bar, in plain `go test`
	if testing.Short() {
		n = 2_000
	} else if raceEnabled {
		n = 3_000
	}
	synctest.Test(t, func(t *testing.T) {
		faults := idatest.Faults{Status503: 0.10, Status429: 0.05, Timeout: 0.02, Malformed: 0.01, RetryAfter: time.Second}
		srv := idatest.NewHandlerServer(idatest.WithPopulation(2000, 42), idatest.WithSeed(7), idatest.WithFaults(faults))
		defer srv.Close()
		// The real § 9 protocol: audit.Log over the SQLite store.
		store, err := sqlite.Open(filepath.Join(t.TempDir(), "audit.db"), sqlite.WithSynchronous("NORMAL"))
		require.NoError(t, err)
		alog, err := audit.New(t.Context(), store, audit.Options{EphemeralKey: true})
		require.NoError(t, err)
		defer alog.Close()
		tee := &teeProtocol{log: alog, mem: &memProtocol{}}
		proto := tee.mem
		c, _ := newInprocClient(t, srv, func(cfg *ida.Config) {
			cfg.Protocol = tee
			cfg.Retry = ida.Retry{Max: 6, WaitMin: 20 * time.Millisecond, WaitMax: 2 * time.Second}
			cfg.AttemptTimeout = 3 * time.Second
			cfg.Breaker = ida.Breaker{Failures: 10, OpenFor: 20 * time.Second}
		})
		people := srv.People()

		type result struct {
			a   ida.Answer
			err error
			id  idnr.IDNr
		}
		results := make([]result, n)
		var next sync.Mutex
		i := 0
		take := func(limit int) int {
			next.Lock()
			defer next.Unlock()
			if i >= limit {
				return limit
			}
			i++
			return i - 1
		}
		work := func(limit int) {
			var wg sync.WaitGroup
			for range 50 {
				wg.Go(func() {
					for {
						k := take(limit)
						if k >= limit {
							return
						}
						p := people[k%len(people)]
						var a ida.Answer
						var err error
						switch k % 10 {
						case 0, 1:
							a, err = c.Lookup(t.Context(), testAuth, ida.Lookup{IDNr: p.IDNr, BirthDate: p.BirthDate})
						case 2:
							a, err = c.FallbackSearch(t.Context(), testAuth, ida.Search{FamilyName: p.FamilyName, GivenNames: p.GivenNames, BirthDate: p.BirthDate})
						default:
							a, err = c.Search(t.Context(), testAuth, searchFor(p))
						}
						results[k] = result{a, err, p.IDNr}
						if ida.IsCircuitOpen(err) {
							// Back off while the breaker refuses, as a caller
							// should: in the bubble, fake time moves only when
							// every goroutine waits, so workers that spin on
							// instant refusals would drain the whole phase
							// while one probe waits on its Retry-After.
							time.Sleep(time.Second)
						}
					}
				})
			}
			wg.Wait()
		}

		// Phase 1: 40% under faults.
		work(n * 4 / 10)
		// Phase 2: an outage of 503s opens the breaker; calls fail fast.
		srv.SetFaults(idatest.Faults{Status503: 1, RetryAfter: time.Second})
		work(n / 2)
		assert.GreaterOrEqual(t, c.Stats().BreakerOpened, int64(1), "breaker opened during the outage")
		// Phase 3: the outage ends; after OpenFor the breaker lets probes through and closes.
		srv.SetFaults(faults)
		time.Sleep(21 * time.Second)
		work(n)
		st := c.Stats()
		assert.Equal(t, "closed", st.BreakerState)
		assert.GreaterOrEqual(t, st.BreakerClosed, int64(1))

		counts := map[string]int{}
		for k, r := range results {
			switch {
			case r.err == nil:
				counts["hit"]++
				require.Equal(t, ida.Hit, r.a.Outcome)
				require.Equal(t, r.id, r.a.Person.IDNr, "request %d", k)
				require.Equal(t, 1, srv.Processed(r.a.RequestID), "request %d %v %v", k, r.a.RequestID, r.a.MessageID)
			case ida.IsNotIdentifiable(r.err):
				counts["not-identifiable"]++
				require.Equal(t, 1, srv.Processed(r.a.RequestID))
			case ida.IsCircuitOpen(r.err):
				counts["breaker-open"]++
			default:
				var re *ida.ResponseError
				var te *ida.TransportError
				var de *ida.DecodeError
				require.True(t, errors.As(r.err, &re) || errors.As(r.err, &te) || errors.As(r.err, &de),
					"request %d: untyped error %T %v", k, r.err, r.err)
				require.True(t, ida.IsRetryable(r.err))
				counts["failed"]++
			}
		}
		t.Logf("%d requests: %v; client %+v; server requests=%d processed=%d replayed=%d faults=%v",
			n, counts, st, srv.Stats().Requests, srv.Stats().Processed, srv.Stats().Replayed, srv.Stats().Faults)
		assert.Equal(t, 1, srv.Stats().MaxProcessed, "no message processed twice")
		assert.Greater(t, counts["hit"], n/2)
		assert.Greater(t, counts["breaker-open"], 0)

		// Protocol: every hit has its received record; every lookup that
		// reached the server has its sent record.
		recv := map[string]bool{}
		sent := map[string]bool{}
		for _, r := range proto.Records() {
			require.NoError(t, validRecord(r))
			key := r.RequestID.String() + r.IDNr.String()
			if r.Direction == audit.Received {
				require.False(t, recv[key], "one record per person and message")
				recv[key] = true
			} else {
				sent[r.MessageID.String()] = true
			}
		}
		for _, r := range results {
			if r.err == nil {
				require.True(t, recv[r.a.RequestID.String()+r.id.String()], "hit without protocol record")
			}
		}
		for _, q := range srv.Requests() {
			if q.Kind == ida.KindLookup {
				require.True(t, sent[q.MessageID.String()], "lookup transferred without its sent record")
			}
		}

		// The same, read back from the audit store itself.
		access := audit.Access{Who: "ida-test", Purpose: audit.DataProtectionCheck, Reason: "fault run"}
		checked := 0
		for k, r := range results {
			if r.err != nil || k%7 != 0 {
				continue
			}
			page, err := alog.Query(t.Context(), access, audit.Query{IDNr: r.id, Limit: 1000})
			require.NoError(t, err)
			found := false
			for _, rec := range page.Records {
				found = found || (rec.Direction == audit.Received && rec.RequestID == r.a.RequestID)
			}
			require.True(t, found, "hit %d has no record in the audit store", k)
			checked++
		}
		t.Logf("checked %d hits against the SQLite audit store", checked)
	})
}

// searchFor builds the search a register would send for p: by residence
// when p lives at a German address, else the fallback search.
func searchFor(p idnr.Person) ida.Search {
	s := ida.Search{FamilyName: p.FamilyName, City: p.Address.City, PostalCode: p.Address.PostalCode, BirthDate: p.BirthDate}
	if s.Validate() != nil {
		s = ida.Search{Kind: ida.ByName, FamilyName: p.FamilyName, GivenNames: p.GivenNames, BirthDate: p.BirthDate}
	}
	return s
}

// teeProtocol writes to the real audit log and keeps a copy for assertions.
type teeProtocol struct {
	log *audit.Log
	mem *memProtocol
}

func (p *teeProtocol) Append(ctx context.Context, recs ...audit.Record) error {
	if err := p.log.Append(ctx, recs...); err != nil {
		return err
	}
	return p.mem.Append(ctx, recs...)
}

func (p *teeProtocol) AppendTransport(ctx context.Context, evs ...audit.TransportEvent) error {
	if err := p.log.AppendTransport(ctx, evs...); err != nil {
		return err
	}
	return p.mem.AppendTransport(ctx, evs...)
}

func TestResponseSizeBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := idatest.NewHandlerServer(idatest.WithPeople(testPeople()))
		defer srv.Close()
		c, proto := newInprocClient(t, srv, func(cfg *ida.Config) { cfg.MaxResponseBytes = 200 })
		_, err := c.Search(t.Context(), testAuth, mueller())
		var de *ida.DecodeError
		require.ErrorAs(t, err, &de)
		assert.ErrorIs(t, err, ida.ErrTooLarge)
		assert.False(t, ida.IsRetryable(err), "the same message would be as large again")
		assert.Equal(t, 1, srv.Stats().Requests)
		assert.Empty(t, proto.Records())
	})
}
