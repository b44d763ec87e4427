package sqlregister

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
)

// The BVA's clarification requests (§ 10 Abs. 5 IDNrG) as clerks' cases:
// *Register implements registers.ClarificationStore (the intake) and
// review.ClarificationStore (the workbench) over two tables of their own,
// added by migration 30 (apart from the register's and the review's
// steps):
//
//   - <prefix>clarify: one row per request (reference PRIMARY KEY, the
//     record's key, the IDNr, the fields in question as tokens joined by
//     "+", the BVA's reason code, issued and received in unix
//     milliseconds, the message that delivered it, state 0 open, 1
//     replied, 2 declined, version = decisions made, deferred);
//   - <prefix>clarify_decisions: the decisions (id PRIMARY KEY, the form's
//     idempotency key; reference and seq UNIQUE, so two decisions on the
//     same version cannot both commit), with the fields and the evidence
//     (registers.FormatEvidence) a reply sent and its message ID.
//
// The intake's cursor is the checkpoint of job "bva_clarification",
// stored in the same transaction as the page's cases.

var (
	_ registers.ClarificationStore = (*Register)(nil)
	_ review.ClarificationStore    = (*Register)(nil)
)

// clarifyJob is the checkpoint job that holds the intake's cursor.
const clarifyJob = "bva_clarification"

func init() {
	migrations = append(migrations, migration{30, "clarification requests of the BVA (§ 10 Abs. 5 IDNrG)", func(r *Register) ([]string, error) {
		bigint := "BIGINT"
		if r.cfg.Dialect == SQLite {
			bigint = "INTEGER"
		}
		return []string{
			"CREATE TABLE " + r.clarifyT() + " (reference TEXT PRIMARY KEY, key TEXT NOT NULL, idnr TEXT NOT NULL, fields TEXT NOT NULL, reason TEXT NOT NULL, " +
				"issued " + bigint + " NOT NULL, received " + bigint + " NOT NULL, message_id TEXT NOT NULL, state SMALLINT NOT NULL, version INTEGER NOT NULL, deferred SMALLINT NOT NULL)",
			"CREATE TABLE " + r.clarifyDecisionsT() + " (id TEXT PRIMARY KEY, reference TEXT NOT NULL, seq INTEGER NOT NULL, kind SMALLINT NOT NULL, clerk TEXT NOT NULL, at " + bigint + " NOT NULL, " +
				"reason TEXT NOT NULL, note TEXT NOT NULL, fields TEXT NOT NULL, evidence TEXT NOT NULL, reply_message TEXT NOT NULL, UNIQUE (reference, seq))",
		}, nil
	}})
}

func (r *Register) clarifyT() string          { return r.ident(r.cfg.Prefix + "clarify") }
func (r *Register) clarifyDecisionsT() string { return r.ident(r.cfg.Prefix + "clarify_decisions") }

// KeyOfIDNr implements registers.ClarificationStore: the record that holds
// id, from the <prefix>idnr side table, or else (a number the register's
// software wrote itself) from the IDNr column, which has no index: a scan.
// Of several records holding it, the first in key order.
func (r *Register) KeyOfIDNr(ctx context.Context, id idnr.IDNr) (registers.Key, bool, error) {
	var key string
	err := r.db.QueryRowContext(ctx, r.holderSQL, id.String()).Scan(&key)
	if err == nil {
		return registers.Key(key), true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, err
	}
	err = r.db.QueryRowContext(ctx, "SELECT "+r.keyExpr("")+" FROM "+r.table+" WHERE "+r.idnrText+" = "+r.ph(1)+
		" ORDER BY "+r.keyOrder("")+" LIMIT 1", id.String()).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return registers.Key(key), true, nil
}

// ClarificationCursor implements registers.ClarificationStore.
func (r *Register) ClarificationCursor(ctx context.Context) (string, error) {
	k, err := r.Checkpoint(ctx, clarifyJob)
	return string(k), err
}

// AddClarifications implements registers.ClarificationStore: the cases
// (kept as they are when the reference is stored already) and the cursor
// in one transaction.
func (r *Register) AddClarifications(ctx context.Context, cs []registers.Clarification, cursor string) (int, error) {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	added := 0
	now := time.Now().UnixMilli()
	for _, c := range cs {
		x, err := tx.ExecContext(ctx, "INSERT INTO "+r.clarifyT()+" (reference, key, idnr, fields, reason, issued, received, message_id, state, version, deferred) VALUES ("+
			r.phs(1, 8)+", 0, 0, 0) ON CONFLICT (reference) DO NOTHING",
			c.Reference, string(c.Key), c.IDNr.String(), strings.Join(c.Fields.Tokens(), "+"), c.Reason, c.Issued.UnixMilli(), now, c.MessageID)
		if err != nil {
			return 0, fmt.Errorf("sqlregister: storing a clarification request: %w", err)
		}
		if n, _ := x.RowsAffected(); n == 1 {
			added++
		}
	}
	if _, err := tx.ExecContext(ctx, r.checkpointSQL, clarifyJob, cursor); err != nil {
		return 0, err
	}
	return added, tx.Commit()
}

const clarifyCols = "reference, key, idnr, fields, reason, issued, message_id, state, version, deferred"

func scanClarification(sc interface{ Scan(...any) error }) (review.ClarificationSummary, error) {
	var s review.ClarificationSummary
	var key, id, fields string
	var issued int64
	var state, deferred int
	if err := sc.Scan(&s.Reference, &key, &id, &fields, &s.Reason, &issued, &s.MessageID, &state, &s.Version, &deferred); err != nil {
		return s, err
	}
	s.Key, s.Issued, s.State, s.Deferred = registers.Key(key), time.UnixMilli(issued).UTC(), review.ClarificationState(state), deferred == 1
	s.IDNr, _ = idnr.ParseStrict(id)
	s.Fields = parseVerified(fields)
	return s, nil
}

