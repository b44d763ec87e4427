package sqlregister

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/regmo/regmo/registers"
)

// Errors isolated per record.
//
// A batch is first written as a whole. If an accepted record's UPDATE
// fails (a value too long for its column, a constraint, a type the column
// does not take), the batch's transaction is rolled back and the batch is
// written again with a savepoint around every accepted record: a record
// whose write fails is rolled back to its savepoint and becomes a clerk's
// case (outcome Review, reason registers.ReasonWriteFailed), with the
// column and the kind of problem in its details and the transferred data
// as its candidate in the review queue; its IDNr claim is withdrawn. The
// other records, the batch and the fill go on. Because the record is
// settled, a rerun does not search for it again unless it is reopened.
//
// The sync's batch ([Register.WriteSync]) is isolated the same way: an
// Updated or Inaccurate record whose update the database refuses keeps
// every value it had, its result becomes a write_failed case in the review
// queue (the BZSt's data as the candidate, what the sync found as a
// detail), and the rest of the batch is written. The record keeps its
// IDNr, so the next pass of the sync looks it up again.

// recordWriteError is the error of one accepted record's UPDATE, which
// isolation turns into a case.
type recordWriteError struct {
	key registers.Key
	err error
}

func (e *recordWriteError) Error() string {
	return "sqlregister: writing the record with key " + string(e.key) + ": " + problemOf(e.err)
}

// Problems of a record's write, as named in the case details.
const (
	writeTooLong    = "value too long for the column"
	writeConstraint = "constraint violated"
	writeType       = "value does not fit the column's type"
	writeOther      = "refused by the database"
)

// problemOf classifies a database error without its text (which may
// quote the value, i.e. personal data).
func problemOf(err error) string {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		switch s := pg.SQLState(); {
		case s == "22001":
			return writeTooLong
		case strings.HasPrefix(s, "23"):
			return writeConstraint
		case s == "22P02", s == "22003", s == "22007", s == "22008", s == "42804", s == "22018":
			return writeType
		}
		return writeOther
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff {
		case 19: // SQLITE_CONSTRAINT (CHECK, NOT NULL, UNIQUE, FOREIGN KEY)
			return writeConstraint
		case 20: // SQLITE_MISMATCH (STRICT tables)
			return writeType
		case 18: // SQLITE_TOOBIG
			return writeTooLong
		}
	}
	return writeOther
}

// isolable reports whether a failed batch is retried with one savepoint
// per record.
func isolable(err error) bool {
	var rw *recordWriteError
	return errors.As(err, &rw)
}

// acceptIsolated writes one accepted result inside a savepoint; if the
// database refuses it, the result becomes a write_failed case (res is
// changed so that the caller reports what was stored).
func (r *Register) acceptIsolated(ctx context.Context, tx *sql.Tx, st *stmts, res *registers.Result) error {
	return r.isolated(ctx, tx, res, func() error { return r.accept(ctx, tx, st, res) }, func() []*column { return st.acceptOrder[res.Fields] },
		func() error {
			// The claim of the IDNr is withdrawn with the record's write.
			_, err := tx.ExecContext(ctx, "DELETE FROM "+r.idnrT+" WHERE idnr = "+r.ph(1)+" AND key = "+r.ph(2), res.Person.IDNr.String(), string(res.Key))
			return err
		})
}

// syncIsolated writes one sync update inside a savepoint; if the database
// refuses it, the record keeps all its values and the result becomes a
// write_failed case with the BZSt's data as its candidate (the caller
// enqueues it). The record keeps its IDNr and its outcome: the next pass
// of the sync looks it up again.
func (r *Register) syncIsolated(ctx context.Context, tx *sql.Tx, res *registers.Result) error {
	prev := res.Reason
	err := r.isolated(ctx, tx, res, func() error { return r.syncUpdate(ctx, tx, res) }, func() []*column {
		_, order := r.acceptStmt(res.Fields, false)
		return order
	}, nil)
	if err == nil && res.Reason == registers.ReasonWriteFailed && prev != "" {
		// What the sync found stays readable for the clerk (codes only).
		res.Details = append(res.Details[:1:1], append([]string{"Abgleich: " + prev}, res.Details[1:]...)...)
	}
	return err
}

// isolated runs write inside a savepoint. If it fails with a
// *recordWriteError, the savepoint is rolled back, undo (if not nil) runs,
// and res becomes a Review case with the reason registers.ReasonWriteFailed
// and a detail naming the column (found by failedColumn over the columns
// order returns) and the problem, never the value.
func (r *Register) isolated(ctx context.Context, tx *sql.Tx, res *registers.Result, write func() error, order func() []*column, undo func() error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT regmo_record"); err != nil {
		return err
	}
	err := write()
	var rw *recordWriteError
	if !errors.As(err, &rw) {
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT regmo_record")
		return err
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT regmo_record"); err != nil {
		return err
	}
	col := r.failedColumn(ctx, tx, res, order())
	problem := problemOf(rw.err)
	detail := "Schreibfehler: " + problem
	if col != "" {
		detail = "Schreibfehler in Spalte " + col + ": " + problem
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT regmo_record"); err != nil {
		return err
	}
	if undo != nil {
		if err := undo(); err != nil {
			return err
		}
	}
	res.Outcome = registers.Review
	res.Reason = registers.ReasonWriteFailed
	res.Details = append([]string{detail}, res.Details...)
	r.log.Warn("sqlregister: record not written, now a case", "key", string(res.Key), "column", col, "problem", problem)
	return nil
}

// failedColumn finds the column whose value the database refuses, by
// writing each column of the record alone (the IDNr column, then the
// columns of order) inside a savepoint that is always rolled back. It
// returns "" if no single column fails.
func (r *Register) failedColumn(ctx context.Context, tx *sql.Tx, res *registers.Result, order []*column) string {
	k, err := r.keyArgs(res.Key)
	if err != nil {
		return ""
	}
	try := func(col string, v any) bool {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT regmo_column"); err != nil {
			return false
		}
		_, err := tx.ExecContext(ctx, "UPDATE "+r.table+" SET "+quote(col)+" = "+r.ph(1)+" WHERE "+r.keyEq("", 2), append([]any{v}, k...)...)
		_, _ = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT regmo_column")
		_, _ = tx.ExecContext(ctx, "RELEASE SAVEPOINT regmo_column")
		return err != nil
	}
	args, err := r.acceptArgs(res.Key, &res.Person, registers.Accepted, res.MessageID, order)
	if err != nil {
		return ""
	}
	if try(r.cfg.IDNr, args[0]) {
		return r.cfg.IDNr
	}
	for i, c := range order {
		name := *c.name(&r.cfg.Columns)
		if try(name, args[3+i]) {
			return name
		}
	}
	return ""
}
