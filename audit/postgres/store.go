package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/internal/sqlrows"
)

// Option configures [Open].
type Option func(*config)

type config struct {
	schema   string
	prefix   string
	maxConns int32
}

// WithSchema keeps the tables in the given schema (created if needed)
// instead of the connection's default schema.
func WithSchema(s string) Option { return func(c *config) { c.schema = s } }

// WithTablePrefix puts a prefix before every table name.
func WithTablePrefix(p string) Option { return func(c *config) { c.prefix = p } }

// writeConns is the size of the writers' pool: the record committer, the
// access-log committer, Purge and the metadata. Transport events and legal
// holds, which applications write at will, use the readers' pool.
const writeConns = 3

// cancelDelay is how long a statement whose context ended may run on
// before the server is asked to cancel it.
const cancelDelay = 2 * time.Second

// WithMaxConns bounds the readers' connection pool (default 8); the writers
// (the committers) have a pool of their own with up to 3 connections.
func WithMaxConns(n int32) Option { return func(c *config) { c.maxConns = n } }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)

// Store is an [audit.Store] in PostgreSQL.
type Store struct {
	pool   *pgxpool.Pool // reads
	wpool  *pgxpool.Pool // writes and the committers' reads, apart from the readers
	t      tables
	ids    pgx.Identifier // the records table, for COPY
	idsIDs pgx.Identifier // the IDs table, for COPY
}

type tables struct{ meta, migrations, records, ids, anchors, access, transport, holds string }

// Open connects to the database at dsn (a libpq connection string or URL)
// and migrates the schema to the current version. Commits are durable as
// long as the server runs with synchronous_commit on (its default).
//
// Errors never show the password of dsn.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	c := config{maxConns: 8}
	for _, o := range opts {
		o(&c)
	}
	if c.schema != "" && !identRE.MatchString(c.schema) {
		return nil, errors.New("audit/postgres: schema must be letters, digits and underscores")
	}
	if c.prefix != "" && !identRE.MatchString(c.prefix) {
		return nil, errors.New("audit/postgres: table prefix must be letters, digits and underscores")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("audit/postgres: %w", err) // pgx redacts the password
	}
	if c.maxConns <= 0 {
		c.maxConns = 8
	}
	cfg.MaxConns = c.maxConns
	cfg.MinConns = 0
	// No JIT compilation: the store's statements are short index lookups,
	// and on a table whose statistics are missing or stale the planner's
	// cost estimate crosses jit_above_cost, so that compiling (~15 ms) costs
	// more than running the query (~2 ms).
	// Set after connecting rather than as a startup parameter, which
	// PgBouncer and servers before version 11 (no JIT) refuse; on those
	// the SET fails as unknown and is ignored.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		after := cfg.AfterConnect
		cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
			if after != nil {
				if err := after(ctx, conn); err != nil {
					return err
				}
			}
			if _, err := conn.Exec(ctx, "SET jit = off"); err != nil {
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "42704" { // undefined_object: a server without JIT
					return err
				}
			}
			return nil
		}
	}
	// A caller's context that ends mid-statement (the cockpit's deadline)
	// must not cost the connection: pgx's default closes it, and under
	// load a wave of such closes empties the pool, every request then waits
	// for new connections and misses its deadline too. Statements here take
	// milliseconds, so let them finish; ask the server to cancel one only
	// if it runs on for cancelDelay, and drop the connection only if even
	// that does not end it.
	cfg.ConnConfig.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, CancelRequestDelay: cancelDelay, DeadlineDelay: cancelDelay + 5*time.Second}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("audit/postgres: %w", err)
	}
	// The writers have connections of their own: the record committer and
	// the access-log committer must not queue behind a crowd of readers,
	// since every reader of the cockpit waits for the access-log commit.
	wcfg := cfg.Copy()
	wcfg.MaxConns = writeConns
	wpool, err := pgxpool.NewWithConfig(ctx, wcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("audit/postgres: %w", err)
	}
	q := func(n string) string {
		if c.schema != "" {
			return pgx.Identifier{c.schema, c.prefix + n}.Sanitize()
		}
		return pgx.Identifier{c.prefix + n}.Sanitize()
	}
	s := &Store{pool: pool, wpool: wpool, t: tables{
		meta: q("audit_meta"), migrations: q("audit_migrations"), records: q("audit_records"), ids: q("audit_ids"),
		anchors: q("audit_anchors"), access: q("audit_access"), transport: q("audit_transport"), holds: q("audit_holds"),
	}}
	s.ids = pgx.Identifier{c.prefix + "audit_records"}
	s.idsIDs = pgx.Identifier{c.prefix + "audit_ids"}
	if c.schema != "" {
		s.ids = pgx.Identifier{c.schema, c.prefix + "audit_records"}
		s.idsIDs = pgx.Identifier{c.schema, c.prefix + "audit_ids"}
	}
	if err := s.migrate(ctx, c.schema, c.prefix); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// SchemaVersion is the schema version this package migrates to.
