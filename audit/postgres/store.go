package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/regmo/regmo/audit"
)

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

var _ audit.Store = (*Store)(nil)
