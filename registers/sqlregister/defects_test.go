package sqlregister_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every value the register cannot read is a reported defect (column and
// code, never the value): an unknown sex code and unreadable death and
// move-in dates too, not only the birth date. Preflight counts each of a
// record's defects; one in a field the search does not need does not
// block the search; and a fill that writes those fields back leaves the
// unreadable values as they are.
func TestEveryDefectReported(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr BIGINT PRIMARY KEY", "sterbedatum VARCHAR(10)", "zuzug VARCHAR(10)")
		v.row(t, 1, "Eins", "Anna", "17.05.1980", "2", 50667, "Köln", nil)
		v.row(t, 2, "Zwei", "Anna", "17.05.1980", "9", 50667, "Köln", nil) // unknown sex code
		v.row(t, 3, "Drei", "Anna", "31.02.1980", "7", 50667, "Köln", nil) // unreadable birth date and sex
		v.row(t, 4, "Vier", "Anna", "17.05.1980", "2", 50667, "Köln", nil)
		v.exec(t, "UPDATE "+v.table+" SET sterbedatum = '31.13.2020', zuzug = '2020-01-01' WHERE ordnr = 2") // neither in the layout
		v.exec(t, "UPDATE "+v.table+" SET zuzug = 'gestern' WHERE ordnr = 4")
		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		cfg.Columns.DeathDate, cfg.Columns.MoveInDate = "sterbedatum", "zuzug"
		cfg.Formats = sqlregister.Formats{"birth_date": {Layout: "02.01.2006"}, "death_date": {Layout: "02.01.2006"}, "move_in_date": {Layout: "02.01.2006"},
			"sex": {Codes: map[string]string{"1": "m", "2": "w"}}}
		cfg.Write = []string{"idnr", "sex", "death_date", "move_in_date", "city"}
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)

		es, err := r.Next(ctx, "", 10)
		require.NoError(t, err)
		require.Len(t, es, 4)
		assert.Empty(t, es[0].Defects)
		assert.Equal(t, []registers.ValueDefect{{Column: "sex", Field: idnr.FieldSex, Code: "sex_unknown_code"},
			{Column: "death_date", Field: idnr.FieldDeathDate, Code: "death_date_invalid"},
			{Column: "move_in_date", Field: idnr.FieldMoveInDate, Code: "move_in_date_invalid"}}, es[1].Defects)
		assert.Empty(t, es[1].Defect, "no defect in a field the search needs")
		assert.Equal(t, "birth_date_invalid", es[2].Defect)
		assert.Len(t, es[2].Defects, 2)
		assert.Equal(t, "move_in_date_invalid", es[3].Defects[0].Code)

		rep, err := registers.Preflight(ctx, r, registers.PreflightOptions{})
		require.NoError(t, err)
		assert.Equal(t, 4, rep.Records)
		assert.Equal(t, 3, rep.Primary, "an unreadable death date or sex code does not block the search")
		assert.Equal(t, 1, rep.NoSearch)
		assert.Equal(t, 1, rep.NoSearchReasons["birth_date_invalid"].Count)
		assert.Equal(t, 3, rep.RecordsWithUnparsed)
		counts := map[string]int{}
		for col, s := range rep.Unparsed {
			counts[col] = s.Count
		}
		assert.Equal(t, map[string]int{"sex": 2, "death_date": 1, "move_in_date": 2, "birth_date": 1}, counts)
		assert.Equal(t, []registers.Key{"2", "4"}, rep.Unparsed["move_in_date"].Keys)
		js, err := json.Marshal(rep)
		require.NoError(t, err)
		for _, val := range []string{"31.13.2020", "gestern", "31.02.1980", "2020-01-01"} {
			assert.NotContains(t, string(js), val, "no values in the report")
			assert.NotContains(t, rep.String(), val)
		}

		// The fill writes sex, death and move-in date back, but not over a
		// value it could not read.
		truth := map[string]idnr.Person{}
		for i, fam := range []string{"Eins", "Zwei", "Drei", "Vier"} {
			p := vendorTruth(t, i, fam, "Bonn")
			truth[searchKey(&p)] = p
		}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: &fakeIDA{truth: truth, sent: map[string]int{}}, Matcher: fakeMatcher, BatchSize: 10})
		require.NoError(t, err)
		frep, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, frep.Outcomes["accepted"], "%v", frep.Reasons)
		assert.Equal(t, 1, frep.Reasons["no_search/birth_date_invalid"])
		assert.Equal(t, []string{
			`true:"2"|false:""|false:""|true:"Bonn"`,
			`true:"9"|true:"31.13.2020"|true:"2020-01-01"|true:"Bonn"`,
			`true:"7"|false:""|false:""|true:"Köln"`,
			`true:"2"|false:""|true:"gestern"|true:"Bonn"`,
		}, v.snapshot(t, "geschlecht", "sterbedatum", "zuzug", "ort"), "unreadable values are kept, the others replaced")

		// The sync neither compares nor replaces them either.
		before := v.snapshot(t, "geschlecht", "sterbedatum", "zuzug", "ort")
		look := &lookupFake{truth: map[idnr.IDNr]idnr.Person{}}
		for _, p := range truth {
			look.truth[p.IDNr] = p
		}
		sy, err := registers.NewSync(registers.SyncConfig{Register: r, IDA: look, BatchSize: 10})
		require.NoError(t, err)
		srep, err := sy.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, srep.Outcomes["unchanged"], "%v", srep.Reasons)
		assert.Equal(t, before, v.snapshot(t, "geschlecht", "sterbedatum", "zuzug", "ort"))
	})
}
