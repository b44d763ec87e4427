// Package postgres is the production [audit.Store]: PostgreSQL through
// jackc/pgx.
//
// # Durability
//
// Every write is one transaction; with the server's default
// synchronous_commit=on, a commit has reached the WAL on disk when it
// returns. Batches of records are written with COPY inside the
// transaction. Do not run the log's database with synchronous_commit off.
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
// # Concurrency
//
// A Store is safe for concurrent use; it keeps a pgxpool connection pool
// of at most [WithMaxConns] connections (default 8). Close waits for the
// connections in use to be returned.
package postgres
