package cockpit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/postgres"
)

// With REGMO_TEST_POSTGRES_DSN set, every real-store test also runs on
// PostgreSQL, each in a schema of its own ("cockpit_test_<random>") that is
// dropped afterwards.
func init() {
	dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
	if dsn == "" {
		return
	}
	openPostgres = func(t testing.TB) audit.Store {
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "cockpit_test_" + hex.EncodeToString(b[:])
		s, err := postgres.Open(t.Context(), dsn, postgres.WithSchema(schema))
		require.NoError(t, err)
		t.Cleanup(func() {
			s.Close()
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				t.Errorf("dropping schema %s: %v", schema, err)
				return
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
				t.Errorf("dropping schema %s: %v", schema, err)
			}
		})
		return s
	}
}
