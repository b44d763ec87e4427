package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
)

func harness(t *testing.T) audittest.Harness { return harnessWith(t) }

func harnessWith(t *testing.T, opts ...sqlite.Option) audittest.Harness {
	path := filepath.Join(t.TempDir(), "audit.db")
	var raw *sqlite.Store
	h := audittest.Harness{
		Open: func() (audit.Store, error) { return sqlite.Open(path, opts...) },
		Exec: func(q string, args ...any) error {
			if raw == nil {
				var err error
				if raw, err = sqlite.Open(path, opts...); err != nil {
					return err
				}
				t.Cleanup(func() { raw.Close() })
			}
			db := raw.DB()
			if strings.Contains(q, "audit_access") || strings.Contains(q, "audit_transport") {
				db = raw.AccessDB() // the access file
			}
			_, err := db.Exec(q, args...)
			return err
		},
	}
	h.Tables = audittest.Tables{Records: "audit_records", Anchors: "audit_anchors", Access: "audit_access", Transport: "audit_transport", Holds: "audit_holds"}
	return h
}

func TestConformance(t *testing.T) { audittest.Run(t, harness) }

// TestConformanceIndexing runs the suite with a person indexer that
// indexes after every commit in chunks of three records, so that its
// queries and cursors cross the tail, the indexed part and the moves
// between them.
func TestConformanceIndexing(t *testing.T) {
	defer sqlite.IndexEagerly(3)()
	audittest.Run(t, harness)
}

func TestPrefix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	if _, err := sqlite.Open(path, sqlite.WithTablePrefix("bad-prefix")); err == nil || strings.Contains(err.Error(), "bad-prefix") {
		t.Fatalf("bad prefix: %v", err)
	}
	s, err := sqlite.Open(path, sqlite.WithTablePrefix("x_"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, _, _, _, _ := s.Tables()
	if rec != "x_audit_records" {
		t.Fatalf("records table = %s", rec)
	}
}

func crashKills() int {
	if os.Getenv("REGMO_LONG") == "1" {
		return 25
	}
	return 5
}

func TestCrashChild(t *testing.T) {
	// The person indexer runs all the time, so that kills land in its
	// passes too.
	defer sqlite.IndexEagerly(256)()
	audittest.CrashChild(t, func() (audit.Store, error) { return sqlite.Open(os.Getenv("AUDIT_CRASH_SQLITE")) })
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	h := audittest.Harness{Open: func() (audit.Store, error) { return sqlite.Open(path) }}
	audittest.RunCrash(t, h, "TestCrashChild", crashKills(), []string{"AUDIT_CRASH_SQLITE=" + path})
}

// TestMigrateOneFile opens a log written by schema version 1 (access and
// transport tables in the records file): they move to the access file.
func TestMigrateOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`PRAGMA journal_mode=WAL`,
		`CREATE TABLE audit_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`,
		`INSERT INTO audit_migrations VALUES (1, 0)`,
		`CREATE TABLE audit_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)`,
		`CREATE TABLE audit_records (seq INTEGER PRIMARY KEY, seg INTEGER NOT NULL, time INTEGER NOT NULL, idnr INTEGER NOT NULL,
			prev BLOB NOT NULL, hash BLOB NOT NULL, data BLOB NOT NULL)`,
		`CREATE INDEX audit_records_idnr ON audit_records (idnr, seq)`,
		`CREATE TABLE audit_anchors (seg INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
			prev BLOB NOT NULL, last BLOB NOT NULL, prev_anchor BLOB NOT NULL,
			closed INTEGER NOT NULL, sig BLOB NOT NULL, purged INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TABLE audit_access (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, who TEXT NOT NULL, purpose INTEGER NOT NULL,
			reason TEXT NOT NULL, count INTEGER NOT NULL, qfrom INTEGER NOT NULL, qto INTEGER NOT NULL)`,
		`CREATE TABLE audit_transport (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, message_id BLOB NOT NULL,
			kind TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL)`,
		`CREATE TABLE audit_holds (id INTEGER PRIMARY KEY AUTOINCREMENT, hfrom INTEGER NOT NULL, hto INTEGER NOT NULL, until INTEGER NOT NULL,
			reason TEXT NOT NULL, who TEXT NOT NULL, placed INTEGER NOT NULL)`,
		`INSERT INTO audit_access VALUES (7, 1000, 'dsb', 1, 'old', 3, 0, 0)`,
		`INSERT INTO audit_transport VALUES (5, 1000, x'00112233445566778899aabbccddeeff', 'sent', 'ida', 'old')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	require.NoError(t, db.Close())

	s, err := sqlite.Open(path)
	require.NoError(t, err)
	es, err := s.Accesses(ctx, 0, 1<<62, 1<<62, 10)
	require.NoError(t, err)
	require.Len(t, es, 1)
	require.Equal(t, int64(7), es[0].ID)
	require.Equal(t, "old", es[0].Reason)
	// The Log numbers access entries (they are chained): after the moved
	// ones, which it leaves unchained below the chain's floor.
	l, err := audit.New(ctx, s, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	_, err = l.Accesses(ctx, audit.Access{Who: "dsb", Purpose: audit.DataProtectionCheck}, audit.AccessQuery{})
	require.NoError(t, err)
	es, err = s.Accesses(ctx, 0, 1<<62, 1<<62, 10)
	require.NoError(t, err)
	require.Len(t, es, 2)
	require.Equal(t, int64(8), es[0].ID, "IDs continue after the moved entries")
	_, err = l.Verify(ctx)
	require.NoError(t, err, "the moved entries lie below the chain's floor")
	evs, err := s.Transport(ctx, uuid.MustParse("00112233-4455-6677-8899-aabbccddeeff"))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM sqlite_master WHERE name IN ('audit_access', 'audit_transport')`).Scan(&n))
	require.Zero(t, n, "the records file still has the old tables")
	require.NoError(t, l.Close())

	// Reopening does not migrate again.
	s, err = sqlite.Open(path)
	require.NoError(t, err)
	es, err = s.Accesses(ctx, 0, 1<<62, 1<<62, 10)
	require.NoError(t, err)
	require.Len(t, es, 2)
	require.NoError(t, s.Close())
}

