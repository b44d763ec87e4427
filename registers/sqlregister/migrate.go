package sqlregister

import (
	"context"
	"fmt"
	"strings"
)

// migration is one versioned schema step. Steps are applied in order, each
// in its own transaction together with the version row, so a crash leaves
// the schema at a version boundary.
type migration struct {
	version int
	name    string
	stmts   func(r *Register) ([]string, error)
}

var migrations = []migration{
	{1, "idnr column, state columns, checkpoint, review queue, leases", func(r *Register) ([]string, error) {
		var s []string
		bigint := "BIGINT"
		if r.cfg.Dialect == SQLite {
			bigint = "INTEGER"
		}
		s = append(s,
			"ALTER TABLE "+r.table+" ADD COLUMN "+r.stateCol+" SMALLINT",
			"ALTER TABLE "+r.table+" ADD COLUMN "+r.reasonCol+" TEXT",
			"ALTER TABLE "+r.table+" ADD COLUMN "+r.messageCol+" TEXT",
			"CREATE TABLE "+r.checkpointT+" (job TEXT PRIMARY KEY, after_key TEXT NOT NULL, updated "+bigint+" NOT NULL)",
			"CREATE TABLE "+r.reviewT+" (key TEXT PRIMARY KEY, created "+bigint+" NOT NULL, outcome SMALLINT NOT NULL, reason TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, details TEXT NOT NULL, message_id TEXT NOT NULL, candidate TEXT NOT NULL)",
			"CREATE TABLE "+r.leasesT+" (job TEXT NOT NULL, id "+bigint+" NOT NULL, from_key TEXT NOT NULL, upto_key TEXT NOT NULL, after_key TEXT NOT NULL, owner TEXT, expires "+bigint+" NOT NULL DEFAULT 0, done SMALLINT NOT NULL DEFAULT 0, PRIMARY KEY (job, id))",
		)
		return s, nil
	}},
	{2, "idnr side table (one record per IDNr)", func(r *Register) ([]string, error) {
		// The IDNrs already in the register (from earlier runs or kept by
		// the register itself) enter the table; if the register already
		// holds an IDNr twice, the record with the smallest key holds it.
		return []string{
			"CREATE TABLE " + r.idnrT + " (idnr TEXT PRIMARY KEY, key TEXT NOT NULL)",
			"INSERT INTO " + r.idnrT + " (idnr, key) SELECT TRIM(CAST(" + r.idnrCol + " AS TEXT)), " + r.keyExpr("") + " FROM " + r.table +
				" WHERE " + r.idnrCol + " IS NOT NULL AND TRIM(CAST(" + r.idnrCol + " AS TEXT)) <> '' ORDER BY " + r.keyOrder("") + " ON CONFLICT (idnr) DO NOTHING",
		}, nil
	}},
}

// migrate applies the missing migrations. The IDNr column gets no index:
// regmo reads the register in key order and never by IDNr, and an index
// on random numbers filled in key order rewrites a random index page for
// nearly every record (measured: most of the I/O of a fill). A register
// that looks people up by IDNr creates the index once after the fill.
//
// migrate applies the missing migrations. The IDNr column is added only if
// the table does not have it yet (a register may already keep one).
func (r *Register) migrate(ctx context.Context) error {
	if _, err := r.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+r.schemaT+" (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
		return fmt.Errorf("sqlregister: creating schema table: %w", err)
	}
	for _, m := range migrations {
		if err := r.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("sqlregister: migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func (r *Register) applyMigration(ctx context.Context, m migration) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if r.cfg.Dialect == PostgreSQL {
		// Serialise concurrent migrators (several workers starting at once).
		if _, err := tx.ExecContext(ctx, "LOCK TABLE "+r.schemaT+" IN EXCLUSIVE MODE"); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+r.schemaT+" WHERE version = "+r.ph(1), m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	stmts, err := m.stmts(r)
	if err != nil {
		return err
	}
	if m.version == 1 {
		if _, has := r.info.col(r.norm(r.cfg.IDNr)); !has {
			stmts = append([]string{"ALTER TABLE " + r.table + " ADD COLUMN " + r.idnrCol + " TEXT"}, stmts...)
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstWords(s), err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+r.schemaT+" (version, name) VALUES ("+r.ph(1)+", "+r.ph(2)+")", m.version, m.name); err != nil {
		return err
	}
	return tx.Commit()
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}