const SchemaVersion = 3

func (s *Store) migrations() []string {
	t := s.t
	return []string{
		`CREATE TABLE ` + t.meta + ` (key text PRIMARY KEY, value bytea NOT NULL);
		CREATE TABLE ` + t.records + ` (
			seq bigint PRIMARY KEY, seg bigint NOT NULL, time bigint NOT NULL, idnr bigint NOT NULL,
			prev bytea NOT NULL, hash bytea NOT NULL, data bytea NOT NULL);
		CREATE INDEX ON ` + t.records + ` (idnr, seq);
		CREATE TABLE ` + t.anchors + ` (
			seg bigint PRIMARY KEY, first_seq bigint NOT NULL, last_seq bigint NOT NULL,
			prev bytea NOT NULL, last bytea NOT NULL, prev_anchor bytea NOT NULL,
			closed bigint NOT NULL, sig bytea NOT NULL, purged bigint NOT NULL DEFAULT 0);
		CREATE TABLE ` + t.access + ` (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time bigint NOT NULL, who text NOT NULL,
			purpose int NOT NULL, reason text NOT NULL, count int NOT NULL, qfrom bigint NOT NULL, qto bigint NOT NULL);
		CREATE INDEX ON ` + t.access + ` (time);
		CREATE TABLE ` + t.transport + ` (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time bigint NOT NULL, message_id bytea NOT NULL,
			kind text NOT NULL, actor text NOT NULL, detail text NOT NULL);
		CREATE INDEX ON ` + t.transport + ` (message_id, id);
		CREATE INDEX ON ` + t.transport + ` (time);
		CREATE TABLE ` + t.holds + ` (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, hfrom bigint NOT NULL, hto bigint NOT NULL,
			until bigint NOT NULL, reason text NOT NULL, who text NOT NULL, placed bigint NOT NULL);`,
		// 2: record IDs are unique (appends are idempotent by ID). The ID is
		// bytes 21..36 of the encoding; a log that holds an ID twice (from a
		// retry before this version) keeps the first.
		`CREATE TABLE ` + t.ids + ` (rid bytea PRIMARY KEY, seq bigint NOT NULL);
		INSERT INTO ` + t.ids + ` (rid, seq) SELECT substring(data from 21 for 16), seq FROM ` + t.records + `
			ORDER BY seq ON CONFLICT (rid) DO NOTHING;`,
		// 3: the access and transport logs are chained and signed (side.go).
		t.sideChainDDL(),
	}
}

func (s *Store) migrate(ctx context.Context, schema, prefix string) error {
	return pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error { return s.migrateTx(ctx, t, schema, prefix) })
}

func (s *Store) migrateTx(ctx context.Context, tx pgx.Tx, schema, prefix string) error {
	// One migrator at a time, across processes.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "regmo-audit:"+schema+"."+prefix); err != nil {
		return fmt.Errorf("audit/postgres: migrate: %w", err)
	}
	if schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("audit/postgres: migrate: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.t.migrations+` (version int PRIMARY KEY, applied bigint NOT NULL)`); err != nil {
		return fmt.Errorf("audit/postgres: migrate: %w", err)
	}
	var cur int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+s.t.migrations).Scan(&cur); err != nil {
		return fmt.Errorf("audit/postgres: migrate: %w", err)
	}
	if cur > SchemaVersion {
		return fmt.Errorf("audit/postgres: database schema version %d is newer than this package (%d)", cur, SchemaVersion)
	}
	for i, m := range s.migrations()[cur:] {
		v := cur + i + 1
		if _, err := tx.Exec(ctx, m); err != nil {
			return fmt.Errorf("audit/postgres: migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t.migrations+` (version, applied) VALUES ($1, $2)`, v, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("audit/postgres: migration %d: %w", v, err)
		}
	}
	return nil
}

