package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The smoke test of the main job: a small demo register from scratch, the
// JSON summary CI checks, then a second run that resumes and finds nothing
// left to do, then -fresh.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-dir", dir, "-people", "2000", "-json-summary", "-quiet"}
	o, err := parseFlags(args, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)

	var got map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
	for _, k := range []string{"people", "accepted", "review", "not_identifiable", "rejected", "no_search", "audit_verified"} {
		assert.Contains(t, got, k)
	}
	assert.Equal(t, 2000, s.People)
	assert.Equal(t, s.People, s.Accepted+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)
	assert.GreaterOrEqual(t, s.Accepted, 1600)
	assert.Positive(t, s.NoSearch)
	assert.Positive(t, s.NotIdentifiable)
	assert.True(t, s.AuditVerified)
	assert.EqualValues(t, s.Accepted+s.Review+s.Rejected-countRejectedWithoutTransfer(t, dir), s.AuditRecords)
	assert.False(t, s.Resumed)
	for _, f := range []string{"register.db", "audit.db", "audit.key", "review.csv", "report.json"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	fi, err := os.Stat(filepath.Join(dir, "audit.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// The demo's duplicate records (second records of a person): the IDNr
	// is written on one record only, the other goes to review.
	var rep registers.Report
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Positive(t, rep.Reasons["review/"+registers.ReasonIDNrAssigned], "%v", rep.Reasons)
	db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
	require.NoError(t, err)
	var twice int
	require.NoError(t, db.QueryRow("SELECT count(*) - count(DISTINCT idnr) FROM people WHERE idnr IS NOT NULL").Scan(&twice))
	db.Close()
	assert.Zero(t, twice, "IDNrs on two records")

	// The clerks' CSV: one row per case, no personal data.
	f, err := os.Open(filepath.Join(dir, "review.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	assert.Len(t, rows, 1+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)

	// Running it again resumes: nothing left, same totals, no new transfers.
	out.Reset()
	s2, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Zero(t, s2.ThisRun)
	assert.Equal(t, s.Accepted, s2.Accepted)
	assert.Equal(t, s.AuditRecords, s2.AuditRecords)

	// The text summary.
	o.jsonSummary = false
	out.Reset()
	_, err = run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "accepted")
	assert.Contains(t, out.String(), "verified")

	// -fresh starts over.
	o.fresh, o.jsonSummary = true, true
	out.Reset()
	s3, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 2000, s3.ThisRun)
	assert.Equal(t, s.Accepted, s3.Accepted)
}

// Rejected by the matcher means a hit was transferred (and protocolled);
// rejected by the BVA means nothing was. The demo has no BVA rejections.
func countRejectedWithoutTransfer(t *testing.T, dir string) int { return 0 }

func TestFlags(t *testing.T) {
	_, err := parseFlags([]string{"-nosuchflag"}, io.Discard)
	require.Error(t, err)
	_, err = parseFlags([]string{"extra"}, io.Discard)
	require.Error(t, err)
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "./regmo-demo", o.dir)
	assert.Equal(t, 100000, o.people)
	assert.True(t, strings.HasPrefix(o.sender, "Bürgeramt"))
}

// The main job against a register table in PostgreSQL (prepared here with
// the demo's people), with a column mapping, and the in-process mock BVA.
func TestPostgresRegister(t *testing.T) {
	dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("REGMO_TEST_POSTGRES_DSN is not set")
	}
	ctx := context.Background()
	db, err := sqlregister.OpenPostgres(ctx, dsn)
	require.NoError(t, err)
	defer db.Close()
	schema := "regmo_example_" + strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	_, err = db.ExecContext(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	defer db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	_, err = db.ExecContext(ctx, "CREATE TABLE "+schema+`.personen (ordnungsmerkmal TEXT PRIMARY KEY, familienname TEXT, vornamen TEXT,
		geburtsdatum TEXT, plz TEXT, wohnort TEXT, strasse TEXT, hausnummer TEXT)`)
	require.NoError(t, err)
	mapping := "family_name=familienname,given_names=vornamen,birth_date=geburtsdatum,postal_code=plz,city=wohnort,street=strasse,house_number=hausnummer"
	cols, err := sqlregister.ParseColumns(mapping)
	require.NoError(t, err)
	reg, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.PostgreSQL, Table: schema + ".personen", Key: "ordnungsmerkmal", Columns: cols})
	require.NoError(t, err)
	const n = 1500
	require.NoError(t, truthStream(4, n, func(first int, ps []idnr.Person) error {
		var es []registers.Entry
		for k := range ps {
			es = append(es, registers.Entry{Key: registers.Key(fmt.Sprintf("M-%06d", first+k)), Person: registerCopy(4, first+k, ps[k])})
		}
		return reg.Insert(ctx, es)
	}))

	o, err := parseFlags([]string{"-dir", t.TempDir(), "-postgres", dsn, "-table", schema + ".personen", "-key-column", "ordnungsmerkmal",
		"-integer-key=false", "-columns", mapping, "-seed", "4", "-people", strconv.Itoa(n), "-json-summary", "-quiet"}, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := run(ctx, o, &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, n, s.People)
	assert.Equal(t, n, s.Accepted+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)
	assert.Greater(t, s.Accepted, n*3/4)
	assert.True(t, s.AuditVerified)
	var withIDNr int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM "+schema+".personen WHERE idnr IS NOT NULL").Scan(&withIDNr))
	assert.Equal(t, s.Accepted, withIDNr)
}
