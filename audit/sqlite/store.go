package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/internal/privfile"
)

// Store is an [audit.Store] in three SQLite database files: the records,
// anchors, holds and metadata in one, the read-access log and the
// transport log in the second, the person index in the third (see the
// package doc). It keeps every optional capability ([audit.AccessLogStore],
// [audit.TransportLogStore], [audit.HoldStore]).
//
// Goroutines and locks: the store runs two goroutines of its own, the
// person indexer (personIndex.loop, person.go), which alone writes the
// person file through its writer connection under person.wmu, and the WAL
// checkpointer of the records file (checkpointLoop, wal.go), which only
// runs PRAGMA wal_checkpoint on a connection of its own. Both stop in
// Close. Lock order: purgeMu -> person.wmu (Purge deletes the copies
// first); commitMu -> person.mu (a commit waits for room in the tail and
// then adds to it); person.mu is held for memory updates only and nothing
// is taken under it.
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
	c := config{txlock: "immediate", synchronous: "FULL", busyTimeout: 10 * time.Second, readers: 4, cacheKiB: 64 << 10, mmapBytes: defaultMmapBytes}
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
	if s.w, s.r, err = openPair(path, c, c.readers, bgCheckpointFrames, ""); err != nil {
		return nil, err
	}
	if s.aw, s.ar, err = openPair(c.sidePath, c, 2, 8192, ""); err != nil {
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

// Close stops the background checkpointer and the person indexer and
// closes all three database files (records, access, person), returning
// every error joined.
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

var _ audit.Store = (*Store)(nil)
