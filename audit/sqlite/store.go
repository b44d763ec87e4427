package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/internal/privfile"
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
	mmapBytes   int64
	sidePath    string
	personPath  string
	txlock      string // how the writer begins transactions
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
// 64 MiB). A large log with heavy appends profits from a larger cache: the
// person indexer inserts all over the person file.
func WithCacheSize(bytes int64) Option { return func(c *config) { c.cacheKiB = int(bytes >> 10) } }

// WithMmapSize sets how much of the file each reading connection may map
// into memory (PRAGMA mmap_size; default: SQLite's compile-time maximum).
// Mapped pages are file-backed and shared, but they count as resident
// memory; a batch job that must keep its resident set small, such as a
// verification pass over a large log, passes 0 to read through the page
// cache instead.
func WithMmapSize(bytes int64) Option {
	return func(c *config) {
		if bytes >= 0 {
			c.mmapBytes = bytes
		}
	}
}

// WithPersonPath sets the database file of the person index (default:
// the records file's path with "-person" appended); see the package doc.
func WithPersonPath(path string) Option { return func(c *config) { c.personPath = path } }

// WithReaders sets the number of reading connections (default 4).
func WithReaders(n int) Option { return func(c *config) { c.readers = n } }

// WithAccessPath sets the database file of the read-access log and the
// transport log (default: the records file's path with "-access" appended).
func WithAccessPath(path string) Option { return func(c *config) { c.sidePath = path } }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)

// Store is an [audit.Store] in three SQLite database files: the records,
// anchors, holds and metadata in one, the read-access log and the
// transport log in the second, the person index in the third (see the
// package doc).
type Store struct {
	w, r   *sql.DB // records file: one writer connection; a pool of readers
	aw, ar *sql.DB // access file: one writer connection; a pool of readers
	t      tables
	side   string

	person *personIndex // the person file and its indexer

	// commitMu keeps commits in the order in which they reach the person
	// index's tail (audit.Log commits from one goroutine; other callers
	// need not). purgeMu keeps CheckIntegrity from seeing a Purge between
	// its two files.
	commitMu, purgeMu sync.Mutex

	// insert holds the multi-row INSERTs of records and IDs for 1..insertPer
	// rows, prepared once on the writer connection (see insertChunked).
	insert map[string]*sql.Stmt

	// The background checkpointer of the records file (checkpointLoop).
	ckpt       *sql.DB
	walPending atomic.Int64 // records committed since the last complete checkpoint
	kick       chan struct{}
	stopOnce   sync.Once
	stop       chan struct{}
	stopped    chan struct{}
}

type tables struct {
	meta, migrations, records, ids, anchors, access, transport, holds string
	person, personMeta, personMigrations                              string
}

