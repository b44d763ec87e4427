package sqlregister

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// ExistingIDNrs counts what [New] found in the register's own IDNr column
// on records regmo has not settled.
type ExistingIDNrs struct {
	Valid     int // valid IDNrs held by one record each
	Invalid   int // values that are not a valid IDNr: cases with registers.ReasonIDNrInvalidInRegister
	Duplicate int // records holding an IDNr another record holds too: cases with registers.ReasonIDNrDuplicateInRegister
}

// Existing returns what the check of the register's own IDNrs found when
// the register was opened.
func (r *Register) Existing() ExistingIDNrs { return r.existing }

// checkExisting checks the IDNrs the register held before regmo, on the
// records regmo has not settled (state NULL, IDNr column not blank; a
// blank one, empty or spaces, means no IDNr and the record is searched):
//
//   - a value that is not a valid IDNr (grouped digits such as
//     "65 929 970 489" are read as the number) becomes a clerk's case with
//     reason registers.ReasonIDNrInvalidInRegister (outcome Review);
//   - a valid IDNr is entered in <prefix>idnr in its canonical form; an
//     IDNr that another record holds already makes every record that holds
//     it and that regmo did not write a case with reason
//     registers.ReasonIDNrDuplicateInRegister.
//
// Nothing in the register's own columns changes; only regmo's state
// columns and side table. It runs in one transaction; records already in
// <prefix>idnr under their canonical IDNr cost one read.
func (r *Register) checkExisting(ctx context.Context) error {
	q := "SELECT " + r.keyExpr("t.") + ", " + strings.ReplaceAll(r.idnrText, r.idnrCol, "t."+r.idnrCol) + ", s.key FROM " + r.table + " t LEFT JOIN " + r.idnrT +
		" s ON s.idnr = " + strings.ReplaceAll(r.idnrText, r.idnrCol, "t."+r.idnrCol) +
		" WHERE t." + r.stateCol + " IS NULL AND t." + r.idnrCol + " IS NOT NULL AND " + strings.ReplaceAll(r.idnrText, r.idnrCol, "t."+r.idnrCol) + " <> ''"
	type row struct {
		key, raw string
		id       idnr.IDNr
		valid    bool
	}
	var todo []row
	rows, err := r.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("sqlregister: reading the register's IDNrs: %w", err)
	}
	for rows.Next() {
		var key, raw string
		var holder sql.NullString
		if err := rows.Scan(&key, &raw, &holder); err != nil {
			rows.Close()
			return fmt.Errorf("sqlregister: reading the register's IDNrs: %w", err)
		}
		id, err := idnr.Parse(raw)
		if err == nil && id.String() == raw && holder.Valid && holder.String == key {
			r.existing.Valid++
			continue // entered already
		}
		todo = append(todo, row{key: key, raw: raw, id: id, valid: err == nil})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlregister: reading the register's IDNrs: %w", err)
	}
	if len(todo) == 0 {
		return nil
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	mark := "UPDATE " + r.table + " SET " + r.stateCol + " = " + strconv.Itoa(int(registers.Review)) + ", " + r.reasonCol + " = " + r.ph(1) +
		" WHERE " + r.keyEq("", 2) + " AND " + r.stateCol + " IS NULL AND NOT " + r.noIDNr
	unclaim := "DELETE FROM " + r.idnrT + " WHERE idnr = " + r.ph(1) + " AND key = " + r.ph(2)
	for _, x := range todo {
		if x.raw != x.id.String() || !x.valid {
			// A non-canonical entry (from migration 2) is replaced by the
			// canonical one.
			if _, err := tx.ExecContext(ctx, unclaim, x.raw, x.key); err != nil {
				return fmt.Errorf("sqlregister: checking the register's IDNrs: %w", err)
			}
		}
		if !x.valid {
			k, err := r.keyArgs(registers.Key(x.key))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, mark, append([]any{registers.ReasonIDNrInvalidInRegister}, k...)...); err != nil {
				return fmt.Errorf("sqlregister: marking an invalid IDNr (key %s): %w", x.key, err)
			}
			r.existing.Invalid++
			continue
		}
		res, err := tx.ExecContext(ctx, r.claimSQL, x.id.String(), x.key)
		if err != nil {
			return fmt.Errorf("sqlregister: entering an IDNr (key %s): %w", x.key, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			r.existing.Valid++
			continue
		}
		var holder string
		if err := tx.QueryRowContext(ctx, r.holderSQL, x.id.String()).Scan(&holder); err != nil {
			return fmt.Errorf("sqlregister: reading an IDNr holder (key %s): %w", x.key, err)
		}
		if holder == x.key {
			r.existing.Valid++
			continue
		}
		// Two records hold the number: both are cases (the holder only if
		// regmo did not write it: a written IDNr has its protocol record).
		for _, k := range []string{x.key, holder} {
			ka, err := r.keyArgs(registers.Key(k))
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, mark, append([]any{registers.ReasonIDNrDuplicateInRegister}, ka...)...)
			if err != nil {
				return fmt.Errorf("sqlregister: marking a duplicate IDNr (key %s): %w", k, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				r.existing.Duplicate++
				if k == holder && r.existing.Valid > 0 {
					r.existing.Valid--
				}
			}
		}
	}
	return tx.Commit()
}
