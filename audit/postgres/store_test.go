package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/postgres"
)

// dsn returns the test database or skips the test when none is configured.
func dsn(t testing.TB) string {
	d := os.Getenv("REGMO_TEST_POSTGRES_DSN")
	if d == "" {
		t.Skip("REGMO_TEST_POSTGRES_DSN not set")
	}
	return d
}

// testSchema creates a unique schema name and drops the schema at cleanup.
func testSchema(t testing.TB) string {
	d := dsn(t)
	var b [6]byte
	rand.Read(b[:])
	name := "audit_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), d)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	return name
}

// placeholders rewrites ? to $1, $2, ...
func placeholders(q string) string {
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func harness(t *testing.T) audittest.Harness {
	d := dsn(t)
	schema := testSchema(t)
	var raw *pgx.Conn
	h := audittest.Harness{
		Open: func() (audit.Store, error) {
			return postgres.Open(context.Background(), d, postgres.WithSchema(schema), postgres.WithMaxConns(4))
		},
		Exec: func(q string, args ...any) error {
			if raw == nil {
				var err error
				if raw, err = pgx.Connect(context.Background(), d); err != nil {
					return err
				}
				t.Cleanup(func() { raw.Close(context.Background()) })
			}
			_, err := raw.Exec(context.Background(), placeholders(q), args...)
			return err
		},
	}
	s := pgx.Identifier{schema}.Sanitize() + "."
	h.Tables = audittest.Tables{Records: s + "audit_records", Anchors: s + "audit_anchors", Access: s + "audit_access",
		Transport: s + "audit_transport", Holds: s + "audit_holds"}
	return h
}

func TestConformance(t *testing.T) { audittest.Run(t, harness) }

func TestOpenErrors(t *testing.T) {
	if _, err := postgres.Open(context.Background(), "postgres://u:secretpw@127.0.0.1:1/x?connect_timeout=1", postgres.WithSchema("bad schema")); err == nil {
		t.Fatal("bad schema accepted")
	}
	_, err := postgres.Open(context.Background(), "postgres://u:secretpw@127.0.0.1:1/x?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "secretpw") {
		t.Fatalf("err = %v", err)
	}
}

func crashKills() int {
	if os.Getenv("REGMO_LONG") == "1" {
		return 25
	}
	return 5
}

func TestCrashChild(t *testing.T) {
	audittest.CrashChild(t, func() (audit.Store, error) {
		return postgres.Open(context.Background(), os.Getenv("REGMO_TEST_POSTGRES_DSN"), postgres.WithSchema(os.Getenv("AUDIT_CRASH_SCHEMA")))
	})
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	d := dsn(t)
	schema := testSchema(t)
	h := audittest.Harness{Open: func() (audit.Store, error) {
		return postgres.Open(context.Background(), d, postgres.WithSchema(schema))
	}}
	audittest.RunCrash(t, h, "TestCrashChild", crashKills(), []string{"AUDIT_CRASH_SCHEMA=" + schema})
}
