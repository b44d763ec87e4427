package sqlregister

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
)

// The clerks' workbench: *Register implements review.Store (see
// review_migrate.go for the tables). An open case is a record that is a
// case by the register's own condition (its outcome is one of r.casesIn:
// review, not identifiable, rejected, no search; [Register.Cases] lists
// the same records) and that no decision closed. Its IDNr column is
// blank (NULL, empty or spaces: no IDNr), or holds the register's own
// number that was found invalid or held twice (idnr_invalid_in_register,
// idnr_duplicate_in_register): a clerk's Accept replaces that number.

var _ review.Store = (*Register)(nil)

// openWhere is the condition of an open case over t (the register), v
// (the review queue) and c (the case versions).
func (r *Register) openWhere() string {
	return "t." + r.stateCol + " IN " + r.casesIn + " AND COALESCE(c.closed, 0) = 0"
}

// stillCase is the guard of every write of a decision: the record is
// still a case and its IDNr column (as trimmed text, blank for NULL) is
// what the decision's transaction read (placeholder n), so neither a
// settled record nor an IDNr the register's software wrote meanwhile is
// overwritten.
func (r *Register) stillCase(n int) string {
	return " AND " + r.stateCol + " IN " + r.casesIn + " AND COALESCE(" + r.idnrText + ", '') = " + r.ph(n)
}

func (r *Register) caseJoins() string {
	k := r.keyExpr("t.")
	return " FROM " + r.table + " t LEFT JOIN " + r.reviewT + " v ON v.key = " + k + " LEFT JOIN " +
		r.casesT() + " c ON c.key = " + k
}

// filterSQL appends the filter's conditions and arguments.
func (r *Register) filterSQL(f review.Filter, withReason bool, args []any) (string, []any, error) {
	q := " WHERE " + r.openWhere()
	if f.Outcome != registers.OutcomePending {
		args = append(args, int(f.Outcome))
		q += " AND t." + r.stateCol + " = " + r.ph(len(args))
	}
	if withReason && f.Reason != "" {
		args = append(args, f.Reason)
		q += " AND t." + r.reasonCol + " = " + r.ph(len(args))
	}
	if f.HasScore {
		args = append(args, f.MinScore, f.MaxScore)
		q += " AND COALESCE(v.score, 0) >= " + r.ph(len(args)-1) + " AND COALESCE(v.score, 0) <= " + r.ph(len(args))
	}
	if f.Key != "" {
		k, err := r.keyArgs(f.Key)
		if err != nil {
			return "", nil, &review.InputError{Field: "key", Reason: "not a key of the register (" + keyReason(err) + ")"}
		}
		q += " AND " + r.keyEq("t.", len(args)+1)
		args = append(args, k...)
	}
	return q, args, nil
}

// WorkList implements review.Store: open cases in key order after the key.
func (r *Register) WorkList(ctx context.Context, f review.Filter, after registers.Key, limit int) ([]review.Summary, error) {
	return r.workList(ctx, f, after, limit, false)
}

// WorkListBefore implements review.Store: open cases in descending key
// order before the key.
func (r *Register) WorkListBefore(ctx context.Context, f review.Filter, before registers.Key, limit int) ([]review.Summary, error) {
	if before == "" {
		return nil, &review.InputError{Field: "before", Reason: "required"}
	}
	return r.workList(ctx, f, before, limit, true)
}

