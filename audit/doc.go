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
// The content transmitted is kept as [Record.Items]: a list of (field,
// value) in the one field vocabulary of [idnr.Fields], one item per value
// of a multi-valued field (former names, nationalities, information
// blocks) and one per part of a field made of parts (address, place of
// birth; a former name's part is its kind), so that the Datenschutzcockpit
// can show it field by field. [ItemsOf] builds them from the values of an
// [idnr.Person] that were actually transmitted; [PartName] names a part in
// German. Each value holds at most [MaxItemValue] characters of valid UTF-8
// without control, format or separator characters, at most [MaxItems]
// items and [MaxContent] bytes of values per record; an error names the
// item's position, field and part, never its value. Records written before
// items existed keep their content as one opaque [Record.Content] and are
// read and verified as they were written; a record holds one form or the
// other.
//
// Records are stored in a canonical, length-prefixed binary encoding
// ([EncodeRecord], [DecodeRecord]; exactly one encoding per record) that
// is also what the chain hashes. A record without items is encoded as
// version 1, byte for byte as before items existed; a record with items as
// version 2, which carries the items (field token, part, value) in place
// of the opaque content. The items are inside the hashed encoding, so
// changing one value breaks the record's hash, and the stores needed no
// schema change: old and new records chain and verify alike in one log. Stores keep two indexed copies, the IDNr
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
// The signing key ([Options.SigningKey]) is required and must not live in
// the store's database; New without it fails with [ErrNoSigningKey] unless
// [Options.EphemeralKey] deliberately chooses a throw-away key (tests and
// demonstrations: after a restart the earlier anchors no longer verify).
// [LoadOrCreateSigningKey] loads the key from a file (PEM) or creates it
// there on first use (0600, directory 0700); [LoadSigningKey] only loads.
// Merkle proofs of inclusion are not offered.
//
// # Checkpoints
//
// Nothing inside one database proves how long the log was: whoever can
// delete rows can delete the newest anchors too, and the open segment of
// today is not signed, so its records can be deleted and the rest chained
// anew without the key. The Log therefore keeps signed checkpoints
// ([Checkpoint]: log identity, size, head hash, newest anchor, the ID and
// hash of the newest entry of the access log and of the transport log,
// time, ed25519) outside the store: in [Options.CheckpointFile] (a file beside
// the SQLite files, replaced atomically, mode 0600) and in any
// [Options.Witnesses] ([DirWitness] on another machine's mount, a
// [WitnessFunc] that sends them on). It writes one in New, after at most
// [Options.CheckpointEvery] records (default 10,000), at least every
// [Options.CheckpointInterval] while records are appended (default 10 s),
// on [Log.Checkpoint] and in Close.
//
// New and Verify check the newest checkpoint of the file and of every
// readable witness ([WitnessReader]), and Verify also the last one this
// Log wrote: the store must hold the checkpoint's head record with the
// same hash at the same position (or, if it was purged, the segment's
// anchor must agree), its newest anchor, and at least as many positions;
// likewise each side log must hold the checkpoint's entry with the same
// hash (or a signed purge floor above it) and at least as many entries,
// else the side log's finding ([AccessLogTampered],
// [TransportLogTampered]) says it was cut or rewritten. A version 2
// checkpoint (before the side heads) is still read and checks the records
// only.
// A shorter store is a [TailCut] (a log cut back through signed segments,
// or all records deleted), a different head a [Rewritten] history (a
// record deleted or changed and the open segment chained anew), a
// checkpoint that is gone although the store says checkpoints are kept a
// [CheckpointMissing], one not signed by a trusted key or of another log
// (a replaced store) a [CheckpointInvalid]. New refuses such a store with
// a [*TamperError]; the operator's way out is [Options.CheckpointReset],
// a documented reason: New then logs the findings and the reason, records
// them in the transport log, keeps the old checkpoint file aside
// ("<file>.reset-<time>") and goes on from what the store holds.
//
// The first open of an empty log just writes the first checkpoint. A log
// with records but without any checkpoint (opened before this existed, or
// with no file configured) gets its first checkpoint and a warning in the
// logger; Verify's [Report.Notes] say since which record checkpoints are
// kept. Without a checkpoint file or witness, New logs a warning and
// Verify notes that a cut tail cannot be detected.
//
// What is not detected: records appended after the newest checkpoint and
// removed before the next (at most CheckpointEvery records or one
// interval; Close always writes one), and access entries or transport
// events appended after it and removed before the next (at most one
// interval); a checkpoint file deleted together
// with the store's mark of it and the witnesses (the log then looks like
// one that never kept checkpoints, which Verify's note shows); and
// well-formed records appended to the open segment by someone with write
// access to the database (they become signed when it closes). Keep a
// witness where the database's administrators cannot write, and use
// [Log.VerifyAgainst] with checkpoints exported elsewhere.
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
// retention are deleted too. Call Purge daily. Verify reports a segment
// marked purged while a hold covered it (placed before the purge, not yet
// ended) as [SegmentMissing]; a hold deleted from the store is not seen.
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
// The access log and the transport log are chained and signed like the
// records: the Log numbers each log's entries from 1 without gaps, chains
// them (each entry's hash covers the previous entry's hash and its own
// content) and signs the last entry of each transaction with the log's
// key (one signature per group commit). [Log.Verify] reports an entry
// that was edited, deleted (also a prefix), inserted, or appended without
// the key ([AccessLogTampered], [TransportLogTampered]; positions only,
// never text). Purge deletes a prefix of expired entries and first stores
// a signed floor (first ID kept, hash before it), from which Verify starts.
// The newest transactions of a log cut off whole leave a chain that
// verifies on its own (the entry before them is signed too); the signed
// checkpoints kept outside the store hold each log's head and reveal the
// cut (see "Checkpoints"), up to the entries of the last interval.
// Entries written before the chain existed (an older schema) are left
// unchained below a floor.
//
// # Transport log
//
// [TransportEvent]s (sent, received, schema check, errors, ...) go to
// their own table with [Log.AppendTransport]; they must not contain an
// IDNr, and an event whose text contains one is refused ([ContainsIDNr]).
// The operational and security log is the caller's [slog.Logger]; the log
// writes only counts and IDs to it.
//
// # Derived copies
//
// A store may answer queries from a copy of the records (audit/sqlite's
// person file). Copies are never trusted: the store checks every copy it
// serves against the chained record ([CopyMatches]) and fails the query
// with [ErrCopyMismatch] otherwise, and [Log.Verify] compares all copies
// with the records through [DerivedChecker], so that a copy deleted or
// added (which a query cannot see) is a [CopyMismatch] finding.
//
// # Stores
//
// A [Store] keeps rows, anchors and a key-value table, each write in one
// durable transaction. The read-access log ([AccessLogStore]), the
// transport log ([TransportLogStore]) and legal holds ([HoldStore]) are
// optional capabilities that New finds by type assertion. Without the
// access log the Log refuses every read of the protocol (Query, Accesses,
// HasRecords) with [ErrNoCapability] before it reads a record, since § 9
// requires each read to be recorded; the store still takes appends,
// Verify and Purge (a job that only appends needs no access log). This
// fails closed instead of falling back to, say, the logger: a read that
// is not in the chained, signed access log is not protocolled. Without
// the transport log, AppendTransport and Transport fail the same way and
// New refuses Options.CheckpointReset (the reset is recorded there);
// without holds, PlaceHold fails and Purge deletes every expired segment.
// Verify's notes say which logs the store does not keep.
//
// audit/sqlite uses WAL with synchronous=FULL and one writer connection,
// and keeps the by-person copy the cockpit's query reads in a file of its
// own, filled by a background indexer; audit/postgres uses pgx with
// pipelined batches and COPY. Both keep every capability, create and
// migrate their versioned schema and pass the conformance suite in
// audit/audittest, which also has the crash test (SIGKILL under load) and
// the benchmarks.
//
// # Concurrency
//
// A Log is safe for concurrent use. Appends are group-committed: one
// committer goroutine takes whatever Appends are queued (up to
// [Options.MaxBatch] records), chains them in order and commits them in
// one transaction; each Append returns when its transaction is durable, or
// with an error when none of its records was appended. [Log.Close] refuses
// new calls, waits for the calls in flight (their appends become durable
// or fail), stops the committer and the access committer, writes the last
// checkpoint and closes the store; no goroutine outlives it. The comment
// on [Log]'s type says which goroutine owns what, and the lock order.
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
