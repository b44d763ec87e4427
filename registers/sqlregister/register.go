package sqlregister

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// Register is a register table in an SQL database. It implements
// [registers.Register] and the optional capabilities [registers.Marker],
// [registers.BatchWriter], [registers.Checkpointer], [registers.Leaser],
// [registers.CaseLister], [registers.Counter] and the sync interfaces.
// It is safe for concurrent use.
type Register struct {
	db  *sql.DB
	cfg Config
	log *slog.Logger

	table, tableName, schema                         string
	keyCol, idnrCol, stateCol, reasonCol, messageCol string
	schemaT, checkpointT, reviewT, leasesT, idnrT    string
	cols                                             []mappedCol // mapped basic-data columns in Columns order
	selectList                                       string
	nextSQL, nextRangeSQL, nextFirstSQL              string
	syncSQL                                          string
	markSQL, reviewSQL, checkpointSQL, leaseSQL      string
	claimSQL, holderSQL                              string
	stmtMu                                           sync.Mutex
	acceptSQL                                        map[idnr.Fields]string
	now                                              string // SQL expression: the database clock in unix milliseconds
}

type mappedCol struct {
	field string // token, e.g. "birth_date"
	col   string // quoted column
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
	r := &Register{db: db, cfg: cfg, log: cfg.Logger, acceptSQL: map[idnr.Fields]string{}}
	if r.log == nil {
		r.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	schema, table, _ := qualified(cfg.Table)
	r.schema, r.tableName = schema, table
	r.table = r.ident(table)
	r.keyCol = quote(cfg.Key)
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

	v := reflect.ValueOf(cfg.Columns)
	t := v.Type()
	sel := []string{r.keyCol}
	for i := range t.NumField() {
		if c := v.Field(i).String(); c != "" {
			r.cols = append(r.cols, mappedCol{field: t.Field(i).Tag.Get("col"), col: quote(c)})
			sel = append(sel, quote(c))
		}
	}
	r.selectList = strings.Join(sel, ", ")
	pending := r.idnrCol + " IS NULL AND " + r.stateCol + " IS NULL"
	base := "SELECT " + r.selectList + " FROM " + r.table + " WHERE " + pending
	r.nextFirstSQL = base + " ORDER BY " + r.keyCol + " LIMIT " + r.ph(1)
	r.nextSQL = base + " AND " + r.keyCol + " > " + r.ph(1) + " ORDER BY " + r.keyCol + " LIMIT " + r.ph(2)
	r.nextRangeSQL = base + " AND " + r.keyCol + " > " + r.ph(1) + " AND " + r.keyCol + " <= " + r.ph(2) + " ORDER BY " + r.keyCol + " LIMIT " + r.ph(3)
	r.syncSQL = "SELECT " + r.selectList + ", " + r.idnrCol + " FROM " + r.table + " WHERE " + r.idnrCol + " IS NOT NULL AND " + r.keyCol + " > " + r.ph(1) + " ORDER BY " + r.keyCol + " LIMIT " + r.ph(2)
	// Markers never overwrite a settled record: a record is written once.
	r.markSQL = "UPDATE " + r.table + " SET " + r.stateCol + " = " + r.ph(1) + ", " + r.reasonCol + " = " + r.ph(2) + ", " + r.messageCol + " = " + r.ph(3) +
		" WHERE " + r.keyCol + " = " + r.ph(4) + " AND " + pending
	r.reviewSQL = "INSERT INTO " + r.reviewT + " (key, created, outcome, reason, score, details, message_id, candidate) VALUES (" +
		r.phs(1, 8) + ") ON CONFLICT (key) DO UPDATE SET created = excluded.created, outcome = excluded.outcome, reason = excluded.reason, score = excluded.score, details = excluded.details, message_id = excluded.message_id, candidate = excluded.candidate"
	r.checkpointSQL = "INSERT INTO " + r.checkpointT + " (job, after_key, updated) VALUES (" + r.ph(1) + ", " + r.ph(2) + ", " + r.now +
		") ON CONFLICT (job) DO UPDATE SET after_key = excluded.after_key, updated = excluded.updated"
	r.leaseSQL = "UPDATE " + r.leasesT + " SET after_key = " + r.ph(1) + ", expires = " + r.now + " + " + r.ph(2) +
		" WHERE job = " + r.ph(3) + " AND id = " + r.ph(4) + " AND owner = " + r.ph(5) + " AND done = 0"
	r.claimSQL = "INSERT INTO " + r.idnrT + " (idnr, key) VALUES (" + r.ph(1) + ", " + r.ph(2) + ") ON CONFLICT (idnr) DO NOTHING"
	r.holderSQL = "SELECT key FROM " + r.idnrT + " WHERE idnr = " + r.ph(1)
	if err := r.migrate(ctx); err != nil {
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
		if _, x := fieldValue(&idnr.Person{}, c.field); x != 0 {
			f |= x
		}
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

// keyArg binds a key as the column's type.
func (r *Register) keyArg(k registers.Key) (any, error) {
	if !r.cfg.IntegerKey {
		return string(k), nil
	}
	if k == "" {
		return int64(math.MinInt64), nil
	}
	n, err := strconv.ParseInt(string(k), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("sqlregister: key is not an integer: %w", err)
	}
	return n, nil
}

// Next implements [registers.Reader]: the unsettled people without an
// IDNr after the key, in key order.
func (r *Register) Next(ctx context.Context, after registers.Key, limit int) ([]registers.Entry, error) {
	if after == "" {
		return r.query(ctx, false, r.nextFirstSQL, limit)
	}
	a, err := r.keyArg(after)
	if err != nil {
		return nil, err
	}
	return r.query(ctx, false, r.nextSQL, a, limit)
}

// NextRange implements [registers.RangeReader].
func (r *Register) NextRange(ctx context.Context, after, upto registers.Key, limit int) ([]registers.Entry, error) {
	if upto == "" {
		return r.Next(ctx, after, limit)
	}
	a, err := r.keyArg(after)
	if err != nil {
		return nil, err
	}
	u, err := r.keyArg(upto)
	if err != nil {
		return nil, err
	}
	return r.query(ctx, false, r.nextRangeSQL, a, u, limit)
}

// NextWithIDNr reads people that have an IDNr, in key order after the key
// (for [registers.Sync]).
func (r *Register) NextWithIDNr(ctx context.Context, after registers.Key, limit int) ([]registers.Entry, error) {
	a, err := r.keyArg(after)
	if err != nil {
		return nil, err
	}
	return r.query(ctx, true, r.syncSQL, a, limit)
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
			if c.field == "verified_fields" {
				e.Verified = parseVerified(vals[i+1].String)
				continue
			}
			if d := setField(&e.Person, c.field, vals[i+1].String); d != "" && e.Defect == "" {
				e.Defect = d
			}
		}
		if withIDNr {
			id, err := idnr.ParseStrict(strings.TrimSpace(vals[n-1].String))
			if err != nil {
				e.Defect = "idnr_invalid"
			}
			e.Person.IDNr = id
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// setField stores a column value in p; it returns a defect code for a
// value it could not read.
func setField(p *idnr.Person, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	date := func(d *idnr.Date, defect string) string {
		// A PostgreSQL DATE column arrives as a time.Time, which
		// database/sql formats as RFC 3339 at midnight UTC.
		v, err := idnr.ParseDate(strings.TrimSuffix(s, "T00:00:00Z"))
		if err != nil {
			return defect
		}
		*d = v
		return ""
	}
	switch field {
	case "family_name":
		p.FamilyName = s
	case "former_names":
		for _, n := range strings.Split(s, ";") {
			if n = strings.TrimSpace(n); n != "" {
				p.FormerNames = append(p.FormerNames, n)
			}
		}
	case "given_names":
		p.GivenNames = s
	case "doctoral_degree":
		p.DoctoralDegree = s
	case "birth_date":
		return date(&p.BirthDate, "birth_date_invalid")
	case "birth_place":
		p.BirthPlace.City = s
	case "birth_country":
		p.BirthPlace.Country = s
	case "sex":
		if v, err := idnr.ParseSex(s); err == nil {
			p.Sex = v
		}
	case "nationalities":
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				p.Nationalities = append(p.Nationalities, n)
			}
		}
	case "street":
		p.Address.Street = s
	case "house_number":
		p.Address.HouseNumber = s
	case "address_supplement":
		p.Address.Supplement = s
	case "postal_code":
		p.Address.PostalCode = s
	case "city":
		p.Address.City = s
	case "municipality_key":
		p.Address.MunicipalityKey = s
	case "country":
		p.Address.Country = s
	case "death_date":
		return date(&p.DeathDate, "")
	case "move_in_date":
		return date(&p.MoveInDate, "")
	case "move_out_date":
		return date(&p.MoveOutDate, "")
	}
	return ""
}

func parseVerified(s string) idnr.Fields {
	var f idnr.Fields
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == '+' || r == ',' || r == '|' || r == ' ' }) {
		if x, ok := idnr.ParseField(t); ok {
			f |= x
		}
	}
	return f
}