func (r *Register) workList(ctx context.Context, f review.Filter, from registers.Key, limit int, desc bool) ([]review.Summary, error) {
	where, args, err := r.filterSQL(f, true, nil)
	if err != nil {
		return nil, err
	}
	op, dir, field := ">", "", "after"
	if desc {
		op, dir, field = "<", " DESC", "before"
	}
	if from != "" {
		k, err := r.keyArgs(from)
		if err != nil {
			return nil, &review.InputError{Field: field, Reason: "not a key of the register (" + keyReason(err) + ")"}
		}
		where += " AND " + r.keyCmp("t.", op, len(args)+1)
		args = append(args, k...)
	}
	args = append(args, limit)
	q := "SELECT " + r.keyExpr("t.") + ", t." + r.stateCol + ", COALESCE(t." + r.reasonCol + ", ''), COALESCE(v.score, 0), COALESCE(t." + r.messageCol + ", ''), COALESCE(c.version, 0), COALESCE(c.kind, 0)" +
		r.caseJoins() + where + " ORDER BY " + r.keyOrderDir("t.", dir) + " LIMIT " + r.ph(len(args))
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.Summary
	for rows.Next() {
		var s review.Summary
		var key string
		var state, kind int
		if err := rows.Scan(&key, &state, &s.Reason, &s.Score, &s.MessageID, &s.Version, &kind); err != nil {
			return nil, err
		}
		s.Key, s.Outcome, s.Deferred = registers.Key(key), registers.Outcome(state), review.Kind(kind) == review.Defer
		out = append(out, s)
	}
	return out, rows.Err()
}

// WorkCounts implements review.Store: open cases per reason.
func (r *Register) WorkCounts(ctx context.Context, f review.Filter) (map[string]int, error) {
	where, args, err := r.filterSQL(f, false, nil)
	if err != nil {
		return nil, err
	}
	q := "SELECT COALESCE(t." + r.reasonCol + ", ''), count(*)" + r.caseJoins() + where + " GROUP BY COALESCE(t." + r.reasonCol + ", '')"
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var reason string
		var n int
		if err := rows.Scan(&reason, &n); err != nil {
			return nil, err
		}
		out[reason] = n
	}
	return out, rows.Err()
}

// LoadCase implements review.Store.
func (r *Register) LoadCase(ctx context.Context, key registers.Key) (review.Stored, bool, error) {
	var st review.Stored
	k, err := r.keyArgs(key)
	if err != nil {
		return st, false, nil
	}
	n := len(r.cols)
	vals := make([]sql.NullString, n+5)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	sel := make([]string, 0, n+5)
	for _, c := range r.cols {
		sel = append(sel, c.col)
	}
	sel = append(sel, r.idnrCol, "CAST("+r.stateCol+" AS TEXT)", r.reasonCol, r.messageCol, "CASE WHEN "+r.stateCol+" IN "+r.casesIn+" THEN '1' ELSE '0' END")
	err = r.db.QueryRowContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+r.table+" WHERE "+r.keyEq("", 1), k...).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("sqlregister: reading a case: %w", err)
	}
	state := vals[n+1]
	if !state.Valid {
		return st, false, nil // never a case
	}
	s, _ := strconv.Atoi(state.String)
	st.Key, st.Outcome, st.Reason, st.MessageID = key, registers.Outcome(s), vals[n+2].String, vals[n+3].String
	st.Register.Key = key
	st.Columns = make([]review.Column, 0, n)
	for i, c := range r.cols {
		text := strings.TrimSpace(vals[i].String)
		if c.field == 0 {
			continue
		}
		if c.part > 0 {
			// Given names in several columns: one column for the clerk.
			if last := &st.Columns[len(st.Columns)-1]; text != "" {
				last.Register = strings.TrimSpace(last.Register + " " + text)
			}
		} else {
			st.Columns = append(st.Columns, review.Column{Token: c.token, Field: c.field, Register: text})
		}
		if text != "" {
			if d := c.set(&st.Register.Person, text); d != "" && st.Register.Defect == "" {
				st.Register.Defect = d
			}
		}
	}
	if v := strings.TrimSpace(vals[n].String); v != "" {
		st.Register.Person.IDNr, _ = idnr.ParseStrict(v)
	}
	if rc, ok, err := r.ReviewCase(ctx, key); err != nil {
		return st, false, err
	} else if ok {
		st.Score, st.Details = rc.Score, rc.Details
		if rc.Outcome == st.Outcome || st.Outcome == registers.Accepted {
			st.Candidate, st.HasCandidate, st.Delivered = rc.Candidate, !rc.Candidate.IDNr.IsZero(), rc.Fields
		}
	}
	if st.HasCandidate {
		texts := r.candidateJSON(&st.Candidate)
		for i := range st.Columns {
			st.Columns[i].Candidate = texts[st.Columns[i].Token]
		}
		var holder string
		err := r.db.QueryRowContext(ctx, r.holderSQL, st.Candidate.IDNr.String()).Scan(&holder)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return st, false, err
		}
		st.Holder = registers.Key(holder)
	}
	var kind, closed int
	err = r.db.QueryRowContext(ctx, "SELECT version, closed, kind FROM "+r.casesT()+" WHERE key = "+r.ph(1), string(key)).Scan(&st.Version, &closed, &kind)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, false, err
	}
	st.Deferred = review.Kind(kind) == review.Defer
	if closed == 1 {
		st.Closed = review.Kind(kind)
	}
	st.Open = closed == 0 && vals[n+4].String == "1"
	if st.History, err = r.history(ctx, r.db, key); err != nil {
		return st, false, err
	}
	return st, true, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

