// Package pgdriver is a small database/sql driver over a single
// github.com/jackc/pgx/v5 connection per database/sql connection, so that
// sqlregister runs one code path (database/sql) on SQLite and PostgreSQL.
// pgx's own stdlib package is not used because it pulls in pgxpool and a
// dependency the module does not carry.
//
// database/sql pools the connections; each is used by one goroutine at a
// time, as database/sql guarantees.
package pgdriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Name is the driver name registered with database/sql.
const Name = "regmo-pgx"

func init() { sql.Register(Name, Driver{}) }

// Driver is the database/sql driver.
type Driver struct{}

// Open implements driver.Driver.
func (d Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector implements driver.DriverContext.
func (Driver) OpenConnector(dsn string) (driver.Connector, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return &connector{cfg: cfg}, nil
}

type connector struct{ cfg *pgx.ConnConfig }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	pc, err := pgx.ConnectConfig(ctx, c.cfg)
	if err != nil {
		return nil, err
	}
	return &conn{c: pc}, nil
}

func (c *connector) Driver() driver.Driver { return Driver{} }

type conn struct {
	c  *pgx.Conn
	tx pgx.Tx
}

var (
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	// pgx caches prepared statements per connection by their text; a
	// statement here is just the text.
	return &stmt{c: c, query: query}, nil
}

func (c *conn) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.c.Close(ctx)
}

func (c *conn) IsValid() bool { return !c.c.IsClosed() }

func (c *conn) Ping(ctx context.Context) error {
	if err := c.c.Ping(ctx); err != nil {
		return driver.ErrBadConn
	}
	return nil
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var o pgx.TxOptions
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadCommitted:
		o.IsoLevel = pgx.ReadCommitted
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		o.IsoLevel = pgx.RepeatableRead
	case sql.LevelSerializable:
		o.IsoLevel = pgx.Serializable
	default:
		return nil, fmt.Errorf("pgdriver: isolation level %d not supported", opts.Isolation)
	}
	if opts.ReadOnly {
		o.AccessMode = pgx.ReadOnly
	}
	tx, err := c.c.BeginTx(ctx, o)
	if err != nil {
		return nil, err
	}
	c.tx = tx
	return &txn{c: c}, nil
}

type txn struct{ c *conn }

func (t *txn) Commit() error {
	tx := t.c.tx
	t.c.tx = nil
	return tx.Commit(context.Background())
}

func (t *txn) Rollback() error {
	tx := t.c.tx
	t.c.tx = nil
	return tx.Rollback(context.Background())
}

func values(args []driver.NamedValue) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	tag, err := c.c.Exec(ctx, query, values(args)...)
	if err != nil {
		return nil, err
	}
	return result{tag}, nil
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.c.Query(ctx, query, values(args)...)
	if err != nil {
		return nil, err
	}
	return &rows{r: r}, nil
}

type result struct{ tag pgconn.CommandTag }

func (r result) LastInsertId() (int64, error) {
	return 0, errors.New("pgdriver: LastInsertId is not supported; use RETURNING")
}
func (r result) RowsAffected() (int64, error) { return r.tag.RowsAffected(), nil }

type stmt struct {
	c     *conn
	query string
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return -1 }
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.c.ExecContext(context.Background(), s.query, named(args))
}
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.c.QueryContext(context.Background(), s.query, named(args))
}
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.ExecContext(ctx, s.query, args)
}
func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, args)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

type rows struct {
	r    pgx.Rows
	cols []string
}

func (r *rows) Columns() []string {
	if r.cols == nil {
		fd := r.r.FieldDescriptions()
		r.cols = make([]string, len(fd))
		for i, f := range fd {
			r.cols[i] = f.Name
		}
	}
	return r.cols
}

func (r *rows) Close() error {
	r.r.Close()
	return r.r.Err()
}

func (r *rows) Next(dest []driver.Value) error {
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	vals, err := r.r.Values()
	if err != nil {
		return err
	}
	for i, v := range vals {
		switch x := v.(type) {
		case nil, int64, float64, bool, []byte, string, time.Time:
			dest[i] = x
		case int16:
			dest[i] = int64(x)
		case int32:
			dest[i] = int64(x)
		case int8:
			dest[i] = int64(x)
		case float32:
			dest[i] = float64(x)
		default:
			if dv, ok := v.(driver.Valuer); ok {
				if dest[i], err = dv.Value(); err != nil {
					return err
				}
				continue
			}
			dest[i] = fmt.Sprint(v)
		}
	}
	return nil
}
