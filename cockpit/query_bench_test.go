package cockpit_test

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
)

// BenchmarkAuditQuery measures audit.Log.Query alone (no TLS, HTTP or
// codec) on the logs of BenchmarkCockpitLoad: one person with 200 records
// per query, including the durable read-access entry, from 1 and 16
// concurrent goroutines; it reports p50 and p99.
//
//	REGMO_BENCH_10M=1 go test -run '^$' -bench 'AuditQuery/10M' -benchtime 3000x -timeout 3h ./cockpit
func BenchmarkAuditQuery(b *testing.B) {
	for _, size := range []struct {
		name  string
		total int
	}{{"100k", 100_000}, {"10M", 10_000_000}} {
		for _, workers := range []int{1, 16} {
			b.Run(size.name+"/workers="+strconv.Itoa(workers), func(b *testing.B) {
				if size.total > 100_000 && os.Getenv("REGMO_BENCH_10M") != "1" {
					b.Skip("set REGMO_BENCH_10M=1 to build (once, minutes) and query a 10-million-record log")
				}
				l, fx := benchLog(b, size.total)
				a := audit.Access{Who: "dsc-gateway", Purpose: audit.Datenschutzcockpit}
				lat := make([]time.Duration, b.N)
				var next atomic.Int64
				var failed atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for w := range workers {
					wg.Go(func() {
						rng := rand.New(rand.NewPCG(uint64(w), 5))
						for {
							i := next.Add(1) - 1
							if i >= int64(b.N) {
								return
							}
							id := fx.heavy[rng.IntN(len(fx.heavy))]
							t0 := time.Now()
							p, err := l.Query(b.Context(), a, audit.Query{IDNr: id, Limit: 1000})
							lat[i] = time.Since(t0)
							if err != nil || len(p.Records) != fx.perHeavy {
								failed.Add(1)
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				if n := failed.Load(); n > 0 {
					b.Fatalf("%d queries failed or returned the wrong number of records", n)
				}
				slices.Sort(lat)
				q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
				b.ReportMetric(q(0.50), "p50-ms")
				b.ReportMetric(q(0.99), "p99-ms")
				b.ReportMetric(q(1), "max-ms")
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "queries/s")
			})
		}
	}
}
