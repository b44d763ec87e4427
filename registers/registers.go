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
	// Defect, if set, is a reason code for data the register could not
	// read (for example "birth_date_invalid"); it is reported as the reason
	// when no search can be formed.
	Defect string
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
