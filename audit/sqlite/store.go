package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Option configures [Open].
type Option func(*config)

type config struct {
	prefix      string
	synchronous string
	busyTimeout time.Duration
	readers     int
	cacheKiB    int
}

// WithTablePrefix puts a prefix before every table name (letters, digits
// and underscores), so that several logs can share one database file.
func WithTablePrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithSynchronous sets PRAGMA synchronous: "FULL" (the default: a commit
// is on disk when Commit returns, even across power loss) or "NORMAL"
// (survives a crash of the process but may lose the last commits on power
// loss; not durable in the sense of [audit.Store]).
func WithSynchronous(mode string) Option { return func(c *config) { c.synchronous = mode } }

// WithBusyTimeout sets how long a connection waits for a lock (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// WithCacheSize sets the page cache of each connection in bytes (default
// 64 MiB). A large log with heavy appends profits from a larger writer cache:
// the (idnr, seq) index takes random inserts.
func WithCacheSize(bytes int64) Option { return func(c *config) { c.cacheKiB = int(bytes >> 10) } }

// WithReaders sets the number of reading connections (default 4).
func WithReaders(n int) Option { return func(c *config) { c.readers = n } }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)

// Store is an [audit.Store] in one SQLite database file.
type Store struct {
	w, r *sql.DB // one writer connection; a pool of readers
	t    tables
}

type tables struct{ meta, migrations, records, anchors, access, transport, holds string }

