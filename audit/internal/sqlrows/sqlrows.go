// Package sqlrows is what audit/sqlite and audit/postgres share to read
// their rows: the column lists of the tables whose layout they share, the
// scanning of a row of each into the audit types, and the conversions
// between the stored form (Unix nanoseconds, hash columns) and the
// types. It works with either driver: database/sql's rows and pgx's rows
// both satisfy [Rows].
package sqlrows

import (
	"time"

	"github.com/regmo/regmo/audit"
)

// Scanner is one row of either driver.
type Scanner interface{ Scan(dest ...any) error }

// Rows is a result of either driver (*sql.Rows, pgx.Rows). Both close
// themselves when Next returns false; All, First and Each close them
// (Close() error or Close()) when they stop early.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

func closeRows(rs Rows) {
	switch c := rs.(type) {
	case interface{ Close() error }:
		c.Close()
	case interface{ Close() }:
		c.Close()
	}
}

// All returns a function that reads every row of a query's result with
// scan, to be called with the query's two results:
//
//	return sqlrows.All(sqlrows.ScanHold)(db.QueryContext(ctx, q))
func All[T any](scan func(Scanner, *T) error) func(Rows, error) ([]T, error) {
	return func(rs Rows, err error) ([]T, error) {
		if err != nil {
			return nil, err
		}
		defer closeRows(rs)
		var out []T
		for rs.Next() {
			var v T
			if err := scan(rs, &v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rs.Err()
	}
}

// First is All for a query of at most one row: ok false if there is none.
func First[T any](scan func(Scanner, *T) error) func(Rows, error) (T, bool, error) {
	return func(rs Rows, err error) (v T, ok bool, _ error) {
		if err != nil {
			return v, false, err
		}
		defer closeRows(rs)
		if rs.Next() {
			if err := scan(rs, &v); err != nil {
				return v, false, err
			}
			ok = true
		}
		return v, ok, rs.Err()
	}
}

// Each calls fn for every row, scanned with scan into one value reused
// from row to row (valid only during the call).
func Each[T any](scan func(Scanner, *T) error, fn func(*T) error) func(Rows, error) error {
	return func(rs Rows, err error) error {
		if err != nil {
			return err
		}
		defer closeRows(rs)
		var v T
		for rs.Next() {
			if err := scan(rs, &v); err != nil {
				return err
			}
			if err := fn(&v); err != nil {
				return err
			}
		}
		return rs.Err()
	}
}

// Nanos is t in Unix nanoseconds, 0 for the zero time.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos is the inverse of Nanos (UTC).
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// SigOrNil stores an absent signature as NULL.
func SigOrNil(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// Fill copies a hash column into dst. A column of the wrong length is
// tampering; keep what fits and make it mismatch, so that Verify reports
// it rather than failing.
func Fill(dst *[32]byte, b []byte) {
	*dst = [32]byte{}
	copy(dst[:], b)
	if len(b) != 32 {
		dst[0] ^= 0xff
	}
}

// FillLink copies the chain columns into l. A hash column of the wrong
// length is made to mismatch (Fill); an absent one (NULL, an entry from
// before the chain) stays zero.
func FillLink(l *audit.Link, prev, hash, sig []byte) {
	l.Prev, l.Hash = [32]byte{}, [32]byte{}
	if len(prev) > 0 {
		Fill(&l.Prev, prev)
	}
	if len(hash) > 0 {
		Fill(&l.Hash, hash)
	}
	l.Sig = sig
}

// AccessCols are the columns of the access table, in ScanAccess's order.
const AccessCols = `id, time, who, purpose, reason, count, qfrom, qto, prev, hash, sig`

// ScanAccess scans a row of AccessCols.
func ScanAccess(sc Scanner, e *audit.AccessEntry) error {
	var t, f, tt, p, n int64
	var prev, hash, sig []byte
	if err := sc.Scan(&e.ID, &t, &e.Who, &p, &e.Reason, &n, &f, &tt, &prev, &hash, &sig); err != nil {
		return err
	}
	e.Time, e.Purpose, e.Count, e.From, e.To = FromNanos(t), audit.AccessPurpose(p), int(n), FromNanos(f), FromNanos(tt)
	FillLink(&e.Link, prev, hash, sig)
	return nil
}

// AccessArgs are the values of AccessCols for an insert.
func AccessArgs(e *audit.AccessEntry) []any {
	return []any{e.ID, e.Time.UnixNano(), e.Who, int(e.Purpose), e.Reason, e.Count, Nanos(e.From), Nanos(e.To),
		e.Prev[:], e.Hash[:], SigOrNil(e.Sig)}
}

// TransportCols are the columns of the transport table, in ScanTransport's order.
const TransportCols = `id, time, message_id, kind, actor, detail, prev, hash, sig`

// ScanTransport scans a row of TransportCols.
func ScanTransport(sc Scanner, e *audit.TransportEvent) error {
	var t int64
	var id, prev, hash, sig []byte
	if err := sc.Scan(&e.ID, &t, &id, &e.Kind, &e.Actor, &e.Detail, &prev, &hash, &sig); err != nil {
		return err
	}
	e.Time = FromNanos(t)
	e.MessageID = [16]byte{}
	copy(e.MessageID[:], id)
	FillLink(&e.Link, prev, hash, sig)
	return nil
}

// TransportArgs are the values of TransportCols for an insert.
func TransportArgs(e *audit.TransportEvent) []any {
	return []any{e.ID, e.Time.UnixNano(), e.MessageID[:], e.Kind, e.Actor, e.Detail, e.Prev[:], e.Hash[:], SigOrNil(e.Sig)}
}

// AnchorCols are the columns of the anchors table, in ScanAnchor's order.
const AnchorCols = `seg, first_seq, last_seq, prev, last, prev_anchor, closed, sig, purged`

// ScanAnchor scans a row of AnchorCols. An anchor with a hash column of
// the wrong length is damaged: its signature is dropped, so that Verify
// reports it.
func ScanAnchor(sc Scanner, a *audit.Anchor) error {
	var prev, last, pa []byte
	if err := sc.Scan(&a.Segment, &a.FirstSeq, &a.LastSeq, &prev, &last, &pa, &a.Closed, &a.Sig, &a.Purged); err != nil {
		return err
	}
	copy(a.Prev[:], prev)
	copy(a.Last[:], last)
	copy(a.PrevAnchor[:], pa)
	if len(prev) != 32 || len(last) != 32 || len(pa) != 32 {
		a.Sig = nil
	}
	return nil
}

// AnchorArgs are the values of AnchorCols for an insert.
func AnchorArgs(a *audit.Anchor) []any {
	return []any{a.Segment, a.FirstSeq, a.LastSeq, a.Prev[:], a.Last[:], a.PrevAnchor[:], a.Closed, a.Sig, a.Purged}
}

// HoldCols are the columns of the holds table, in ScanHold's order;
// HoldInsertCols those an insert gives (the ID is the store's).
const (
	HoldCols       = `id, ` + HoldInsertCols
	HoldInsertCols = `hfrom, hto, until, reason, who, placed`
)

// ScanHold scans a row of HoldCols.
func ScanHold(sc Scanner, h *audit.Hold) error {
	var f, t, u, p int64
	if err := sc.Scan(&h.ID, &f, &t, &u, &h.Reason, &h.Who, &p); err != nil {
		return err
	}
	h.From, h.To, h.Until, h.Placed = FromNanos(f), FromNanos(t), FromNanos(u), FromNanos(p)
	return nil
}

// HoldArgs are the values of HoldInsertCols.
func HoldArgs(h *audit.Hold) []any {
	return []any{h.From.UnixNano(), h.To.UnixNano(), h.Until.UnixNano(), h.Reason, h.Who, h.Placed.UnixNano()}
}

// RecordCols are the columns of the records table, in ScanRecord's order.
const RecordCols = `seq, seg, time, idnr, prev, hash, data`

// ScanRecord scans a row of RecordCols; r.Data is the driver's (copy it
// to keep it beyond the row, as the driver requires).
func ScanRecord(sc Scanner, r *audit.Row) error {
	var prev, hash []byte
	if err := sc.Scan(&r.Seq, &r.Segment, &r.Time, &r.IDNr, &prev, &hash, &r.Data); err != nil {
		return err
	}
	Fill(&r.Prev, prev)
	Fill(&r.Hash, hash)
	return nil
}

// ScanValue scans a row of one value (the key-value table's).
func ScanValue(sc Scanner, v *[]byte) error { return sc.Scan(v) }

// Querier runs a query without arguments on either driver.
type Querier func(query string) (Rows, error)

// Head answers [audit.Store.Head] with two queries through q: the newest
// row of the records table and the newest anchor.
func Head(q Querier, records, anchors string) (last audit.Row, lastOK bool, a audit.Anchor, aOK bool, err error) {
	last, lastOK, err = First(ScanRecord)(q(`SELECT ` + RecordCols + ` FROM ` + records + ` ORDER BY seq DESC LIMIT 1`))
	if err != nil {
		return
	}
	a, aOK, err = First(ScanAnchor)(q(`SELECT ` + AnchorCols + ` FROM ` + anchors + ` ORDER BY seg DESC LIMIT 1`))
	return
}

// ScanQueried appends the rows of a person's query (seq, time, data) to
// out with the IDNr key the query asked for: what [audit.Store.Records]
// returns from the records table.
func ScanQueried(out []audit.Row, idnrKey int64) func(Rows, error) ([]audit.Row, error) {
	return func(rs Rows, err error) ([]audit.Row, error) {
		if err != nil {
			return nil, err
		}
		defer closeRows(rs)
		for rs.Next() {
			r := audit.Row{IDNr: idnrKey}
			if err := rs.Scan(&r.Seq, &r.Time, &r.Data); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rs.Err()
	}
}