func indexNames(t *testing.T, s *sqlite.Store) []string {
	t.Helper()
	rows, err := s.DB().Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_records' ORDER BY name`)
	require.NoError(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	return names
}

// TestPersonIndex: the person file holds a copy of every record once
// indexed, the query reads it by (idnr, seq), records not yet indexed are
// found as well, a person file that is lost or ahead of the records is
// rebuilt by Open, and a log of schema version 3 (person index in the
// records file) loses that index and gets the person file.
func TestPersonIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "person.db")
	ctx := context.Background()
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	l, err := audit.New(ctx, s, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, l.Append(ctx, audittest.NewRecord(i%2, time.Time{})))
	}
	count := func(want int, msg string) {
		t.Helper()
		p, err := l.Query(ctx, audit.Access{Who: "test", Purpose: audit.Datenschutzcockpit}, audit.Query{IDNr: audittest.IDNr(1)})
		require.NoError(t, err)
		require.Len(t, p.Records, want, msg)
	}
	count(5, "from the tail")
	require.NoError(t, s.Flush(ctx))
	require.Equal(t, 10, personRows(t, path))
	count(5, "from the person file")
	for range 3 {
		require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})))
	}
	count(8, "both")
	require.Contains(t, personPlan(t, path), "SEARCH audit_person USING PRIMARY KEY (idnr=? AND seq<?)")
	require.NoError(t, s.CheckIntegrity(ctx))
	require.NoError(t, l.Close())

	// Lost: rebuilt from the records.
	require.NoError(t, os.Remove(path+"-person"))
	os.Remove(path + "-person-wal")
	os.Remove(path + "-person-shm")
	s, err = sqlite.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.Equal(t, 13, personRows(t, path))

	// Ahead of the records (they lost their last commits): rebuilt.
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM audit_records WHERE seq > 11`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s, err = sqlite.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.CheckIntegrity(ctx))
	require.NoError(t, s.Close())
	require.Equal(t, 11, personRows(t, path))

	// Schema version 3 kept the person index in the records file.
	db, err = sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	for _, q := range []string{
		`CREATE INDEX audit_records_person ON audit_records (idnr, seq, time, data)`,
		`DELETE FROM audit_migrations WHERE version = 4`,
	} {
		_, err = db.Exec(q)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	require.NoError(t, os.Remove(path+"-person"))
	s, err = sqlite.Open(path)
	require.NoError(t, err)
	require.Empty(t, indexNames(t, s))
	require.NoError(t, s.Close())
	require.Equal(t, 11, personRows(t, path))
}

func personRows(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"-person?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM audit_person`).Scan(&n))
	return n
}