// Open opens (creating if needed) the database at path, its access file
// (path+"-access" unless [WithAccessPath]) and its person file
// (path+"-person" unless [WithPersonPath]), sets WAL mode, the synchronous
// level, the busy timeout, and migrates the schemas to the current
// versions. A log written by schema version 1 (one file) has its access and
// transport tables moved to the access file. Open indexes the records the
// person file lacks before it returns: a few seconds after a crash during
// a bulk fill, minutes when a log of tens of millions of records written
// by schema version 3 gets its person file. Writes go through one
// connection per file.
func Open(path string, opts ...Option) (*Store, error) {
	c := config{txlock: "immediate", synchronous: "FULL", busyTimeout: 10 * time.Second, readers: 4, cacheKiB: 64 << 10, mmapBytes: 17179869184}
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
	if c.sidePath == "" {
		c.sidePath = path + "-access"
	}
	if c.personPath == "" {
		c.personPath = path + "-person"
	}
	if c.sidePath == path || c.personPath == path || c.personPath == c.sidePath {
		return nil, errors.New("audit/sqlite: the records, access and person files must differ")
	}
	if c.readers <= 0 {
		c.readers = 4
	}
	if c.cacheKiB <= 0 {
		c.cacheKiB = 64 << 10
	}
	p := c.prefix
	s := &Store{side: c.sidePath, t: tables{
		meta: p + "audit_meta", migrations: p + "audit_migrations", records: p + "audit_records", ids: p + "audit_ids",
		anchors: p + "audit_anchors", access: p + "audit_access", transport: p + "audit_transport", holds: p + "audit_holds",
		person: p + "audit_person", personMeta: p + "audit_person_meta", personMigrations: p + "audit_person_migrations",
	}}
	// The files hold personal data: created 0600 (SQLite gives its -wal
	// and -shm files the same mode), whatever the umask and the directory.
	for _, f := range []string{path, c.sidePath, c.personPath} {
		if err := privfile.CreateRestricted(f); err != nil {
			return nil, fmt.Errorf("audit/sqlite: %w", err)
		}
	}
	var err error
	if s.w, s.r, err = openPair(path, c, c.readers, bgCheckpointFrames); err != nil {
		return nil, err
	}
	if s.aw, s.ar, err = openPair(c.sidePath, c, 2, 8192); err != nil {
		s.w.Close()
		s.r.Close()
		return nil, err
	}
	if s.ckpt, err = sql.Open("sqlite", "file:"+path+"?"+pragmas(c).Encode()); err != nil {
		s.w.Close()
		s.r.Close()
		s.aw.Close()
		s.ar.Close()
		return nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	s.ckpt.SetMaxOpenConns(1)
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	if s.person, err = openPerson(context.Background(), c.personPath, path, c, s.t); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareInserts(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	s.kick, s.stop, s.stopped = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go s.checkpointLoop()
	return s, nil
}

// bgCheckpointFrames is the WAL size (pages) at which a commit of the
// records file checkpoints by itself. Normally the background checkpointer
// keeps the WAL far smaller; this is the backstop should it fall behind.
const bgCheckpointFrames = 262144

// checkpointEvery is how many records committed since the last
// checkpoint make the background checkpointer copy the WAL into the
// database file (each record dirties one to three pages).
const checkpointEvery = 2048

// checkpointLoop copies the records file's WAL into the database file on
// a connection of its own, so that the committer does not: with SQLite's
// automatic checkpoint, the commit that crosses the threshold writes and
// syncs every page of the WAL a second time before Append returns, which
// with the person index in this file (one page per record) took a third of
// the committer's time. A PASSIVE checkpoint runs beside the writer and the
// readers and blocks neither.
func (s *Store) checkpointLoop() {
	defer close(s.stopped)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		case <-tick.C: // also when appends have stopped
			if s.walPending.Load() == 0 {
				continue
			}
		}
		n := s.walPending.Load()
		var busy, logFrames, done int64
		if err := s.ckpt.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
			continue // tried again later; the backstop limits the WAL meanwhile
		}
		if done == logFrames { // all copied (else readers held it back: again on the next tick)
			s.walPending.Add(-n)
		}
	}
}

// openPair opens one database file: a single writer connection and a pool
// of read-only connections with a memory map.
func openPair(path string, c config, readers, autocheckpoint int) (w, r *sql.DB, err error) {
	q := pragmas(c)
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", autocheckpoint))
	dsn := "file:" + path + "?" + q.Encode()
	w, err = sql.Open("sqlite", dsn+"&_txlock="+c.txlock)
	if err != nil {
		return nil, nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Readers map the file (by default as far as SQLite's compile-time
	// maximum allows; see WithMmapSize); pages read through the map cost no
	// copy and are shared by all readers.
	r, err = sql.Open("sqlite", dsn+fmt.Sprintf("&mode=ro&_pragma=mmap_size(%d)", c.mmapBytes))
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	return w, r, nil
}

// pragmas are the settings of every connection.
func pragmas(c config) url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", c.busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+strings.ToUpper(c.synchronous)+")")
	q.Add("_pragma", "temp_store(MEMORY)") // statement journals of multi-row inserts stay in memory
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -c.cacheKiB))
	return q
}

