package sqlregister_test

import (
	"context"
	"errors"
	"testing"

	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// New checks the mapping against the table's real columns and keys: a
// misspelled column (which SQLite would read as a string literal) or a
// wrong key is refused at construction, naming the column.
func TestNewChecksMappingAgainstTable(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr INTEGER PRIMARY KEY", "kennung VARCHAR(20) NOT NULL UNIQUE", "nummer INTEGER", "lose VARCHAR(10) NOT NULL")

		schemaErr := func(t *testing.T, cfg sqlregister.Config, column, role, problem string) {
			t.Helper()
			_, err := sqlregister.New(ctx, v.db, cfg)
			require.ErrorIs(t, err, sqlregister.ErrSchema)
			var se *sqlregister.SchemaError
			require.True(t, errors.As(err, &se), "%v", err)
			assert.Equal(t, column, se.Column)
			assert.Equal(t, role, se.Role)
			assert.Equal(t, problem, se.Problem)
			assert.Contains(t, err.Error(), column)
		}

		cfg := v.config("ordnr")
		cfg.Columns.FamilyName = "familiename" // misspelled
		schemaErr(t, cfg, "familiename", "family_name", sqlregister.ProblemNoColumn)

		cfg = v.config("ordnr")
		cfg.Columns.City = "wohnort"
		schemaErr(t, cfg, "wohnort", "city", sqlregister.ProblemNoColumn)

		schemaErr(t, v.config("ordnungsnr"), "ordnungsnr", "key", sqlregister.ProblemNoColumn)
		schemaErr(t, v.config("nummer"), "nummer", "key", sqlregister.ProblemKeyNotUnique)
		schemaErr(t, v.config("lose"), "lose", "key", sqlregister.ProblemKeyNotUnique)
		for _, sys := range []string{"rowid", "oid", "ctid"} {
			schemaErr(t, v.config(sys), sys, "key", sqlregister.ProblemSystemKey)
		}
		cfg = v.config("ordnr")
		cfg.Columns.Street = "regmo_state"
		schemaErr(t, cfg, "regmo_state", "street", sqlregister.ProblemReservedColumn)

		missing := v.config("ordnr")
		missing.Table = "einwohner_gibtsnicht"
		_, err := sqlregister.New(ctx, v.db, missing)
		require.ErrorIs(t, err, sqlregister.ErrSchema)
		assert.Contains(t, err.Error(), sqlregister.ProblemNoTable)

		// Nothing was changed by the refused configurations.
		var n int
		require.NoError(t, v.db.QueryRow("SELECT count(*) FROM "+v.table+" WHERE 1 = 0").Scan(&n))

		// The primary key and a NOT NULL UNIQUE column are good keys.
		_, err = sqlregister.New(ctx, v.db, v.config("ordnr"))
		require.NoError(t, err)
		cfg = v.config("kennung")
		cfg.Prefix = "regmo2_"
		_, err = sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
	})
}
