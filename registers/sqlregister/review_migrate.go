package sqlregister

// The clerks' workbench (registers/review) keeps its decisions in two
// tables of its own, added by a migration of their own version (10, apart
// from the register's own steps 1, 2, ...):
//
//   - <prefix>decisions: the decision history, one row per decision (id,
//     the form's idempotency key, PRIMARY KEY; key and seq UNIQUE, so two
//     decisions on the same version of a case cannot both commit);
//   - <prefix>cases: per case its version (the number of decisions), and
//     whether and by which decision it was closed.
//
// Migration 11 adds <prefix>review.fields: the fields the BVA delivered
// with the queued candidate (an idnr.Fields bit set, the IDNr included),
// so that a clerk's Accept writes exactly what an automatic Accept writes:
// a field delivered empty (no doctoral degree, no former names) clears the
// register's column. Rows queued before it hold NULL: a clerk's Accept of
// such a case writes the candidate's non-empty fields only, as before
// (what the BVA delivered empty is not known any more).
func init() {
	migrations = append(migrations, migration{10, "review: decisions and case versions", func(r *Register) ([]string, error) {
		bigint := "BIGINT"
		if r.cfg.Dialect == SQLite {
			bigint = "INTEGER"
		}
		return []string{
			"CREATE TABLE " + r.decisionsT() + " (id TEXT PRIMARY KEY, key TEXT NOT NULL, seq INTEGER NOT NULL, kind SMALLINT NOT NULL, clerk TEXT NOT NULL, at " + bigint + " NOT NULL, " +
				"reason TEXT NOT NULL, note TEXT NOT NULL, outcome SMALLINT NOT NULL, result_reason TEXT NOT NULL, message_id TEXT NOT NULL, holder TEXT NOT NULL, corrected TEXT NOT NULL, UNIQUE (key, seq))",
			"CREATE TABLE " + r.casesT() + " (key TEXT PRIMARY KEY, version INTEGER NOT NULL, closed SMALLINT NOT NULL, kind SMALLINT NOT NULL)",
		}, nil
	}}, migration{11, "review: the fields delivered with a queued candidate", func(r *Register) ([]string, error) {
		return []string{"ALTER TABLE " + r.reviewT + " ADD COLUMN fields BIGINT"}, nil
	}})
}

func (r *Register) decisionsT() string { return r.ident(r.cfg.Prefix + "decisions") }
func (r *Register) casesT() string     { return r.ident(r.cfg.Prefix + "cases") }
