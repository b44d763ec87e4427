package cockpit_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
)

// loadFixture describes a generated log: heavy people with perHeavy
// records each (40 % of the records) and light people with perLight each,
// their records interleaved in time over the last 600 days.
type loadFixture struct {
	heavy, light       []idnr.IDNr
	perHeavy, perLight int
}

func loadShape(total int) loadFixture {
	fx := loadFixture{perHeavy: 200, perLight: 5}
	nHeavy := total * 4 / 10 / fx.perHeavy
	nLight := (total - nHeavy*fx.perHeavy) / fx.perLight
	all := testIDs(nHeavy+nLight, 42)
	fx.heavy, fx.light = all[:nHeavy], all[nHeavy:]
	return fx
}

// benchKey is a fixed signing key, so that a log kept across runs reopens.
var benchKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// buildLoadLog writes total records (rounded down to whole people) into l
// in batches, and returns their shape.
func buildLoadLog(t testing.TB, l *audit.Log, total int, now time.Time) loadFixture {
	fx := loadShape(total)
	slots := make([]uint32, 0, len(fx.heavy)*fx.perHeavy+len(fx.light)*fx.perLight)
	for i := range fx.heavy {
		for range fx.perHeavy {
			slots = append(slots, uint32(i))
		}
	}
	for i := range fx.light {
		for range fx.perLight {
			slots = append(slots, uint32(len(fx.heavy)+i))
		}
	}
	rng := rand.New(rand.NewPCG(42, 2))
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	span := 600 * 24 * time.Hour
	start := now.Add(-span - 24*time.Hour)
	step := span / time.Duration(len(slots))
	own := audit.Body{Name: "Bürgeramt Musterstadt", ID: "mst"}
	bva := audit.Body{Name: "BVA", ID: "bva"}
	cats := []audit.Category{audit.CatIDNr, audit.CatFamilyName, audit.CatBirthDate}
	const batch = 8192
	recs := make([]audit.Record, 0, batch)
	began := time.Now()
	for i, s := range slots {
		var id idnr.IDNr
		if int(s) < len(fx.heavy) {
			id = fx.heavy[s]
		} else {
			id = fx.light[int(s)-len(fx.heavy)]
		}
		recs = append(recs, audit.Record{
			MessageID: uuidFrom(rng), Time: start.Add(time.Duration(i) * step).UTC(),
			Direction: audit.Sent, Own: own, Counterpart: bva,
			Purpose: "Erstbefüllung", LegalBasis: "§ 6 Abs. 3 IDNrG", Actor: "backfill",
			IDNr: id, Categories: cats, Result: audit.Delivered,
		})
		if len(recs) == batch || i == len(slots)-1 {
			require.NoError(t, l.Append(t.Context(), recs...))
			recs = recs[:0]
			if (i+1)%(batch*128) < batch {
				t.Logf("built %d of %d records (%.0f/s)", i+1, len(slots), float64(i+1)/time.Since(began).Seconds())
			}
		}
	}
	t.Logf("built %d records in %s", len(slots), time.Since(began).Round(time.Second))
	return fx
}

func uuidFrom(rng *rand.Rand) (u [16]byte) {
	a, b := rng.Uint64(), rng.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// loadTarget is a cockpit served over mTLS on loopback.
type loadTarget struct {
	srv  *httptest.Server
	pki  *testPKI
	cert tls.Certificate
	logs *lockedBuffer
	// retries counts pages asked again after a timeout answer.
	retries atomic.Int64
}

func newLoadTarget(t testing.TB, l *audit.Log) *loadTarget {
	lt := &loadTarget{pki: newTestPKI(t, "load CA"), logs: &lockedBuffer{}}
	lt.cert = lt.pki.client(t, "dsc.load")
	logger := slog.New(slog.NewTextHandler(lt.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	svc, err := cockpit.New(l, cockpit.Config{Logger: logger})
	require.NoError(t, err)
	h, err := cockpit.NewHandler(svc, cockpit.HandlerConfig{
		Clients:       []cockpit.AllowedClient{{Name: "dsc", SPKISHA256: cockpit.SPKIPin(lt.cert.Leaf)}},
		RatePerSecond: 1e6, Logger: logger,
	})
	require.NoError(t, err)
	lt.srv = httptest.NewUnstartedServer(h)
	lt.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	lt.srv.TLS = cockpit.ServerTLSConfig(lt.pki.server, lt.pki.pool)
	lt.srv.StartTLS()
	t.Cleanup(func() { lt.srv.Close(); h.Close() })
	return lt
}

func (lt *loadTarget) client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: 4,
		TLSClientConfig:     &tls.Config{RootCAs: lt.pki.pool, Certificates: []tls.Certificate{lt.cert}, MinVersion: tls.VersionTLS12},
	}}
}

