// Package sqlregister adapts a register table in PostgreSQL or SQLite to
// the interfaces of [github.com/regmo/regmo/registers], configured by a
// column mapping, so that a vendor fills the IDNr into an existing table
// without writing the plumbing.
//
// # Interfaces
//
// [*Register] implements registers.Register (Reader and BatchWriter, the
// backfill's writer [Register.WriteBatch]), registers.SyncRegister
// (SyncReader and SyncWriter, the sync's writer [Register.WriteSync]) and
// the optional capabilities UniqueIDNrWriter, Checkpointer, RangeReader and
// Leaser, CaseLister, Counter, CheckpointResetter, and WrittenLister. [New] takes a database/sql handle ([OpenSQLite] for
// modernc.org/sqlite, [OpenPostgres] for PostgreSQL through pgx's
// database/sql driver github.com/jackc/pgx/v5/stdlib, driver name "pgx")
// and a [Config]: the table, its key (one column or several, see
// "Keys"), the [Columns] mapping (which
// column holds which basic-data field; every column is read and written as
// text, dates as "YYYY-MM-DD" or "DDMMYYYY" with 00 for unknown parts; a
// PostgreSQL DATE column is read as its date), and the IDNr column. [ParseColumns] reads a
// mapping "family_name=nachname,birth_date=geb_datum,...".
//
// One column table (columns.go) holds, for every column token, the field of
// the basic data it belongs to (an idnr.Fields; a field kept in one column
// has the field's token, the birth place and the address are split into
// parts), where [Columns] names it, and how its text is written and read.
// [New] picks the mapped rows once; reading, the accepted IDNr's UPDATE,
// [Register.Insert] and the review queue's candidate all go through it.
//
// Table and column names must be plain identifiers ([A-Za-z_][A-Za-z0-9_]*,
// at most 63 characters; "schema.table" for the table); anything else is
// refused with [ErrIdentifier] rather than escaped. Names are double-quoted
// in every statement (so in PostgreSQL give them as stored, i.e. lower
// case for names created unquoted), and values are always bound as
// parameters, never spliced into SQL.
//
// # Keys
//
// The key is one column ([Config.Key]) or several ([Config.KeyColumns],
// for example Gemeindekennzahl and laufende Nummer), NOT NULL and unique
// together (a primary key or unique index on them). Which key columns are
// integers is read from the catalogue (or forced by [Config.IntegerKey]
// for one column); records are read in the SQL order of the tuple, so an
// integer part orders as a number and gaps do not matter.
//
// To the engines of registers a key is an opaque registers.Key, printed
// as the register shows it (clerks' work list, CSV, reports, logs): one
// column's value as it is ("4711"); several columns' values joined by "/"
// ("09162000/4711"), with "/" written "\/" and "" written "\" inside
// text parts, integer parts as decimal numbers. Every tuple has exactly
// one key text and back ([Register.FormatKey], [Register.ParseKey]); a
// key that does not fit (a wrong number of parts, a part that is not an
// integer in canonical form for an integer column, a stray "") is a
// [*KeyError] naming the key column (errors.Is [ErrKey]), never a panic.
//
// Records are found by binding the key's parts to its columns (the
// primary key serves the lookup), and pages are read with a row-value
// comparison, "WHERE (a, b) > ($1, $2) ORDER BY a, b LIMIT $3" (SQLite
// from 3.15), which both databases answer by a range scan of the key's
// index (TestCompositeKeyPagingUsesIndex checks the plans). The side
// tables keyed by the key's text (the review queue, <prefix>idnr, the
// workbench's cases and decisions, the checkpoint and the lease ranges)
// are joined on the same text computed in SQL (CAST and REPLACE, in both
// dialects), so their primary keys serve the joins.
//
// # Checked mapping, formats, write set
//
// [New] reads the table's real columns and unique keys (pragma table_xinfo
// and index_list on SQLite; information_schema and pg_index on PostgreSQL)
// and refuses with a [SchemaError] (errors.Is [ErrSchema]) naming the
// column: a mapped or key column that does not exist (SQLite would read
// an unknown double-quoted name as a string literal), a key without a
// primary key or unique index (no partial condition, no expression) on its
// columns, a nullable key, rowid/oid/ctid as key, a mapping onto regmo's
// state columns.
//
// [Config.Formats] says how the register stores a field ([Format]: date
// layouts such as "02.01.2006" with 00 for unknown parts, "date" for a
// DATE/TIMESTAMP column, integer postcodes zero-padded on read, sex code
// maps, an integer IDNr column); values are read and written back in it.
// [Config.Write] names what an accepted result writes besides the IDNr
// and regmo's state; by default nothing else, and the other columns stay
// byte-for-byte unchanged.
//
// Given names kept one per column (vorname1, vorname2, vorname3) are
// mapped with [Columns.MoreGivenNames] (ParseColumns:
// "given_names=vorname1+vorname2+vorname3"): read joined by a space in
// column order, empty columns skipped; written back (given_names in
// Write) split at spaces, one per column, left-over columns emptied. More
// given names than columns go into the last column ("Luise Charlotte"):
// nothing is cut off and the columns read back as the BZSt's text; a rest
// too long for that column is a write_failed case naming it. (A case for
// every such person would hold back their IDNr for a decision that has
// only this answer: the BZSt delivers the given names as one text, the
// split is regmo's.)
//
// # Dirty values
//
// A value that cannot be read (a date not in its layout, a sex code the
// code map or m, w, d, x does not name, an unreadable evidence text) is
// never dropped silently: it is a registers.ValueDefect in
// registers.Entry.Defects (column token and code such as
// death_date_invalid or sex_unknown_code, never the value), counted by
// registers.Preflight. Only an unreadable birth date blocks the search
// (Entry.Defect, reason birth_date_invalid); an unreadable death date,
// move date or sex code does not. The engines neither compare nor replace
// a field whose value could not be read, so its column keeps the
// register's text until a clerk or the register's own software corrects
// it, even when the field is in Write.
//
// # The register's own IDNrs
//
// New checks the IDNrs the register held before regmo on records regmo
// has not settled: an IDNr column that is empty or only spaces holds no
// IDNr (the record is searched); grouped digits are the number; a value
// that is not a valid IDNr, or an IDNr held by two records, makes the
// record a Review case with reason idnr_invalid_in_register or
// idnr_duplicate_in_register ([Register.Existing] counts them). The
// register's own columns are not changed.
//
// # Errors isolated per record
//
// If the database refuses an accepted record's UPDATE (too long,
// constraint, type), the batch is written again with a savepoint per
// record; the refused record becomes a Review case write_failed naming
// the column and the kind of problem (never the value or the database's
// text), with the transferred data in the review queue; the fill goes on
// and a rerun does not search for it again. [Register.Reopen] makes cases
// pending again (by key, outcome or reason) and resets the job's
// checkpoint and lease plan so the next run reads them. The sync's
// batches ([Register.WriteSync]) are isolated the same way: a refused
// update leaves the record as it was (IDNr included) and becomes a
// write_failed case in the review queue; the next pass looks it up again.
//
// # Migrations
//
// New brings the bookkeeping schema up to date with versioned migrations,
// each in one transaction with its version row in <prefix>schema
// (serialised by a table lock on PostgreSQL, so several workers may start
// at once). Version 1 adds to the register table the IDNr column (unless
// it exists; without an index, which would cost a random page write per
// record during the fill: create one after the fill if your software looks
// people up by IDNr), <prefix>state (the outcome: 1 accepted,
// 2 review, 3 not identifiable, 4 rejected, 5 no search; NULL pending),
// <prefix>reason and <prefix>message (the message ID of the answer, which
// links a written IDNr to its § 9 protocol record); and the tables
// <prefix>checkpoint (job, last key), <prefix>review (the review queue:
// key, reason, score, the matcher's details, message ID and the candidate
// the BVA returned, as a JSON object of the IDNr and the mapped columns by
// token, each as its column text) and <prefix>leases (key ranges for parallel
// workers). Version 2 adds <prefix>idnr (idnr PRIMARY KEY, key): one row
// per IDNr the register holds, filled from the IDNrs already in the table.
// Version 10 adds the clerks' workbench's <prefix>decisions and
// <prefix>cases (see registers/review); version 11 adds
// <prefix>review.fields, the fields the BVA delivered with the candidate,
// so that a clerk's Accept writes exactly what an automatic Accept writes
// (a field delivered empty clears its column; rows queued before hold
// NULL, and their Accept writes the candidate's non-empty fields).
// Version 30 adds <prefix>clarify and <prefix>clarify_decisions, the
// BVA's clarification requests (§ 10 Abs. 5 IDNrG) as clerks' cases and
// their decisions (registers.ClarificationStore, review.ClarificationStore;
// the intake's cursor is the checkpoint of job "bva_clarification").
// The prefix defaults to "regmo_".
//
// # Backfill
//
// Next reads pending records (IDNr blank and state NULL) by keyset, "WHERE key >
// ? ORDER BY key LIMIT ?" (for a composite key the row value, see "Keys"). WriteBatch stores a batch in one transaction:
// accepted records get the IDNr and, of the basic data the BVA delivered,
// the columns named in Config.Write, the others their state
// and reason, review cases their queue entry, and the checkpoint row is
// updated. Every UPDATE requires the record to be still pending, so a
// record is never written twice; a conflict rolls the batch back with
// [ErrConflict].
//
// # Duplicate IDNrs
//
// [*Register] implements registers.UniqueIDNrWriter: in the batch's
// transaction, before the updates, WriteBatch inserts the IDNr of every
// accepted result into <prefix>idnr with INSERT ... ON CONFLICT DO NOTHING
// (in IDNr order, so that concurrent batches cannot deadlock on them). No
// affected row means another record holds the IDNr already (from this
// batch, an earlier run or another worker; on PostgreSQL an insert waits
// for a concurrent transaction holding the same IDNr and then sees its
// outcome); that result is stored as a review case with reason
// "idnr_already_assigned" and the holder's key instead, without the IDNr.
// The primary key on this narrow table is the uniqueness check, and it is
// also the index from IDNr to register key, far cheaper to maintain during
// the fill than an index on the wide register table. The table is the
// authority: software that removes or moves an IDNr outside regmo (a clerk
// merging a duplicate) deletes or updates its row there too. [Register.ByIDNr]
// finds a record by IDNr through it (for example to check the birth date
// the Datenschutzcockpit sends), and [Register.WrittenIDNrs] lists the
// records whose IDNr regmo wrote, with their message IDs, for
// registers.VerifyProtocol.
//
// # Resume
//
// Because results and checkpoint commit together, a crash loses at most the
// batches in flight; the next run starts after the checkpoint and skips
// records settled beyond it. SQLite runs in WAL mode with synchronous=FULL;
// [OpenSQLite] creates a new database file 0600 (its -wal and -shm files
// take that mode) and missing directories 0700, whatever the umask.
//
// # Parallel workers
//
// PlanLeases splits the pending records into ranges of about rangeSize keys
// (every rangeSize-th key as a boundary, the last range open-ended) once per
// job. AcquireLease takes the first open range that nobody holds or whose
// lease expired, in one UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP
// LOCKED) RETURNING on PostgreSQL, so concurrent workers never wait for or
// take the same range; lease times are the database's clock. Each batch
// commit renews the lease and moves its checkpoint, and fails with
// registers.ErrLeaseLost if the lease is no longer ours. On SQLite the same
// statements run (without SKIP LOCKED); SQLite serialises writers, so it
// suits one process with several goroutines, not several machines.
//
// # Sync
//
// NextWithIDNr reads records that have an IDNr; a sync batch replaces the
// changed fields of records that still hold the same IDNr. The optional
// column Columns.Verified lists the fields the register verified against a
// primary document (the evidence of registers.Sync), and the optional
// column Columns.Evidence the details of those documents as an evidence
// text (registers.ParseEvidence: kind, number or reference, date, issuing
// authority, the fields each proves). Sync reports a deviation in a
// verified field to the BVA only with such details; without them (or with
// an unreadable text: the defect "evidence_invalid" in Entry.Defects) the deviation is a
// case for the clerks, reason inaccuracy_no_evidence.
//
// # Concurrency
//
// A *Register is safe for concurrent use; it holds no state besides the
// *sql.DB and prepared statement texts. Write transactions on SQLite take
// the write lock at BEGIN (so concurrent writers queue instead of failing).
package sqlregister
