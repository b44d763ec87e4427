package audit

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store keeps the protocol for a [Log]. It is implemented by audit/sqlite
// and audit/postgres and checked by audit/audittest. A Store is a dumb,
// durable table keeper: the Log computes the chain, the anchors and the
// signatures; the store only has to keep what it is given, atomically.
//
// Store is the core every store implements: the records, their anchors
// and a key-value table. The read-access log ([AccessLogStore]), the
// transport log ([TransportLogStore]) and legal holds ([HoldStore]) are
// optional capabilities, which [New] finds by type assertion (as
// database/sql finds driver.SessionResetter); what the Log does without
// one is said at each.
//
// All methods must be safe for concurrent use, but the Log calls Commit from
// one goroutine only. Every write method is one durable transaction: when it
// returns nil, the data survive a crash of the process and of the machine.
type Store interface {
	// Head returns the last stored row (ok false if there is none) and the
	// last anchor (ok false if there is none).
	Head(ctx context.Context) (last Row, lastOK bool, anchor Anchor, anchorOK bool, err error)
	// Commit stores rows (in Seq order) and anchors in one transaction. A
	// row whose ID is already stored must fail the whole transaction
	// atomically: the Log commits without looking the IDs up and relies on
	// this refusal (a unique index on the ID) to learn that a record was
	// appended before; only then does it call Stored.
	Commit(ctx context.Context, rows []Row, anchors []Anchor) error
	// Stored returns the encoding (Row.Data) of each of the records with
	// the given IDs that is stored; IDs not stored are absent from the map.
	Stored(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]byte, error)
	// Records returns up to limit rows with the given IDNr key whose Time
	// lies in [from, to) and whose Seq is below beforeSeq, by Seq descending.
	// Only Seq, Time, IDNr and Data need be set: the query path does not
	// read the chain columns, so a store may answer from an index that
	// holds just these (a copy it must check, see [CopyMatches]). Each
	// row's Data belongs to the caller (the store keeps no reference to it
	// and does not reuse it).
	Records(ctx context.Context, idnrKey, from, to, beforeSeq int64, limit int) ([]Row, error)
	// Scan calls fn for every row with fromSeq <= Seq <= toSeq in Seq
	// order. The row and its slices are valid only during the call.
	Scan(ctx context.Context, fromSeq, toSeq int64, fn func(*Row) error) error
	// Anchors returns all anchors by Segment ascending.
	Anchors(ctx context.Context) ([]Anchor, error)
	// Purge deletes the rows of the given segments and marks their anchors
	// purged at the given time in one transaction.
	Purge(ctx context.Context, segments []int64, purgedAt int64) error

	// Meta reads a value of the store's key-value table (nil if absent);
	// PutMetaIfAbsent writes one unless the key exists and returns the
	// value now stored. The Log keeps its identity and its checkpoint mark
	// there.
	Meta(ctx context.Context, key string) ([]byte, error)
	PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)

	// Close releases the store.
	Close() error
}

// MetaWriter replaces a value of the store's key-value table. The side
// logs need it: the Log keeps each one's signed purge floor there.
type MetaWriter interface {
	// PutMeta writes a value, replacing one stored under the key.
	PutMeta(ctx context.Context, key string, value []byte) error
}

// AccessLogStore is a store that keeps the read-access log, which § 9
// requires for every read of the protocol. Without it, the Log refuses
// every read ([Log.Query], [Log.Accesses], [Log.HasRecords]) with an error
// wrapping [ErrNoCapability] before it reads a record: no data are served
// that could not be recorded. Appends, Verify and Purge work as usual
// (a store for a job that only appends needs no access log).
type AccessLogStore interface {
	MetaWriter
	// AppendAccess stores read-access entries in one transaction (the Log
	// group-commits the entries of concurrent queries), with the IDs and
	// links the Log gave them. An ID that is stored already must fail the
	// whole transaction.
	AppendAccess(ctx context.Context, es []AccessEntry) error
	// LastAccess returns the access entry with the highest ID (ok false if
	// there is none).
	LastAccess(ctx context.Context) (e AccessEntry, ok bool, err error)
	// ScanAccess calls fn for every access entry with ID >= fromID, by ID
	// ascending. The entry is valid only during the call.
	ScanAccess(ctx context.Context, fromID int64, fn func(*AccessEntry) error) error
	// Accesses returns up to limit access entries with Time in [from, to)
	// and ID below beforeID, by ID descending.
	Accesses(ctx context.Context, from, to, beforeID int64, limit int) ([]AccessEntry, error)
	// PurgeAccess deletes the access entries with an ID below below.
	PurgeAccess(ctx context.Context, below int64) error
}

