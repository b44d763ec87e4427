package registers_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/regmo/regmo/registers"
)

// BenchmarkBackfill measures the whole stack end to end: SQLite register,
// ida client over the in-process mock BVA, durable § 9 protocol on SQLite,
// idnr/match. One iteration fills a fresh register of 10,000 people;
// people/s is reported.
func BenchmarkBackfill(b *testing.B) {
	const n = 10000
	w := makeWorld(3, n)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	total := 0
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		reg, db := openSQLiteRegister(b, filepath.Join(dir, "reg"+strconv.Itoa(i)+".db"))
		insertAll(b, reg, w.entries)
		s := newStack(b, w.truth, filepath.Join(dir, "audit.db"))
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: reg, IDA: s.client, Auth: s.auth, Matcher: theMatcher, BatchSize: 1000, Workers: 4,
			FallbackAfterNotIdentifiable: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := bf.Run(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		total += rep.People
		s.close()
		db.Close()
		i++
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "people/s")
}
