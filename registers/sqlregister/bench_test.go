package sqlregister_test

import (
	"context"
	"testing"

	"github.com/regmo/regmo/registers"
)

// BenchmarkBackfillRegisterOnly measures the engine and the SQLite register
// without IDA and protocol (a fake answers instantly): the register's share
// of the end-to-end cost. One iteration fills 20,000 people.
func BenchmarkBackfillRegisterOnly(b *testing.B) {
	truth, reg := population(b, 20000)
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		b.StopTimer()
		r, _ := newSQLiteRegister(b, reg)
		ida := &fakeIDA{truth: truth, sent: map[string]int{}}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: 1000, Workers: 4})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := bf.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		total += rep.People
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "people/s")
}
