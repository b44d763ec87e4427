package sqlregister_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bzstLooker answers every lookup with the BZSt's person (the register's
// record with another family name and no death date) and records reports.
type bzstLooker struct {
	truth   map[idnr.IDNr]idnr.Person
	mu      sync.Mutex
	reports []ida.InaccuracyReport
}

func (b *bzstLooker) Lookup(_ context.Context, _ ida.Auth, q ida.Lookup) (ida.Answer, error) {
	p := b.truth[q.IDNr]
	return ida.Answer{Outcome: ida.Hit, Person: p, Fields: idnr.AllFields}, nil
}

func (b *bzstLooker) ReportInaccuracy(_ context.Context, _ ida.Auth, r ida.InaccuracyReport) (ida.Receipt, error) {
	if err := r.Validate(); err != nil {
		return ida.Receipt{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reports = append(b.reports, r)
	return ida.Receipt{}, nil
}

// evidenceRegister opens a register with the evidence column mapped, on
// SQLite or (with REGMO_TEST_POSTGRES_DSN) PostgreSQL in a schema of its own.
func evidenceRegister(t *testing.T, dialect sqlregister.Dialect) (*sqlregister.Register, func(q string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	cols := sqlregister.DefaultColumns()
	cols.Evidence = "verified_evidence"
	cfg := sqlregister.Config{Dialect: dialect, Table: "people", Key: "id", IntegerKey: true, Columns: cols, Write: cols.Mapped()}
	var r *sqlregister.Register
	var err error
	if dialect == sqlregister.SQLite {
		db, err := sqlregister.OpenSQLite(filepath.Join(t.TempDir(), "register.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		require.NoError(t, sqlregister.CreateTable(ctx, db, dialect, "people"))
		r, err = sqlregister.New(ctx, db, cfg)
		require.NoError(t, err)
	} else {
		dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("REGMO_TEST_POSTGRES_DSN is not set")
		}
		schema := fmt.Sprintf("regmo_evid_%d", rand.Uint64()%1e12)
		db, err := sqlregister.OpenPostgres(ctx, dsn)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "CREATE SCHEMA "+schema)
		require.NoError(t, err)
		t.Cleanup(func() {
			_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			db.Close()
		})
		cfg.Table = schema + ".people"
		require.NoError(t, sqlregister.CreateTable(ctx, db, dialect, cfg.Table))
		r, err = sqlregister.New(ctx, db, cfg)
		require.NoError(t, err)
	}
	require.NoError(t, err)
	table := cfg.Table
	exec := func(q string, args ...any) {
		t.Helper()
		if dialect == sqlregister.PostgreSQL {
			for i := 1; i <= len(args); i++ {
				q = replaceFirst(q, "?", "$"+strconv.Itoa(i))
			}
		}
		_, err := r.DB().ExecContext(ctx, fmt.Sprintf(q, table), args...)
		require.NoError(t, err)
	}
	return r, exec
}

func replaceFirst(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

// TestSyncEvidence (SQLite and PostgreSQL): the evidence column is read
// into Entry.Evidence; a deviation in a verified field with evidence is
// reported with it, without evidence (or with an unreadable text, or an
// item that fails validation) it becomes a case for the clerks with the
// reason inaccuracy_no_evidence and no report.
func TestSyncEvidence(t *testing.T) {
	for _, d := range []sqlregister.Dialect{sqlregister.SQLite, sqlregister.PostgreSQL} {
		t.Run(d.String(), func(t *testing.T) { testSyncEvidence(t, d) })
	}
}

func testSyncEvidence(t *testing.T, d sqlregister.Dialect) {
	ctx := context.Background()
	r, exec := evidenceRegister(t, d)
	b := &bzstLooker{truth: map[idnr.IDNr]idnr.Person{}}
	var entries []registers.Entry
	for i := 1; i <= 4; i++ {
		p := idnr.Person{IDNr: testIDNr(t, i), FamilyName: "Registername", GivenNames: "Anna", BirthDate: idnr.MustDate(1980, 4, 2),
			Address: idnr.Address{Street: "Hauptstraße", HouseNumber: "1", PostalCode: "28195", City: "Bremen"}}
		bz := p
		bz.FamilyName = "Anderername"
		b.truth[p.IDNr] = bz
		entries = append(entries, registers.Entry{Key: registers.Key(strconv.Itoa(i)), Person: p})
	}
	require.NoError(t, r.Insert(ctx, entries))
	exec(`UPDATE %s SET verified_fields = 'family_name'`)
	good := `[{"fields":"family_name+birth_date","kind":"birth_certificate","reference":"G 12/1980","date":"1980-04-03","authority":"Standesamt Bremen-Mitte"}]`
	exec(`UPDATE %s SET verified_evidence = ? WHERE id = 1`, good)
	exec(`UPDATE %s SET verified_evidence = ? WHERE id = 3`, `[{"fields":"family_name","kind":"zeugnis"}]`)
	exec(`UPDATE %s SET verified_evidence = ? WHERE id = 4`, `[{"fields":"family_name","kind":"birth_certificate","reference":"G 1","date":"1980-04-03","authority":""}]`)

	got, err := r.NextWithIDNr(ctx, "", 10)
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.Len(t, got[0].Evidence, 1)
	assert.Equal(t, ida.Evidence{Fields: idnr.FieldFamilyName | idnr.FieldBirthDate, Kind: ida.DocBirthCertificate,
		Reference: "G 12/1980", Date: idnr.MustDate(1980, 4, 3), Authority: "Standesamt Bremen-Mitte"}, got[0].Evidence[0])
	assert.Empty(t, got[1].Evidence)
	assert.Equal(t, []registers.ValueDefect{{Column: "verified_evidence", Code: registers.DefectEvidence}}, got[2].Defects)
	assert.Empty(t, got[2].Defect, "the search does not need the evidence")

	sy, err := registers.NewSync(registers.SyncConfig{Register: r, IDA: b, Fields: r.Fields()})
	require.NoError(t, err)
	rep, err := sy.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Outcomes["inaccurate"], "%v", rep.Reasons)
	assert.Equal(t, 1, rep.Reasons["inaccurate/inaccuracy_reported:family_name"])
	assert.Equal(t, 3, rep.Reasons["inaccurate/inaccuracy_no_evidence:family_name"])

	require.Len(t, b.reports, 1, "only the backed deviation is reported")
	x := b.reports[0]
	assert.Equal(t, entries[0].Person.IDNr, x.IDNr)
	assert.Equal(t, idnr.FieldFamilyName, x.Fields)
	require.Len(t, x.Evidence, 1)
	assert.Equal(t, idnr.FieldFamilyName, x.Evidence[0].Fields, "narrowed to the reported field")

	for i, want := range []string{"inaccuracy_reported:family_name", "inaccuracy_no_evidence:family_name",
		"inaccuracy_no_evidence:family_name", "inaccuracy_no_evidence:family_name"} {
		c, ok, err := r.ReviewCase(ctx, entries[i].Key)
		require.NoError(t, err)
		require.True(t, ok, "record %d is a case", i+1)
		assert.Equal(t, want, c.Reason)
		for _, line := range c.Details {
			assert.NotContains(t, line, "Registername")
			assert.NotContains(t, line, entries[i].Person.IDNr.String())
		}
		switch i {
		case 2:
			assert.Contains(t, c.Details, "Nachweisangaben des Registers nicht lesbar")
		case 3:
			assert.Contains(t, c.Details, "Nachweis 1 unbrauchbar (Evidence.Authority: required)")
		}
	}
	// The register keeps its verified name in every case.
	got, err = r.NextWithIDNr(ctx, "", 10)
	require.NoError(t, err)
	for _, e := range got {
		assert.Equal(t, "Registername", e.Person.FamilyName)
	}
}