// fieldValue returns the column value of a field of p and the Fields bit
// that governs it.
func fieldValue(p *idnr.Person, field string) (any, idnr.Fields) {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	date := func(d idnr.Date) any {
		if d.IsZero() {
			return nil
		}
		return d.String()
	}
	switch field {
	case "family_name":
		return str(p.FamilyName), idnr.FieldFamilyName
	case "former_names":
		return str(strings.Join(p.FormerNames, ";")), idnr.FieldFormerNames
	case "given_names":
		return str(p.GivenNames), idnr.FieldGivenNames
	case "doctoral_degree":
		return str(p.DoctoralDegree), idnr.FieldDoctoralDegree
	case "birth_date":
		return date(p.BirthDate), idnr.FieldBirthDate
	case "birth_place":
		return str(p.BirthPlace.City), idnr.FieldBirthPlace
	case "birth_country":
		return str(p.BirthPlace.Country), idnr.FieldBirthPlace
	case "sex":
		return str(p.Sex.String()), idnr.FieldSex
	case "nationalities":
		return str(strings.Join(p.Nationalities, ",")), idnr.FieldNationalities
	case "street":
		return str(p.Address.Street), idnr.FieldAddress
	case "house_number":
		return str(p.Address.HouseNumber), idnr.FieldAddress
	case "address_supplement":
		return str(p.Address.Supplement), idnr.FieldAddress
	case "postal_code":
		return str(p.Address.PostalCode), idnr.FieldAddress
	case "city":
		return str(p.Address.City), idnr.FieldAddress
	case "municipality_key":
		return str(p.Address.MunicipalityKey), idnr.FieldAddress
	case "country":
		return str(p.Address.Country), idnr.FieldAddress
	case "death_date":
		return date(p.DeathDate), idnr.FieldDeathDate
	case "move_in_date":
		return date(p.MoveInDate), idnr.FieldMoveInDate
	case "move_out_date":
		return date(p.MoveOutDate), idnr.FieldMoveOutDate
	}
	return nil, 0
}