func personPlan(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"-person?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT seq, time, data FROM audit_person
		WHERE idnr = 1 AND seq < 9 AND seq <= 8 AND time >= 0 AND time < 9 ORDER BY seq DESC LIMIT 5`)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// TestCloseTwice: a Log closes its store, and callers often close it again.
func TestCloseTwice(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "twice.db"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NotPanics(t, func() { _ = s.Close() })
}

// lostAnswer stores a commit but reports an error once, as when the
// connection breaks after COMMIT.
type lostAnswer struct {
	*sqlite.Store
	armed bool
}

func (s *lostAnswer) Commit(ctx context.Context, rows []audit.Row, as []audit.Anchor) error {
	if err := s.Store.Commit(ctx, rows, as); err != nil {
		return err
	}
	if s.armed {
		s.armed = false
		return errors.New("connection lost after COMMIT")
	}
	return nil
}

// TestCommitAnswerLost: when a commit happened but its answer was lost,
// the log must not chain the next records onto the state before it (which
// failed every later append with a duplicate position); the records are
// acknowledged once and the log verifies.
func TestCommitAnswerLost(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "lost.db"))
	require.NoError(t, err)
	ls := &lostAnswer{Store: st, armed: true}
	ctx := context.Background()
	l, err := audit.New(ctx, ls, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})), "the records were stored")
	cp, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, cp.Size)
	require.NoError(t, l.Append(ctx, audittest.NewRecord(2, time.Time{})))
	require.NoError(t, l.Append(ctx, audittest.NewRecord(3, time.Time{})))
	rep, err := l.Verify(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 3, rep.Records)
}

// TestCheckIntegrityFindsEditedCopy: the cockpit reads the copies in the
// person file, which the chain does not cover. A copy edited in the file's
// bytes, or through SQL, is found by CheckIntegrity, which compares every
// copy with its record; so is a copy that is missing.
func TestCheckIntegrityFindsEditedCopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edit.db")
	ctx := context.Background()
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	l, err := audit.New(ctx, s, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	r := audittest.NewRecord(1, time.Time{})
	r.Content = []byte("marker-7f3a9c-marker")
	require.NoError(t, l.Append(ctx, r))
	require.NoError(t, l.Append(ctx, audittest.NewRecord(2, time.Time{})))
	require.NoError(t, l.Close()) // the next Open indexes and checkpoints

	check := func(want string) {
		t.Helper()
		s, err := sqlite.Open(path)
		require.NoError(t, err)
		defer s.Close()
		err = s.CheckIntegrity(ctx)
		if want == "" {
			require.NoError(t, err)
			return
		}
		require.ErrorContains(t, err, want)
		require.NotContains(t, err.Error(), "arker", "no record content in the error")
	}
	check("")
	b, err := os.ReadFile(path + "-person")
	require.NoError(t, err)
	marker := []byte("marker-7f3a9c-marker")
	require.Equal(t, 1, bytes.Count(b, marker), "the copy is in the person file")
	b[bytes.Index(b, marker)] = 'M'
	require.NoError(t, os.WriteFile(path+"-person", b, 0o600))
	check("1 copies differ")

	db, err := sql.Open("sqlite", "file:"+path+"-person")
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM audit_person WHERE seq = 2`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	check("1 records have no copy")
}

