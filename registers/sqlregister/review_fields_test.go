package sqlregister_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReviewAcceptWritesDeliveredSQLite and ...Postgres: a clerk's Accept
// writes exactly what an automatic Accept of the same answer writes,
// fields the BVA delivered empty included (they clear the register's
// column); a case queued before the review queue kept the delivered
// fields (fields NULL) writes the candidate's non-empty fields, as before.
// Before the fields were kept, the doctoral degree and the former names of
// record 1 stayed in the register.
func TestReviewAcceptWritesDeliveredSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "register.db")
	db, err := sqlregister.OpenSQLite(path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	require.NoError(t, sqlregister.CreateTable(ctx, db, sqlregister.SQLite, "people"))
	testAcceptWritesDelivered(t, db, sqlregister.SQLite, "people", `regmo_review`)
}

func TestReviewAcceptWritesDeliveredPostgres(t *testing.T) {
	dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("REGMO_TEST_POSTGRES_DSN is not set")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("regmo_fields_%d", rand.Uint64()%1e12)
	db, err := sqlregister.OpenPostgres(ctx, dsn)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		db.Close()
	})
	require.NoError(t, sqlregister.CreateTable(ctx, db, sqlregister.PostgreSQL, schema+".people"))
	testAcceptWritesDelivered(t, db, sqlregister.PostgreSQL, schema+".people", schema+`.regmo_review`)
}

func testAcceptWritesDelivered(t *testing.T, db *sql.DB, dialect sqlregister.Dialect, table, reviewTable string) {
	ctx := context.Background()
	cols := sqlregister.DefaultColumns()
	r, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: dialect, Table: table, Key: "id", IntegerKey: true, Columns: cols, Write: cols.Mapped()})
	require.NoError(t, err)
	// The BZSt's data: no doctoral degree, no former names.
	truth := make([]idnr.Person, 3)
	var entries []registers.Entry
	for i := range truth {
		truth[i] = idnr.Person{IDNr: testIDNr(t, 900+i), FamilyName: "Muster", GivenNames: "Erika Anna", BirthDate: idnr.MustDate(1970, 3, 1+i),
			Sex: idnr.Female, Address: idnr.Address{Street: "Hauptstraße", HouseNumber: "1", PostalCode: "50667", City: "Köln"}}
		c := truth[i]
		c.IDNr, c.GivenNames, c.DoctoralDegree, c.FormerNames = idnr.IDNr{}, "Erica", "Dr.", []string{"Alt"}
		entries = append(entries, registers.Entry{Key: registers.Key(fmt.Sprint(i + 1)), Person: c})
	}
	require.NoError(t, r.Insert(ctx, entries))
	const msg = "8f0c6c1e-1d2a-4c1b-9a7e-6f1e2d3c4b5a"
	// Records 1 and 2 go to review with the delivered fields (all of
	// them); record 3 is accepted automatically with the same answer.
	results := []registers.Result{
		{Key: "1", Outcome: registers.Review, Reason: registers.ReasonMatchReview, Score: 3.5, Person: truth[0], Fields: idnr.AllFields, MessageID: msg},
		{Key: "2", Outcome: registers.Review, Reason: registers.ReasonMatchReview, Score: 3.5, Person: truth[1], Fields: idnr.AllFields, MessageID: msg},
		{Key: "3", Outcome: registers.Accepted, Score: 20, Person: truth[2], Fields: idnr.AllFields, MessageID: msg},
	}
	require.NoError(t, r.WriteBatch(ctx, registers.Batch{Results: results}))
	st, ok, err := r.LoadCase(ctx, "1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, idnr.AllFields, st.Delivered, "the delivered fields are kept with the candidate")
	// Record 2 as queued before migration 11: the fields are not known.
	_, err = db.ExecContext(ctx, "UPDATE "+reviewTable+" SET fields = NULL WHERE key = '2'")
	require.NoError(t, err)

	wb, err := review.New(review.Config{Store: r, Policy: policy, Access: &accessLog{}, Matcher: fakeMatcher})
	require.NoError(t, err)
	for _, key := range []registers.Key{"1", "2"} {
		out, err := wb.Decide(ctx, clerk, review.Decision{ID: "acc-" + string(key), Key: key, Kind: review.Accept})
		require.NoError(t, err)
		require.Equal(t, registers.Accepted, out.Outcome)
	}

	row := func(key string) map[string]sql.NullString {
		q := "SELECT idnr, given_names, doctoral_degree, former_names, street, city FROM " + table + " WHERE id = " + map[sqlregister.Dialect]string{sqlregister.SQLite: "?", sqlregister.PostgreSQL: "$1"}[dialect]
		var v [6]sql.NullString
		require.NoError(t, db.QueryRowContext(ctx, q, key).Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]))
		return map[string]sql.NullString{"idnr": v[0], "given_names": v[1], "doctoral_degree": v[2], "former_names": v[3], "street": v[4], "city": v[5]}
	}
	clerk1, auto3 := row("1"), row("3")
	assert.Equal(t, truth[0].IDNr.String(), clerk1["idnr"].String)
	assert.Equal(t, "Erika Anna", clerk1["given_names"].String)
	assert.False(t, clerk1["doctoral_degree"].Valid && clerk1["doctoral_degree"].String != "", "delivered empty: cleared (%q)", clerk1["doctoral_degree"].String)
	assert.False(t, clerk1["former_names"].Valid && clerk1["former_names"].String != "", "delivered empty: cleared (%q)", clerk1["former_names"].String)
	delete(clerk1, "idnr")
	delete(auto3, "idnr")
	assert.Equal(t, auto3, clerk1, "a clerk's Accept writes what the automatic Accept writes")

	old2 := row("2")
	assert.Equal(t, truth[1].IDNr.String(), old2["idnr"].String)
	assert.Equal(t, "Erika Anna", old2["given_names"].String, "non-empty fields are written")
	assert.Equal(t, "Dr.", old2["doctoral_degree"].String, "an old row without the delivered fields keeps today's behaviour")
	assert.Equal(t, "Alt", old2["former_names"].String)
	msg1, err := r.MessageOf(ctx, "1")
	require.NoError(t, err)
	assert.Equal(t, msg, msg1)
}