// TransportLogStore is a store that keeps the transport log (BSI
// TR-03176). Without it, [Log.AppendTransport] and [Log.Transport] fail
// with an error wrapping [ErrNoCapability], and New refuses
// Options.CheckpointReset, whose reason must be recorded there.
type TransportLogStore interface {
	MetaWriter
	// AppendTransport stores transport events in one transaction, with the
	// IDs and links the Log gave them (as AppendAccess).
	AppendTransport(ctx context.Context, evs []TransportEvent) error
	// LastTransport and ScanTransport are LastAccess and ScanAccess of the
	// transport log.
	LastTransport(ctx context.Context) (e TransportEvent, ok bool, err error)
	ScanTransport(ctx context.Context, fromID int64, fn func(*TransportEvent) error) error
	// Transport returns the transport events of one message, oldest first.
	Transport(ctx context.Context, messageID uuid.UUID) ([]TransportEvent, error)
	// PurgeTransport deletes the transport events with an ID below below.
	PurgeTransport(ctx context.Context, below int64) error
}

// HoldStore is a store that keeps legal holds. Without it,
// [Log.PlaceHold] and [Log.ReleaseHold] fail with an error wrapping
// [ErrNoCapability], [Log.Holds] returns none, and Purge deletes every
// expired segment (there can be no hold).
type HoldStore interface {
	// PutHold stores a legal hold and returns its ID.
	PutHold(ctx context.Context, h Hold) (int64, error)
	// DeleteHold removes a hold; it is not an error if there is none.
	DeleteHold(ctx context.Context, id int64) error
	// Holds returns all holds by ID.
	Holds(ctx context.Context) ([]Hold, error)
}

// capabilities are the optional parts of a store, found by New.
type capabilities struct {
	acc   AccessLogStore    // nil: no read-access log
	tr    TransportLogStore // nil: no transport log
	holds HoldStore         // nil: no legal holds
}

func findCapabilities(s Store) capabilities {
	var c capabilities
	c.acc, _ = s.(AccessLogStore)
	c.tr, _ = s.(TransportLogStore)
	c.holds, _ = s.(HoldStore)
	return c
}

// Row is one record as a store keeps it: its position in the chain, the
// chain hashes, the canonical encoding, and indexed copies of two fields.
type Row struct {
	Seq     int64     // position in the log, from 1, without gaps
	ID      uuid.UUID // Record.ID, unique in the log (set for Commit; reading methods may leave it zero)
	Segment int64     // the UTC day (days since 1970-01-01) the record was appended
	Time    int64     // Record.Time in Unix nanoseconds (indexed copy of Data)
	IDNr    int64     // [IDNrKey] of Record.IDNr (indexed copy of Data)
	Prev    [32]byte  // hash of the previous row in the chain
	Hash    [32]byte  // SHA-256 over Prev, Segment and Data, see the package doc
	Data    []byte    // canonical encoding of the record
}

// Anchor is the signed summary of a closed segment. It holds no personal
// data and is kept when the segment is purged.
type Anchor struct {
	Segment    int64
	FirstSeq   int64
	LastSeq    int64
	Prev       [32]byte // chain hash before the segment's first record
	Last       [32]byte // chain hash of the segment's last record
	PrevAnchor [32]byte // [Anchor.Hash] of the previous anchor; zero for the first
	Closed     int64    // when the segment was closed, Unix nanoseconds
	Sig        []byte   // ed25519 signature over the anchor's encoding
	Purged     int64    // when the segment's records were purged (0: not purged); not signed
}

// AccessEntry is one read of the protocol, kept without the IDNr.
type AccessEntry struct {
	ID      int64 // position in the access log, from 1, assigned by the Log
	Time    time.Time
	Who     string
	Purpose AccessPurpose
	Reason  string
	Count   int       // records returned
	From    time.Time // the queried time range
	To      time.Time
	Link    // chain hashes and signature, set by the Log (side.go)
}

// Hold is a legal hold: the segments whose days overlap [From, To) are kept
// beyond the retention until Until, for the documented Reason.
type Hold struct {
	ID     int64 // assigned by the store
	From   time.Time
	To     time.Time
	Until  time.Time
	Reason string // documented reason, e.g. the Aktenzeichen of the proceedings (required)
	Who    string // who placed the hold (required)
	Placed time.Time
}
