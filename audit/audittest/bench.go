package audittest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

// BenchAppend measures durable appends by writers concurrent goroutines,
// each appending batch records per call, and reports records per second
// and the mean records per commit.
func BenchAppend(b *testing.B, st audit.Store, writers, batch int) {
	l, err := audit.New(context.Background(), st, audit.Options{SigningKey: Key})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	recs := make([]audit.Record, 1024)
	for i := range recs {
		recs[i] = NewRecord(i, time.Time{})
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			buf := make([]audit.Record, batch)
			for {
				n := next.Add(int64(batch))
				if n > int64(b.N) {
					return
				}
				for i := range buf {
					buf[i] = recs[(int(n)+i)%len(recs)]
					buf[i].ID = uuid.UUID{}
				}
				if err := l.Append(context.Background(), buf...); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	flush(b, st)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rec/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "rec/cpu-s")
}

// BenchPlain measures the same kind of rows written straight through the
// store's Commit, in batches of batch rows, by one loop, without hashing,
// chaining or the committer: the baseline for the chain's cost.
func BenchPlain(b *testing.B, st audit.Store, batch int) {
	defer st.Close()
	rows := make([]audit.Row, batch)
	data := make([][]byte, 1024)
	keys := make([]int64, 1024) // the same 1,024 persons as BenchAppend's
	for i := range data {
		keys[i] = audit.IDNrKey(IDNr(i))
		r := NewRecord(i, time.Now())
		r.ID = uuid.New()
		data[i], _ = audit.EncodeRecord(&r)
	}
	seq := int64(0)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for done := 0; done < b.N; done += batch {
		for i := range rows {
			seq++
			// Time-ordered IDs (version 7), as the log gives records
			// without one: the ID index grows at its right edge.
			rows[i] = audit.Row{ID: uuid.Must(uuid.NewV7()), Seq: seq, Segment: 1, Time: seq, IDNr: keys[seq%1024], Data: data[seq%1024]}
		}
		if err := st.Commit(context.Background(), rows, nil); err != nil {
			b.Fatal(err)
		}
	}
	flush(b, st)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rec/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "rec/cpu-s")
}

// flush lets a store that indexes in the background (audit/sqlite) finish
// that work inside the timed span, so that the figure is what it sustains.
func flush(b *testing.B, st audit.Store) {
	if f, ok := st.(interface{ Flush(context.Context) error }); ok {
		if err := f.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Fill appends records from..n-1 for persons 0..persons-1 (record i
// belongs to person i % persons, so each person's records are spread over
// the log) through the log's own batched append path, with small records
// (a content reference instead of content). A fill that was interrupted
// resumes with from = the log's size.
func Fill(ctx context.Context, l *audit.Log, from, n, persons int) error {
	const batch = 8192
	tpl := make([]audit.Record, persons)
	for p := range tpl {
		tpl[p] = NewRecord(p, time.Time{})
		tpl[p].Content, tpl[p].ContentRef = nil, "store://contents/2026/03"
	}
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			buf := make([]audit.Record, batch)
			for {
				start := int(next.Add(batch)) - batch
				if start >= n {
					return
				}
				m := min(batch, n-start)
				for i := range m {
					buf[i] = tpl[(start+i)%persons]
					buf[i].ID = uuid.UUID{}
				}
				if err := l.Append(ctx, buf[:m]...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchVerify measures Verify over a log of n records and reports records
// per second.
func BenchVerify(b *testing.B, st audit.Store, n int) {
	l, err := audit.New(context.Background(), st, audit.Options{SigningKey: Key, MaxBatch: 32768})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := Fill(context.Background(), l, 0, n, 1000); err != nil {
		b.Fatal(err)
	}
	flush(b, st) // a background indexer would take a core from Verify
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		rep, err := l.Verify(context.Background())
		if err != nil || rep.Records != int64(n) {
			b.Fatal(err, rep.Records)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rec/s")
	// On a shared machine the wall time says little; this is what one
	// core of this process did per second of its own CPU time.
	b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rec/cpu-s")
}

// BenchQuery10M fills a log with n records of n/200 persons (200 each)
// unless it holds them already, then measures Query for random persons
// (all 200 records in one page) and reports p50 and p99 latency. It runs
// only when REGMO_BENCH_10M=1.
func BenchQuery10M(b *testing.B, st audit.Store, n int) {
	if os.Getenv("REGMO_BENCH_10M") != "1" {
		b.Skip("set REGMO_BENCH_10M=1 to run the 10-million-record benchmark")
	}
	ctx := context.Background()
	l, err := audit.New(ctx, st, audit.Options{SigningKey: Key, MaxBatch: 32768})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	persons := n / 200
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if cp.Size < int64(n) {
		start := time.Now()
		if err := Fill(ctx, l, int(cp.Size), n, persons); err != nil {
			b.Fatal(err)
		}
		m := n - int(cp.Size)
		b.Logf("filled %d records (from %d to %d) in %v (%.0f rec/s)", m, cp.Size, n, time.Since(start), float64(m)/time.Since(start).Seconds())
		start = time.Now()
		rep, err := l.Verify(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("verified %d records in %v (%.0f rec/s)", rep.Records, time.Since(start), float64(rep.Records)/time.Since(start).Seconds())
	}
	// Query only persons whose synthetic number is unique (IDNr may collide).
	seen := make(map[int64]int, persons)
	for p := range persons {
		seen[audit.IDNrKey(IDNr(p))]++
	}
	var unique []int
	for p := range persons {
		if seen[audit.IDNrKey(IDNr(p))] == 1 {
			unique = append(unique, p)
		}
	}
	b.Logf("%d of %d persons have a unique number", len(unique), persons)
	a := audit.Access{Who: "dsc-gateway", Purpose: audit.Datenschutzcockpit}
	r := rand.New(rand.NewPCG(1, 2))
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t := time.Now()
		p, err := l.Query(ctx, a, audit.Query{IDNr: IDNr(unique[r.IntN(len(unique))]), Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
		if len(p.Records) < 199 || len(p.Records) > 201 { // 199..201 in a log whose fill was resumed before Fill took an offset
			b.Fatalf("got %d records, want 200", len(p.Records))
		}
	}
	b.StopTimer()
	q := func(lat []time.Duration, f float64) float64 {
		slices.Sort(lat)
		return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(lat, 0.5), "p50-ms")
	b.ReportMetric(q(lat, 0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	// The same reads without recording the access (a durable write), to
	// show what the index read costs and what the fsync of the access log.
	read := make([]time.Duration, 0, len(lat))
	for range len(lat) {
		t := time.Now()
		rows, err := st.Records(ctx, audit.IDNrKey(IDNr(unique[r.IntN(len(unique))])), 0, 1<<62, 1<<62, 1000)
		if err != nil || len(rows) < 199 || len(rows) > 201 {
			b.Fatal(err, len(rows))
		}
		read = append(read, time.Since(t))
	}
	b.ReportMetric(q(read, 0.5), "read-p50-ms")
	b.ReportMetric(q(read, 0.99), "read-p99-ms")
	_ = fmt.Sprint()
}
