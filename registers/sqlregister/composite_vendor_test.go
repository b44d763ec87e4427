package sqlregister_test

import (
	"context"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A vendor-shaped register keyed by (gemeinde VARCHAR(8), lfd_nr INTEGER)
// with dirty rows: a blank IDNr column (searched), an invalid one (a case
// of its own), a grouped valid one (the register's number), a birth date
// that is not a date. Read in the tuple's order (lfd_nr 2 before 10),
// filled, the cases named by their composite keys, and the corrected
// record reopened by its key and settled by the next run.
func TestVendorCompositeKey(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "gemeinde VARCHAR(8) NOT NULL, lfd_nr INTEGER NOT NULL", "PRIMARY KEY (gemeinde, lfd_nr)")
		own := testIDNr(t, 999).String()
		grouped := own[:2] + " " + own[2:5] + " " + own[5:8] + " " + own[8:]
		ins := func(gemeinde string, lfd int, family, birth string, steuerID any) {
			v.exec(t, "INSERT INTO "+v.table+" (gemeinde, lfd_nr, familienname, vornamen, geburtsdatum, geburtsort, geschlecht, strasse, hausnr, plz, ort, steuer_id, bemerkung)"+
				" VALUES (?, ?, ?, 'Anna', ?, 'Köln', 'w', 'Hauptstr.', '1', 50667, 'Köln', ?, 'unberührt')", gemeinde, lfd, family, birth, steuerID)
		}
		ins("09162001", 3, "Fünf", "1980-05-17", grouped)
		ins("09162001", 1, "Vier", "1980-05-17", "12345")
		ins("09162000", 4711, "Drei", "31.02.1980", nil)
		ins("09162000", 10, "Zwei", "1980-05-17", "")
		ins("09162000", 2, "Eins", "1980-05-17", nil)
		cfg := v.config("")
		cfg.Key, cfg.KeyColumns = "", []string{"gemeinde", "lfd_nr"}
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		assert.Equal(t, sqlregister.ExistingIDNrs{Valid: 1, Invalid: 1}, r.Existing())

		es, err := r.Next(ctx, "", 10)
		require.NoError(t, err)
		var keys []registers.Key
		for _, e := range es {
			keys = append(keys, e.Key)
		}
		assert.Equal(t, []registers.Key{"09162000/2", "09162000/10", "09162000/4711"}, keys, "the tuple's order, lfd_nr as a number")

		truth := map[string]idnr.Person{}
		for i, fam := range []string{"Eins", "Zwei", "Drei"} {
			p := vendorTruth(t, i, fam, "Köln")
			truth[searchKey(&p)] = p
		}
		fake := &fakeIDA{truth: truth, sent: map[string]int{}}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: fake, Matcher: fakeMatcher, BatchSize: 10})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, rep.Outcomes["accepted"])
		assert.Equal(t, 1, rep.Reasons["no_search/birth_date_invalid"])
		var cases []string
		require.NoError(t, r.Cases(ctx, func(c registers.Case) error { cases = append(cases, string(c.Key)+" "+c.Reason); return nil }))
		assert.Equal(t, []string{"09162000/4711 birth_date_invalid", "09162001/1 " + registers.ReasonIDNrInvalidInRegister}, cases)
		e, ok, err := r.ByIDNr(ctx, vendorTruth(t, 1, "Zwei", "Köln").IDNr)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, registers.Key("09162000/10"), e.Key)
		e, ok, err = r.ByIDNr(ctx, idnr.MustParse(own))
		require.NoError(t, err)
		require.True(t, ok, "the register's own grouped number is held by its record")
		assert.Equal(t, registers.Key("09162001/3"), e.Key)

		// The register's software corrects the birth date; reopened by
		// its key, the record is read and settled by the next run.
		v.exec(t, "UPDATE "+v.table+" SET geburtsdatum = '1980-05-17' WHERE gemeinde = '09162000' AND lfd_nr = 4711")
		n, err := r.Reopen(ctx, sqlregister.ReopenFilter{Keys: []registers.Key{"09162000/4711"}})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		rep, err = bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, rep.People)
		assert.Equal(t, 1, rep.Outcomes["accepted"])
		for id, n := range fake.sent {
			assert.Equal(t, 1, n, "IDNr ...%s sent %d times", id[8:], n)
		}
	})
}
