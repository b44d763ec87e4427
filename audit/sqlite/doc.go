// Package sqlite is the embedded [audit.Store]: two SQLite database files
// through modernc.org/sqlite (pure Go, no cgo).
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
// the file system. Keep, copy and back up both files (and their -wal
// files) together. A log written by schema version 1 (one file) has its
// access and transport tables moved to the access file when it is opened.
//
// # Durability
//
// Both files run in WAL mode with synchronous=FULL: every commit is
// fsynced to the WAL before the write method returns, so an acknowledged
// record or access entry survives a crash of the process and of the
// machine. (NORMAL would be safe against process crashes only;
// [WithSynchronous] allows it for throwaway logs.) All writes to a file go
// through one connection (SQLite has one writer anyway; a single
// connection avoids SQLITE_BUSY between our own writers) and start with
// BEGIN IMMEDIATE; reads use a small pool of read-only connections with a
// memory map (up to SQLite's compile-time maximum of 2 GiB) and a 64 MiB
// page cache ([WithCacheSize]), which WAL lets run beside the writer.
// [Store.Purge] deletes records in one transaction of the records file and
// old access entries and transport events in one of the access file; both
// deletions are idempotent, so a crash between them leaves only work for
// the next Purge.
//
// # Schema
//
// The schema is created and migrated by [Open] (versioned in the
// audit_migrations table of each file; [SchemaVersion],
// [AccessSchemaVersion]). Records file: audit_records (seq, seg, time,
// idnr, prev, hash, data) in append order, which Verify reads
// sequentially; audit_records_person, a covering index (idnr, seq, time,
// data) from which the cockpit's query reads a person's records without
// touching the table (EXPLAIN QUERY PLAN: "SEARCH audit_records USING
// COVERING INDEX audit_records_person (idnr=? AND seq<?)"); audit_ids
// (record ID → seq, the unique index that makes appends idempotent),
// audit_anchors, audit_holds, audit_meta. Access file: audit_access,
// audit_transport. [WithTablePrefix] prefixes every name.
//
// The covering index keeps a copy of every record's encoding, so the
// records file is about twice the size of the records (10 million records
// of ~250 bytes: ~6 GB). It is what keeps the person query fast in a large
// log: a person's records are spread over the whole table (one page each),
// but lie next to each other in the index. Schema version 4 builds it from
// the table when an older log is opened (minutes for 10 million records).
//
// # Concurrency
//
// A Store is safe for concurrent use.
package sqlite