// migrations are applied in order; each runs once, in its own transaction.
func (s *Store) migrations() []string {
	t := s.t
	return []string{
		// 1: the initial schema (one file).
		`CREATE TABLE ` + t.meta + ` (key TEXT PRIMARY KEY, value BLOB NOT NULL);
		CREATE TABLE ` + t.records + ` (
			seq INTEGER PRIMARY KEY, seg INTEGER NOT NULL, time INTEGER NOT NULL, idnr INTEGER NOT NULL,
			prev BLOB NOT NULL, hash BLOB NOT NULL, data BLOB NOT NULL);
		CREATE INDEX ` + t.records + `_idnr ON ` + t.records + ` (idnr, seq);
		CREATE TABLE ` + t.anchors + ` (
			seg INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
			prev BLOB NOT NULL, last BLOB NOT NULL, prev_anchor BLOB NOT NULL,
			closed INTEGER NOT NULL, sig BLOB NOT NULL, purged INTEGER NOT NULL DEFAULT 0);
		` + t.accessDDL() + `
		CREATE TABLE ` + t.holds + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, hfrom INTEGER NOT NULL, hto INTEGER NOT NULL, until INTEGER NOT NULL,
			reason TEXT NOT NULL, who TEXT NOT NULL, placed INTEGER NOT NULL);`,
		// 2: the access and transport logs live in the access file (attached
		// as "side" while this runs); move what version 1 kept here. The copy
		// keeps the IDs and ignores rows already copied, so a crash between
		// the two files' commits only repeats it.
		// (Named columns: the access file may have more, see sideChainDDL.)
		`INSERT OR IGNORE INTO side.` + t.access + ` (id, time, who, purpose, reason, count, qfrom, qto)
			SELECT id, time, who, purpose, reason, count, qfrom, qto FROM main.` + t.access + `;
		INSERT OR IGNORE INTO side.` + t.transport + ` (id, time, message_id, kind, actor, detail)
			SELECT id, time, message_id, kind, actor, detail FROM main.` + t.transport + `;
		DROP TABLE main.` + t.access + `;
		DROP TABLE main.` + t.transport + `;`,
		// 3: record IDs are unique (appends are idempotent by ID). The ID
		// is bytes 21..36 of the encoding; a log that holds an ID twice
		// (from a retry before this version) keeps the first.
		`CREATE TABLE ` + t.ids + ` (rid BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
		INSERT OR IGNORE INTO ` + t.ids + ` (rid, seq) SELECT substr(data, 21, 16), seq FROM ` + t.records + ` ORDER BY 1;`,
		// 4: the person index moved to the person file (built by Open from
		// the records); the indexes of the records table that served it
		// before go.
		`DROP INDEX IF EXISTS ` + t.records + `_idnr;
		DROP INDEX IF EXISTS ` + t.records + `_person;`,
	}
}

// sideMigrations are the access file's schema versions.
func (s *Store) sideMigrations() []string {
	return []string{s.t.accessDDL(), s.t.sideChainDDL()}
}

// accessDDL creates the read-access and transport tables: in the access
// file, and (schema version 1) in the records file.
func (t tables) accessDDL() string {
	return `CREATE TABLE ` + t.access + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, who TEXT NOT NULL, purpose INTEGER NOT NULL,
			reason TEXT NOT NULL, count INTEGER NOT NULL, qfrom INTEGER NOT NULL, qto INTEGER NOT NULL);
		CREATE INDEX ` + t.access + `_time ON ` + t.access + ` (time);
		CREATE TABLE ` + t.transport + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, message_id BLOB NOT NULL,
			kind TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL);
		CREATE INDEX ` + t.transport + `_msg ON ` + t.transport + ` (message_id, id);
		CREATE INDEX ` + t.transport + `_time ON ` + t.transport + ` (time);`
}

// SchemaVersion is the schema version of the records file this package
// migrates to; the access file has its own, [AccessSchemaVersion].
const (
	SchemaVersion       = 4
	AccessSchemaVersion = 2
)

func (s *Store) migrate(ctx context.Context) error {
	if err := migrateDB(ctx, s.aw, s.t.migrations, s.sideMigrations(), AccessSchemaVersion, ""); err != nil {
		return err
	}
	return migrateDB(ctx, s.w, s.t.migrations, s.migrations(), SchemaVersion, s.side)
}

// migrateDB applies the missing migrations to db, with the file side
// attached as "side" if given.
func migrateDB(ctx context.Context, db *sql.DB, table string, ms []string, version int, side string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+
		` (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	var cur int
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM `+table).Scan(&cur); err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	if cur > version {
		return fmt.Errorf("audit/sqlite: database schema version %d is newer than this package (%d)", cur, version)
	}
	if cur == version {
		return nil
	}
	if side != "" {
		if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS side`, side); err != nil {
			return fmt.Errorf("audit/sqlite: migrate: attaching the access file: %w", err)
		}
		defer conn.ExecContext(context.Background(), `DETACH DATABASE side`)
	}
	for i, m := range ms {
		v := i + 1
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("audit/sqlite: migrate: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE version = ?`, v).Scan(&n); err != nil {
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (version, applied) VALUES (?, ?)`, v, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
	}
	return nil
}

// Close closes both database files.
func (s *Store) Close() error {
	if s.stop != nil {
		s.stopOnce.Do(func() { close(s.stop) })
		<-s.stopped
	}
	var perr error
	if s.person != nil {
		perr = s.person.close()
	}
	if s.ckpt != nil {
		s.ckpt.Close()
	}
	return errors.Join(perr, s.r.Close(), s.w.Close(), s.ar.Close(), s.aw.Close())
}

// CheckIntegrity compares every copy in the person file with its record
// and finds records up to the indexer's mark without a copy, and runs
// SQLite's PRAGMA integrity_check on all three files. Verify checks the
// chained records; the cockpit's query reads the copies, which the chain
// does not cover, so an edit of a copy (through SQL or in the file's
// bytes) is found here. It reads every file in full: minutes for tens of
// millions of records. Run it beside Verify in the periodic check. The
// error counts copies and names tables and pages, never record content.
func (s *Store) CheckIntegrity(ctx context.Context) error {
	s.purgeMu.Lock()
	defer s.purgeMu.Unlock()
	ps, err := s.person.check(ctx)
	if err != nil {
		return fmt.Errorf("audit/sqlite: integrity check: %w", err)
	}
	var problems []string
	for _, p := range ps {
		problems = append(problems, p.String())
	}
	for _, db := range []*sql.DB{s.r, s.ar, s.person.r} {
		rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
		if err != nil {
			return fmt.Errorf("audit/sqlite: integrity check: %w", err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				rows.Close()
				return fmt.Errorf("audit/sqlite: integrity check: %w", err)
			}
			if line != "ok" {
				problems = append(problems, line)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("audit/sqlite: integrity check: %w", err)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("audit/sqlite: integrity check found %d problems: %s", len(problems), strings.Join(problems, "; "))
	}
	return nil
}

// DB returns the writer handle of the records file, for tests and tools
// that need raw access.
func (s *Store) DB() *sql.DB { return s.w }

// AccessDB returns the writer handle of the access file.
func (s *Store) AccessDB() *sql.DB { return s.aw }

// AccessPath is the path of the access file.
func (s *Store) AccessPath() string { return s.side }

// Tables returns the table names (records, anchors, access, transport, holds).
func (s *Store) Tables() (records, anchors, access, transport, holds string) {
	return s.t.records, s.t.anchors, s.t.access, s.t.transport, s.t.holds
}

const rowCols = `seq, seg, time, idnr, prev, hash, data`

func scanRow(sc interface{ Scan(...any) error }, r *audit.Row, prev, hash *[]byte, data *[]byte) error {
	if err := sc.Scan(&r.Seq, &r.Segment, &r.Time, &r.IDNr, prev, hash, data); err != nil {
		return err
	}
	fill(&r.Prev, *prev)
	fill(&r.Hash, *hash)
	r.Data = *data
	return nil
}

// fill copies a hash column into dst. A column of the wrong length is
// tampering; keep what fits and make it mismatch, so that Verify reports
// it rather than failing.
func fill(dst *[32]byte, b []byte) {
	*dst = [32]byte{}
	copy(dst[:], b)
	if len(b) != 32 {
		dst[0] ^= 0xff
	}
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
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if err := s.person.room(ctx); err != nil {
		return err
	}
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
		err := s.insertChunked(ctx, tx, len(rows), 7, func(n int) string { return insertSQL(s.t.records, n) },
			func(args []any, j int) []any {
				r := &rows[j]
				return append(args, r.Seq, r.Segment, r.Time, r.IDNr, r.Prev[:], r.Hash[:], r.Data)
			})
		if err != nil {
			return err
		}
		err = s.insertChunked(ctx, tx, len(rows), 2, func(n int) string { return insertIDsSQL(s.t.ids, n) },
			func(args []any, j int) []any { return append(args, rows[j].ID[:], rows[j].Seq) })
		if err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.person.added(rows)
	if s.walPending.Add(int64(len(rows)+len(anchors))) >= checkpointEvery {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

func insertIDsSQL(table string, n int) string {
	return multiInsertSQL(table, `rid, seq`, `(?,?)`, n)
}

// Stored looks the IDs up in the unique index, up to 256 per statement.
func (s *Store) Stored(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]byte, error) {
	var out map[uuid.UUID][]byte
	const per = 256
	for i := 0; i < len(ids); i += per {
		n := min(per, len(ids)-i)
		args := make([]any, n)
		for j := range n {
			args[j] = ids[i+j][:]
		}
		q := `SELECT i.rid, r.data FROM ` + s.t.ids + ` i JOIN ` + s.t.records + ` r ON r.seq = i.seq WHERE i.rid IN (?` +
			strings.Repeat(`,?`, n-1) + `)`
		rs, err := s.w.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var rid, data []byte
			if err := rs.Scan(&rid, &data); err != nil {
				rs.Close()
				return nil, err
			}
			if len(rid) == 16 {
				if out == nil {
					out = make(map[uuid.UUID][]byte)
				}
				out[uuid.UUID(rid)] = data
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insertPer is the most rows one INSERT statement takes.
const insertPer = 64

// prepareInserts prepares the multi-row INSERTs for every row count up to
// insertPer on the writer connection. Each commit of n rows would
// otherwise parse an n-row statement anew (a batch of 32 rows spent a
// tenth of the committer's CPU in the SQL parser); a transaction reuses
// them through tx.StmtContext, which finds them prepared on its connection.
func (s *Store) prepareInserts(ctx context.Context) error {
	s.insert = make(map[string]*sql.Stmt, 2*insertPer)
	for n := 1; n <= insertPer; n++ {
		for _, q := range []string{insertSQL(s.t.records, n), insertIDsSQL(s.t.ids, n)} {
			st, err := s.w.PrepareContext(ctx, q)
			if err != nil {
				return fmt.Errorf("audit/sqlite: prepare: %w", err)
			}
			s.insert[q] = st
		}
	}
	return nil
}

// insertChunked inserts total rows in multi-row statements of up to
// insertPer rows: query(n) is the statement for n rows, add appends row j's
// cols arguments.
func (s *Store) insertChunked(ctx context.Context, tx *sql.Tx, total, cols int, query func(n int) string, add func(args []any, j int) []any) error {
	for i := 0; i < total; i += insertPer {
		n := min(insertPer, total-i)
		args := make([]any, 0, n*cols)
		for j := i; j < i+n; j++ {
			args = add(args, j)
		}
		if _, err := tx.StmtContext(ctx, s.insert[query(n)]).ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

func insertSQL(table string, n int) string {
	return multiInsertSQL(table, rowCols, `(?,?,?,?,?,?,?)`, n)
}

// multiInsertSQL is an INSERT of n rows of the given placeholder tuple.
// OR ROLLBACK: a constraint violation ends the whole transaction (which
// Commit fails anyway), so SQLite needs no statement journal.
func multiInsertSQL(table, cols, tuple string, n int) string {
	var b strings.Builder
	b.WriteString(`INSERT OR ROLLBACK INTO ` + table + ` (` + cols + `) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tuple)
	}
	return b.String()
}

