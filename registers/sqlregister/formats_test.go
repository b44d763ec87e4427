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

// The register's own formats: "TT.MM.JJJJ" birth dates (00 for unknown
// parts), an integer postcode (zero-padded on read), sex codes "1"/"2";
// read in them and written back in them.
func TestRegisterFormats(t *testing.T) {
	var f struct {
		Formats sqlregister.Formats `json:"formats"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"formats": {"birth_date": "02.01.2006", "sex": {"1": "m", "2": "w"}, "postal_code": "integer"}}`), &f))
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr INTEGER PRIMARY KEY")
		v.row(t, 1, "Eins", "Anna", "17.05.1980", "2", 1067, "Dres", nil)
		v.row(t, 2, "Zwei", "Anna", "00.05.1980", "1", 50667, "Köln", nil)
		v.row(t, 3, "Drei", "Anna", "19800517", "2", 50667, "Köln", nil)
		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		cfg.Formats = f.Formats
		cfg.Write = []string{"idnr", "birth_date", "sex", "postal_code"}
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		es, err := r.Next(ctx, "", 10)
		require.NoError(t, err)
		require.Len(t, es, 3)
		assert.Equal(t, idnr.MustDate(1980, 5, 17), es[0].Person.BirthDate)
		assert.Equal(t, "01067", es[0].Person.Address.PostalCode)
		assert.Equal(t, idnr.Female, es[0].Person.Sex)
		assert.Empty(t, es[0].Defect)
		assert.Equal(t, "1980-05-00", es[1].Person.BirthDate.String())
		assert.Equal(t, idnr.Male, es[1].Person.Sex)
		assert.Equal(t, "birth_date_invalid", es[2].Defect, "not the register's layout")

		before := v.snapshot(t, "geburtsdatum", "geschlecht", "plz")
		truth := map[string]idnr.Person{}
		for i, e := range es[:2] {
			p := e.Person
			p.IDNr = testIDNr(t, 200+i)
			truth[searchKey(&p)] = p
		}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: &fakeIDA{truth: truth, sent: map[string]int{}}, Matcher: fakeMatcher, BatchSize: 10})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, rep.Outcomes["accepted"])
		assert.Equal(t, 1, rep.Reasons["no_search/birth_date_invalid"])
		assert.Equal(t, before, v.snapshot(t, "geburtsdatum", "geschlecht", "plz"), "written back in the register's own formats")
	})
}

func TestFormatsRefused(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		v.create(t, "ordnr INTEGER PRIMARY KEY")
		for _, fs := range []sqlregister.Formats{
			{"birth_date": {Layout: "Jan 2, 2006"}},
			{"birth_date": {Layout: "02.01."}},
			{"postal_code": {Layout: "zahl"}},
			{"sex": {Codes: map[string]string{"1": "q"}}},
			{"family_name": {Layout: "integer"}},
			{"nosuch": {Layout: "integer"}},
		} {
			cfg := v.config("ordnr")
			cfg.Formats = fs
			_, err := sqlregister.New(context.Background(), v.db, cfg)
			require.Error(t, err, "%v", fs)
			assert.Contains(t, err.Error(), "Formats")
		}
	})
}
