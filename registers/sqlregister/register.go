package sqlregister

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// Register is a register table in an SQL database. It implements
// [registers.Register] (the backfill), [registers.SyncRegister] (the sync)
// and the optional capabilities [registers.UniqueIDNrWriter],
// [registers.Checkpointer], [registers.Leaser], [registers.CaseLister],
// [registers.Counter] and [registers.CheckpointResetter].
// It is safe for concurrent use.
type Register struct {
	db  *sql.DB
	cfg Config
	log *slog.Logger

	table, tableName, schema                      string
	keyNames                                      []string // the key's columns as configured
	key                                           keyCodec // the key's columns, with their types
	info                                          *tableInfo
	existing                                      ExistingIDNrs
	idnrInt                                       bool            // the IDNr column is an integer (Formats["idnr"])
	writes                                        map[string]bool // column tokens an accepted result writes (Config.Write)
	idnrCol, stateCol, reasonCol, messageCol      string
	schemaT, checkpointT, reviewT, leasesT, idnrT string
	cols                                          []mappedCol // mapped basic-data columns in Columns order
	selectList                                    string
	nextSQL                                       [4]string // pending records: [bound] with bound&1 a lower, bound&2 an upper key bound
	syncSQL                                       [2]string // records with an IDNr: [1] after a key
	markSQL, reviewSQL, checkpointSQL, leaseSQL   string
	claimSQL, holderSQL                           string
	idnrText, noIDNr, pending                     string // SQL: the IDNr column as trimmed text; it is blank; the record is pending
	casesIn                                       string // SQL list of the outcomes that are clerks' cases: "(2, 3, 4, 5)"
	now                                           string // SQL expression: the database clock in unix milliseconds
}

// mappedCol is a column of the table the register maps: its row of the
// column table and its quoted name.
type mappedCol struct {
	*column
	col string
}

