// Package postgres is the production [audit.Store]: PostgreSQL through
// jackc/pgx.
//
// # Durability
//
// Every write is one transaction; with the server's default
// synchronous_commit=on, a commit has reached the WAL on disk when it
// returns. Batches of fewer than 1,024 records, access entries and
// transport events are sent as one pipelined batch, which PostgreSQL runs
// as one implicit transaction (one round trip); larger batches of records
// are written with COPY inside an explicit transaction. Do not run the
// log's database with synchronous_commit off.
//
// # Schema
//
// [Open] creates and migrates the schema (versioned in audit_migrations,
// [SchemaVersion]; concurrent migrators are serialised by an advisory
// lock). [WithSchema] puts the tables in their own schema, [WithTablePrefix]
// prefixes their names. audit_records has the index (idnr, seq) that the
// cockpit's query uses; audit_ids maps each record ID to its seq (the
// unique index that makes appends idempotent).
//
// # Configuration style
//
// One rule across regmo: a component with required settings, or several
// that callers usually set together, takes a config struct whose zero
// values are the defaults (ida.Config, audit.Options, cockpit.Config,
// registers.BackfillConfig, sqlregister.Config); a component whose settings
// are all optional tweaks with working defaults takes functional options,
// so that the usual call has none (Open(ctx, dsn), and WithSchema, WithTablePrefix, WithMaxConns only where needed).
//
// # Concurrency
//
// A Store is safe for concurrent use. Reads, transport events and legal
// holds use a pgxpool pool of at most [WithMaxConns] connections (default
// 8); the record and access-log committers, Purge and the metadata use a
// pool of their own (3 connections), so that they never queue behind a
// crowd of readers. A statement whose context ends is not cut off with its
// connection: after 2 s the server is asked to cancel it, and only if that
// fails is the connection closed (closing connections on every missed
// deadline emptied the pool under load). Sessions run with jit = off. Close
// waits for the connections in use to be returned.
package postgres