// Close closes the pools; it waits for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	s.wpool.Close()
	return nil
}

// Tables returns the quoted table names (records, anchors, access, transport, holds).
func (s *Store) Tables() (records, anchors, access, transport, holds string) {
	return s.t.records, s.t.anchors, s.t.access, s.t.transport, s.t.holds
}

const rowCols = sqlrows.RecordCols

// Head reads through the writers' pool: what the Log committed last.
func (s *Store) Head(ctx context.Context) (audit.Row, bool, audit.Anchor, bool, error) {
	return sqlrows.Head(func(q string) (sqlrows.Rows, error) { return s.wpool.Query(ctx, q) }, s.t.records, s.t.anchors)
}

func (s *Store) Commit(ctx context.Context, rows []audit.Row, anchors []audit.Anchor) error {
	if len(rows) < copyRows {
		return s.commitPipelined(ctx, rows, anchors)
	}
	tx, err := s.wpool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for i := range anchors {
		a := &anchors[i]
		if _, err := tx.Exec(ctx, insertAnchorSQL(s.t.anchors), sqlrows.AnchorArgs(a)...); err != nil {
			return err
		}
	}
	i := 0
	_, err = tx.CopyFrom(ctx, s.ids, []string{"seq", "seg", "time", "idnr", "prev", "hash", "data"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(rows) {
				return nil, nil
			}
			r := &rows[i]
			i++
			return []any{r.Seq, r.Segment, r.Time, r.IDNr, r.Prev[:], r.Hash[:], r.Data}, nil
		}))
	if err != nil {
		return err
	}
	i = 0
	_, err = tx.CopyFrom(ctx, s.idsIDs, []string{"rid", "seq"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(rows) {
				return nil, nil
			}
			r := &rows[i]
			i++
			return []any{r.ID[:], r.Seq}, nil
		}))
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// copyRows is the batch size from which Commit uses COPY in an explicit
// transaction (five round trips); smaller batches go in one round trip.
const copyRows = 1024

// commitPipelined sends the anchors and rows as one atomic batch
// (sendAtomic); the rows go as arrays through unnest, two statements for
// any number.
func (s *Store) commitPipelined(ctx context.Context, rows []audit.Row, anchors []audit.Anchor) error {
	b := &pgx.Batch{}
	for i := range anchors {
		b.Queue(insertAnchorSQL(s.t.anchors), sqlrows.AnchorArgs(&anchors[i])...)
	}
	if len(rows) > 0 {
		n := len(rows)
		seq, seg, tm, key := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		prev, hash, data, ids := make([][]byte, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
		for i := range rows {
			r := &rows[i]
			seq[i], seg[i], tm[i], key[i] = r.Seq, r.Segment, r.Time, r.IDNr
			prev[i], hash[i], data[i], ids[i] = r.Prev[:], r.Hash[:], r.Data, r.ID[:]
		}
		b.Queue(`INSERT INTO `+s.t.records+` (`+rowCols+`) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bytea[], $6::bytea[], $7::bytea[])`,
			seq, seg, tm, key, prev, hash, data)
		b.Queue(`INSERT INTO `+s.t.ids+` (rid, seq) SELECT * FROM unnest($1::bytea[], $2::bigint[])`, ids, seq)
	}
	return sendAtomic(ctx, s.wpool, b)
}

// sendAtomic sends b as one pipelined batch. PostgreSQL runs the
// statements of a batch that ends in one Sync as one implicit transaction:
// all of them or none are stored, and the commit (with its durable flush)
// costs one round trip, instead of three with BEGIN and COMMIT of their own.
func sendAtomic(ctx context.Context, pool *pgxpool.Pool, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return pool.SendBatch(ctx, b).Close()
}

func insertAnchorSQL(table string) string {
	return `INSERT INTO ` + table + ` (` + sqlrows.AnchorCols + `) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`
}

// Stored looks the IDs up in the unique index.
func (s *Store) Stored(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]byte, error) {
	keys := make([][]byte, len(ids))
	for i := range ids {
		keys[i] = ids[i][:]
	}
	rs, err := s.wpool.Query(ctx, `SELECT i.rid, r.data FROM `+s.t.ids+` i JOIN `+s.t.records+
		` r ON r.seq = i.seq WHERE i.rid = ANY($1)`, keys)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out map[uuid.UUID][]byte
	for rs.Next() {
		var rid, data []byte
		if err := rs.Scan(&rid, &data); err != nil {
			return nil, err
		}
		if len(rid) == 16 {
			if out == nil {
				out = make(map[uuid.UUID][]byte)
			}
			out[uuid.UUID(rid)] = data
		}
	}
	return out, rs.Err()
}

