package sqlregister_test

import (
	"context"
	"errors"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Given names in several columns (vorname1..vorname3) are read joined by a
// space in column order, empty ones skipped, and written back split: one
// name per column, left-over columns emptied, and more names than columns
// go into the last column (nothing cut off); a rest too long for the last
// column is a write_failed case naming it, the record unchanged.
func TestGivenNamesInSeveralColumns(t *testing.T) {
	cols, err := sqlregister.ParseColumns("family_name=familienname,given_names=vorname1+vorname2+vorname3,birth_date=geburtsdatum,postal_code=plz,city=ort")
	require.NoError(t, err)
	assert.Equal(t, "vorname1", cols.GivenNames)
	assert.Equal(t, []string{"vorname2", "vorname3"}, cols.MoreGivenNames)
	for _, bad := range []string{"given_names=vorname1+", "given_names=a+b c", "family_name=a+b"} {
		_, err := sqlregister.ParseColumns(bad)
		assert.Error(t, err, bad)
	}

	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		extra := []string{"vorname1 VARCHAR(20)", "vorname2 VARCHAR(20)", "vorname3 VARCHAR(16)"}
		if v.dialect == sqlregister.SQLite {
			extra = append(extra, "CHECK (length(vorname3) <= 16)")
		}
		v.create(t, "ordnr BIGINT PRIMARY KEY", extra...)
		register := [][3]any{{"Anna", "", "Maria"}, {"Erika", nil, nil}, {"Anna", "Maria", nil}, {"Hans", "Peter", "Paul"}}
		bzst := []string{"Anna Maria", "Erika Anna Luise Charlotte", "Anna Maria Friederike Charlotte", "Hans"}
		truth := map[string]idnr.Person{}
		for i, fam := range []string{"Eins", "Zwei", "Drei", "Vier"} {
			v.row(t, i+1, fam, "", "1980-05-17", "w", 50667, "Köln", nil)
			v.exec(t, "UPDATE "+v.table+" SET vorname1 = ?, vorname2 = ?, vorname3 = ? WHERE ordnr = ?", register[i][0], register[i][1], register[i][2], i+1)
			p := vendorTruth(t, i, fam, "Köln")
			p.GivenNames = bzst[i]
			truth[searchKey(&p)] = p
		}
		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		cfg.Columns = cols
		cfg.Write = []string{"idnr", "given_names"}
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		es, err := r.Next(ctx, "", 10)
		require.NoError(t, err)
		require.Len(t, es, 4)
		for i, want := range []string{"Anna Maria", "Erika", "Anna Maria", "Hans Peter Paul"} {
			assert.Equal(t, want, es[i].Person.GivenNames, "record %d", i+1)
		}
		before := v.snapshot(t, "familienname", "vornamen", "geburtsdatum", "geschlecht", "plz", "ort", "bemerkung")

		// Accept whenever family name and birth date agree: the given names
		// differ on purpose.
		m := registers.MatcherFunc(func(r, c *idnr.Person) match.Outcome {
			if r.FamilyName == c.FamilyName && r.BirthDate == c.BirthDate {
				return match.Outcome{Decision: match.Accept, Score: 20}
			}
			return match.Outcome{Decision: match.Reject, Candidate: -1}
		})
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: &fakeIDA{truth: truth, sent: map[string]int{}}, Matcher: m, BatchSize: 10})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, rep.Outcomes["accepted"], "%v", rep.Reasons)
		assert.Equal(t, 1, rep.Reasons["review/"+registers.ReasonWriteFailed], "%v", rep.Reasons)
		assert.Equal(t, []string{
			`true:"Anna"|true:"Maria"|false:""`,
			`true:"Erika"|true:"Anna"|true:"Luise Charlotte"`, // the last column takes the rest
			`true:"Anna"|true:"Maria"|false:""`,               // refused: unchanged
			`true:"Hans"|false:""|false:""`,                   // left-over columns emptied
		}, v.snapshot(t, "vorname1", "vorname2", "vorname3"))
		assert.Equal(t, before, v.snapshot(t, "familienname", "vornamen", "geburtsdatum", "geschlecht", "plz", "ort", "bemerkung"))

		c, ok, err := r.ReviewCase(ctx, "3")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Contains(t, c.Details[0], "Spalte vorname3")
		assert.NotContains(t, c.Details[0], "Friederike")
		assert.Equal(t, bzst[2], c.Candidate.GivenNames)

		// The clerk sees the given names as one column, and a correction
		// is split the same way.
		st, ok, err := r.LoadCase(ctx, "3")
		require.NoError(t, err)
		require.True(t, ok)
		var given []string
		for _, col := range st.Columns {
			if col.Token == "given_names" {
				given = append(given, col.Register)
			}
		}
		assert.Equal(t, []string{"Anna Maria"}, given)
		p, err := r.ParseRecord(map[string]string{"given_names": "Anna  Maria Luise", "family_name": "Drei"})
		require.NoError(t, err)
		assert.Equal(t, "Anna Maria Luise", p.GivenNames)

		// Read back, the written columns are exactly the BZSt's given names.
		got, err := r.NextWithIDNr(ctx, "", 10)
		require.NoError(t, err)
		require.Len(t, got, 3)
		for _, e := range got {
			want := map[registers.Key]string{"1": bzst[0], "2": bzst[1], "4": bzst[3]}[e.Key]
			assert.Equal(t, want, e.Person.GivenNames)
		}
	})
}

// A missing further given-name column is refused naming it; a column
// mapped twice too.
func TestGivenNamesColumnsChecked(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr BIGINT PRIMARY KEY", "vorname1 VARCHAR(20)", "vorname2 VARCHAR(20)")
		cfg := v.config("ordnr")
		cfg.Columns.GivenNames, cfg.Columns.MoreGivenNames = "vorname1", []string{"vorname2", "vorname9"}
		_, err := sqlregister.New(ctx, v.db, cfg)
		var se *sqlregister.SchemaError
		require.True(t, errors.As(err, &se), "%v", err)
		assert.Equal(t, "vorname9", se.Column)
		assert.Equal(t, "given_names", se.Role)

		cfg.Columns.MoreGivenNames = []string{"vorname2", "familienname"}
		_, err = sqlregister.New(ctx, v.db, cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "mapped twice")

		cfg.Columns.GivenNames = ""
		cfg.Columns.MoreGivenNames = []string{"vorname2"}
		_, err = sqlregister.New(ctx, v.db, cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "MoreGivenNames")
	})
}
