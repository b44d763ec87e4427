package registers

import (
	"context"
	"errors"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// Key is a register's own key of a record (Ordnungsmerkmal, row ID). The
// register defines its order; the engines only pass keys back to it. The
// empty Key means "before the first record".
type Key string

// Entry is one register record as the engines see it: its key and the
// basic data the register keeps.
type Entry struct {
	Key    Key
	Person idnr.Person
	// Defect, if set, is the reason code of the first value the search
	// needs that the register could not read (for example
	// "birth_date_invalid"); it is reported as the reason when no search
	// can be formed. It is also among Defects.
	Defect string
	// Defects lists every value of the record the register could not read
	// (an unknown sex code, a death date not in the register's format,
	// ...), one per column, in column order. A defect in a field the
	// search does not need (death, move-in and move-out date, sex) does
	// not block the search; [Preflight] reports and counts every one, and
	// the engines never replace a field with a defect: [Backfill] and
	// [Sync] take its field out of Result.Fields (and Sync does not
	// compare it), so the register's unreadable value stays as it is for
	// a clerk or the register's own software to correct. Readers that
	// report only Defect may leave Defects empty.
	Defects []ValueDefect
	// Verified are the fields the register has checked against a primary
	// document (the evidence of [Sync]); zero if the register keeps no
	// such mark.
	Verified idnr.Fields
	// Evidence are the details of those documents (kind, number or
	// reference, date, issuing authority, the fields each proves): [Sync]
	// reports a deviation in a verified field only when an item proves it,
	// and makes it a case for the clerks otherwise. A register keeps them
	// as an evidence text ([ParseEvidence]) or supplies them from its own
	// tables through its Reader.
	Evidence []ida.Evidence
}

// ValueDefect is one value of a register record that could not be read:
// where it is kept and why, never the value itself.
type ValueDefect struct {
	// Column is the column token of the register's mapping ("sex",
	// "death_date", "postal_code"); for a field kept in one column, the
	// field's token.
	Column string `json:"column"`
	// Field is the basic-data field the value belongs to (0 if none);
	// the engines do not replace it.
	Field idnr.Fields `json:"-"`
	// Code is the reason code: "<column>_invalid" for a value that does
	// not parse in the register's format, "sex_unknown_code" for a sex code
	// the register's code list does not name.
	Code string `json:"code"`
}

// unreadable returns the fields of e that hold a value the register could
// not read (see [Entry.Defects]): the engines neither compare nor replace
// them.
func (e *Entry) unreadable() idnr.Fields {
	var f idnr.Fields
	for _, d := range e.Defects {
		f |= d.Field
	}
	return f &^ idnr.FieldIDNr
}

// hasDefect reports whether e has the defect code (in Defects, or as its
// Defect).
func (e *Entry) hasDefect(code string) bool {
	if e.Defect == code {
		return true
	}
	for _, d := range e.Defects {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Reader reads the people that still lack an IDNr and have not been settled
// by an earlier run (no outcome recorded), in the register's key order,
// starting after the given key. It returns at most limit entries; fewer (or
// none) means the end.
//
// Register software implements Reader with a keyset query ("WHERE key > ?
// ORDER BY key LIMIT ?"), never with OFFSET.
type Reader interface {
	Next(ctx context.Context, after Key, limit int) ([]Entry, error)
}

// BatchWriter stores all results of a batch of the backfill (IDNrs with
// the basic data that replace the register's own, markers of the people
// that got no IDNr, review cases) and the checkpoint in ONE transaction, so
// that a run resumes without gaps and duplicates.
//
// For an Accepted result, Person.IDNr is set and Fields says which basic
// data the BVA transferred: only those replace the register's own, the rest
// stay as they are. Every other outcome is recorded on the record (so that
// a later run skips it), and a Review result also goes to the review queue
// with its candidate. A record that is already settled is never written
// again.
type BatchWriter interface {
	WriteBatch(ctx context.Context, b Batch) error
}

// Register is what the backfill needs at the least: read the pending
// people and write each batch atomically. Everything else is discovered by
// type assertion: [UniqueIDNrWriter], [Checkpointer], [Leaser],
// [CaseLister], [Counter].
type Register interface {
	Reader
	BatchWriter
}

// Batch is what [BatchWriter.WriteBatch] and [SyncWriter.WriteSync] store
// atomically.
type Batch struct {
	Results []Result
	// Job names the run whose checkpoint this is ("backfill", "sync").
	Job string
	// Checkpoint, if not empty, is the new checkpoint: every record with a
	// key up to and including it has been settled.
	Checkpoint Key
	// Lease, if not nil, is the lease the batch belongs to; the writer
	// stores the checkpoint in the lease and must fail with [ErrLeaseLost]
	// if the lease is no longer held by Lease.Owner.
	Lease *Lease
}

// UniqueIDNrWriter is the optional capability of a [BatchWriter] that keeps
// every IDNr on at most one record of the register: across the batches and
// runs of a job and across processes sharing the register, including IDNrs
// stored before (typically a unique side table or index checked in the
// batch's transaction). When UniqueIDNrs reports true, WriteBatch stores an
// Accepted result whose IDNr another record already holds (or an earlier
// result of the same batch claims) as a Review case, without the IDNr, and
// changes that result in b.Results with [Result.SetIDNrAssigned], so that
// the caller reports what was stored. Without it, [Backfill] catches
// duplicates within one run in memory only.
type UniqueIDNrWriter interface {
	BatchWriter
	UniqueIDNrs() bool
}

// Checkpointer returns the stored checkpoint of a job ("" if none).
type Checkpointer interface {
	Checkpoint(ctx context.Context, job string) (Key, error)
}

// RangeReader reads like [Reader] but stops at upto (inclusive; "" means no
// upper bound). Registers that offer [Leaser] implement it.
type RangeReader interface {
	NextRange(ctx context.Context, after, upto Key, limit int) ([]Entry, error)
}

// Leaser lets several processes (on one or several machines) share the
// work by leasing key ranges in the database. PlanLeases splits the
// unsettled records into ranges once (idempotent: a plan that exists is
// kept); AcquireLease takes the next free or expired range (FOR UPDATE
// SKIP LOCKED on PostgreSQL) or returns ok == false when none is left;
// CompleteLease marks a range done.
type Leaser interface {
	RangeReader
	PlanLeases(ctx context.Context, job string, rangeSize int) error
	AcquireLease(ctx context.Context, job, owner string, ttl time.Duration) (l Lease, ok bool, err error)
	CompleteLease(ctx context.Context, l Lease) error
}

// Lease is a leased key range (From, Upto]; Upto "" means open-ended.
// After is the lease's checkpoint: where a worker that takes it over resumes.
type Lease struct {
	ID      int64
	Job     string
	From    Key
	Upto    Key
	After   Key
	Owner   string
	Expires time.Time
	TTL     time.Duration
}

// ErrLeaseLost is returned by a [BatchWriter] when the batch's lease has
// expired and was taken by another worker; the batch was not written.
var ErrLeaseLost = errors.New("registers: lease lost to another worker")

// CaseLister lists the settled cases that need a person (review, not
// identifiable, rejected, no search) for the clerks' work list, in key order.
type CaseLister interface {
	Cases(ctx context.Context, fn func(Case) error) error
}

// Counter reports how many records the register holds per outcome
// (including records not yet processed, under OutcomePending).
type Counter interface {
	Counts(ctx context.Context) (map[Outcome]int, error)
}
