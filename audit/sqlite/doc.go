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
// sequentially; the person index the cockpit's query uses (see below);
// audit_ids (record ID → seq, the unique index that makes appends
// idempotent), audit_anchors, audit_holds, audit_meta. Access file:
// audit_access, audit_transport. [WithTablePrefix] prefixes every name.
//
// # Person index
//
// By default ([CoveringIndex]) audit_records_person is a covering index
// (idnr, seq, time, data) from which the query reads a person's records
// without touching the table (EXPLAIN QUERY PLAN: "SEARCH audit_records
// USING COVERING INDEX audit_records_person (idnr=? AND seq<?)"). A
// person's records are spread over the whole table, one page each, but lie
// next to each other in this index. It keeps a copy of every record's
// encoding, so the file is about twice the size of the records (10 million
// records of ~250 bytes: 5.9 GB), and every append writes one index page
// per record, about half the append rate of the alternative.
// [WithPersonIndex]([NarrowIndex]) uses audit_records_idnr (idnr, seq)
// instead: half the file and twice the append rate, but one table page per
// record read. Measured on 10 million records (audit/BENCHMARKS.md): query
// p99 4 ms covering, 15 ms narrow; 16 concurrent cockpit clients p99 52 ms
// covering, 402 ms narrow. Opening a log with the other choice rebuilds
// the index. The copies in the covering index are not part of the chain:
// SQL keeps them equal to the table, and [Store.CheckIntegrity] (SQLite's
// integrity_check) finds a file edited behind SQLite's back; run it beside
// [audit.Log.Verify].
//
// # Concurrency
//
// A Store is safe for concurrent use.
package sqlite