func (s *Store) Records(ctx context.Context, idnrKey, from, to, beforeSeq int64, limit int) ([]audit.Row, error) {
	// Only what the query path reads (see audit.Store): no chain columns.
	return sqlrows.ScanQueried(make([]audit.Row, 0, min(limit, 256)), idnrKey)(s.pool.Query(ctx, `SELECT seq, time, data FROM `+s.t.records+
		` WHERE idnr = $1 AND seq < $2 AND time >= $3 AND time < $4 ORDER BY seq DESC LIMIT $5`,
		idnrKey, beforeSeq, from, to, limit))
}

// Scan streams the rows; it reads the binary wire values directly.
func (s *Store) Scan(ctx context.Context, fromSeq, toSeq int64, fn func(*audit.Row) error) error {
	rs, err := s.pool.Query(ctx, `SELECT `+rowCols+` FROM `+s.t.records+
		` WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, fromSeq, toSeq)
	if err != nil {
		return err
	}
	defer rs.Close()
	fds := rs.FieldDescriptions()
	binaryOK := len(fds) == 7
	for _, fd := range fds {
		binaryOK = binaryOK && fd.Format == pgx.BinaryFormatCode
	}
	var r audit.Row
	for rs.Next() {
		if binaryOK {
			v := rs.RawValues()
			if len(v[0]) != 8 || len(v[1]) != 8 || len(v[2]) != 8 || len(v[3]) != 8 {
				return errors.New("audit/postgres: unexpected wire format")
			}
			r.Seq = int64(binary.BigEndian.Uint64(v[0]))
			r.Segment = int64(binary.BigEndian.Uint64(v[1]))
			r.Time = int64(binary.BigEndian.Uint64(v[2]))
			r.IDNr = int64(binary.BigEndian.Uint64(v[3]))
			sqlrows.Fill(&r.Prev, v[4])
			sqlrows.Fill(&r.Hash, v[5])
			r.Data = v[6]
		} else {
			var prev, hash []byte
			if err := rs.Scan(&r.Seq, &r.Segment, &r.Time, &r.IDNr, &prev, &hash, &r.Data); err != nil {
				return err
			}
			sqlrows.Fill(&r.Prev, prev)
			sqlrows.Fill(&r.Hash, hash)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rs.Err()
}

func (s *Store) Anchors(ctx context.Context) ([]audit.Anchor, error) {
	return sqlrows.All(sqlrows.ScanAnchor)(s.pool.Query(ctx, `SELECT `+sqlrows.AnchorCols+` FROM `+s.t.anchors+` ORDER BY seg`))
}

func (s *Store) Purge(ctx context.Context, segments []int64, purgedAt int64) error {
	tx, err := s.wpool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, seg := range segments {
		var first, last int64
		if err := tx.QueryRow(ctx, `SELECT first_seq, last_seq FROM `+s.t.anchors+` WHERE seg = $1`, seg).Scan(&first, &last); err != nil {
			return fmt.Errorf("segment %d: %w", seg, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t.ids+` WHERE rid IN (SELECT substring(data from 21 for 16) FROM `+
			s.t.records+` WHERE seq >= $1 AND seq <= $2)`, first, last); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t.records+` WHERE seq >= $1 AND seq <= $2`, first, last); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE `+s.t.anchors+` SET purged = $1 WHERE seg = $2`, purgedAt, seg); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

var _ audit.Store = (*Store)(nil)
