package sqlregister

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/regmo/regmo/registers"
)

// PlanLeases implements [registers.Leaser]. It splits the unsettled
// records into key ranges of about rangeSize records, once per job: a plan
// with open ranges is kept, so every worker may call it at start. A plan
// whose ranges are all done is replaced if unsettled records remain (new
// records arrived). On PostgreSQL the planning is serialised by a table
// lock; the first worker plans and the others find the plan.
func (r *Register) PlanLeases(ctx context.Context, job string, rangeSize int) error {
	if rangeSize <= 0 {
		rangeSize = 20000
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if r.cfg.Dialect == PostgreSQL {
		if _, err := tx.ExecContext(ctx, "LOCK TABLE "+r.leasesT+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
	}
	var open, all int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(SUM(CASE WHEN done = 0 THEN 1 ELSE 0 END), 0), count(*) FROM "+r.leasesT+" WHERE job = "+r.ph(1), job).Scan(&open, &all); err != nil {
		return err
	}
	if open > 0 {
		return nil
	}
	var pending int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+r.table+" WHERE "+r.pending).Scan(&pending); err != nil {
		return err
	}
	if pending == 0 && all > 0 {
		return nil // the plan is done and nothing new arrived
	}
	if all > 0 {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.leasesT+" WHERE job = "+r.ph(1), job); err != nil {
			return err
		}
	}
	// Range boundaries: every rangeSize-th unsettled key in key order.
	// The boundaries are kept as key texts; NextRange compares the tuple.
	q := "SELECT k FROM (SELECT " + r.keyExpr("") + " AS k, row_number() OVER (ORDER BY " + r.keyOrder("") + ") AS rn FROM " + r.table +
		" WHERE " + r.pending + ") s WHERE rn % " + r.ph(1) + " = 0 ORDER BY rn"
	rows, err := tx.QueryContext(ctx, q, rangeSize)
	if err != nil {
		return err
	}
	var bounds []string
	for rows.Next() {
		var k sql.NullString
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		bounds = append(bounds, k.String)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, "INSERT INTO "+r.leasesT+" (job, id, from_key, upto_key, after_key) VALUES ("+r.phs(1, 5)+")")
	if err != nil {
		return err
	}
	defer ins.Close()
	from := ""
	for i, b := range append(bounds, "") { // the last range is open-ended
		if _, err := ins.ExecContext(ctx, job, int64(i+1), from, b, from); err != nil {
			return err
		}
		from = b
	}
	return tx.Commit()
}

// AcquireLease implements [registers.Leaser]: it takes the first range that
// is not done and not held (or whose holder let it expire), with FOR UPDATE
// SKIP LOCKED on PostgreSQL so that concurrent workers never wait for or
// take the same range. On SQLite the single statement runs in a write
// transaction, which SQLite serialises.
func (r *Register) AcquireLease(ctx context.Context, job, owner string, ttl time.Duration) (registers.Lease, bool, error) {
	if ttl <= 0 {
		ttl = 2 * time.Minute
	}
	lock := ""
	if r.cfg.Dialect == PostgreSQL {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := "UPDATE " + r.leasesT + " SET owner = " + r.ph(1) + ", expires = " + r.now + " + " + r.ph(2) +
		" WHERE job = " + r.ph(3) + " AND id = (SELECT id FROM " + r.leasesT + " WHERE job = " + r.ph(4) +
		" AND done = 0 AND (owner IS NULL OR expires < " + r.now + ") ORDER BY id LIMIT 1" + lock + ")" +
		" RETURNING id, from_key, upto_key, after_key, expires"
	l := registers.Lease{Job: job, Owner: owner, TTL: ttl}
	var from, upto, after string
	var exp int64
	err := r.db.QueryRowContext(ctx, q, owner, ttl.Milliseconds(), job, job).Scan(&l.ID, &from, &upto, &after, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return registers.Lease{}, false, nil
	}
	if err != nil {
		return registers.Lease{}, false, err
	}
	l.From, l.Upto, l.After = registers.Key(from), registers.Key(upto), registers.Key(after)
	l.Expires = time.UnixMilli(exp)
	return l, true, nil
}

// CompleteLease implements [registers.Leaser]. It fails with
// [registers.ErrLeaseLost] if the lease is held by another worker.
func (r *Register) CompleteLease(ctx context.Context, l registers.Lease) error {
	res, err := r.db.ExecContext(ctx, "UPDATE "+r.leasesT+" SET done = 1, owner = NULL WHERE job = "+r.ph(1)+" AND id = "+r.ph(2)+" AND owner = "+r.ph(3),
		l.Job, l.ID, l.Owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return registers.ErrLeaseLost
	}
	return nil
}
