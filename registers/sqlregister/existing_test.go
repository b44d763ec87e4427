package sqlregister_test

import (
	"context"
	"testing"

	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The register's own IDNr column: blank means none (the record is
// searched), grouped digits are the same number, an invalid or doubly held
// number is a clerk's case with its own reason, never "accepted".
func TestExistingIDNrColumn(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr INTEGER PRIMARY KEY")
		valid := testIDNr(t, 1).String()
		dup := testIDNr(t, 2).String()
		grouped := dup[:2] + " " + dup[2:5] + " " + dup[5:8] + " " + dup[8:]
		v.row(t, 1, "Leer", "Anna", "17.05.1980", "2", 50667, "Köln", "")
		v.row(t, 2, "Blank", "Anna", "17.05.1980", "2", 50667, "Köln", "   ")
		v.row(t, 3, "Kurz", "Anna", "17.05.1980", "2", 50667, "Köln", "12345")
		v.row(t, 4, "Gruppiert", "Anna", "17.05.1980", "2", 50667, "Köln", grouped)
		v.row(t, 5, "Glatt", "Anna", "17.05.1980", "2", 50667, "Köln", dup)
		v.row(t, 6, "Gut", "Anna", "17.05.1980", "2", 50667, "Köln", valid)
		v.row(t, 7, "Null", "Anna", "17.05.1980", "2", 50667, "Köln", nil)
		v.row(t, 8, "Prüfziffer", "Anna", "17.05.1980", "2", 50667, "Köln", valid[:10]+string(rune('0'+(valid[10]-'0'+1)%10)))
		before := v.snapshot(t, "steuer_id", "familienname")

		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		assert.Equal(t, sqlregister.ExistingIDNrs{Valid: 1, Invalid: 2, Duplicate: 2}, r.Existing())

		es, err := r.Next(ctx, "", 100)
		require.NoError(t, err)
		var keys []registers.Key
		for _, e := range es {
			keys = append(keys, e.Key)
		}
		assert.Equal(t, []registers.Key{"1", "2", "7"}, keys, "blank IDNr columns are searched")

		counts, err := r.Counts(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, counts[registers.Accepted], "only the one valid, unique IDNr counts as accepted")
		assert.Equal(t, 4, counts[registers.Review])
		assert.Equal(t, 3, counts[registers.OutcomePending])

		reasons := map[registers.Key]string{}
		require.NoError(t, r.Cases(ctx, func(c registers.Case) error {
			reasons[c.Key] = c.Reason
			assert.Equal(t, registers.Review, c.Outcome)
			return nil
		}))
		assert.Equal(t, map[registers.Key]string{
			"3": registers.ReasonIDNrInvalidInRegister, "8": registers.ReasonIDNrInvalidInRegister,
			"4": registers.ReasonIDNrDuplicateInRegister, "5": registers.ReasonIDNrDuplicateInRegister,
		}, reasons)

		// The register's own values are untouched, and opening again
		// changes nothing.
		assert.Equal(t, before, v.snapshot(t, "steuer_id", "familienname"))
		r2, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		assert.Equal(t, sqlregister.ExistingIDNrs{Valid: 1}, r2.Existing())
		counts2, err := r2.Counts(ctx)
		require.NoError(t, err)
		assert.Equal(t, counts, counts2)

		// The grouped number is held: a transfer of it for another record
		// is not written there.
		_, ok, err := r.ByIDNr(ctx, testIDNr(t, 1))
		require.NoError(t, err)
		assert.True(t, ok)
	})
}
