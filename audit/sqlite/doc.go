// Package sqlite is the embedded [audit.Store]: one SQLite database file
// through modernc.org/sqlite (pure Go, no cgo).
//
// # Durability
//
// The database runs in WAL mode with synchronous=FULL: every commit is
// fsynced to the WAL before [Store.Commit] returns, so an acknowledged
// record survives a crash of the process and of the machine. (NORMAL would
// be safe against process crashes only; [WithSynchronous] allows it for
// throwaway logs.) All writes go through one connection (SQLite has one
// writer anyway; a single connection avoids SQLITE_BUSY between our own
// writers) and start with BEGIN IMMEDIATE; reads use a small pool of
// read-only connections, which WAL lets run beside the writer.
//
// # Schema
//
// The schema is created and migrated by [Open] (versioned in the
// audit_migrations table; [SchemaVersion]). Tables: audit_records (seq,
// seg, time, idnr, prev, hash, data; index (idnr, seq)), audit_anchors,
// audit_access, audit_transport, audit_holds, audit_meta. [WithTablePrefix]
// prefixes every name.
//
// # Concurrency
//
// A Store is safe for concurrent use.
package sqlite