const decisionCols = "id, key, seq, kind, clerk, at, reason, note, outcome, result_reason, message_id, holder, corrected"

func scanDecision(sc interface{ Scan(...any) error }) (review.Decided, error) {
	var d review.Decided
	var key, holder, corrected string
	var kind, outcome int
	var at int64
	if err := sc.Scan(&d.ID, &key, &d.Seq, &kind, &d.Clerk, &at, &d.Reason, &d.Note, &outcome, &d.ResultReason, &d.MessageID, &holder, &corrected); err != nil {
		return d, err
	}
	d.Key, d.Kind, d.At, d.Outcome, d.Holder = registers.Key(key), review.Kind(kind), time.UnixMilli(at).UTC(), registers.Outcome(outcome), registers.Key(holder)
	if corrected != "" {
		d.Corrected = strings.Split(corrected, ",")
	}
	return d, nil
}

func (r *Register) history(ctx context.Context, q querier, key registers.Key) ([]review.Decided, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+decisionCols+" FROM "+r.decisionsT()+" WHERE key = "+r.ph(1)+" ORDER BY seq", string(key))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.Decided
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ParseRecord implements review.Store: a person from column texts.
func (r *Register) ParseRecord(texts map[string]string) (idnr.Person, error) {
	var p idnr.Person
	for _, c := range r.cols {
		if c.field == 0 || c.part > 0 {
			continue
		}
		v := strings.TrimSpace(texts[c.token])
		if v == "" {
			continue
		}
		if c.parts > 0 {
			p.GivenNames = strings.Join(strings.Fields(v), " ") // all given-name columns
			continue
		}
		if d := c.set(&p, v); d != "" {
			return p, &review.InputError{Field: c.token, Reason: "cannot be read (" + d + ")"}
		}
	}
	return p, nil
}