// TestSecondStoreSees: records committed and indexed through one Store are
// found through another on the same files, which committed nothing.
func TestSecondStoreSees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.db")
	ctx := context.Background()
	a, err := sqlite.Open(path)
	require.NoError(t, err)
	b, err := sqlite.Open(path)
	require.NoError(t, err)
	defer b.Close()
	l, err := audit.New(ctx, a, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	for range 5 {
		require.NoError(t, l.Append(ctx, audittest.NewRecord(4, time.Time{})))
	}
	require.NoError(t, a.Flush(ctx))
	rows, err := b.Records(ctx, audit.IDNrKey(audittest.IDNr(4)), 0, 1<<62, 1<<62, 100)
	require.NoError(t, err)
	require.Len(t, rows, 5)
	rows, err = a.Records(ctx, audit.IDNrKey(audittest.IDNr(4)), 0, 1<<62, 1<<62, 100)
	require.NoError(t, err)
	require.Len(t, rows, 5, "and once each through the first")
	require.NoError(t, l.Close())
}

// TestCommitAfterCloseFails: a commit that would wait for the indexer
// (the tail is full) returns an error once the store is closed instead of
// waiting for ever.
func TestCommitAfterCloseFails(t *testing.T) {
	defer sqlite.SetIndexer(64, 1<<30, time.Hour, 2)()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "closed.db"))
	require.NoError(t, err)
	ctx := context.Background()
	row := func(seq int64) audit.Row {
		return audit.Row{ID: uuid.New(), Seq: seq, Segment: 1, Time: seq, IDNr: 7, Data: []byte("x")}
	}
	require.NoError(t, s.Commit(ctx, []audit.Row{row(1), row(2)}, nil))
	require.NoError(t, s.Close())
	done := make(chan error, 1)
	go func() { done <- s.Commit(ctx, []audit.Row{row(3)}, nil) }()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Commit after Close still waits")
	}
}

// TestRecordsModel commits random batches for a few people while the
// indexer runs in small chunks in the background, and after every commit
// compares Records for random people, cursors, time ranges and limits
// with a model of all committed rows: the split between the tail and the
// person file must neither lose, repeat nor reorder a row.
func TestRecordsModel(t *testing.T) {
	defer sqlite.IndexEagerly(5)()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "model.db"))
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	var model []audit.Row
	seq := int64(0)
	var prev [32]byte
	for round := range 300 {
		batch := make([]audit.Row, 1+rng.IntN(12))
		for i := range batch {
			seq++
			// Real encodings, chained: the person file's copies are
			// checked against the records before they are served.
			p := rng.IntN(4)
			rec := audittest.NewRecord(p, time.Unix(0, seq*10))
			rec.ID = uuid.New()
			data, err := audit.EncodeRecord(&rec)
			require.NoError(t, err)
			batch[i] = audit.Row{ID: rec.ID, Seq: seq, Segment: 1, Time: seq * 10, IDNr: audit.IDNrKey(rec.IDNr), Data: data, Prev: prev}
			batch[i].Hash = audit.RowHash(&prev, 1, data)
			prev = batch[i].Hash
		}
		require.NoError(t, s.Commit(ctx, batch, nil))
		model = append(model, batch...)
		if round%50 == 0 {
			require.NoError(t, s.Flush(ctx))
		}
		for range 3 {
			key := audit.IDNrKey(audittest.IDNr(rng.IntN(4)))
			before := 1 + rng.Int64N(seq+1)
			from, to := rng.Int64N(seq*10+1), rng.Int64N(seq*10+20)
			limit := 1 + rng.IntN(20)
			var want []int64
			for i := len(model) - 1; i >= 0 && len(want) < limit; i-- {
				if r := model[i]; r.IDNr == key && r.Seq < before && r.Time >= from && r.Time < to {
					want = append(want, r.Seq)
				}
			}
			rows, err := s.Records(ctx, key, from, to, before, limit)
			require.NoError(t, err)
			got := make([]int64, len(rows))
			for i, r := range rows {
				got[i] = r.Seq
				require.Equal(t, model[r.Seq-1].Data, r.Data)
				require.Equal(t, r.Seq*10, r.Time)
			}
			if len(want) == 0 {
				want = []int64{}
			}
			require.Equal(t, want, got, "round %d: person %d before %d time [%d,%d) limit %d", round, key, before, from, to, limit)
		}
	}
}
