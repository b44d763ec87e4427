package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/internal/sqlrows"
)

// The person index: a copy of every record, clustered by (idnr, seq), in a
// file of its own (path+"-person"), which the Datenschutzcockpit's query
// reads. It is derived data: the records file is the truth, and the index
// is rebuilt from it whenever it is missing or behind.
//
// Why not an index of the records table: a person's records are spread over
// the whole log, so an index by person takes one random page write per
// appended record, which in the durable commit path halved the append rate
// of a small log and cost two thirds of it at ten million records. Here the
// committer writes the records table only (appends at its right edge); a
// background indexer copies what was committed into the person file in
// large transactions, on its own writer connection (SQLite
// lets the two files be written at the same time), without an fsync per
// transaction: the person file runs with synchronous=NORMAL, which keeps it
// consistent across a power loss but may lose its last transactions, and
// its high-water mark (audit_person_meta "indexed") is committed in the
// same transaction as the copies, so what is lost is simply indexed again.
//
// Records committed but not yet indexed (the tail) are kept in memory by
// IDNr key, so that a query sees every acknowledged record at once: the
// query reads the tail's rows from the records table by seq, then the
// person file for seq <= the mark it saw. The tail is bounded (indexTuning.tail):
// a committer that runs ahead of the indexer waits for it.
type personIndex struct {
	db      *sql.DB   // the person file's writer (one connection, held by w)
	w       *sql.Conn // the writer, with the records file attached as "rec"; guarded by wmu
	r       *sql.DB   // readers of the person file
	table   string    // the person table
	meta    string    // its key-value table
	rec     string    // the records table (in the attached records file)
	recPath string    // the records file

	wmu sync.Mutex // one user of w at a time: the indexer, Purge, CheckIntegrity

	mu       sync.Mutex
	mark     int64                 // every record with seq <= mark is in the person table
	tail     map[int64][]tailEntry // records committed after mark, by IDNr key, in seq order
	fifo     []tailRef             // the same, in seq order, for trimming
	progress chan struct{}         // closed and replaced whenever mark advances
	err      error                 // the indexer's last error, nil after a pass that worked

	kick    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once

	tune indexTuning // fixed at open

	copiesSQL string // copiesQuery()
}

type tailEntry struct{ seq, time int64 }

type tailRef struct{ idnr, seq int64 }

// indexTuning is the indexer's tuning. Each personIndex copies the
// package's defaults when it is opened and reads only its copy, so that a
// test changing the defaults (export_test.go) affects the stores it opens
// afterwards and never races with the goroutines of a store still open.
type indexTuning struct {
	chunk  int           // most records per indexing transaction
	kickAt int           // tail size at which a commit wakes the indexer
	every  time.Duration // how often the indexer looks for work anyway
	tail   int           // tail size at which commits wait for the indexer
}

// defaultTuning is copied by openPerson; only tests change it, before
// they open a store.
var defaultTuning = indexTuning{chunk: 65536, kickAt: 16384, every: time.Second, tail: 1 << 18}

// markSQL reads the mark from the person file: every record with seq up
// to it has its copy there.
func (p *personIndex) markSQL() string {
	return `SELECT coalesce((SELECT value FROM ` + p.meta + ` WHERE key = 'indexed'), 0)`
}

// signal wakes whoever waits for the indexer (room); p.mu is held.
func (p *personIndex) signal() {
	close(p.progress)
	p.progress = make(chan struct{})
}

// PersonSchemaVersion is the schema version of the person file.
const PersonSchemaVersion = 1

func (t tables) personDDL() string {
	return `CREATE TABLE ` + t.person + ` (
			idnr INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, data BLOB NOT NULL,
			PRIMARY KEY (idnr, seq)) WITHOUT ROWID;
		CREATE TABLE ` + t.personMeta + ` (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`
}

