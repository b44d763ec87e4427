package sqlregister_test

import (
	"context"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// By default an accepted result writes only the IDNr (and regmo's state
// columns): every other column is byte-for-byte unchanged, although the
// BVA transferred different basic data. Write opts in per field.
func TestAcceptWritesOnlyNamedColumns(t *testing.T) {
	all := []string{"familienname", "vornamen", "geburtsdatum", "geburtsort", "geschlecht", "strasse", "hausnr", "plz", "ort", "bemerkung"}
	for _, tc := range []struct {
		name    string
		write   []string
		changed []string
	}{
		{"default", nil, nil},
		{"idnr only", []string{"idnr"}, nil},
		{"address", []string{"idnr", "address"}, []string{"strasse", "hausnr", "ort"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, v *vendorDB) {
				ctx := context.Background()
				v.create(t, "ordnr INTEGER PRIMARY KEY")
				truth := map[string]idnr.Person{}
				for i, fam := range []string{"Eins", "Zwei"} {
					p := vendorTruth(t, i, fam, "Kö")
					p.Address.Street, p.Address.HouseNumber = "Hauptstraße", "1a"
					truth[searchKey(&p)] = p
					v.row(t, i+1, fam, "Anna", "1980-05-17", "w", 50667, "Köln", nil)
				}
				before := v.snapshot(t, all...)
				cfg := v.config("ordnr")
				cfg.IntegerKey = true
				cfg.Write = tc.write
				r, err := sqlregisterNew(ctx, v, cfg)
				require.NoError(t, err)
				bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: &fakeIDA{truth: truth, sent: map[string]int{}}, Matcher: fakeMatcher, BatchSize: 10})
				require.NoError(t, err)
				rep, err := bf.Run(ctx)
				require.NoError(t, err)
				require.Equal(t, 2, rep.Outcomes["accepted"])
				ids := v.snapshot(t, "steuer_id")
				assert.Equal(t, `true:"`+testIDNr(t, 100).String()+`"`, ids[0])
				unchanged := []string{}
				for _, c := range all {
					if !contains(tc.changed, c) {
						unchanged = append(unchanged, c)
					}
				}
				assert.Equal(t, project(before, all, unchanged), v.snapshot(t, unchanged...))
				if len(tc.changed) > 0 {
					assert.NotEqual(t, project(before, all, tc.changed), v.snapshot(t, tc.changed...))
				}
			})
		})
	}
}
