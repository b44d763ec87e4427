package sqlregister

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/regmo/regmo/registers"
)

// ReopenFilter selects settled records to make pending again. The
// conditions combine with AND; at least one must be given.
type ReopenFilter struct {
	// Keys are the records' keys.
	Keys []registers.Key
	// Outcomes are outcomes of cases (Review, NotIdentifiable, Rejected,
	// NoSearch). Accepted records are never reopened: their IDNr is
	// written and has its protocol record.
	Outcomes []registers.Outcome
	// Reasons are reason codes ("birth_date_invalid", "write_failed", ...).
	Reasons []string
	// Job is the backfill job whose checkpoint and lease plan are reset so
	// that the next run reads the reopened records; default "backfill".
	Job string
}

// ErrReopenFilter is returned for a ReopenFilter without any condition.
var ErrReopenFilter = errors.New("sqlregister: reopen: name keys, outcomes or reasons")

// Reopen makes settled records without a written IDNr pending again (for
// example after the register's own software corrected them), removes
// their review-queue entries, and resets the job's checkpoint and lease
// plan (ranges back to their start, not done), so that the next run picks
// them up: the checkpoint cannot skip them. Records settled in between are
// skipped quickly by the reader. Run it while no fill of the job runs. It
// returns the number of records reopened.
func (r *Register) Reopen(ctx context.Context, f ReopenFilter) (int, error) {
	if len(f.Keys) == 0 && len(f.Outcomes) == 0 && len(f.Reasons) == 0 {
		return 0, ErrReopenFilter
	}
	if f.Job == "" {
		f.Job = "backfill"
	}
	var args []any
	cond := []string{r.stateCol + " IN " + r.casesIn}
	if len(f.Outcomes) > 0 {
		cond = append(cond, r.stateCol+" IN "+outcomeList(f.Outcomes...))
	}
	if len(f.Reasons) > 0 {
		var ph []string
		for _, s := range f.Reasons {
			args = append(args, s)
			ph = append(ph, r.ph(len(args)))
		}
		cond = append(cond, r.reasonCol+" IN ("+strings.Join(ph, ", ")+")")
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	where := strings.Join(cond, " AND ")
	n := 0
	run := func(extra string, a ...any) error {
		all := append(append([]any{}, args...), a...)
		q := where + extra
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.reviewT+" WHERE key IN (SELECT "+r.keyExpr("")+" FROM "+r.table+" WHERE "+q+")", all...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE "+r.table+" SET "+r.stateCol+" = NULL, "+r.reasonCol+" = NULL, "+r.messageCol+" = NULL WHERE "+q, all...)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n += int(m)
		return nil
	}
	if len(f.Keys) == 0 {
		if err := run(""); err != nil {
			return 0, fmt.Errorf("sqlregister: reopen: %w", err)
		}
	}
	for _, k := range f.Keys {
		ka, err := r.keyArgs(k)
		if err != nil {
			return 0, err
		}
		if err := run(" AND "+r.keyEq("", len(args)+1), ka...); err != nil {
			return 0, fmt.Errorf("sqlregister: reopen (key %s): %w", k, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.checkpointT+" WHERE job = "+r.ph(1), f.Job); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE "+r.leasesT+" SET done = 0, after_key = from_key WHERE job = "+r.ph(1), f.Job); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}