// page asks for one page and returns the decoded answer.
func (lt *loadTarget) page(c *http.Client, req *cockpit.Request) (cockpit.Response, error) {
	var body bytes.Buffer
	if err := (cockpit.JSONCodec{}).EncodeRequest(&body, req); err != nil {
		return cockpit.Response{}, err
	}
	resp, err := c.Post(lt.srv.URL, "application/json", &body)
	if err != nil {
		return cockpit.Response{}, err
	}
	defer resp.Body.Close()
	return cockpit.JSONCodec{}.DecodeResponse(resp.Body)
}

// countAll pages through one person's answer and counts the entries,
// checking that the order is newest first. A page answered with "timeout"
// (the machine is shared) is asked again, up to five times: this is a
// correctness check; latency is the benchmark's business.
func (lt *loadTarget) countAll(c *http.Client, id idnr.IDNr) (int, error) {
	req := cockpit.Request{IDNr: id, Limit: 200}
	n := 0
	var last time.Time
	for {
		var resp cockpit.Response
		var err error
		for range 5 {
			resp, err = lt.page(c, &req)
			var re *cockpit.ResponseError
			if !errors.As(err, &re) || re.Code != cockpit.CodeTimeout {
				break
			}
			lt.retries.Add(1)
		}
		if err != nil {
			return n, err
		}
		for _, e := range resp.Entries {
			if !last.IsZero() && e.Time.After(last) {
				return n, fmt.Errorf("entries not newest first")
			}
			last = e.Time
		}
		n += len(resp.Entries)
		if resp.Next == "" {
			return n, nil
		}
		req.Cursor = resp.Next
	}
}

// BenchmarkCockpitLoad measures the latency of whole answers (one request,
// up to 200 entries, for a person with 200 records) with concurrent mTLS
// clients on loopback, server and clients in this process. The 100k log is
// built in a temporary directory; the 10M log (REGMO_BENCH_10M=1) is kept
// in $REGMO_BENCH_DIR (default /tmp/regmo-cockpit-bench) and reused.
//
//	go test -run '^$' -bench CockpitLoad -benchtime 5000x ./cockpit
//	REGMO_BENCH_10M=1 go test -run '^$' -bench CockpitLoad/10M -benchtime 20000x -timeout 2h ./cockpit
func BenchmarkCockpitLoad(b *testing.B) {
	b.Run("100k", func(b *testing.B) {
		store, err := sqlite.Open(filepath.Join(b.TempDir(), "audit.db"))
		require.NoError(b, err)
		defer store.Close()
		benchLoad(b, store, 100_000, false)
	})
	b.Run("10M", func(b *testing.B) {
		if os.Getenv("REGMO_BENCH_10M") != "1" {
			b.Skip("set REGMO_BENCH_10M=1 to build (once, minutes) and query a 10-million-record log")
		}
		dir := os.Getenv("REGMO_BENCH_DIR")
		if dir == "" {
			dir = "/tmp/regmo-cockpit-bench"
		}
		require.NoError(b, os.MkdirAll(dir, 0o700))
		path := filepath.Join(dir, "audit-10m.db")
		done := path + ".done"
		reuse := fileExists(done)
		if !reuse {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
		}
		store, err := sqlite.Open(path)
		require.NoError(b, err)
		defer store.Close()
		benchLoad(b, store, 10_000_000, reuse)
		if !reuse {
			require.NoError(b, os.WriteFile(done, []byte(time.Now().UTC().Format(time.RFC3339)), 0o600))
		}
	})
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func benchLoad(b *testing.B, store audit.Store, total int, reuse bool) {
	l, err := audit.New(b.Context(), store, audit.Options{SigningKey: benchKey})
	require.NoError(b, err)
	defer l.Close()
	var fx loadFixture
	if reuse {
		fx = loadShape(total)
	} else {
		fx = buildLoadLog(b, l, total, time.Now())
	}
	lt := newLoadTarget(b, l)
	clients := 16
	var mu sync.Mutex
	var lat []time.Duration
	var failures int
	b.SetParallelism((clients + 1) / 2)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := lt.client()
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
		var mine []time.Duration
		fails := 0
		for pb.Next() {
			id := fx.heavy[rng.IntN(len(fx.heavy))]
			t0 := time.Now()
			resp, err := lt.page(c, &cockpit.Request{IDNr: id, Limit: 200})
			mine = append(mine, time.Since(t0))
			if err != nil || len(resp.Entries) != fx.perHeavy {
				fails++
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		failures += fails
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if failures > 0 {
		b.Errorf("%d of %d requests failed or were incomplete", failures, len(lat))
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.Logf("records=%d heavy=%d light=%d clients=%s requests=%d", total, len(fx.heavy), len(fx.light), strconv.Itoa(b.N), len(lat))
}