// New opens the register table described by cfg in db, checks the
// configuration and brings the bookkeeping schema up to date (versioned
// migrations; see the package documentation). db must be a database/sql
// handle of the "sqlite" (modernc.org/sqlite) or "pgx" driver matching
// cfg.Dialect; use [OpenSQLite] or [OpenPostgres] for a ready one.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Register, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	writes, err := cfg.writeSet()
	if err != nil {
		return nil, err
	}
	for k := range cfg.Formats {
		if k != idnr.FieldIDNr.Token() && columnOf(k) == nil {
			return nil, fmt.Errorf("sqlregister: config: Formats: unknown field %q (known: idnr, %s)", k, strings.Join(FieldTokens(), ", "))
		}
	}
	idnrInt, err := cfg.idnrInteger()
	if err != nil {
		return nil, err
	}
	r := &Register{db: db, cfg: cfg, log: cfg.Logger, writes: writes, idnrInt: idnrInt}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	schema, table, _ := qualified(cfg.Table)
	r.schema, r.tableName = schema, table
	r.table = r.ident(table)
	r.keyNames, _ = cfg.keyNames()
	info, err := r.checkSchema(ctx)
	if err != nil {
		return nil, err
	}
	r.info = info
	for _, k := range r.keyNames {
		c, _ := info.col(r.norm(k))
		r.key = append(r.key, keyPart{name: k, col: quote(k), integer: cfg.IntegerKey || isIntegerType(cfg.Dialect, c.typ)})
	}
	r.idnrCol = quote(cfg.IDNr)
	r.stateCol = quote(cfg.Prefix + "state")
	r.reasonCol = quote(cfg.Prefix + "reason")
	r.messageCol = quote(cfg.Prefix + "message")
	r.schemaT = r.ident(cfg.Prefix + "schema")
	r.checkpointT = r.ident(cfg.Prefix + "checkpoint")
	r.reviewT = r.ident(cfg.Prefix + "review")
	r.leasesT = r.ident(cfg.Prefix + "leases")
	r.idnrT = r.ident(cfg.Prefix + "idnr")
	if cfg.Dialect == PostgreSQL {
		r.now = "(extract(epoch from clock_timestamp()) * 1000)::bigint"
	} else {
		r.now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
	}

	sel := []string{r.keyExpr("")}
	for _, nc := range cfg.Columns.expand() {
		col := &nc.column
		if f, ok := cfg.Formats[col.token]; ok {
			fc, err := withFormat(*col, f)
			if err != nil {
				return nil, err
			}
			col = &fc
		}
		r.cols = append(r.cols, mappedCol{column: col, col: quote(nc.name)})
		sel = append(sel, quote(nc.name))
	}
	r.casesIn = outcomeList(registers.Review, registers.NotIdentifiable, registers.Rejected, registers.NoSearch)
	r.selectList = strings.Join(sel, ", ")
	// An IDNr column that is NULL, empty or only spaces holds no IDNr.
	r.idnrText = "TRIM(CAST(" + r.idnrCol + " AS TEXT))"
	r.noIDNr = "(" + r.idnrCol + " IS NULL OR " + r.idnrText + " = '')"
	r.pending = r.noIDNr + " AND " + r.stateCol + " IS NULL"
	pending := r.pending
	// Keyset paging: the pending records after a key (and up to one, for
	// a lease's range), in key order; a composite key compares as a row
	// value, "(a, b) > ($1, $2) ORDER BY a, b", which walks its index.
	nk := len(r.key)
	for bound := range r.nextSQL {
		q, n := "SELECT "+r.selectList+" FROM "+r.table+" WHERE "+pending, 1
		if bound&1 != 0 {
			q, n = q+" AND "+r.keyCmp("", ">", n), n+nk
		}
		if bound&2 != 0 {
			q, n = q+" AND "+r.keyCmp("", "<=", n), n+nk
		}
		r.nextSQL[bound] = q + " ORDER BY " + r.keyOrder("") + " LIMIT " + r.ph(n)
	}
	sync := "SELECT " + r.selectList + ", " + r.idnrCol + " FROM " + r.table + " WHERE NOT " + r.noIDNr + " AND (" + r.stateCol + " IS NULL OR " + r.stateCol + " NOT IN " + r.casesIn + ")"
	r.syncSQL[0] = sync + " ORDER BY " + r.keyOrder("") + " LIMIT " + r.ph(1)
	r.syncSQL[1] = sync + " AND " + r.keyCmp("", ">", 1) + " ORDER BY " + r.keyOrder("") + " LIMIT " + r.ph(1+nk)
	// Markers never overwrite a settled record: a record is written once.
	r.markSQL = "UPDATE " + r.table + " SET " + r.stateCol + " = " + r.ph(1) + ", " + r.reasonCol + " = " + r.ph(2) + ", " + r.messageCol + " = " + r.ph(3) +
		" WHERE " + r.keyEq("", 4) + " AND " + pending
	r.reviewSQL = "INSERT INTO " + r.reviewT + " (key, created, outcome, reason, score, details, message_id, candidate, fields) VALUES (" +
		r.phs(1, 9) + ") ON CONFLICT (key) DO UPDATE SET created = excluded.created, outcome = excluded.outcome, reason = excluded.reason, score = excluded.score, details = excluded.details, message_id = excluded.message_id, candidate = excluded.candidate, fields = excluded.fields"
	r.checkpointSQL = "INSERT INTO " + r.checkpointT + " (job, after_key, updated) VALUES (" + r.ph(1) + ", " + r.ph(2) + ", " + r.now +
		") ON CONFLICT (job) DO UPDATE SET after_key = excluded.after_key, updated = excluded.updated"
	r.leaseSQL = "UPDATE " + r.leasesT + " SET after_key = " + r.ph(1) + ", expires = " + r.now + " + " + r.ph(2) +
		" WHERE job = " + r.ph(3) + " AND id = " + r.ph(4) + " AND owner = " + r.ph(5) + " AND done = 0"
	r.claimSQL = "INSERT INTO " + r.idnrT + " (idnr, key) VALUES (" + r.ph(1) + ", " + r.ph(2) + ") ON CONFLICT (idnr) DO NOTHING"
	r.holderSQL = "SELECT key FROM " + r.idnrT + " WHERE idnr = " + r.ph(1)
	if err := r.migrate(ctx); err != nil {
		return nil, err
	}
	if err := r.checkExisting(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Fields returns the basic data the register keeps: the mapped columns and
// the IDNr. Use it for ida.Auth.Fields (ask for no more than the register
// keeps) and [registers.SyncConfig.Fields].
func (r *Register) Fields() idnr.Fields {
	f := idnr.FieldIDNr
	for _, c := range r.cols {
		f |= c.field
	}
	return f
}

// DB returns the database handle.
func (r *Register) DB() *sql.DB { return r.db }

// ident quotes a table name and qualifies it with the register's schema.
func (r *Register) ident(name string) string {
	if r.schema != "" {
		return quote(r.schema) + "." + quote(name)
	}
	return quote(name)
}

// ph returns the i-th placeholder (1-based) of the dialect.
func (r *Register) ph(i int) string {
	if r.cfg.Dialect == PostgreSQL {
		return "$" + strconv.Itoa(i)
	}
	return "?"
}

func (r *Register) phs(from, to int) string {
	p := make([]string, 0, to-from+1)
	for i := from; i <= to; i++ {
		p = append(p, r.ph(i))
	}
	return strings.Join(p, ", ")
}

// Next implements [registers.Reader]: the unsettled people without an
// IDNr after the key ("" for the first), in key order.
func (r *Register) Next(ctx context.Context, after registers.Key, limit int) ([]registers.Entry, error) {
	return r.NextRange(ctx, after, "", limit)
}

// NextRange implements [registers.RangeReader]: the unsettled people
// without an IDNr after the key after and up to the key upto (each ""
// for no bound), in key order.
func (r *Register) NextRange(ctx context.Context, after, upto registers.Key, limit int) ([]registers.Entry, error) {
	var args []any
	bound := 0
	for i, k := range []registers.Key{after, upto} {
		if k == "" {
			continue
		}
		a, err := r.keyArgs(k)
		if err != nil {
			return nil, err
		}
		args = append(args, a...)
		bound |= 1 << i
	}
	return r.query(ctx, false, r.nextSQL[bound], append(args, limit)...)
}

// NextWithIDNr reads people that have an IDNr, in key order after the key
// (for [registers.Sync]).
func (r *Register) NextWithIDNr(ctx context.Context, after registers.Key, limit int) ([]registers.Entry, error) {
	if after == "" {
		return r.query(ctx, true, r.syncSQL[0], limit)
	}
	a, err := r.keyArgs(after)
	if err != nil {
		return nil, err
	}
	return r.query(ctx, true, r.syncSQL[1], append(a, limit)...)
}

func (r *Register) query(ctx context.Context, withIDNr bool, q string, args ...any) ([]registers.Entry, error) {
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := len(r.cols) + 1
	if withIDNr {
		n++
	}
	vals := make([]sql.NullString, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []registers.Entry
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		e := registers.Entry{Key: registers.Key(vals[0].String)}
		for i, c := range r.cols {
			if !vals[i+1].Valid {
				continue
			}
			switch c.token {
			case tokenVerified:
				e.Verified = parseVerified(vals[i+1].String)
				continue
			case tokenEvidence:
				ev, err := registers.ParseEvidence(vals[i+1].String)
				if err != nil {
					// Not needed by the search: reported, not blocking.
					e.Defects = append(e.Defects, registers.ValueDefect{Column: tokenEvidence, Code: registers.DefectEvidence})
				}
				e.Evidence = ev
				continue
			}
			v := strings.TrimSpace(vals[i+1].String)
			if v == "" {
				continue
			}
			if d := c.set(&e.Person, v); d != "" {
				e.Defects = append(e.Defects, registers.ValueDefect{Column: c.token, Field: c.field, Code: d})
				if e.Defect == "" && c.field&searchFields != 0 {
					e.Defect = d
				}
			}
		}
		if withIDNr {
			id, err := idnr.Parse(strings.TrimSpace(vals[n-1].String)) // grouped digits are the same number
			if err != nil {
				e.Defect = "idnr_invalid"
			}
			e.Person.IDNr = id
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// searchFields are the fields a search may need: a value of them that
// cannot be read is the record's blocking Entry.Defect (the reason if no
// search can be formed); other unreadable values are only reported.
const searchFields = idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldAddress

// acceptStmt returns the UPDATE for an accepted IDNr that replaces the
// mapped columns of the transferred fields. With onlyPending the record
// must still be unsettled (backfill: never written twice); without it the
// record must hold the same IDNr (sync).
func (r *Register) acceptStmt(fields idnr.Fields, onlyPending bool) (string, []*column) {
	set, order := r.acceptSet(fields)
	i := 4 + len(order)
	q := "UPDATE " + r.table + " SET " + set + " WHERE " + r.keyEq("", i)
	if onlyPending {
		q += " AND " + r.pending
	} else {
		q += " AND " + r.idnrCol + " = " + r.ph(i+len(r.key))
	}
	return q, order
}

// acceptSet is the SET list of an accepted IDNr, one for the backfill, the
// sync and a clerk's Accept: the IDNr (placeholder 1), the state (2), no
// reason, the message (3), and from placeholder 4 on the columns of order:
// the mapped columns of the transferred fields that Config.Write names.
func (r *Register) acceptSet(fields idnr.Fields) (string, []*column) {
	sets := []string{r.idnrCol + " = " + r.ph(1), r.stateCol + " = " + r.ph(2), r.reasonCol + " = NULL", r.messageCol + " = " + r.ph(3)}
	var order []*column
	for _, c := range r.cols {
		if c.field != 0 && fields.Has(c.field) && r.writes[c.token] {
			sets = append(sets, c.col+" = "+r.ph(4+len(order)))
			order = append(order, c.column)
		}
	}
	return strings.Join(sets, ", "), order
}

func (r *Register) acceptArgs(key registers.Key, p *idnr.Person, state registers.Outcome, msg string, order []*column) ([]any, error) {
	args := make([]any, 0, len(order)+5)
	args = append(args, r.idnrArg(p.IDNr), int(state), nullString(msg))
	for _, c := range order {
		args = append(args, c.get(p))
	}
	k, err := r.keyArgs(key)
	if err != nil {
		return nil, err
	}
	return append(args, k...), nil
}

// ErrConflict is returned when an accepted IDNr is written for a record
// that was settled in the meantime by another writer; the batch is rolled
// back.
var ErrConflict = errors.New("sqlregister: record already settled by another writer")

// WriteBatch implements [registers.BatchWriter] for the backfill: every
// result of the batch, the review cases and the checkpoint (or the lease's
// checkpoint) in one transaction. Accepted results write the IDNr and the
// transferred fields (each IDNr claimed first, see [Register.UniqueIDNrs]);
// every other outcome is marked on the record, Review also enqueued with
// its candidate. A record that is already settled is never overwritten
// ([ErrConflict]); if a lease was lost the transaction is rolled back with
// [registers.ErrLeaseLost].
func (r *Register) WriteBatch(ctx context.Context, b registers.Batch) error {
	err := r.inTx(ctx, b, func(tx *sql.Tx) error { return r.writeResults(ctx, tx, b.Results, false) })
	if err != nil && isolable(err) && ctx.Err() == nil {
		// One record's write failed: write the batch again with one
		// savepoint per accepted record (see isolate.go).
		err = r.inTx(ctx, b, func(tx *sql.Tx) error { return r.writeResults(ctx, tx, b.Results, true) })
	}
	return err
}

func (r *Register) writeResults(ctx context.Context, tx *sql.Tx, results []registers.Result, isolate bool) error {
	if err := r.claimIDNrs(ctx, tx, results); err != nil {
		return err
	}
	var st stmts
	defer st.close()
	for i := range results {
		res := &results[i]
		k, err := r.keyArgs(res.Key)
		if err != nil {
			return err
		}
		if res.Outcome == registers.Accepted {
			if isolate {
				err = r.acceptIsolated(ctx, tx, &st, res)
			} else {
				err = r.accept(ctx, tx, &st, res)
			}
			if err != nil {
				return err
			}
			if res.Outcome == registers.Accepted {
				continue
			}
		}
		if res.Outcome == registers.Review {
			if err := r.enqueue(ctx, tx, &st, res); err != nil {
				return err
			}
		}
		if st.mark == nil {
			if st.mark, err = tx.PrepareContext(ctx, r.markSQL); err != nil {
				return err
			}
		}
		x, err := st.mark.ExecContext(ctx, append([]any{int(res.Outcome), res.Reason, nullString(res.MessageID)}, k...)...)
		if err != nil {
			return err
		}
		if n, _ := x.RowsAffected(); n != 1 {
			return fmt.Errorf("%w (key %s)", ErrConflict, res.Key)
		}
	}
	return nil
}

// WriteSync implements [registers.SyncWriter]: in one transaction with the
// checkpoint, Updated and Inaccurate results replace the fields
// Result.Fields of a record that still holds Result.Person.IDNr
// ([ErrConflict] if it does not), Unchanged ones change nothing, and
// Inaccurate and every other outcome go to the review queue. A record
// whose update the database refuses becomes a write_failed case, and the
// rest of the batch is written (see isolate.go).
func (r *Register) WriteSync(ctx context.Context, b registers.Batch) error {
	err := r.inTx(ctx, b, func(tx *sql.Tx) error { return r.writeSync(ctx, tx, b.Results, false) })
	if err != nil && isolable(err) && ctx.Err() == nil {
		err = r.inTx(ctx, b, func(tx *sql.Tx) error { return r.writeSync(ctx, tx, b.Results, true) })
	}
	return err
}

func (r *Register) writeSync(ctx context.Context, tx *sql.Tx, results []registers.Result, isolate bool) error {
	var st stmts
	defer st.close()
	for i := range results {
		res := &results[i]
		switch res.Outcome {
		case registers.Unchanged:
			continue
		case registers.Updated, registers.Inaccurate:
			var err error
			if isolate {
				err = r.syncIsolated(ctx, tx, res)
			} else {
				err = r.syncUpdate(ctx, tx, res)
			}
			if err != nil {
				return err
			}
			if res.Outcome == registers.Updated {
				continue
			}
		}
		if err := r.enqueue(ctx, tx, &st, res); err != nil {
			return err
		}
	}
	return nil
}

// stmts are the statements a batch prepares once in its transaction.
type stmts struct {
	mark, review *sql.Stmt
	accept       map[idnr.Fields]*sql.Stmt
	acceptOrder  map[idnr.Fields][]*column
}

func (s *stmts) close() {
	for _, st := range s.accept {
		st.Close()
	}
	if s.mark != nil {
		s.mark.Close()
	}
	if s.review != nil {
		s.review.Close()
	}
}

// inTx runs write in one transaction with the batch's lease fence and
// checkpoint.
func (r *Register) inTx(ctx context.Context, b registers.Batch, write func(tx *sql.Tx) error) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if b.Lease != nil {
		// Fence first: renew the lease and make sure we still hold it.
		ttl := b.Lease.TTL
		if ttl <= 0 {
			ttl = 2 * time.Minute
		}
		after := b.Checkpoint
		if after == "" {
			after = b.Lease.After
		}
		res, err := tx.ExecContext(ctx, r.leaseSQL, string(after), ttl.Milliseconds(), b.Lease.Job, b.Lease.ID, b.Lease.Owner)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return registers.ErrLeaseLost
		}
		if b.Checkpoint != "" {
			b.Lease.After = b.Checkpoint
		}
	}
	if err := write(tx); err != nil {
		return err
	}
	if b.Checkpoint != "" && b.Lease == nil {
		if _, err := tx.ExecContext(ctx, r.checkpointSQL, b.Job, string(b.Checkpoint)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// accept writes an accepted IDNr with the transferred fields; the record
// must still be pending.
func (r *Register) accept(ctx context.Context, tx *sql.Tx, st *stmts, res *registers.Result) error {
	ps := st.accept[res.Fields]
	if ps == nil {
		q, order := r.acceptStmt(res.Fields, true)
		var err error
		if ps, err = tx.PrepareContext(ctx, q); err != nil {
			return err
		}
		if st.accept == nil {
			st.accept, st.acceptOrder = map[idnr.Fields]*sql.Stmt{}, map[idnr.Fields][]*column{}
		}
		st.accept[res.Fields], st.acceptOrder[res.Fields] = ps, order
	}
	args, err := r.acceptArgs(res.Key, &res.Person, registers.Accepted, res.MessageID, st.acceptOrder[res.Fields])
	if err != nil {
		return err
	}
	x, err := ps.ExecContext(ctx, args...)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &recordWriteError{key: res.Key, err: err}
	}
	if n, _ := x.RowsAffected(); n != 1 {
		return fmt.Errorf("%w (key %s)", ErrConflict, res.Key)
	}
	return nil
}

// UniqueIDNrs implements [registers.UniqueIDNrWriter]: the register keeps
// every IDNr on at most one record (the table <prefix>idnr).
func (r *Register) UniqueIDNrs() bool { return true }

// claimIDNrs enters the IDNr of every accepted result into <prefix>idnr
// (idnr PRIMARY KEY, key) in the batch's transaction. An IDNr that another
// record holds already, from this batch, an earlier one or another worker,
// turns the result into a Review case (registers.Result.SetIDNrAssigned).
// The inserts go in IDNr order, so that two transactions that claim the
// same IDNrs lock them in the same order and cannot deadlock; on PostgreSQL
// an insert of an IDNr that another open transaction claimed waits for it
// and then conflicts or succeeds, so the first committed claim wins.
func (r *Register) claimIDNrs(ctx context.Context, tx *sql.Tx, results []registers.Result) error {
	type claim struct {
		idnr string
		i    int
	}
	var claims []claim
	for i := range results {
		if results[i].Outcome == registers.Accepted {
			claims = append(claims, claim{results[i].Person.IDNr.String(), i})
		}
	}
	if len(claims) == 0 {
		return nil
	}
	slices.SortStableFunc(claims, func(a, b claim) int { return strings.Compare(a.idnr, b.idnr) })
	ins, err := tx.PrepareContext(ctx, r.claimSQL)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, c := range claims {
		res := &results[c.i]
		id := c.idnr
		x, err := ins.ExecContext(ctx, id, string(res.Key))
		if err != nil {
			return fmt.Errorf("sqlregister: claiming IDNr for key %s: %w", res.Key, err)
		}
		if n, _ := x.RowsAffected(); n == 1 {
			continue
		}
		var holder string
		if err := tx.QueryRowContext(ctx, r.holderSQL, id).Scan(&holder); err != nil {
			return fmt.Errorf("sqlregister: reading IDNr holder for key %s: %w", res.Key, err)
		}
		if registers.Key(holder) == res.Key {
			continue // a claim of this record that outlived its IDNr (e.g. reset by a clerk)
		}
		res.SetIDNrAssigned(registers.Key(holder))
	}
	return nil
}

// enqueue puts the result into the review queue, with its candidate.
func (r *Register) enqueue(ctx context.Context, tx *sql.Tx, st *stmts, res *registers.Result) error {
	if st.review == nil {
		var err error
		if st.review, err = tx.PrepareContext(ctx, r.reviewSQL); err != nil {
			return err
		}
	}
	cand, err := json.Marshal(r.candidateJSON(&res.Person))
	if err != nil {
		return err
	}
	details, _ := json.Marshal(res.Details)
	_, err = st.review.ExecContext(ctx, string(res.Key), time.Now().UnixMilli(), int(res.Outcome), res.Reason, res.Score,
		string(details), res.MessageID, string(cand), deliveredArg(res))
	return err
}

// deliveredArg is the review queue's fields column of a result: the fields
// the BVA delivered with the candidate (the IDNr included), NULL when the
// result has no candidate or does not say (a clerk's Accept then writes
// the candidate's non-empty fields, as for rows queued before migration
// 11).
func deliveredArg(res *registers.Result) any {
	if res.Person.IDNr.IsZero() || res.Fields == 0 {
		return nil
	}
	return int64(res.Fields | idnr.FieldIDNr)
}

// syncUpdate replaces the fields res.Fields of a record that holds
// res.Person.IDNr.
func (r *Register) syncUpdate(ctx context.Context, tx *sql.Tx, res *registers.Result) error {
	q, order := r.acceptStmt(res.Fields, false)
	args, err := r.acceptArgs(res.Key, &res.Person, registers.Accepted, res.MessageID, order)
	if err != nil {
		return err
	}
	x, err := tx.ExecContext(ctx, q, append(args, res.Person.IDNr.String())...)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &recordWriteError{key: res.Key, err: err}
	}
	if n, _ := x.RowsAffected(); n != 1 {
		return fmt.Errorf("%w (key %s: IDNr changed meanwhile)", ErrConflict, res.Key)
	}
	return nil
}

// ResetCheckpoint implements [registers.CheckpointResetter].
func (r *Register) ResetCheckpoint(ctx context.Context, job string) error {
	_, err := r.db.ExecContext(ctx, "DELETE FROM "+r.checkpointT+" WHERE job = "+r.ph(1), job)
	return err
}

// candidateJSON is how a review case keeps the person the BVA returned, so
// that the clerk's software can show it next to the register's record: a
// JSON object of the IDNr ("idnr") and the mapped columns by their tokens,
// each as the text its column holds ("former_names": "A;B"). Empty values
// are left out.
func (r *Register) candidateJSON(p *idnr.Person) map[string]string {
	c := make(map[string]string, len(r.cols)+1)
	if !p.IDNr.IsZero() {
		c[idnr.FieldIDNr.Token()] = p.IDNr.String()
	}
	for _, col := range r.cols {
		// regmo's own text form, whatever the register's format.
		if v, ok := columnOf(col.token).get(p).(string); ok {
			c[col.token] = v
		}
	}
	return c
}

// readCandidate is the inverse of candidateJSON. It also reads the form
// of earlier versions, which kept the former names as a JSON array.
func readCandidate(b []byte) idnr.Person {
	var raw map[string]json.RawMessage
	var p idnr.Person
	if json.Unmarshal(b, &raw) != nil {
		return p
	}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil {
			var list []string
			if json.Unmarshal(v, &list) != nil {
				continue
			}
			s = strings.Join(list, ";")
		}
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if k == idnr.FieldIDNr.Token() {
			p.IDNr, _ = idnr.ParseStrict(s)
			continue
		}
		if c := columnOf(k); c != nil {
			c.set(&p, s)
		}
	}
	return p
}

// Checkpoint implements [registers.Checkpointer].
func (r *Register) Checkpoint(ctx context.Context, job string) (registers.Key, error) {
	var k string
	err := r.db.QueryRowContext(ctx, "SELECT after_key FROM "+r.checkpointT+" WHERE job = "+r.ph(1), job).Scan(&k)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return registers.Key(k), err
}

// Counts implements [registers.Counter]. Records that had an IDNr before
// any run count as Accepted.
func (r *Register) Counts(ctx context.Context) (map[registers.Outcome]int, error) {
	rows, err := r.db.QueryContext(ctx, "SELECT COALESCE("+r.stateCol+", CASE WHEN "+r.noIDNr+" THEN "+strconv.Itoa(int(registers.OutcomePending))+
		" ELSE "+strconv.Itoa(int(registers.Accepted))+" END) AS s, count(*) FROM "+r.table+" GROUP BY 1")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[registers.Outcome]int{}
	for rows.Next() {
		var s, n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[registers.Outcome(s)] += n
	}
	return out, rows.Err()
}

// Cases implements [registers.CaseLister]: every settled record without an
// IDNr (review, not identifiable, rejected, no search), in key order, with
// the review details where there are any. Candidates are not loaded.
func (r *Register) Cases(ctx context.Context, fn func(registers.Case) error) error {
	q := "SELECT " + r.keyExpr("t.") + ", t." + r.stateCol + ", COALESCE(t." + r.reasonCol + ", ''), COALESCE(v.score, 0), COALESCE(v.details, ''), COALESCE(v.message_id, t." + r.messageCol + ", '')" +
		" FROM " + r.table + " t LEFT JOIN " + r.reviewT + " v ON v.key = " + r.keyExpr("t.") +
		" WHERE t." + r.stateCol + " IN " + r.casesIn + " ORDER BY " + r.keyOrder("t.")
	rows, err := r.db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c registers.Case
		var key, details string
		var state int
		if err := rows.Scan(&key, &state, &c.Reason, &c.Score, &details, &c.MessageID); err != nil {
			return err
		}
		c.Key, c.Outcome = registers.Key(key), registers.Outcome(state)
		if details != "" {
			_ = json.Unmarshal([]byte(details), &c.Details)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReviewCase returns the review case of a record, with the candidate the
// BVA returned, or ok == false if there is none.
func (r *Register) ReviewCase(ctx context.Context, key registers.Key) (c registers.Case, ok bool, err error) {
	var details, cand string
	var state int
	var fields sql.NullInt64
	err = r.db.QueryRowContext(ctx, "SELECT outcome, reason, score, details, message_id, candidate, fields FROM "+r.reviewT+" WHERE key = "+r.ph(1), string(key)).
		Scan(&state, &c.Reason, &c.Score, &details, &c.MessageID, &cand, &fields)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c.Key, c.Outcome = key, registers.Outcome(state)
	_ = json.Unmarshal([]byte(details), &c.Details)
	c.Candidate = readCandidate([]byte(cand))
	if fields.Valid && fields.Int64 > 0 && fields.Int64 <= int64(idnr.AllFields) {
		c.Fields = idnr.Fields(fields.Int64) & idnr.AllFields
	}
	return c, true, nil
}

// outcomeList is the SQL list of the outcomes' codes, "(2, 3)": outcomes
// are stored as their registers.Outcome number.
func outcomeList(os ...registers.Outcome) string {
	p := make([]string, len(os))
	for i, o := range os {
		p[i] = strconv.Itoa(int(o))
	}
	return "(" + strings.Join(p, ", ") + ")"
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// MessageOf returns the message ID stored with the record's outcome (the
// IDA answer that delivered its IDNr, or that answered its search), "" if
// none. It links a written IDNr to its § 9 protocol record.
func (r *Register) MessageOf(ctx context.Context, key registers.Key) (string, error) {
	k, err := r.keyArgs(key)
	if err != nil {
		return "", err
	}
	var m sql.NullString
	err = r.db.QueryRowContext(ctx, "SELECT "+r.messageCol+" FROM "+r.table+" WHERE "+r.keyEq("", 1), k...).Scan(&m)
	return m.String, err
}