// acceptStmt returns the UPDATE for an accepted IDNr that replaces the
// mapped columns of the transferred fields. With onlyPending the record
// must still be unsettled (backfill: never written twice); without it the
// record must hold the same IDNr (sync).
func (r *Register) acceptStmt(fields idnr.Fields, onlyPending bool) (string, []string) {
	var sets, order []string
	i := 1
	sets = append(sets, r.idnrCol+" = "+r.ph(i), r.stateCol+" = "+r.ph(i+1), r.reasonCol+" = NULL", r.messageCol+" = "+r.ph(i+2))
	i += 3
	for _, c := range r.cols {
		if _, f := fieldValue(&idnr.Person{}, c.field); f != 0 && fields.Has(f) {
			sets = append(sets, c.col+" = "+r.ph(i))
			order = append(order, c.field)
			i++
		}
	}
	q := "UPDATE " + r.table + " SET " + strings.Join(sets, ", ") + " WHERE " + r.keyCol + " = " + r.ph(i)
	if onlyPending {
		q += " AND " + r.idnrCol + " IS NULL AND " + r.stateCol + " IS NULL"
	} else {
		q += " AND " + r.idnrCol + " = " + r.ph(i+1)
	}
	return q, order
}

func (r *Register) acceptArgs(key registers.Key, p *idnr.Person, state registers.Outcome, msg string, order []string) ([]any, error) {
	args := make([]any, 0, len(order)+5)
	args = append(args, p.IDNr.String(), int(state), nullString(msg))
	for _, f := range order {
		v, _ := fieldValue(p, f)
		args = append(args, v)
	}
	k, err := r.keyArg(key)
	if err != nil {
		return nil, err
	}
	return append(args, k), nil
}