// Apply implements review.Store: the decision, its effect on the record
// and the case's version in one transaction.
func (r *Register) Apply(ctx context.Context, ch review.Change) (review.Decided, bool, error) {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return review.Decided{}, false, err
	}
	defer tx.Rollback()
	if d, ok, err := r.decisionByID(ctx, tx, ch.ID); err != nil || ok {
		return d, ok, err
	}
	d := ch.Decided
	x, err := tx.ExecContext(ctx, "INSERT INTO "+r.decisionsT()+" ("+decisionCols+") VALUES ("+r.phs(1, 13)+") ON CONFLICT DO NOTHING",
		d.ID, string(d.Key), d.Seq, int(d.Kind), d.Clerk, d.At.UnixMilli(), d.Reason, d.Note, int(d.Outcome), d.ResultReason, d.MessageID, string(d.Holder), strings.Join(d.Corrected, ","))
	if err != nil {
		return d, false, fmt.Errorf("sqlregister: storing a decision: %w", err)
	}
	if n, _ := x.RowsAffected(); n != 1 {
		if prev, ok, err := r.decisionByID(ctx, tx, ch.ID); err != nil || ok {
			return prev, ok, err
		}
		return d, false, &review.ConflictError{Key: d.Key, Version: r.version(ctx, tx, d.Key)}
	}
	var version, closed int
	err = tx.QueryRowContext(ctx, "SELECT version, closed FROM "+r.casesT()+" WHERE key = "+r.ph(1), string(d.Key)).Scan(&version, &closed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return d, false, err
	}
	if version != ch.Version {
		return d, false, &review.ConflictError{Key: d.Key, Version: version}
	}
	if closed == 1 {
		return d, false, review.ErrNotOpen
	}
	k, err := r.keyArgs(d.Key)
	if err != nil {
		return d, false, review.ErrNotFound
	}
	var isCase int
	var id string
	err = tx.QueryRowContext(ctx, "SELECT CASE WHEN "+r.stateCol+" IN "+r.casesIn+" THEN 1 ELSE 0 END, COALESCE("+r.idnrText+", '') FROM "+r.table+
		" WHERE "+r.keyEq("", 1), k...).Scan(&isCase, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, review.ErrNotFound
	}
	if err != nil {
		return d, false, err
	}
	if isCase != 1 {
		return d, false, review.ErrNotOpen
	}
	if len(ch.Texts) > 0 {
		if err := r.correct(ctx, tx, k, id, ch.Texts); err != nil {
			return d, false, err
		}
	}
	if res := ch.Result; res != nil {
		if res.Outcome == registers.Accepted {
			held, err := r.claimOne(ctx, tx, res)
			if err != nil {
				return d, false, err
			}
			if held != "" && d.Kind == review.Accept {
				return d, false, &review.IDNrHeldError{Key: d.Key, Holder: held}
			}
		}
		if err := r.settle(ctx, tx, k, id, res); err != nil {
			return d, false, err
		}
		if old, err := idnr.Parse(id); err == nil && res.Outcome == registers.Accepted && old != res.Person.IDNr {
			// The register's own number the clerk replaced no longer
			// belongs to this record.
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.idnrT+" WHERE idnr = "+r.ph(1)+" AND key = "+r.ph(2), old.String(), string(d.Key)); err != nil {
				return d, false, err
			}
		}
		if res.Outcome != d.Outcome || res.Reason != d.ResultReason {
			d.Outcome, d.ResultReason = res.Outcome, res.Reason
			if _, err := tx.ExecContext(ctx, "UPDATE "+r.decisionsT()+" SET outcome = "+r.ph(1)+", result_reason = "+r.ph(2)+" WHERE id = "+r.ph(3),
				int(d.Outcome), d.ResultReason, d.ID); err != nil {
				return d, false, err
			}
		}
	}
	closedNow := 0
	if ch.Close {
		closedNow = 1
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO "+r.casesT()+" (key, version, closed, kind) VALUES ("+r.phs(1, 4)+
		") ON CONFLICT (key) DO UPDATE SET version = excluded.version, closed = excluded.closed, kind = excluded.kind",
		string(d.Key), d.Seq, closedNow, int(d.Kind))
	if err != nil {
		return d, false, err
	}
	return d, false, tx.Commit()
}

