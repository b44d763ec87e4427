package sqlregister

import (
	"context"
	"database/sql"
	"strings"

	"github.com/regmo/regmo/registers"
)

// CreateTable creates a register table with the layout of [DefaultColumns]
// (every basic-data column as text) and an integer primary key "id". It is
// meant for demos and tests; real registers bring their own table and a
// column mapping.
func CreateTable(ctx context.Context, db *sql.DB, d Dialect, table string) error {
	schema, name, err := qualified(table)
	if err != nil {
		return err
	}
	t := quote(name)
	if schema != "" {
		t = quote(schema) + "." + t
	}
	cols := []string{`"id" BIGINT PRIMARY KEY`}
	if d == SQLite {
		cols[0] = `"id" INTEGER PRIMARY KEY`
	}
	for _, f := range FieldTokens() {
		cols = append(cols, quote(f)+" TEXT")
	}
	_, err = db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+t+" ("+strings.Join(cols, ", ")+")")
	return err
}

// Insert adds records in one transaction (the mapped columns and the key;
// an IDNr in Person is written too, and entered in <prefix>idnr unless
// another record holds it there). For demos, tests and imports.
func (r *Register) Insert(ctx context.Context, entries []registers.Entry) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var names []string
	for _, k := range r.key {
		names = append(names, k.col)
	}
	nk := len(names)
	names = append(names, r.idnrCol)
	for _, c := range r.cols {
		names = append(names, c.col)
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO "+r.table+" ("+strings.Join(names, ", ")+") VALUES ("+r.phs(1, len(names))+")")
	if err != nil {
		return err
	}
	defer st.Close()
	args := make([]any, len(names))
	for i := range entries {
		e := &entries[i]
		k, err := r.keyArgs(e.Key)
		if err != nil {
			return err
		}
		copy(args, k)
		args[nk], _ = e.Person.IDNr.Value()
		for j, c := range r.cols {
			args[nk+1+j] = c.get(&e.Person)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		if !e.Person.IDNr.IsZero() {
			if _, err := tx.ExecContext(ctx, r.claimSQL, e.Person.IDNr.String(), string(e.Key)); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}
