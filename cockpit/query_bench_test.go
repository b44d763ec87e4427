package cockpit_test

import (
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
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
				var failed atomic.Int64
				runLatency(b, workers, 5, "queries/s", func() func(id idnr.IDNr) {
					return func(id idnr.IDNr) {
						p, err := l.Query(b.Context(), a, audit.Query{IDNr: id, Limit: 1000})
						if err != nil || len(p.Records) != fx.perHeavy {
							failed.Add(1)
						}
					}
				}, fx.heavy)
				if n := failed.Load(); n > 0 {
					b.Fatalf("%d queries failed or returned the wrong number of records", n)
				}
			})
		}
	}
}
