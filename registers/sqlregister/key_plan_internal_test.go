package sqlregister

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The keyset paging of a composite key, "(gemeinde, lfd_nr) > (?, ?)
// ORDER BY gemeinde, lfd_nr LIMIT ?", walks the primary key's index in
// both databases: the row value is the index's range condition, and no
// sort step follows.
func TestCompositeKeyPagingUsesIndex(t *testing.T) {
	ctx := context.Background()
	table := `(gemeinde VARCHAR(8) NOT NULL, lfd_nr INTEGER NOT NULL, familienname TEXT, geburtsdatum TEXT, PRIMARY KEY (gemeinde, lfd_nr))`
	cfg := func(d Dialect, tbl string) Config {
		return Config{Dialect: d, Table: tbl, KeyColumns: []string{"gemeinde", "lfd_nr"}, Columns: Columns{FamilyName: "familienname", BirthDate: "geburtsdatum"}}
	}
	t.Run("sqlite", func(t *testing.T) {
		db, err := OpenSQLite(filepath.Join(t.TempDir(), "reg.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("CREATE TABLE einwohner " + table); err != nil {
			t.Fatal(err)
		}
		r, err := New(ctx, db, cfg(SQLite, "einwohner"))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{r.nextSQL[1], r.nextSQL[3], r.syncSQL[1]} {
			rows, err := db.Query("EXPLAIN QUERY PLAN "+q, make([]any, strings.Count(q, "?"))...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			p := strings.Join(plan, "; ")
			t.Logf("%s", p)
			if !strings.Contains(p, "USING INDEX sqlite_autoindex_einwohner_1 ((gemeinde,lfd_nr)>(?,?)") || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("plan %q: want a range search on the primary key's index and no sort", p)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("REGMO_TEST_POSTGRES_DSN is not set")
		}
		db, err := OpenPostgres(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		schema := fmt.Sprintf("regmo_plan_%d", rand.Uint64()%1e12)
		if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
		defer db.Exec("DROP SCHEMA " + schema + " CASCADE")
		if _, err := db.Exec("CREATE TABLE " + schema + ".einwohner " + table); err != nil {
			t.Fatal(err)
		}
		// 20,000 records in 100 Gemeinden, analysed: the planner's own
		// choice, nothing forced.
		if _, err := db.Exec("INSERT INTO " + schema + ".einwohner SELECT lpad((9162000 + g)::text, 8, '0'), n, 'X', '1980-01-01' FROM generate_series(1, 100) g, generate_series(1, 200) n"); err != nil {
			t.Fatal(err)
		}
		r, err := New(ctx, db, cfg(PostgreSQL, schema+".einwohner"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("ANALYZE " + schema + ".einwohner"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    string
			args []any
		}{
			{r.nextSQL[1], []any{"09162050", 17, 1000}},
			{r.nextSQL[3], []any{"09162050", 17, "09162060", 4, 1000}},
		} {
			rows, err := db.Query("EXPLAIN "+c.q, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, strings.TrimSpace(line))
			}
			rows.Close()
			p := strings.Join(plan, "; ")
			t.Logf("%s", p)
			if !strings.Contains(p, "Index Scan using einwohner_pkey") || !strings.Contains(strings.ReplaceAll(p, "((ROW(", "(ROW("), "Index Cond: (ROW((gemeinde)::text, lfd_nr) > ROW(") || strings.Contains(p, "Sort") {
				t.Errorf("plan %q: want an index scan of the primary key on the row value and no sort", p)
			}
		}
	})
}