// openPerson opens the person file at path with the records file recPath
// attached to its writer, creates or migrates its schema, and indexes
// whatever the records file holds beyond its mark (all of it, the first
// time), so that the tail starts empty.
func openPerson(ctx context.Context, path, recPath string, c config, t tables) (*personIndex, error) {
	c.synchronous = "NORMAL" // derived data; see the type's doc
	// BEGIN IMMEDIATE would lock every attached file for writing, the
	// records file too, and so hold the committer off for a whole pass.
	// Deferred, the indexer's transaction only reads the records file.
	c.txlock = "deferred"
	w, r, err := openPair(path, c, c.readers, 4096, recPath)
	if err != nil {
		return nil, err
	}
	p := &personIndex{tune: defaultTuning, db: w, r: r, table: t.person, meta: t.personMeta, rec: t.records, recPath: recPath,
		tail: make(map[int64][]tailEntry), progress: make(chan struct{}),
		kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	p.copiesSQL = p.copiesQuery()
	fail := func(err error) (*personIndex, error) {
		if p.w != nil {
			p.w.Close()
		}
		w.Close()
		r.Close()
		return nil, fmt.Errorf("audit/sqlite: person index: %w", err)
	}
	if err := migrateDB(ctx, w, t.personMigrations, []string{t.personDDL()}, PersonSchemaVersion, ""); err != nil {
		return fail(err)
	}
	if p.w, err = w.Conn(ctx); err != nil {
		return fail(err)
	}
	if _, err := p.w.ExecContext(ctx, `ATTACH DATABASE ? AS rec`, recPath); err != nil {
		return fail(err)
	}
	// The indexer reads the records it copies through a memory map: the
	// committer changes that file between two passes, which would throw a
	// page cache away each time.
	if _, err := p.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA rec.mmap_size = %d; PRAGMA rec.cache_size = -2048`, c.mmapBytes)); err != nil {
		return fail(err)
	}
	// A person file ahead of the records file (which lost its last
	// commits, or was restored from an older backup) is rebuilt.
	var mark, head int64
	if err := p.w.QueryRowContext(ctx, p.markSQL()).Scan(&mark); err != nil {
		return fail(err)
	}
	if err := p.w.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM rec.`+p.rec).Scan(&head); err != nil {
		return fail(err)
	}
	if mark > head {
		if _, err := p.w.ExecContext(ctx, `DELETE FROM `+p.table+`; DELETE FROM `+p.meta); err != nil {
			return fail(err)
		}
	}
	if err := p.catchUp(ctx); err != nil {
		return fail(err)
	}
	go p.loop()
	return p, nil
}

// close stops the indexer and closes the person file. What is not indexed
// yet is indexed by the next open.
func (p *personIndex) close() error {
	p.once.Do(func() { close(p.stop) })
	<-p.stopped
	p.wmu.Lock()
	defer p.wmu.Unlock()
	// Readers first: the last connection to close checkpoints the WAL into
	// the file, which a read-only one cannot.
	return errors.Join(p.r.Close(), p.w.Close(), p.db.Close())
}

// loop is the background indexer: it indexes when commits wake it (the
// tail has grown past tune.kickAt) and every tune.every.
func (p *personIndex) loop() {
	defer close(p.stopped)
	tick := time.NewTicker(p.tune.every)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		case <-tick.C:
			p.mu.Lock()
			idle := len(p.fifo) == 0
			p.mu.Unlock()
			if idle {
				continue
			}
		}
		for {
			n, err := p.indexOnce(context.Background())
			p.mu.Lock()
			p.err = err
			if err != nil {
				// Wake a committer waiting for room, so that it reports the
				// error instead of waiting on; retried on the next tick.
				p.signal()
			}
			p.mu.Unlock()
			if err != nil || n == 0 {
				break
			}
			// Go on only while a full batch waits: a pass costs about as
			// many page writes for a few records as for many.
			p.mu.Lock()
			more := len(p.fifo) >= p.tune.kickAt
			p.mu.Unlock()
			if !more {
				break
			}
			select {
			case <-p.stop:
				return
			default:
			}
		}
	}
}

