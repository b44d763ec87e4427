package sqlite_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
)

func open(b *testing.B) *sqlite.Store {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkAppend64: 64 writers, one record per Append, durable (synchronous=FULL).
func BenchmarkAppend64(b *testing.B) { audittest.BenchAppend(b, open(b), 64, 1) }

// BenchmarkAppend64x16: 64 writers, 16 records per Append.
func BenchmarkAppend64x16(b *testing.B) { audittest.BenchAppend(b, open(b), 64, 16) }

// BenchmarkPlain512: the same rows through Store.Commit in batches of 512, no chain.
func BenchmarkPlain512(b *testing.B) { audittest.BenchPlain(b, open(b), 512) }

// BenchmarkPlain64: batches of 64 (what 64 single-record writers give the committer).
func BenchmarkPlain64(b *testing.B) { audittest.BenchPlain(b, open(b), 64) }

func BenchmarkVerify200k(b *testing.B) { audittest.BenchVerify(b, open(b), 200_000) }

// BenchmarkQuery10M keeps its database in REGMO_BENCH_DIR if set (reused
// across runs), else in a temporary directory.
func BenchmarkQuery10M(b *testing.B) {
	dir := os.Getenv("REGMO_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	s, err := sqlite.Open(filepath.Join(dir, "audit10m.db"), sqlite.WithCacheSize(1<<30))
	if err != nil {
		b.Fatal(err)
	}
	audittest.BenchQuery10M(b, s, 10_000_000)
}

// BenchmarkAppend64Normal: as BenchmarkAppend64 with synchronous=NORMAL
// (safe against process crashes, not against power loss).
func BenchmarkAppend64Normal(b *testing.B) {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"), sqlite.WithSynchronous("NORMAL"))
	if err != nil {
		b.Fatal(err)
	}
	audittest.BenchAppend(b, s, 64, 1)
}

// BenchmarkAppendLarge appends (64 writers, 1 and 16 records per Append)
// into the log at $REGMO_BENCH_APPEND_LOG, e.g. a copy of the cockpit's
// 10-million-record fixture (it grows the log):
//
//	cp /tmp/regmo-cockpit-bench/audit-10000000.db* /tmp/big/
//	REGMO_BENCH_APPEND_LOG=/tmp/big/audit-10000000.db go test -run '^$' -bench AppendLarge -benchtime 200000x ./audit/sqlite
func BenchmarkAppendLarge(b *testing.B) {
	path := os.Getenv("REGMO_BENCH_APPEND_LOG")
	if path == "" {
		b.Skip("set REGMO_BENCH_APPEND_LOG to a log to append into")
	}
	for _, per := range []int{1, 16} {
		b.Run(fmt.Sprintf("x%d", per), func(b *testing.B) {
			s, err := sqlite.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			audittest.BenchAppend(b, s, 64, per)
		})
	}
}
