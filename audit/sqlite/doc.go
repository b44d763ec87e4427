// Package sqlite is the embedded [audit.Store]: three SQLite database
// files through modernc.org/sqlite (pure Go, no cgo).
//
// # Files
//
// The records, their unique IDs, the anchors, the legal holds and the
// log's metadata live in the file given to [Open]. The read-access log and
// the transport log live in a second file beside it, path+"-access" (or
// [WithAccessPath]). They are kept apart because every query writes an
// access entry: in one file, each such commit changed the database and so
// threw away every reader connection's page cache and memory map, and the
// record queries of the Datenschutzcockpit re-read their index pages from
// the file system. The person index, which those queries read, lives in a
// third file, path+"-person" (or [WithPersonPath]); see below. Keep, copy
// and back up the files (and their -wal files) together; the person file
// can also be left out, Open rebuilds it. A log written by schema version
// 1 (one file) has its access and transport tables moved to the access
// file when it is opened.
//
// # Durability
//
// The records and access files run in WAL mode with synchronous=FULL:
// every commit is fsynced to the WAL before the write method returns, so
// an acknowledged record or access entry survives a crash of the process and of the
// machine. (NORMAL would be safe against process crashes only;
// [WithSynchronous] allows it for throwaway logs.) All writes to a file go
// through one connection (SQLite has one writer anyway; a single
// connection avoids SQLITE_BUSY between our own writers) and start with
// BEGIN IMMEDIATE (the person indexer's with a deferred BEGIN: it reads
// the records file); reads use a small pool of read-only connections with a
// memory map (up to SQLite's compile-time maximum of 2 GiB) and a 64 MiB
// page cache ([WithCacheSize]), which WAL lets run beside the writer.
// [Store.Purge] deletes the person file's copies of the purged segments,
// then the records in one transaction of the records file, then old access
// entries and transport events in one of the access file; each deletion is
// idempotent, so a crash between them leaves only work for the next Purge.
//
// # Schema
//
// The schema is created and migrated by [Open] (versioned in the
// audit_migrations table of each file, audit_person_migrations in the
// person file; [SchemaVersion], [AccessSchemaVersion],
// [PersonSchemaVersion]). Records file: audit_records (seq, seg, time,
// idnr, prev, hash, data) in append order, which Verify reads
// sequentially; audit_ids (record ID → seq, the unique index that makes
// appends idempotent), audit_anchors, audit_holds, audit_meta. Access
// file: audit_access, audit_transport. Person file: audit_person,
// audit_person_meta (see below). [WithTablePrefix] prefixes every name.
//
// # Person index
//
// The cockpit asks for one person's records, newest first. They are spread
// over the whole log, so any index by person takes one random page write
// per appended record; inside the durable commit that halved the append
// rate of a small log and cost two thirds of it at ten million records.
// So the committer writes the records table only (at its right edge), and
// a background indexer copies what was committed into the person file,
// audit_person (idnr, seq, time, data) clustered by (idnr, seq): a
// person's records lie on adjacent pages, and the query reads nothing
// else ("SEARCH audit_person USING PRIMARY KEY (idnr=? AND seq<?)"). The
// indexer works in transactions of up to 65,536 records, on the person
// file's own writer connection (SQLite writes the two files at the same
// time), with synchronous=NORMAL: the person file stays consistent across
// a power loss but may lose its last transactions, and since its
// high-water mark (audit_person_meta "indexed") is committed with the
// copies, what is lost is indexed again.
//
// Records committed but not yet indexed are kept in memory by IDNr, and a
// query reads them from the records table, so that it sees every
// acknowledged record at once. At most 262,144 records wait: a committer
// that runs that far ahead of the indexer waits for it. The indexer runs
// when 16,384 records wait and every second; [Store.Flush] waits for it.
// Records appended through another Store on the same files become visible
// to this one when indexed (within a second).
//
// Open indexes what the person file lacks; it rebuilds a person file that
// is missing or holds more than the records file (restored from different
// backups), and one whose mark was lowered (copies beyond the mark are
// deleted and copied anew, instead of failing on the unique key). Purge
// deletes a segment's copies before its records, with an fsync (they are
// found through the records); a crash between the two leaves records the
// cockpit no longer shows for the next Purge.
//
// # The person file is not trusted
//
// The copies are not part of the chain, so they are checked:
//
//   - Every copy a query serves is checked against its chained record: the
//     person file's readers have the records file attached, and the
//     page's statement joins each copy with its record by seq (seg, prev
//     and hash), in the same snapshot; the copy's hash is recomputed
//     ([audit.CopyMatches]: also its IDNr and time columns against its
//     encoding). A copy that was edited, moved to another person or
//     position, or has no record fails the query with an error wrapping
//     [audit.ErrCopyMismatch]; no data are returned, and the cockpit
//     withholds its answer. (A query during a Purge of the same records
//     can meet a copy whose record was just deleted, and fails the same
//     way; retried, it no longer reads the copy.)
//   - A query cannot see a copy that is missing (deleted, or a raised
//     mark): the record is simply not shown. [audit.Log.Verify] finds that:
//     the Store implements [audit.DerivedChecker] ([Store.CheckDerived]),
//     which compares the whole person file with the records and reports
//     copies that differ or have no record, and records up to the mark
//     without a copy, as [audit.CopyMismatch] findings. It reads both files
//     in full. [Store.CheckIntegrity] does the same and SQLite's page-level
//     integrity check of all three files.
//   - Records not yet indexed are read from the records table itself.
//
// # Access and transport logs
//
// Access file schema version 2 adds prev, hash and sig to both tables;
// the Log numbers, chains and signs the entries (see the audit package
// doc) and keeps the purge floor in the records file's audit_meta.
// Entries written before version 2 stay unchained, below the floor the
// Log sets when it first meets them.
//
// # Configuration style
//
// One rule across regmo: a component with required settings, or several
// that callers usually set together, takes a config struct whose zero
// values are the defaults (ida.Config, audit.Options, cockpit.Config,
// registers.BackfillConfig, sqlregister.Config); a component whose settings
// are all optional tweaks with working defaults takes functional options,
// so that the usual call has none (Open(path), and WithReaders,
// WithMmapSize and the rest only where needed).
//
// # Concurrency
//
// A Store is safe for concurrent use.
package sqlite