// WriteIDNr implements [registers.Writer] (one record, its own transaction).
func (r *Register) WriteIDNr(ctx context.Context, key registers.Key, p idnr.Person, fields idnr.Fields) error {
	return r.WriteBatch(ctx, registers.Batch{Results: []registers.Result{{Key: key, Outcome: registers.Accepted, Person: p, Fields: fields}}})
}

// Enqueue implements [registers.ReviewQueue].
func (r *Register) Enqueue(ctx context.Context, c registers.Case) error {
	return r.WriteBatch(ctx, registers.Batch{Results: []registers.Result{{Key: c.Key, Outcome: registers.Review, Reason: c.Reason,
		Score: c.Score, Details: c.Details, MessageID: c.MessageID, Person: c.Candidate}}})
}

// Mark implements [registers.Marker].
func (r *Register) Mark(ctx context.Context, res registers.Result) error {
	return r.WriteBatch(ctx, registers.Batch{Results: []registers.Result{res}})
}

// ErrConflict is returned when an accepted IDNr is written for a record
// that was settled in the meantime by another writer; the batch is rolled
// back.
var ErrConflict = errors.New("sqlregister: record already settled by another writer")

// WriteBatch implements [registers.BatchWriter]: every result of the batch,
// the review cases and the checkpoint (or the lease's checkpoint) in one
// transaction. A record that is already settled is never overwritten; if a
// lease was lost the transaction is rolled back with [registers.ErrLeaseLost].
func (r *Register) WriteBatch(ctx context.Context, b registers.Batch) error {
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
	if !b.Sync {
		if err := r.claimIDNrs(ctx, tx, b.Results); err != nil {
			return err
		}
	}
	var mark, review *sql.Stmt
	accept := map[idnr.Fields]*sql.Stmt{}
	acceptOrder := map[idnr.Fields][]string{}
	for i := range b.Results {
		res := &b.Results[i]
		k, err := r.keyArg(res.Key)
		if err != nil {
			return err
		}
		if b.Sync {
			switch res.Outcome {
			case registers.Unchanged:
				continue
			case registers.Updated, registers.Inaccurate:
				if err := r.syncUpdate(ctx, tx, res); err != nil {
					return err
				}
				if res.Outcome == registers.Updated {
					continue
				}
			}
			if review == nil {
				if review, err = tx.PrepareContext(ctx, r.reviewSQL); err != nil {
					return err
				}
				defer review.Close()
			}
			if err := r.enqueue(ctx, review, res); err != nil {
				return err
			}
			continue
		}
		switch res.Outcome {
		case registers.Accepted:
			st := accept[res.Fields]
			if st == nil {
				q, order := r.acceptStmt(res.Fields, true)
				if st, err = tx.PrepareContext(ctx, q); err != nil {
					return err
				}
				defer st.Close()
				accept[res.Fields], acceptOrder[res.Fields] = st, order
			}
			args, err := r.acceptArgs(res.Key, &res.Person, registers.Accepted, res.MessageID, acceptOrder[res.Fields])
			if err != nil {
				return err
			}
			x, err := st.ExecContext(ctx, args...)
			if err != nil {
				return err
			}
			if n, _ := x.RowsAffected(); n != 1 {
				return fmt.Errorf("%w (key %s)", ErrConflict, res.Key)
			}
			continue
		case registers.Review:
			if review == nil {
				if review, err = tx.PrepareContext(ctx, r.reviewSQL); err != nil {
					return err
				}
				defer review.Close()
			}
			if err := r.enqueue(ctx, review, res); err != nil {
				return err
			}
		}
		if mark == nil {
			if mark, err = tx.PrepareContext(ctx, r.markSQL); err != nil {
				return err
			}
			defer mark.Close()
		}
		x, err := mark.ExecContext(ctx, int(res.Outcome), res.Reason, nullString(res.MessageID), k)
		if err != nil {
			return err
		}
		if n, _ := x.RowsAffected(); n != 1 {
			return fmt.Errorf("%w (key %s)", ErrConflict, res.Key)
		}
	}
	if b.Checkpoint != "" && b.Lease == nil {
		if _, err := tx.ExecContext(ctx, r.checkpointSQL, b.Job, string(b.Checkpoint)); err != nil {
			return err
		}
	}
	return tx.Commit()
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

func (r *Register) enqueue(ctx context.Context, review *sql.Stmt, res *registers.Result) error {
	cand, err := json.Marshal(candidateJSON(&res.Person))
	if err != nil {
		return err
	}
	details, _ := json.Marshal(res.Details)
	_, err = review.ExecContext(ctx, string(res.Key), time.Now().UnixMilli(), int(res.Outcome), res.Reason, res.Score,
		string(details), res.MessageID, string(cand))
	return err
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
		return err
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

// candidate is how a review case keeps the person the BVA returned, so that
// the clerk's software can show it next to the register's record.
type candidate struct {
	IDNr           string   `json:"idnr"`
	FamilyName     string   `json:"family_name,omitempty"`
	FormerNames    []string `json:"former_names,omitempty"`
	GivenNames     string   `json:"given_names,omitempty"`
	DoctoralDegree string   `json:"doctoral_degree,omitempty"`
	BirthDate      string   `json:"birth_date,omitempty"`
	BirthPlace     string   `json:"birth_place,omitempty"`
	Sex            string   `json:"sex,omitempty"`
	Street         string   `json:"street,omitempty"`
	HouseNumber    string   `json:"house_number,omitempty"`
	PostalCode     string   `json:"postal_code,omitempty"`
	City           string   `json:"city,omitempty"`
}

func candidateJSON(p *idnr.Person) candidate {
	c := candidate{IDNr: p.IDNr.String(), FamilyName: p.FamilyName, FormerNames: p.FormerNames, GivenNames: p.GivenNames,
		DoctoralDegree: p.DoctoralDegree, BirthPlace: p.BirthPlace.City, Sex: p.Sex.String(),
		Street: p.Address.Street, HouseNumber: p.Address.HouseNumber, PostalCode: p.Address.PostalCode, City: p.Address.City}
	if p.IDNr.IsZero() {
		c.IDNr = ""
	}
	if !p.BirthDate.IsZero() {
		c.BirthDate = p.BirthDate.String()
	}
	return c
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
	rows, err := r.db.QueryContext(ctx, "SELECT COALESCE("+r.stateCol+", CASE WHEN "+r.idnrCol+" IS NULL THEN 0 ELSE 1 END) AS s, count(*) FROM "+r.table+" GROUP BY 1")
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
	q := "SELECT t." + r.keyCol + ", t." + r.stateCol + ", COALESCE(t." + r.reasonCol + ", ''), COALESCE(v.score, 0), COALESCE(v.details, ''), COALESCE(v.message_id, t." + r.messageCol + ", '')" +
		" FROM " + r.table + " t LEFT JOIN " + r.reviewT + " v ON v.key = CAST(t." + r.keyCol + " AS TEXT)" +
		" WHERE t." + r.stateCol + " IN (2, 3, 4, 5) ORDER BY t." + r.keyCol
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
	err = r.db.QueryRowContext(ctx, "SELECT outcome, reason, score, details, message_id, candidate FROM "+r.reviewT+" WHERE key = "+r.ph(1), string(key)).
		Scan(&state, &c.Reason, &c.Score, &details, &c.MessageID, &cand)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c.Key, c.Outcome = key, registers.Outcome(state)
	_ = json.Unmarshal([]byte(details), &c.Details)
	var cj candidate
	if err := json.Unmarshal([]byte(cand), &cj); err == nil {
		c.Candidate.IDNr, _ = idnr.ParseStrict(cj.IDNr)
		c.Candidate.FamilyName, c.Candidate.GivenNames = cj.FamilyName, cj.GivenNames
		c.Candidate.FormerNames, c.Candidate.DoctoralDegree = cj.FormerNames, cj.DoctoralDegree
		c.Candidate.BirthDate, _ = idnr.ParseDate(cj.BirthDate)
		c.Candidate.BirthPlace.City = cj.BirthPlace
		c.Candidate.Sex, _ = idnr.ParseSex(cj.Sex)
		c.Candidate.Address = idnr.Address{Street: cj.Street, HouseNumber: cj.HouseNumber, PostalCode: cj.PostalCode, City: cj.City}
	}
	return c, true, nil
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
	k, err := r.keyArg(key)
	if err != nil {
		return "", err
	}
	var m sql.NullString
	err = r.db.QueryRowContext(ctx, "SELECT "+r.messageCol+" FROM "+r.table+" WHERE "+r.keyCol+" = "+r.ph(1), k).Scan(&m)
	return m.String, err
}
