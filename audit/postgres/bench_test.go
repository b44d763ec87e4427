package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/postgres"
)

func open(b *testing.B) *postgres.Store {
	s, err := postgres.Open(context.Background(), dsn(b), postgres.WithSchema(testSchema(b)))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkAppend64: 64 writers, one record per Append, durable (synchronous_commit=on).
func BenchmarkAppend64(b *testing.B) { audittest.BenchAppend(b, open(b), 64, 1) }

// BenchmarkAppend64x16: 64 writers, 16 records per Append.
func BenchmarkAppend64x16(b *testing.B) { audittest.BenchAppend(b, open(b), 64, 16) }

// BenchmarkPlain512: the same rows through Store.Commit (COPY) in batches of 512, no chain.
func BenchmarkPlain512(b *testing.B) { audittest.BenchPlain(b, open(b), 512) }

// BenchmarkPlain64: batches of 64.
func BenchmarkPlain64(b *testing.B) { audittest.BenchPlain(b, open(b), 64) }

func BenchmarkVerify200k(b *testing.B) { audittest.BenchVerify(b, open(b), 200_000) }

// BenchmarkQuery10M uses the schema REGMO_BENCH_SCHEMA if set (kept and
// reused across runs), else a temporary one.
func BenchmarkQuery10M(b *testing.B) {
	d := dsn(b)
	schema := os.Getenv("REGMO_BENCH_SCHEMA")
	if schema == "" {
		schema = testSchema(b)
	}
	s, err := postgres.Open(context.Background(), d, postgres.WithSchema(schema))
	if err != nil {
		b.Fatal(err)
	}
	audittest.BenchQuery10M(b, s, 10_000_000)
}