// Open opens (creating if needed) the database at path, sets WAL mode,
// the synchronous level, the busy timeout, and migrates the schema to the
// current version. Writes go through one connection.
func Open(path string, opts ...Option) (*Store, error) {
	c := config{synchronous: "FULL", busyTimeout: 10 * time.Second, readers: 4, cacheKiB: 64 << 10}
	for _, o := range opts {
		o(&c)
	}
	if c.prefix != "" && !identRE.MatchString(c.prefix) {
		return nil, errors.New("audit/sqlite: table prefix must be letters, digits and underscores")
	}
	switch strings.ToUpper(c.synchronous) {
	case "FULL", "NORMAL", "EXTRA":
	default:
		return nil, errors.New("audit/sqlite: synchronous must be FULL, NORMAL or EXTRA")
	}
	if path == "" {
		return nil, errors.New("audit/sqlite: path required")
	}
	if c.readers <= 0 {
		c.readers = 4
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", c.busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+strings.ToUpper(c.synchronous)+")")
	q.Add("_pragma", "temp_store(MEMORY)")       // statement journals of multi-row inserts stay in memory
	q.Add("_pragma", "cache_size(-65536)")       // 64 MiB page cache per connection
	q.Add("_pragma", "wal_autocheckpoint(8192)") // fewer, larger checkpoints
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", dsn+"&mode=ro&_pragma=mmap_size(1073741824)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	r.SetMaxOpenConns(c.readers)
	r.SetMaxIdleConns(c.readers)
	p := c.prefix
	s := &Store{w: w, r: r, t: tables{
		meta: p + "audit_meta", migrations: p + "audit_migrations", records: p + "audit_records",
		anchors: p + "audit_anchors", access: p + "audit_access", transport: p + "audit_transport", holds: p + "audit_holds",
	}}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// migrations are applied in order; each runs once, in its own transaction.
func (s *Store) migrations() []string {
	t := s.t
	return []string{
		// 1: the initial schema.
		`CREATE TABLE ` + t.meta + ` (key TEXT PRIMARY KEY, value BLOB NOT NULL);
		CREATE TABLE ` + t.records + ` (
			seq INTEGER PRIMARY KEY, seg INTEGER NOT NULL, time INTEGER NOT NULL, idnr INTEGER NOT NULL,
			prev BLOB NOT NULL, hash BLOB NOT NULL, data BLOB NOT NULL);
		CREATE INDEX ` + t.records + `_idnr ON ` + t.records + ` (idnr, seq);
		CREATE TABLE ` + t.anchors + ` (
			seg INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
			prev BLOB NOT NULL, last BLOB NOT NULL, prev_anchor BLOB NOT NULL,
			closed INTEGER NOT NULL, sig BLOB NOT NULL, purged INTEGER NOT NULL DEFAULT 0);
		CREATE TABLE ` + t.access + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, who TEXT NOT NULL, purpose INTEGER NOT NULL,
			reason TEXT NOT NULL, count INTEGER NOT NULL, qfrom INTEGER NOT NULL, qto INTEGER NOT NULL);
		CREATE INDEX ` + t.access + `_time ON ` + t.access + ` (time);
		CREATE TABLE ` + t.transport + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, message_id BLOB NOT NULL,
			kind TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL);
		CREATE INDEX ` + t.transport + `_msg ON ` + t.transport + ` (message_id, id);
		CREATE INDEX ` + t.transport + `_time ON ` + t.transport + ` (time);
		CREATE TABLE ` + t.holds + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, hfrom INTEGER NOT NULL, hto INTEGER NOT NULL, until INTEGER NOT NULL,
			reason TEXT NOT NULL, who TEXT NOT NULL, placed INTEGER NOT NULL);`,
	}
}

// SchemaVersion is the schema version this package migrates to.
const SchemaVersion = 1

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+s.t.migrations+
		` (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	for i, m := range s.migrations() {
		v := i + 1
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("audit/sqlite: migrate: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+s.t.migrations+` WHERE version = ?`, v).Scan(&n); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit/sqlite: migrate: %w", err)
		}
		if n > 0 {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, m); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.t.migrations+` (version, applied) VALUES (?, ?)`, v, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
	}
	var max int
	if err := s.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM `+s.t.migrations).Scan(&max); err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	if max > SchemaVersion {
		return fmt.Errorf("audit/sqlite: database schema version %d is newer than this package (%d)", max, SchemaVersion)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// DB returns the writer handle, for tests and tools that need raw access.
func (s *Store) DB() *sql.DB { return s.w }

// Tables returns the table names (records, anchors, access, transport, holds).
func (s *Store) Tables() (records, anchors, access, transport, holds string) {
	return s.t.records, s.t.anchors, s.t.access, s.t.transport, s.t.holds
}

func h32(b []byte) (h [32]byte, err error) {
	if len(b) != 32 {
		return h, errors.New("audit/sqlite: hash column is not 32 bytes")
	}
	copy(h[:], b)
	return h, nil
}

const rowCols = `seq, seg, time, idnr, prev, hash, data`

func scanRow(sc interface{ Scan(...any) error }, r *audit.Row, prev, hash *[]byte, data *[]byte) error {
	if err := sc.Scan(&r.Seq, &r.Segment, &r.Time, &r.IDNr, prev, hash, data); err != nil {
		return err
	}
	// A hash column of the wrong length is tampering; keep what fits so
	// that Verify reports it as a mismatch rather than failing.
	r.Prev, r.Hash = [32]byte{}, [32]byte{}
	copy(r.Prev[:], *prev)
	copy(r.Hash[:], *hash)
	if len(*prev) != 32 {
		r.Prev[0] ^= 0xff
	}
	if len(*hash) != 32 {
		r.Hash[0] ^= 0xff
	}
	r.Data = *data
	return nil
}

func (s *Store) Head(ctx context.Context) (last audit.Row, lastOK bool, a audit.Anchor, aOK bool, err error) {
	var prev, hash, data []byte
	row := s.w.QueryRowContext(ctx, `SELECT `+rowCols+` FROM `+s.t.records+` ORDER BY seq DESC LIMIT 1`)
	switch err = scanRow(row, &last, &prev, &hash, &data); {
	case err == nil:
		lastOK = true
	case errors.Is(err, sql.ErrNoRows):
		err = nil
	default:
		return
	}
	as, err := s.anchors(ctx, s.w, ` ORDER BY seg DESC LIMIT 1`)
	if err != nil {
		return
	}
	if len(as) == 1 {
		a, aOK = as[0], true
	}
	return
}

func (s *Store) Commit(ctx context.Context, rows []audit.Row, anchors []audit.Anchor) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := range anchors {
		a := &anchors[i]
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.t.anchors+
			` (seg, first_seq, last_seq, prev, last, prev_anchor, closed, sig, purged) VALUES (?,?,?,?,?,?,?,?,?)`,
			a.Segment, a.FirstSeq, a.LastSeq, a.Prev[:], a.Last[:], a.PrevAnchor[:], a.Closed, a.Sig, a.Purged); err != nil {
			return err
		}
	}
	if len(rows) > 0 {
		// Multi-row inserts: far fewer statement executions than one per row.
		const per = 64
		var full *sql.Stmt
		for i := 0; i < len(rows); i += per {
			n := min(per, len(rows)-i)
			args := make([]any, 0, n*7)
			for j := i; j < i+n; j++ {
				r := &rows[j]
				args = append(args, r.Seq, r.Segment, r.Time, r.IDNr, r.Prev[:], r.Hash[:], r.Data)
			}
			if n == per {
				if full == nil {
					full, err = tx.PrepareContext(ctx, insertSQL(s.t.records, per))
					if err != nil {
						return err
					}
				}
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insertSQL(s.t.records, n), args...)
			}
			if err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

func insertSQL(table string, n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + table + ` (` + rowCols + `) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?,?,?,?,?,?,?)`)
	}
	return b.String()
}

func (s *Store) Records(ctx context.Context, idnrKey, from, to, beforeSeq int64, limit int) ([]audit.Row, error) {
	rs, err := s.r.QueryContext(ctx, `SELECT `+rowCols+` FROM `+s.t.records+
		` WHERE idnr = ? AND seq < ? AND time >= ? AND time < ? ORDER BY seq DESC LIMIT ?`,
		idnrKey, beforeSeq, from, to, limit)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.Row
	for rs.Next() {
		var r audit.Row
		var prev, hash, data []byte
		if err := scanRow(rs, &r, &prev, &hash, &data); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

func (s *Store) Scan(ctx context.Context, fromSeq, toSeq int64, fn func(*audit.Row) error) error {
	rs, err := s.r.QueryContext(ctx, `SELECT `+rowCols+` FROM `+s.t.records+
		` WHERE seq >= ? AND seq <= ? ORDER BY seq`, fromSeq, toSeq)
	if err != nil {
		return err
	}
	defer rs.Close()
	var r audit.Row
	var prev, hash, data sql.RawBytes
	for rs.Next() {
		if err := rs.Scan(&r.Seq, &r.Segment, &r.Time, &r.IDNr, &prev, &hash, &data); err != nil {
			return err
		}
		r.Prev, r.Hash = [32]byte{}, [32]byte{}
		copy(r.Prev[:], prev)
		copy(r.Hash[:], hash)
		if len(prev) != 32 {
			r.Prev[0] ^= 0xff
		}
		if len(hash) != 32 {
			r.Hash[0] ^= 0xff
		}
		r.Data = data
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rs.Err()
}

func (s *Store) anchors(ctx context.Context, db *sql.DB, tail string) ([]audit.Anchor, error) {
	rs, err := db.QueryContext(ctx, `SELECT seg, first_seq, last_seq, prev, last, prev_anchor, closed, sig, purged FROM `+s.t.anchors+tail)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.Anchor
	for rs.Next() {
		var a audit.Anchor
		var prev, last, pa []byte
		if err := rs.Scan(&a.Segment, &a.FirstSeq, &a.LastSeq, &prev, &last, &pa, &a.Closed, &a.Sig, &a.Purged); err != nil {
			return nil, err
		}
		copy(a.Prev[:], prev)
		copy(a.Last[:], last)
		copy(a.PrevAnchor[:], pa)
		if len(prev) != 32 || len(last) != 32 || len(pa) != 32 {
			a.Sig = nil // a damaged anchor: its signature cannot hold
		}
		out = append(out, a)
	}
	return out, rs.Err()
}

func (s *Store) Anchors(ctx context.Context) ([]audit.Anchor, error) {
	return s.anchors(ctx, s.r, ` ORDER BY seg`)
}

func (s *Store) Purge(ctx context.Context, segments []int64, purgedAt, before int64) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, seg := range segments {
		var first, last int64
		if err := tx.QueryRowContext(ctx, `SELECT first_seq, last_seq FROM `+s.t.anchors+` WHERE seg = ?`, seg).Scan(&first, &last); err != nil {
			return fmt.Errorf("segment %d: %w", seg, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.t.records+` WHERE seq >= ? AND seq <= ?`, first, last); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+s.t.anchors+` SET purged = ? WHERE seg = ?`, purgedAt, seg); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.t.access+` WHERE time < ?`, before); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.t.transport+` WHERE time < ?`, before); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) AppendAccess(ctx context.Context, e audit.AccessEntry) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.access+` (time, who, purpose, reason, count, qfrom, qto) VALUES (?,?,?,?,?,?,?)`,
		e.Time.UnixNano(), e.Who, int(e.Purpose), e.Reason, e.Count, nanos(e.From), nanos(e.To))
	return err
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (s *Store) Accesses(ctx context.Context, from, to, beforeID int64, limit int) ([]audit.AccessEntry, error) {
	rs, err := s.r.QueryContext(ctx, `SELECT id, time, who, purpose, reason, count, qfrom, qto FROM `+s.t.access+
		` WHERE time >= ? AND time < ? AND id < ? ORDER BY id DESC LIMIT ?`, from, to, beforeID, limit)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.AccessEntry
	for rs.Next() {
		var e audit.AccessEntry
		var t, f, tt int64
		var p int
		if err := rs.Scan(&e.ID, &t, &e.Who, &p, &e.Reason, &e.Count, &f, &tt); err != nil {
			return nil, err
		}
		e.Time, e.Purpose, e.From, e.To = fromNanos(t), audit.AccessPurpose(p), fromNanos(f), fromNanos(tt)
		out = append(out, e)
	}
	return out, rs.Err()
}

func (s *Store) AppendTransport(ctx context.Context, evs []audit.TransportEvent) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.transport+` (time, message_id, kind, actor, detail) VALUES (?,?,?,?,?)`)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if _, err := st.ExecContext(ctx, e.Time.UnixNano(), e.MessageID[:], e.Kind, e.Actor, e.Detail); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *Store) Transport(ctx context.Context, messageID uuid.UUID) ([]audit.TransportEvent, error) {
	rs, err := s.r.QueryContext(ctx, `SELECT time, message_id, kind, actor, detail FROM `+s.t.transport+
		` WHERE message_id = ? ORDER BY id`, messageID[:])
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.TransportEvent
	for rs.Next() {
		var e audit.TransportEvent
		var t int64
		var id []byte
		if err := rs.Scan(&t, &id, &e.Kind, &e.Actor, &e.Detail); err != nil {
			return nil, err
		}
		e.Time = fromNanos(t)
		copy(e.MessageID[:], id)
		out = append(out, e)
	}
	return out, rs.Err()
}

func (s *Store) PutHold(ctx context.Context, h audit.Hold) (int64, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.holds+` (hfrom, hto, until, reason, who, placed) VALUES (?,?,?,?,?,?)`,
		h.From.UnixNano(), h.To.UnixNano(), h.Until.UnixNano(), h.Reason, h.Who, h.Placed.UnixNano())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (s *Store) DeleteHold(ctx context.Context, id int64) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM `+s.t.holds+` WHERE id = ?`, id)
	return err
}

func (s *Store) Holds(ctx context.Context) ([]audit.Hold, error) {
	rs, err := s.r.QueryContext(ctx, `SELECT id, hfrom, hto, until, reason, who, placed FROM `+s.t.holds+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.Hold
	for rs.Next() {
		var h audit.Hold
		var f, t, u, p int64
		if err := rs.Scan(&h.ID, &f, &t, &u, &h.Reason, &h.Who, &p); err != nil {
			return nil, err
		}
		h.From, h.To, h.Until, h.Placed = fromNanos(f), fromNanos(t), fromNanos(u), fromNanos(p)
		out = append(out, h)
	}
	return out, rs.Err()
}

func (s *Store) Meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.w.QueryRowContext(ctx, `SELECT value FROM `+s.t.meta+` WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func (s *Store) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return nil, err
	}
	return s.Meta(ctx, key)
}

var _ audit.Store = (*Store)(nil)