// ClarificationList implements review.ClarificationStore.
func (r *Register) ClarificationList(ctx context.Context, openOnly bool, after string, limit int) ([]review.ClarificationSummary, error) {
	q := "SELECT " + clarifyCols + " FROM " + r.clarifyT() + " WHERE reference > " + r.ph(1)
	if openOnly {
		q += " AND state = 0"
	}
	q += " ORDER BY reference LIMIT " + r.ph(2)
	rows, err := r.db.QueryContext(ctx, q, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.ClarificationSummary
	for rows.Next() {
		s, err := scanClarification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// LoadClarification implements review.ClarificationStore: the request, the
// register's record of the person and the decisions.
func (r *Register) LoadClarification(ctx context.Context, ref string) (review.StoredClarification, bool, error) {
	var st review.StoredClarification
	s, err := scanClarification(r.db.QueryRowContext(ctx, "SELECT "+clarifyCols+" FROM "+r.clarifyT()+" WHERE reference = "+r.ph(1), ref))
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("sqlregister: reading a clarification request: %w", err)
	}
	st.ClarificationSummary = s
	k, err := r.keyArgs(s.Key)
	if err != nil {
		return st, false, err
	}
	es, err := r.query(ctx, true, "SELECT "+r.selectList+", "+r.idnrCol+" FROM "+r.table+" WHERE "+r.keyEq("", 1), k...)
	if err != nil {
		return st, false, err
	}
	if len(es) == 1 {
		st.Register = es[0]
		for _, c := range r.cols {
			if c.field == 0 {
				continue
			}
			text, _ := columnOf(c.token).get(&st.Register.Person).(string)
			st.Columns = append(st.Columns, review.Column{Token: c.token, Field: c.field, Register: text})
		}
	}
	rows, err := r.db.QueryContext(ctx, "SELECT id, reference, seq, kind, clerk, at, reason, note, fields, evidence, reply_message FROM "+
		r.clarifyDecisionsT()+" WHERE reference = "+r.ph(1)+" ORDER BY seq", ref)
	if err != nil {
		return st, false, err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanClarifyDecision(rows)
		if err != nil {
			return st, false, err
		}
		st.History = append(st.History, d)
	}
	return st, true, rows.Err()
}

func scanClarifyDecision(sc interface{ Scan(...any) error }) (review.ClarificationDecided, error) {
	var d review.ClarificationDecided
	var kind int
	var at int64
	var fields, evidence string
	if err := sc.Scan(&d.ID, &d.Reference, &d.Seq, &kind, &d.Clerk, &at, &d.Reason, &d.Note, &fields, &evidence, &d.ReplyMessage); err != nil {
		return d, err
	}
	d.Kind, d.At, d.Fields = review.ClarifyKind(kind), time.UnixMilli(at).UTC(), parseVerified(fields)
	d.Evidence, _ = registers.ParseEvidence(evidence) // written by FormatEvidence
	return d, nil
}

// ApplyClarification implements review.ClarificationStore.
func (r *Register) ApplyClarification(ctx context.Context, ch review.ClarificationChange) (review.ClarificationDecided, bool, error) {
	d := ch.ClarificationDecided
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return d, false, err
	}
	defer tx.Rollback()
	cols := "id, reference, seq, kind, clerk, at, reason, note, fields, evidence, reply_message"
	prev, err := scanClarifyDecision(tx.QueryRowContext(ctx, "SELECT "+cols+" FROM "+r.clarifyDecisionsT()+" WHERE id = "+r.ph(1), d.ID))
	if err == nil {
		return prev, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return d, false, err
	}
	var version, state int
	err = tx.QueryRowContext(ctx, "SELECT version, state FROM "+r.clarifyT()+" WHERE reference = "+r.ph(1), d.Reference).Scan(&version, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, review.ErrNotFound
	}
	if err != nil {
		return d, false, err
	}
	if state != int(review.ClarificationOpen) {
		return d, false, review.ErrNotOpen
	}
	if version != ch.Version {
		return d, false, &review.ConflictError{Version: version}
	}
	x, err := tx.ExecContext(ctx, "INSERT INTO "+r.clarifyDecisionsT()+" ("+cols+") VALUES ("+r.phs(1, 11)+") ON CONFLICT DO NOTHING",
		d.ID, d.Reference, d.Seq, int(d.Kind), d.Clerk, d.At.UnixMilli(), d.Reason, d.Note, strings.Join(d.Fields.Tokens(), "+"),
		registers.FormatEvidence(d.Evidence), d.ReplyMessage)
	if err != nil {
		return d, false, fmt.Errorf("sqlregister: storing a clarification decision: %w", err)
	}
	if n, _ := x.RowsAffected(); n != 1 {
		return d, false, &review.ConflictError{Version: version}
	}
	deferred := 0
	if d.Kind == review.ClarifyDefer {
		deferred = 1
	}
	x, err = tx.ExecContext(ctx, "UPDATE "+r.clarifyT()+" SET version = "+r.ph(1)+", state = "+r.ph(2)+", deferred = "+r.ph(3)+
		" WHERE reference = "+r.ph(4)+" AND version = "+r.ph(5)+" AND state = 0", d.Seq, int(ch.State), deferred, d.Reference, ch.Version)
	if err != nil {
		return d, false, err
	}
	if n, _ := x.RowsAffected(); n != 1 {
		return d, false, &review.ConflictError{Version: version}
	}
	return d, false, tx.Commit()
}
