package sqlregister_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/require"
)

// A vendor-shaped register: German column names, the register's own
// formats (birth date "TT.MM.JJJJ", an integer postcode, sex codes "1"/"2"),
// an existing IDNr column, narrow varchar columns.

type vendorDB struct {
	db      *sql.DB
	dialect sqlregister.Dialect
	table   string // qualified on PostgreSQL
}

// dialects runs f once on SQLite and once on PostgreSQL (if
// REGMO_TEST_POSTGRES_DSN is set).
func dialects(t *testing.T, f func(t *testing.T, v *vendorDB)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlregister.OpenSQLite(filepath.Join(t.TempDir(), "reg.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		f(t, &vendorDB{db: db, dialect: sqlregister.SQLite, table: "einwohner"})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("REGMO_TEST_POSTGRES_DSN is not set")
		}
		ctx := context.Background()
		db, err := sqlregister.OpenPostgres(ctx, dsn)
		require.NoError(t, err)
		schema := fmt.Sprintf("regmo_vendor_%d", rand.Uint64()%1e12)
		_, err = db.ExecContext(ctx, "CREATE SCHEMA "+schema)
		require.NoError(t, err)
		t.Cleanup(func() {
			_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			db.Close()
		})
		f(t, &vendorDB{db: db, dialect: sqlregister.PostgreSQL, table: schema + ".einwohner"})
	})
}

// create makes the vendor table; extra are further column definitions
// (e.g. a unique constraint).
func (v *vendorDB) create(t *testing.T, key string, extra ...string) {
	t.Helper()
	intT := "BIGINT"
	if v.dialect == sqlregister.SQLite {
		intT = "INTEGER"
	}
	cols := []string{
		key,
		"familienname VARCHAR(40) NOT NULL",
		"vornamen VARCHAR(60)",
		"geburtsdatum VARCHAR(10)",
		"geburtsort VARCHAR(40)",
		"geschlecht CHAR(1)",
		"strasse VARCHAR(40)",
		"hausnr VARCHAR(6)",
		"plz " + intT,
		"ort VARCHAR(5)",
		"steuer_id VARCHAR(20)",
		"bemerkung VARCHAR(40)",
	}
	cols = append(cols, extra...)
	if v.dialect == sqlregister.SQLite {
		// SQLite does not enforce VARCHAR lengths; a CHECK stands in.
		cols = append(cols, "CHECK (length(ort) <= 5)")
	}
	_, err := v.db.Exec("CREATE TABLE " + v.table + " (" + strings.Join(cols, ", ") + ")")
	require.NoError(t, err)
}

// vendorColumns is the vendor's mapping (without the key).
func vendorColumns() sqlregister.Columns {
	return sqlregister.Columns{FamilyName: "familienname", GivenNames: "vornamen", BirthDate: "geburtsdatum", BirthPlace: "geburtsort",
		Sex: "geschlecht", Street: "strasse", HouseNumber: "hausnr", PostalCode: "plz", City: "ort"}
}

func (v *vendorDB) config(key string) sqlregister.Config {
	return sqlregister.Config{Dialect: v.dialect, Table: v.table, Key: key, IDNr: "steuer_id", Columns: vendorColumns()}
}

// exec runs a statement with "?" placeholders (rewritten to $n on
// PostgreSQL).
func (v *vendorDB) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	_, err := v.db.Exec(v.rebind(q), args...)
	require.NoError(t, err)
}

func (v *vendorDB) rebind(q string) string {
	if v.dialect != sqlregister.PostgreSQL {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// row inserts one vendor record: key, family name, given names, birth date
// text, sex code, postcode (integer or nil), city, IDNr column (any).
func (v *vendorDB) row(t *testing.T, key int, family, given, birth, sex string, plz any, city string, steuerID any) {
	t.Helper()
	v.exec(t, "INSERT INTO "+v.table+" (ordnr, familienname, vornamen, geburtsdatum, geburtsort, geschlecht, strasse, hausnr, plz, ort, steuer_id, bemerkung)"+
		" VALUES (?, ?, ?, ?, 'Köln', ?, 'Hauptstr.', '1', ?, ?, ?, 'unberührt')", key, family, given, birth, sex, plz, city, steuerID)
}

// snapshot reads every column of every row as text, in key order (to check
// what was not to be written is byte-for-byte unchanged).
func (v *vendorDB) snapshot(t *testing.T, cols ...string) []string {
	t.Helper()
	rows, err := v.db.Query("SELECT " + strings.Join(cols, ", ") + " FROM " + v.table + " ORDER BY ordnr")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		parts := make([]string, len(cols))
		for i, x := range vals {
			parts[i] = fmt.Sprintf("%v:%q", x.Valid, x.String)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	require.NoError(t, rows.Err())
	return out
}

func sqlregisterNew(ctx context.Context, v *vendorDB, cfg sqlregister.Config) (*sqlregister.Register, error) {
	return sqlregister.New(ctx, v.db, cfg)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// project picks the columns want out of snapshot rows taken over cols.
func project(rows []string, cols, want []string) []string {
	out := make([]string, len(rows))
	for i, row := range rows {
		parts := strings.Split(row, "|")
		var keep []string
		for _, w := range want {
			for j, c := range cols {
				if c == w {
					keep = append(keep, parts[j])
				}
			}
		}
		out[i] = strings.Join(keep, "|")
	}
	return out
}