func (r *Register) decisionByID(ctx context.Context, q querier, id string) (review.Decided, bool, error) {
	d, err := scanDecision(q.QueryRowContext(ctx, "SELECT "+decisionCols+" FROM "+r.decisionsT()+" WHERE id = "+r.ph(1), id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

func (r *Register) version(ctx context.Context, q querier, key registers.Key) int {
	var v int
	_ = q.QueryRowContext(ctx, "SELECT version FROM "+r.casesT()+" WHERE key = "+r.ph(1), string(key)).Scan(&v)
	return v
}

// correct writes corrected column texts of an open record whose IDNr
// column reads id.
func (r *Register) correct(ctx context.Context, tx *sql.Tx, k []any, id string, texts map[string]string) error {
	var sets []string
	var args []any
	for _, c := range r.cols {
		v, ok := texts[c.token]
		if !ok || c.field == 0 {
			continue
		}
		if c.parts > 0 {
			// Given names in several columns: split as on write-back.
			args = append(args, c.get(&idnr.Person{GivenNames: v}))
			sets = append(sets, c.col+" = "+r.ph(len(args)))
			continue
		}
		args = append(args, nullString(strings.TrimSpace(v)))
		sets = append(sets, c.col+" = "+r.ph(len(args)))
	}
	if len(sets) == 0 {
		return &review.InputError{Field: "texts", Reason: "no column of the register"}
	}
	where := r.keyEq("", len(args)+1) + r.stillCase(len(args)+len(k)+1)
	args = append(append(args, k...), id)
	x, err := tx.ExecContext(ctx, "UPDATE "+r.table+" SET "+strings.Join(sets, ", ")+" WHERE "+where, args...)
	if err != nil {
		return err
	}
	if n, _ := x.RowsAffected(); n != 1 {
		return review.ErrNotOpen
	}
	return nil
}

// claimOne enters the accepted IDNr into <prefix>idnr; if another record
// holds it, the result becomes an idnr_already_assigned review case and
// the holder is returned.
func (r *Register) claimOne(ctx context.Context, tx *sql.Tx, res *registers.Result) (registers.Key, error) {
	id := res.Person.IDNr.String()
	x, err := tx.ExecContext(ctx, r.claimSQL, id, string(res.Key))
	if err != nil {
		return "", fmt.Errorf("sqlregister: claiming IDNr for key %s: %w", res.Key, err)
	}
	if n, _ := x.RowsAffected(); n == 1 {
		return "", nil
	}
	var holder string
	if err := tx.QueryRowContext(ctx, r.holderSQL, id).Scan(&holder); err != nil {
		return "", fmt.Errorf("sqlregister: reading IDNr holder for key %s: %w", res.Key, err)
	}
	if registers.Key(holder) == res.Key {
		return "", nil
	}
	res.SetIDNrAssigned(registers.Key(holder))
	return registers.Key(holder), nil
}

// settle writes a decided result on an open record whose IDNr column reads
// id: Accepted writes the IDNr (replacing an invalid or doubly held number
// of the register's own), the transferred fields and the message as the
// backfill does; every other outcome replaces the record's outcome, reason
// and message, and its review queue entry (the new candidate, or none).
func (r *Register) settle(ctx context.Context, tx *sql.Tx, k []any, id string, res *registers.Result) error {
	if res.Outcome == registers.Accepted {
		// What the backfill's Accept writes (acceptSet): the IDNr in the
		// register's format and the columns of the transferred fields
		// that Config.Write names, each with the delivered value (a
		// field delivered empty clears its column).
		set, order := r.acceptSet(res.Fields)
		args := make([]any, 0, len(order)+5)
		args = append(args, r.idnrArg(res.Person.IDNr), int(registers.Accepted), nullString(res.MessageID))
		for _, c := range order {
			args = append(args, c.get(&res.Person))
		}
		where := r.keyEq("", len(args)+1) + r.stillCase(len(args)+len(k)+1)
		args = append(append(args, k...), id)
		x, err := tx.ExecContext(ctx, "UPDATE "+r.table+" SET "+set+" WHERE "+where, args...)
		if err != nil {
			return err
		}
		if n, _ := x.RowsAffected(); n != 1 {
			return review.ErrNotOpen
		}
		return nil
	}
	x, err := tx.ExecContext(ctx, "UPDATE "+r.table+" SET "+r.stateCol+" = "+r.ph(1)+", "+r.reasonCol+" = "+r.ph(2)+", "+r.messageCol+" = "+r.ph(3)+
		" WHERE "+r.keyEq("", 4)+r.stillCase(4+len(k)), append(append([]any{int(res.Outcome), res.Reason, nullString(res.MessageID)}, k...), id)...)
	if err != nil {
		return err
	}
	if n, _ := x.RowsAffected(); n != 1 {
		return review.ErrNotOpen
	}
	if res.Person.IDNr.IsZero() {
		_, err = tx.ExecContext(ctx, "DELETE FROM "+r.reviewT+" WHERE key = "+r.ph(1), string(res.Key))
		return err
	}
	cand, err := json.Marshal(r.candidateJSON(&res.Person))
	if err != nil {
		return err
	}
	details, _ := json.Marshal(res.Details)
	_, err = tx.ExecContext(ctx, r.reviewSQL, string(res.Key), time.Now().UnixMilli(), int(res.Outcome), res.Reason, res.Score, string(details), res.MessageID, string(cand), deliveredArg(res))
	return err
}