// catchUp indexes until the person table holds every committed record.
func (p *personIndex) catchUp(ctx context.Context) error {
	for {
		n, err := p.indexOnce(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

// indexOnce copies up to tune.chunk records after the mark into the
// person table (in seq order: sorting them by person first cost more than
// it saved) and moves the mark in the same
// transaction. It reads the mark from the file, not from memory, so that
// two Stores on the same files (which SQLite allows) index in turn rather
// than twice. It returns how many records it indexed.
func (p *personIndex) indexOnce(ctx context.Context) (int, error) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	n, err := p.indexLocked(ctx)
	var beyond errCopiesBeyond
	if errors.As(err, &beyond) {
		// Copies beyond the mark: it was lowered (edited, or an old meta
		// table restored). Those copies are not trusted: delete them and
		// copy the records anew.
		if err := p.dropBeyond(ctx, beyond.mark); err != nil {
			return 0, err
		}
		n, err = p.indexLocked(ctx)
	}
	return n, err
}

// errCopiesBeyond: the person table holds copies after its mark.
type errCopiesBeyond struct{ mark int64 }

func (e errCopiesBeyond) Error() string {
	return fmt.Sprintf("audit/sqlite: person file holds copies after its mark %d", e.mark)
}

// indexLocked is indexOnce with wmu held.
func (p *personIndex) indexLocked(ctx context.Context) (int, error) {
	tx, err := p.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// Take the person file's write lock first: a transaction that has read
	// already gets SQLITE_BUSY at once when another Store on the same files
	// writes; one that starts by writing waits for it (busy timeout).
	if _, err := tx.ExecContext(ctx, `UPDATE `+p.meta+` SET value = value WHERE key = 'indexed'`); err != nil {
		return 0, err
	}
	var from, to, n int64
	if err := tx.QueryRowContext(ctx, p.markSQL()).Scan(&from); err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0), count(*) FROM (SELECT seq FROM rec.`+p.rec+
		` WHERE seq > ? ORDER BY seq LIMIT ?)`, from, p.tune.chunk).Scan(&to, &n); err != nil {
		return 0, err
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT OR ROLLBACK INTO `+p.table+` (idnr, seq, time, data) SELECT idnr, seq, time, data FROM rec.`+
			p.rec+` WHERE seq > ? AND seq <= ?`, from, to); err != nil {
			if isConstraint(err) {
				return 0, errCopiesBeyond{from}
			}
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+p.meta+` (key, value) VALUES ('indexed', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, to); err != nil {
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	} else {
		tx.Rollback()
	}
	p.advance(max(from, to))
	return int(n), nil
}

// dropBeyond deletes every copy after mark, in one transaction (reading
// the whole person table: this is the repair of a tampered mark, not a
// normal path). The caller holds wmu.
func (p *personIndex) dropBeyond(ctx context.Context, mark int64) error {
	tx, err := p.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+p.table+` WHERE seq > ?`, mark); err != nil {
		return err
	}
	return tx.Commit()
}

// advance publishes a new mark (after its transaction committed) and drops
// the tail entries it covers.
func (p *personIndex) advance(mark int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if mark <= p.mark {
		return
	}
	p.mark = mark
	i := 0
	for ; i < len(p.fifo) && p.fifo[i].seq <= mark; i++ {
		k := p.fifo[i].idnr
		es := p.tail[k]
		for len(es) > 0 && es[0].seq <= mark {
			es = es[1:]
		}
		if len(es) > 0 {
			p.tail[k] = es
		} else {
			delete(p.tail, k)
		}
	}
	p.fifo = p.fifo[i:]
	if len(p.fifo) == 0 {
		p.fifo = nil // let the old array go
	}
	p.signal()
}

// room waits while the tail is full (the indexer is behind), so that it
// stays bounded in memory. It returns the indexer's error if the indexer
// fails while the tail is full.
func (p *personIndex) room(ctx context.Context) error {
	for {
		p.mu.Lock()
		full, err, progress := len(p.fifo) >= p.tune.tail, p.err, p.progress
		p.mu.Unlock()
		if !full {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit/sqlite: person index behind and failing: %w", err)
		}
		p.wake()
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		case <-p.stopped:
			return errors.New("audit/sqlite: store closed")
		}
	}
}

func (p *personIndex) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// added puts committed rows into the tail.
func (p *personIndex) added(rows []audit.Row) {
	p.mu.Lock()
	for i := range rows {
		r := &rows[i]
		if r.Seq <= p.mark {
			continue // indexed already (by another Store on the same files)
		}
		p.tail[r.IDNr] = append(p.tail[r.IDNr], tailEntry{r.Seq, r.Time})
		p.fifo = append(p.fifo, tailRef{r.IDNr, r.Seq})
	}
	n := len(p.fifo)
	p.mu.Unlock()
	if n >= p.tune.kickAt {
		p.wake()
	}
}

// records answers Store.Records: the tail's matching rows (read from the
// records table by seq), newest first, then the person table's. The split
// is the mark in the person file, read in the same read transaction as the
// person table: rows up to it come from the person table (also those
// another Store on the same files committed and indexed), the tail's rows
// after it from the records table. The mark in memory is not used: it
// moves only with this Store's own indexer.
func (p *personIndex) records(ctx context.Context, recs *sql.DB, idnrKey, from, to, beforeSeq int64, limit int) ([]audit.Row, error) {
	var cand []int64 // tail entries that match, newest first
	p.mu.Lock()
	es := p.tail[idnrKey]
	for i := len(es) - 1; i >= 0; i-- {
		if e := es[i]; e.seq < beforeSeq && e.time >= from && e.time < to {
			cand = append(cand, e.seq)
		}
	}
	p.mu.Unlock()
	tx, err := p.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var mark int64
	if err := tx.QueryRowContext(ctx, p.markSQL()).Scan(&mark); err != nil {
		return nil, err
	}
	var args []any
	for _, q := range cand {
		if q > mark && len(args) < limit {
			args = append(args, q)
		}
	}
	out := make([]audit.Row, 0, min(limit, 256))
	if len(args) > 0 {
		out, err = sqlrows.ScanQueried(out, idnrKey)(recs.QueryContext(ctx, `SELECT seq, time, data FROM `+p.rec+` WHERE seq IN (?`+
			strings.Repeat(`,?`, len(args)-1)+`) ORDER BY seq DESC`, args...))
		if err != nil {
			return nil, err
		}
	}
	if len(out) >= limit {
		return out, nil
	}
	// The copies are derived data: each is checked against its chained
	// record before it is served (integrity.go). The records file is
	// attached to the person file's readers, so the chain columns come in
	// the same statement and snapshot, by seq (the records table's key).
	rs, err := tx.QueryContext(ctx, p.copiesSQL, idnrKey, beforeSeq, mark, from, to, limit-len(out))
	if err != nil {
		return nil, err
	}
	return scanCheckedCopies(rs, out)
}

// copiesQuery reads a person's copies (seq, idnr, time, data) with the
// chain columns of their records (seg, and prev||hash: NULL when the
// record is gone), by seq descending.
func (p *personIndex) copiesQuery() string {
	return `SELECT c.seq, c.idnr, c.time, c.data, coalesce(r.seg, 0), r.prev || r.hash FROM ` + p.table + ` c
		LEFT JOIN rec.` + p.rec + ` r ON r.seq = c.seq
		WHERE c.idnr = ? AND c.seq < ? AND c.seq <= ? AND c.time >= ? AND c.time < ? ORDER BY c.seq DESC LIMIT ?`
}

// purge deletes the person table's copies of the records first..last.
// It runs before the records are deleted (it finds the copies through
// them) and indexes what is behind first, so that no copy is left. It
// deletes in steps of tune.chunk records, so that the indexer (and so the
// committer) is not held off for the whole of a large segment.
func (p *personIndex) purge(ctx context.Context, first, last int64) error {
	if err := p.catchUp(ctx); err != nil {
		return err
	}
	for lo := first; lo <= last; lo += int64(p.tune.chunk) {
		hi := min(last, lo+int64(p.tune.chunk)-1)
		if err := p.purgeRange(ctx, lo, hi); err != nil {
			return err
		}
	}
	return nil
}

func (p *personIndex) purgeRange(ctx context.Context, lo, hi int64) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	// Durable before the records go (synchronous=FULL for this commit):
	// lost in a power failure after the records' deletion, the copies could
	// no longer be found through them, and the cockpit would show purged
	// records.
	if _, err := p.w.ExecContext(ctx, `PRAGMA main.synchronous = FULL`); err != nil {
		return err
	}
	defer p.w.ExecContext(context.Background(), `PRAGMA main.synchronous = NORMAL`)
	_, err := p.w.ExecContext(ctx, `DELETE FROM `+p.table+` WHERE (idnr, seq) IN (SELECT idnr, seq FROM rec.`+p.rec+
		` WHERE seq >= ? AND seq <= ?)`, lo, hi)
	return err
}

// check compares the person table with the records table up to the mark:
// every record there has exactly one copy, equal to it. It reads both in
// full, in one read transaction on a reader connection (which has the
// records file attached), so that the indexer and the committer go on
// meanwhile.
// Problems are described by count and first position, never by content.
func (p *personIndex) check(ctx context.Context) (problems []audit.DerivedProblem, err error) {
	tx, err := p.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // the readers have the records file attached
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var mark, differ, differFirst, missing, missingFirst int64
	err = tx.QueryRowContext(ctx, p.markSQL()).Scan(&mark)
	if err != nil {
		return nil, err
	}
	// Copies without an equal record (edited, or of a record that is gone).
	err = tx.QueryRowContext(ctx, `SELECT count(*), coalesce(min(c.seq), 0) FROM `+p.table+` c LEFT JOIN rec.`+p.rec+` r ON r.seq = c.seq
		WHERE r.seq IS NULL OR r.idnr IS NOT c.idnr OR r.time IS NOT c.time OR r.data IS NOT c.data`).Scan(&differ, &differFirst)
	if err != nil {
		return nil, err
	}
	// Records up to the mark without a copy.
	err = tx.QueryRowContext(ctx, `SELECT count(*), coalesce(min(r.seq), 0) FROM rec.`+p.rec+` r WHERE r.seq <= ? AND NOT EXISTS
		(SELECT 1 FROM `+p.table+` c WHERE c.idnr = r.idnr AND c.seq = r.seq)`, mark).Scan(&missing, &missingFirst)
	if err != nil {
		return nil, err
	}
	if differ > 0 {
		problems = append(problems, audit.DerivedProblem{Copy: "person file", Count: differ, Seq: differFirst,
			Detail: "copies differ from the records or have none"})
	}
	if missing > 0 {
		problems = append(problems, audit.DerivedProblem{Copy: "person file", Count: missing, Seq: missingFirst,
			Detail: "records have no copy"})
	}
	return problems, nil
}
