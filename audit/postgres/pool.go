package postgres

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
)

// pool is a small bounded pool of connections. (pgxpool would need a
// dependency the module does not carry; the store's needs are simple.)
type pool struct {
	cfg   *pgx.ConnConfig
	idle  chan *pgx.Conn
	slots chan struct{} // one token per open connection
	mu    sync.Mutex
	done  bool
}

func newPool(cfg *pgx.ConnConfig, max int) *pool {
	return &pool{cfg: cfg, idle: make(chan *pgx.Conn, max), slots: make(chan struct{}, max)}
}

var errPoolClosed = errors.New("audit/postgres: store closed")

func (p *pool) acquire(ctx context.Context) (*pgx.Conn, error) {
	for {
		select {
		case c := <-p.idle:
			if c.IsClosed() {
				<-p.slots
				continue
			}
			return c, nil
		default:
		}
		select {
		case c := <-p.idle:
			if c.IsClosed() {
				<-p.slots
				continue
			}
			return c, nil
		case p.slots <- struct{}{}:
			p.mu.Lock()
			done := p.done
			p.mu.Unlock()
			if done {
				<-p.slots
				return nil, errPoolClosed
			}
			c, err := pgx.ConnectConfig(ctx, p.cfg)
			if err != nil {
				<-p.slots
				return nil, err
			}
			return c, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release returns c; a connection in a bad state is closed.
func (p *pool) release(c *pgx.Conn) {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done || c.IsClosed() || c.PgConn().TxStatus() != 'I' {
		c.Close(context.Background())
		<-p.slots
		return
	}
	p.idle <- c
}

func (p *pool) close() {
	p.mu.Lock()
	p.done = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			c.Close(context.Background())
			<-p.slots
		default:
			return
		}
	}
}

// with runs fn on a pooled connection.
func (s *Store) with(ctx context.Context, fn func(c *pgx.Conn) error) error {
	c, err := s.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer s.pool.release(c)
	return fn(c)
}

// tx runs fn in a transaction on a pooled connection and commits.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.with(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// The methods below give the pool the shape of pgxpool's, returning the
// connection when the rows, row or transaction are done.

func (p *pool) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer p.release(c)
	tag, err := c.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

type row struct {
	p    *pool
	ctx  context.Context
	sql  string
	args []any
}

func (r row) Scan(dst ...any) error {
	c, err := r.p.acquire(r.ctx)
	if err != nil {
		return err
	}
	defer r.p.release(c)
	return c.QueryRow(r.ctx, r.sql, r.args...).Scan(dst...)
}

func (p *pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{p, ctx, sql, args}
}

type rows struct {
	pgx.Rows
	once    sync.Once
	release func()
}

func (r *rows) Close() {
	r.Rows.Close()
	r.once.Do(r.release)
}

func (p *pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := c.Query(ctx, sql, args...)
	if err != nil {
		p.release(c)
		return nil, err
	}
	return &rows{Rows: rs, release: func() { p.release(c) }}, nil
}

type tx struct {
	pgx.Tx
	once    sync.Once
	release func()
}

func (t *tx) Commit(ctx context.Context) error {
	err := t.Tx.Commit(ctx)
	t.once.Do(t.release)
	return err
}

func (t *tx) Rollback(ctx context.Context) error {
	err := t.Tx.Rollback(ctx)
	t.once.Do(t.release)
	return err
}

func (p *pool) Begin(ctx context.Context) (pgx.Tx, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	t, err := c.Begin(ctx)
	if err != nil {
		p.release(c)
		return nil, err
	}
	return &tx{Tx: t, release: func() { p.release(c) }}, nil
}
