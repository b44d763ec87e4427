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

// A record settled as no_search/birth_date_invalid, corrected by the
// register's software and reopened, is read by the next run although the
// checkpoint had passed it.
func TestReopenAfterCorrection(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr INTEGER PRIMARY KEY")
		v.row(t, 1, "Eins", "Anna", "17.05.1980", "w", 50667, "Köln", nil)
		v.row(t, 2, "Zwei", "Anna", "1980-05-17", "w", 50667, "Köln", nil)
		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		truth := map[string]idnr.Person{}
		for i, fam := range []string{"Eins", "Zwei"} {
			p := vendorTruth(t, i, fam, "Köln")
			truth[searchKey(&p)] = p
		}
		fake := &fakeIDA{truth: truth, sent: map[string]int{}}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: fake, Matcher: fakeMatcher, BatchSize: 10})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, rep.Reasons["no_search/birth_date_invalid"])

		_, err = r.Reopen(ctx, sqlregister.ReopenFilter{})
		require.ErrorIs(t, err, sqlregister.ErrReopenFilter)
		v.exec(t, "UPDATE "+v.table+" SET geburtsdatum = '1980-05-17' WHERE ordnr = 1")
		n, err := r.Reopen(ctx, sqlregister.ReopenFilter{Reasons: []string{"birth_date_invalid"}})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		n, err = r.Reopen(ctx, sqlregister.ReopenFilter{Keys: []registers.Key{"2"}})
		require.NoError(t, err)
		assert.Zero(t, n, "an accepted record is never reopened")

		rep2, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, rep2.People)
		assert.Equal(t, 1, rep2.Outcomes["accepted"])
		for _, c := range fake.sent {
			assert.Equal(t, 1, c)
		}
	})
}