// Records reads a person's records from the person index (see the package
// doc): the records not yet indexed from the records table, the rest from
// the person file.
func (s *Store) Records(ctx context.Context, idnrKey, from, to, beforeSeq int64, limit int) ([]audit.Row, error) {
	return s.person.records(ctx, s.r, idnrKey, from, to, beforeSeq, limit)
}

// Flush waits until the person index holds every record committed so far.
// Queries never need it (they read what is not yet indexed from the
// records table); benchmarks use it to count the indexing in.
func (s *Store) Flush(ctx context.Context) error { return s.person.catchUp(ctx) }

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
		fill(&r.Prev, prev)
		fill(&r.Hash, hash)
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

func (s *Store) Purge(ctx context.Context, segments []int64, purgedAt int64) error {
	s.purgeMu.Lock()
	defer s.purgeMu.Unlock()
	// The person index's copies first, durably: they are found through the
	// records. A crash after this step leaves the records for the next
	// Purge (meanwhile the cockpit no longer shows them, nor should it).
	ranges := make([][2]int64, len(segments))
	for i, seg := range segments {
		if err := s.w.QueryRowContext(ctx, `SELECT first_seq, last_seq FROM `+s.t.anchors+` WHERE seg = ?`, seg).Scan(&ranges[i][0], &ranges[i][1]); err != nil {
			return fmt.Errorf("segment %d: %w", seg, err)
		}
		if err := s.person.purge(ctx, ranges[i][0], ranges[i][1]); err != nil {
			return err
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, seg := range segments {
		first, last := ranges[i][0], ranges[i][1]
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.t.ids+` WHERE rid IN (SELECT substr(data, 21, 16) FROM `+
			s.t.records+` WHERE seq >= ? AND seq <= ?)`, first, last); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.t.records+` WHERE seq >= ? AND seq <= ?`, first, last); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+s.t.anchors+` SET purged = ? WHERE seg = ?`, purgedAt, seg); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *Store) AppendAccess(ctx context.Context, es []audit.AccessEntry) error {
	tx, err := s.aw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.access+
		` (id, time, who, purpose, reason, count, qfrom, qto, prev, hash, sig) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	for _, e := range es {
		if _, err := st.ExecContext(ctx, e.ID, e.Time.UnixNano(), e.Who, int(e.Purpose), e.Reason, e.Count, nanos(e.From), nanos(e.To),
			e.Prev[:], e.Hash[:], sigOrNil(e.Sig)); err != nil {
			return err
		}
	}
	return tx.Commit()
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
	rs, err := s.ar.QueryContext(ctx, `SELECT id, time, who, purpose, reason, count, qfrom, qto FROM `+s.t.access+
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
	tx, err := s.aw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.transport+
		` (id, time, message_id, kind, actor, detail, prev, hash, sig) VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if _, err := st.ExecContext(ctx, e.ID, e.Time.UnixNano(), e.MessageID[:], e.Kind, e.Actor, e.Detail,
			e.Prev[:], e.Hash[:], sigOrNil(e.Sig)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *Store) Transport(ctx context.Context, messageID uuid.UUID) ([]audit.TransportEvent, error) {
	rs, err := s.ar.QueryContext(ctx, `SELECT id, time, message_id, kind, actor, detail FROM `+s.t.transport+
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
		if err := rs.Scan(&e.ID, &t, &id, &e.Kind, &e.Actor, &e.Detail); err != nil {
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
