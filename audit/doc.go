// Package audit is the § 9 IDNrG protocol: a tamper-evident, durable log of
// every transfer between public bodies that used an IDNr, kept two years,
// read only for lawful purposes, plus the separate transport log of BSI
// TR-03176.
//
// Open a store (audit/sqlite for the embedded default, audit/postgres for
// production), then the [Log]:
//
//	st, err := sqlite.Open("/var/lib/register/audit.db")
//	log, err := audit.New(ctx, st, audit.Options{SigningKey: key})
//	defer log.Close()
//	err = log.Append(ctx, rec)                       // durable when it returns
//	page, err := log.Query(ctx, access, audit.Query{IDNr: id})
//
// # Records
//
// A [Record] is one transfer: when, which bodies (own and counterpart,
// name and identifier), why (purpose, legal basis, Aktenzeichen), who (the
// clerk's user ID or the procedure's name), whose data (the IDNr), which
// data (categories and content, or a reference to it) and the result.
// [Record.Validate] refuses a record that misses a required field or
// exceeds a bound (120 characters per text field as BMeldDAV § 11 bounds
// them, 64 KiB of content) with a [*FieldError] naming the field; no error
// of this package ever contains an IDNr or a name. A search answered "not
// identifiable" carries no IDNr and is therefore not a § 9 record: write
// it to the transport log.
//
// Records are stored in a canonical, length-prefixed binary encoding
// ([EncodeRecord], [DecodeRecord]; exactly one encoding per record) that
// is also what the chain hashes. Stores keep two indexed copies, the IDNr
// (as an integer) and the time; Verify checks them against the encoding.
//
// # Tamper evidence
//
// Every record is chained: its hash is SHA-256 over a domain tag, the
// previous record's hash, its segment and the length-prefixed encoding.
// Records are grouped into segments, one per UTC day of appending. When the
// first record of a new day is committed (or on [Log.Rotate] or
// [Log.Purge]) the previous segment is closed by an [Anchor]: segment,
// first and last position, the chain hash before and after it, the hash of
// the previous anchor, signed with the log's ed25519 key. Anchors hold no
// personal data and are never purged.
//
// [Log.Verify] checks every anchor's signature and the chain of anchors,
// recomputes every record's hash and link, compares every closed segment
// with its anchor, and accepts a segment without records only if its
// anchor says it was purged after its retention. It reports what it finds
// precisely ([Finding]): a record [Edited] (content or an indexed column),
// records [Deleted] (by position), a record [Inserted], records
// [Reordered], a [SegmentMissing] outside a purge, an [AnchorInvalid]
// (bad signature, anchor removed or inserted), a [SegmentMismatch].
//
// The open segment of today is not yet signed, and a chain alone cannot
// show that its tail was cut off or that it was rewritten with recomputed
// hashes. For that, take signed checkpoints ([Log.Checkpoint]: size, head
// hash, time, signature; [Checkpoint.MarshalText]) regularly and keep them
// outside the log's database (send them to the data-protection officer,
// another system, a write-once store). [Log.VerifyAgainst] then reports a
// [TailCut] or a [Rewritten] history. Note that an attacker with write
// access to the database can append well-formed records to the open
// segment; they become signed when it closes. The signing key must
// therefore not live in the same database, and segments should be closed
// (daily, by the first append or Rotate) and checkpoints exported often.
// Merkle proofs of inclusion are not offered.
//
// # Retention and legal holds
//
// [Log.Purge] deletes the records of every segment whose day ended at
// least the retention ago (default [DefaultRetention], 730 days; the clock
// is [Options.Clock]): a record appended on day D is deleted from D+1
// 00:00 UTC + retention on. Segments covered by an active legal hold
// ([Log.PlaceHold]: a time range, a documented reason, who placed it, and
// until when) are kept. Anchors stay, so Verify still checks everything
// that remains. Read-access entries and transport events older than the
// retention are deleted too. Call Purge daily.
//
// # Read access
//
// The protocol may be read only for data-protection checks, the person's
// rights and the Datenschutzcockpit ([AccessPurpose]). [Log.Query] returns
// one person's records in a time range, newest first, in pages with an
// opaque cursor that stays valid while records are appended; before it
// returns data it records who read, why, when, which time range and how
// many records, but not the IDNr, in a separate read-access log. An
// unlawful purpose is refused ([ErrUnlawfulPurpose]). Access entries are
// group-committed: concurrent queries share one durable transaction of the
// access log (a goroutine of their own, apart from the record committer),
// and each Query returns only after its own entry is durable; if its
// context ends first, it returns an error wrapping [ErrOutcomeUnknown] and
// no data. On SQLite the access log lives in its own file, so that these
// writes leave the record readers' page caches intact. The data-protection
// officer reads the access log with [Log.Accesses], which is itself
// recorded.
//
// # Transport log
//
// [TransportEvent]s (sent, received, schema check, errors, ...) go to
// their own table with [Log.AppendTransport]; they must not contain an
// IDNr, and an event whose text contains one is refused ([ContainsIDNr]).
// The operational and security log is the caller's [slog.Logger]; the log
// writes only counts and IDs to it.
//
// # Stores
//
// A [Store] keeps rows, anchors, access entries, transport events and
// holds, each write in one durable transaction. audit/sqlite uses WAL with
// synchronous=FULL and one writer connection, and keeps the by-person copy
// the cockpit's query reads in a file of its own, filled by a background
// indexer; audit/postgres uses pgx with pipelined batches and COPY. Both create and migrate their versioned schema and pass the
// conformance suite in audit/audittest, which also has the crash test
// (SIGKILL under load) and the benchmarks.
//
// # Concurrency
//
// A Log is safe for concurrent use. Appends are group-committed: one
// committer goroutine takes whatever Appends are queued (up to
// [Options.MaxBatch] records), chains them in order and commits them in
// one transaction; each Append returns when its transaction is durable, or
// with an error when none of its records was appended. [Log.Close] stops
// accepting appends, flushes the queue, waits for the committer, the
// queries in flight and the access committer, and closes the store; no
// goroutine outlives it.
//
// # Idempotent appends
//
// Record IDs are unique in a log. Append sets a zero ID to a new
// time-ordered UUID (version 7) in the caller's slice, so a caller that got
// [ErrOutcomeUnknown] (or lost the answer otherwise) retries with the same
// slice. The stores keep a unique index on the ID; when it refuses a batch,
// the committer looks the batch's IDs up ([Store.Stored]) and acknowledges
// a record stored before with identical content without a second copy
// (batches without a repeated ID are committed without the lookup). The same ID with different content is refused with a
// [*FieldError] on "ID" wrapping [ErrDuplicateID], and nothing of that
// Append is stored. Concurrent retries of one record are stored once.
package audit
