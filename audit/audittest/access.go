package audittest

import (
	"context"
	"sync"
	"testing"

	"github.com/regmo/regmo/audit"
)

func init() {
	register("ConcurrentQueries", testConcurrentQueries)
}

// testConcurrentQueries: queries from many goroutines share group-committed
// access-log transactions, and every one of them is recorded exactly once.
func testConcurrentQueries(t *testing.T, h Harness) {
	ctx := context.Background()
	l := open(t, h, NewClock(t0))
	defer l.Close()
	for p := range 4 {
		for range 3 {
			must(t, l.Append(ctx, NewRecord(p, t0)), "append")
		}
	}
	const n = 48
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			a := audit.Access{Who: "dsc-gateway", Purpose: audit.Datenschutzcockpit, Reason: "q"}
			p, err := l.Query(ctx, a, audit.Query{IDNr: IDNr(i % 4)})
			if err == nil && len(p.Records) != 3 {
				t.Errorf("query %d: %d records, want 3", i, len(p.Records))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err, "concurrent query")
	}
	p, err := l.Accesses(ctx, dpo, audit.AccessQuery{Limit: 1000})
	must(t, err, "accesses")
	if len(p.Entries) != n {
		t.Fatalf("access log has %d entries, want %d", len(p.Entries), n)
	}
	seen := make(map[int64]bool)
	for _, e := range p.Entries {
		if e.Who != "dsc-gateway" || e.Count != 3 || seen[e.ID] {
			t.Fatalf("access entry %+v (duplicate ID: %v)", e, seen[e.ID])
		}
		seen[e.ID] = true
	}
}
