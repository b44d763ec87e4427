package sqlregister_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Composite keys: a register keyed by (gemeinde TEXT, lfd_nr INTEGER), as
// a Gemeindekennzahl and a running number.

// keyEscaper writes a text part of a composite key.
var keyEscaper = strings.NewReplacer(`\`, `\\`, `/`, `\/`)

// hostileKey is the key of record i of population in a composite-keyed
// register whose text part holds the separator and the escape character:
// gemeinde `0916\iii/A` (one per 50 records), lfd_nr 7*(i%50) (gaps, and
// an order that differs from the text order: 14 < 105). Keys are in the
// order of i.
func hostileKey(i int) registers.Key {
	return registers.Key(keyEscaper.Replace(fmt.Sprintf(`0916\%03d/A`, i/50)) + "/" + strconv.Itoa(7*(i%50)))
}

// createComposite makes a table with the layout of sqlregister.CreateTable
// but keyed by (gemeinde, lfd_nr).
func createComposite(t testing.TB, db *sql.DB, table string) {
	t.Helper()
	cols := []string{"gemeinde VARCHAR(20) NOT NULL", "lfd_nr INTEGER NOT NULL"}
	for _, f := range sqlregister.FieldTokens() {
		cols = append(cols, f+" TEXT")
	}
	cols = append(cols, "PRIMARY KEY (gemeinde, lfd_nr)")
	_, err := db.ExecContext(context.Background(), "CREATE TABLE "+table+" ("+strings.Join(cols, ", ")+")")
	require.NoError(t, err)
}

// compositeDialects runs f with an opener of composite-keyed registers on
// SQLite and (if REGMO_TEST_POSTGRES_DSN is set) PostgreSQL, each with
// its own database or schema (each call opens a handle of its own, as
// another process would).
func compositeDialects(t *testing.T, f func(t *testing.T, d sqlregister.Dialect, open func() *sqlregister.Register)) {
	cfg := func(d sqlregister.Dialect, table string) sqlregister.Config {
		return sqlregister.Config{Dialect: d, Table: table, KeyColumns: []string{"gemeinde", "lfd_nr"}, Columns: sqlregister.DefaultColumns()}
	}
	t.Run("sqlite", func(t *testing.T) {
		ctx := context.Background()
		db, err := sqlregister.OpenSQLite(filepath.Join(t.TempDir(), "reg.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		createComposite(t, db, "einwohner")
		f(t, sqlregister.SQLite, func() *sqlregister.Register {
			r, err := sqlregister.New(ctx, db, cfg(sqlregister.SQLite, "einwohner"))
			require.NoError(t, err)
			return r
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("REGMO_TEST_POSTGRES_DSN is not set")
		}
		ctx := context.Background()
		admin, err := sqlregister.OpenPostgres(ctx, dsn)
		require.NoError(t, err)
		schema := fmt.Sprintf("regmo_composite_%d", rand.Uint64()%1e12)
		_, err = admin.ExecContext(ctx, "CREATE SCHEMA "+schema)
		require.NoError(t, err)
		t.Cleanup(func() {
			_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		})
		createComposite(t, admin, schema+".einwohner")
		f(t, sqlregister.PostgreSQL, func() *sqlregister.Register {
			db, err := sqlregister.OpenPostgres(ctx, dsn)
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			r, err := sqlregister.New(ctx, db, cfg(sqlregister.PostgreSQL, schema+".einwohner"))
			require.NoError(t, err)
			return r
		})
	})
}

// compositePopulation is population(n) with the keys hostileKey(i).
func compositePopulation(t testing.TB, n int) (map[string]idnr.Person, []registers.Entry) {
	truth, reg := population(t, n)
	for i := range reg {
		reg[i].Key = hostileKey(i + 1)
	}
	return truth, reg
}

func insertAll(t testing.TB, r *sqlregister.Register, entries []registers.Entry) {
	t.Helper()
	for i := 0; i < len(entries); i += 5000 {
		require.NoError(t, r.Insert(context.Background(), entries[i:min(i+5000, len(entries))]))
	}
}

// The workbench's conformance test (review.Store) on a composite key whose
// text part holds "/" and "\": decisions, history, the duplicate's holder,
// search again, the work list in key order.
func TestReviewCompositeKey(t *testing.T) {
	compositeDialects(t, func(t *testing.T, _ sqlregister.Dialect, open func() *sqlregister.Register) {
		truth, entries := compositePopulation(t, 300)
		r := open()
		insertAll(t, r, entries)
		testReview(t, r, truth, entries[0].Person, hostileKey)
	})
}

// A full fill of a composite-keyed register, in the tuple's order (an
// integer part orders as a number, gaps do not stop the paging); a rerun
// reads nobody; cases, the CSV, WrittenIDNrs, ByIDNr and MessageOf carry
// the key as the register shows it; Reopen by key makes one record
// pending again and the next run reads exactly it.
func TestBackfillCompositeKey(t *testing.T) {
	compositeDialects(t, func(t *testing.T, _ sqlregister.Dialect, open func() *sqlregister.Register) {
		ctx := context.Background()
		truth, entries := compositePopulation(t, 1000)
		r := open()
		insertAll(t, r, entries)

		// Paging in the tuple's order, across gaps and escapes.
		var keys []registers.Key
		after := registers.Key("")
		for {
			page, err := r.Next(ctx, after, 37)
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				keys = append(keys, e.Key)
			}
			after = page[len(page)-1].Key
		}
		want := make([]registers.Key, len(entries))
		for i := range entries {
			want[i] = entries[i].Key
		}
		require.Equal(t, want, keys, "every record once, in (gemeinde, lfd_nr) order")
		vals, err := r.ParseKey(keys[14]) // record 15
		require.NoError(t, err)
		assert.Equal(t, []any{`0916\000/A`, int64(105)}, vals)
		range1, err := r.NextRange(ctx, hostileKey(10), hostileKey(60), 1000)
		require.NoError(t, err)
		require.Len(t, range1, 50)
		assert.Equal(t, hostileKey(11), range1[0].Key)
		assert.Equal(t, hostileKey(60), range1[49].Key)

		fake := &fakeIDA{truth: truth, sent: map[string]int{}}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: fake, Matcher: fakeMatcher, BatchSize: 64, Workers: 3})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1000, rep.People)
		assert.Equal(t, 40, rep.Outcomes["no_search"])
		assert.Equal(t, 80, rep.Outcomes["review"])
		cp, err := r.Checkpoint(ctx, "backfill")
		require.NoError(t, err)
		assert.Equal(t, hostileKey(1000), cp)
		for id, n := range fake.sent {
			require.Equal(t, 1, n, "IDNr ...%s sent %d times", id[8:], n)
		}

		// A rerun reads and sends nobody.
		calls := fake.calls
		rep2, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Zero(t, rep2.People)
		assert.Equal(t, calls, fake.calls)

		// The written IDNrs, paged by key, each with its message.
		var written []registers.WrittenIDNr
		after = ""
		for {
			ws, err := r.WrittenIDNrs(ctx, after, 100)
			require.NoError(t, err)
			if len(ws) == 0 {
				break
			}
			written = append(written, ws...)
			after = ws[len(ws)-1].Key
		}
		require.Len(t, written, rep.Outcomes["accepted"])
		for _, w := range written {
			e, ok, err := r.ByIDNr(ctx, w.IDNr)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, w.Key, e.Key)
			msg, err := r.MessageOf(ctx, w.Key)
			require.NoError(t, err)
			assert.Equal(t, w.MessageID, msg)
		}

		// The cases in key order, with their review entries joined by key.
		var cases []registers.Case
		require.NoError(t, r.Cases(ctx, func(c registers.Case) error { cases = append(cases, c); return nil }))
		require.Equal(t, 120, len(cases))
		scored := 0
		for _, c := range cases {
			if c.Outcome == registers.Review {
				assert.Equal(t, 3.5, c.Score, "the review entry of %s is joined", c.Key)
				assert.NotEmpty(t, c.MessageID)
				scored++
			}
		}
		assert.Equal(t, 80, scored)
		c, ok, err := r.ReviewCase(ctx, hostileKey(10))
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, truth[searchKey(&entries[9].Person)].IDNr, c.Candidate.IDNr)
		var buf bytes.Buffer
		require.NoError(t, registers.WriteCasesCSV(ctx, &buf, r))
		rows, err := csv.NewReader(&buf).ReadAll()
		require.NoError(t, err)
		require.Equal(t, 1+120, len(rows))
		assert.Equal(t, string(hostileKey(10)), rows[1][0], "the CSV prints the key as the register shows it")

		// Reopen by key: exactly that record is read again.
		n, err := r.Reopen(ctx, sqlregister.ReopenFilter{Keys: []registers.Key{hostileKey(25)}})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		_, ok, err = r.ReviewCase(ctx, hostileKey(10))
		require.NoError(t, err)
		assert.True(t, ok, "other cases keep their review entries")
		pending, err := r.Next(ctx, "", 10)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		assert.Equal(t, hostileKey(25), pending[0].Key)
		rep3, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, rep3.People)
		assert.Equal(t, 1, rep3.Outcomes["no_search"])

		// Malformed keys are typed errors naming the key column.
		for _, bad := range []registers.Key{"09162000", `0916\000\/A/x`, "a/1/2", `x\`} {
			_, err := r.Reopen(ctx, sqlregister.ReopenFilter{Keys: []registers.Key{bad}})
			var ke *sqlregister.KeyError
			require.ErrorAs(t, err, &ke, "%q", bad)
			assert.ErrorIs(t, err, sqlregister.ErrKey)
			assert.NotEmpty(t, ke.Column)
			_, err = r.MessageOf(ctx, bad)
			require.ErrorIs(t, err, sqlregister.ErrKey)
			_, err = r.Next(ctx, bad, 1)
			require.ErrorIs(t, err, sqlregister.ErrKey)
		}
		_, err = r.MessageOf(ctx, "0916/x")
		var ke *sqlregister.KeyError
		require.ErrorAs(t, err, &ke)
		assert.Equal(t, "lfd_nr", ke.Column)
	})
}

// Two workers, each with its own handle (its own connection pool on
// PostgreSQL, as two processes would have), share a composite-keyed
// register by leasing key ranges whose bounds are composite keys: every
// person is transferred exactly once and nobody is left pending.
func TestLeasesCompositeKey(t *testing.T) {
	compositeDialects(t, func(t *testing.T, _ sqlregister.Dialect, open func() *sqlregister.Register) {
		ctx := context.Background()
		truth, entries := compositePopulation(t, 2000)
		insertAll(t, open(), entries)
		fake := &fakeIDA{truth: truth, sent: map[string]int{}}
		reps := twoLeaseWorkers(ctx, t, open, fake, 50, 100)
		assert.Equal(t, 2000, reps[0].People+reps[1].People, "nothing skipped, nothing twice")
		assert.Equal(t, 21, reps[0].Leases+reps[1].Leases, "20 ranges of 100 keys and the open-ended tail")
		for id, n := range fake.sent {
			require.Equal(t, 1, n, "IDNr ...%s sent %d times", id[8:], n)
		}
		assert.Equal(t, 2000-80, len(fake.sent)) // every searchable person (all but the 80 without a search) once
		counts, err := open().Counts(ctx)
		require.NoError(t, err)
		assert.Zero(t, counts[registers.OutcomePending])
	})
}

// A run stopped mid-way (the batches whose answers arrived are written
// with the checkpoint, a composite key) resumes after the checkpoint in
// a new process: everyone is settled, nobody transferred twice.
func TestResumeCompositeKey(t *testing.T) {
	compositeDialects(t, func(t *testing.T, _ sqlregister.Dialect, open func() *sqlregister.Register) {
		truth, entries := compositePopulation(t, 3000)
		r := open()
		insertAll(t, r, entries)
		ctx, cancel := context.WithCancel(context.Background())
		fake := &fakeIDA{truth: truth, sent: map[string]int{}}
		fake.fail = func(call int) error {
			if call == 5 {
				cancel()
			}
			return nil
		}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: fake, Matcher: fakeMatcher, BatchSize: 100, Workers: 3})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, rep.People, 3000)
		cp, err := r.Checkpoint(context.Background(), "backfill")
		require.NoError(t, err)
		vals, err := r.ParseKey(cp)
		require.NoError(t, err, "the checkpoint %q is a key of the register", cp)
		require.Len(t, vals, 2)

		fake.fail = nil
		r2 := open() // a new process
		bf2, err := registers.NewBackfill(registers.BackfillConfig{Register: r2, IDA: fake, Matcher: fakeMatcher, BatchSize: 100, Workers: 3})
		require.NoError(t, err)
		rep2, err := bf2.Run(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 3000, rep.People+rep2.People)
		for id, n := range fake.sent {
			require.Equal(t, 1, n, "IDNr ...%s sent %d times", id[8:], n)
		}
		counts, err := r2.Counts(context.Background())
		require.NoError(t, err)
		assert.Zero(t, counts[registers.OutcomePending])
	})
}

// The key's configuration: Key or KeyColumns (not both), IntegerKey only
// for one column, every key column checked against the table.
func TestCompositeKeyConfig(t *testing.T) {
	ctx := context.Background()
	db, err := sqlregister.OpenSQLite(filepath.Join(t.TempDir(), "reg.db"))
	require.NoError(t, err)
	defer db.Close()
	createComposite(t, db, "einwohner")
	_, err = db.Exec("CREATE TABLE ohne_pk (gemeinde TEXT NOT NULL, lfd_nr INTEGER NOT NULL, family_name TEXT, birth_date TEXT)")
	require.NoError(t, err)
	base := sqlregister.Config{Dialect: sqlregister.SQLite, Table: "einwohner", Columns: sqlregister.DefaultColumns()}
	for name, c := range map[string]struct {
		change func(*sqlregister.Config)
		want   string
	}{
		"both":              {func(c *sqlregister.Config) { c.Key = "gemeinde"; c.KeyColumns = []string{"gemeinde", "lfd_nr"} }, "set Key or KeyColumns, not both"},
		"none":              {func(c *sqlregister.Config) {}, "Key (or KeyColumns) is required"},
		"integer composite": {func(c *sqlregister.Config) { c.KeyColumns = []string{"gemeinde", "lfd_nr"}; c.IntegerKey = true }, "IntegerKey is for a one-column key"},
		"twice":             {func(c *sqlregister.Config) { c.KeyColumns = []string{"gemeinde", "GEMEINDE"} }, "named twice"},
		"injection":         {func(c *sqlregister.Config) { c.KeyColumns = []string{"gemeinde", `lfd_nr"--`} }, "KeyColumns[1]"},
		"missing column":    {func(c *sqlregister.Config) { c.KeyColumns = []string{"gemeinde", "lfd"} }, `column "lfd" (key): column does not exist`},
		"not unique": {func(c *sqlregister.Config) {
			c.Table, c.KeyColumns, c.Columns = "ohne_pk", []string{"gemeinde", "lfd_nr"}, sqlregister.Columns{FamilyName: "family_name", BirthDate: "birth_date"}
		}, "key has no primary key or unique index"},
		"part of the key": {func(c *sqlregister.Config) { c.Key = "gemeinde" }, "key has no primary key or unique index"},
		"rowid":           {func(c *sqlregister.Config) { c.KeyColumns = []string{"gemeinde", "rowid"} }, "system column"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := base
			c.change(&cfg)
			_, err := sqlregister.New(ctx, db, cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	// Key columns in another order than the primary key's are a key too
	// (records are then read in that order).
	cfg := base
	cfg.KeyColumns = []string{"lfd_nr", "gemeinde"}
	r, err := sqlregister.New(ctx, db, cfg)
	require.NoError(t, err)
	assert.Equal(t, []string{"lfd_nr", "gemeinde"}, r.KeyColumns())
	k, err := r.FormatKey(4711, "09162000")
	require.NoError(t, err)
	assert.Equal(t, registers.Key("4711/09162000"), k)
}
