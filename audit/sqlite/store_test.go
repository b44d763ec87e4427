package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
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
			_, err := raw.DB().Exec(q, args...)
			return err
		},
	}
	h.Tables = audittest.Tables{Records: "audit_records", Anchors: "audit_anchors", Access: "audit_access", Transport: "audit_transport", Holds: "audit_holds"}
	return h
}

func TestConformance(t *testing.T) { audittest.Run(t, harness) }

func TestConformanceNarrowIndex(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		return harnessWith(t, sqlite.WithPersonIndex(sqlite.NarrowIndex))
	})
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
	require.NoError(t, s.AppendAccess(ctx, []audit.AccessEntry{{Time: time.Unix(0, 2000), Who: "dsb", Purpose: audit.DataProtectionCheck}}))
	es, err = s.Accesses(ctx, 0, 1<<62, 1<<62, 10)
	require.NoError(t, err)
	require.Len(t, es, 2)
	require.Equal(t, int64(8), es[0].ID, "IDs continue after the moved entries")
	evs, err := s.Transport(ctx, uuid.MustParse("00112233-4455-6677-8899-aabbccddeeff"))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM sqlite_master WHERE name IN ('audit_access', 'audit_transport')`).Scan(&n))
	require.Zero(t, n, "the records file still has the old tables")
	require.NoError(t, s.Close())

	// Reopening does not migrate again.
	s, err = sqlite.Open(path)
	require.NoError(t, err)
	es, err = s.Accesses(ctx, 0, 1<<62, 1<<62, 10)
	require.NoError(t, err)
	require.Len(t, es, 2)
	require.NoError(t, s.Close())
}

// queryPlan returns SQLite's plan for the person query with the given index.
func queryPlan(t *testing.T, s *sqlite.Store, index string) string {
	t.Helper()
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN SELECT seq, time, data FROM audit_records INDEXED BY ` + index +
		` WHERE idnr = 1 AND seq < 10 AND time >= 0 AND time < 10 ORDER BY seq DESC LIMIT 5`)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	require.Len(t, plan, 1, "plan: %q", plan)
	return plan[0]
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

// TestPersonIndex checks that a person's records are read from the
// covering index alone by default (no table page per record, which keeps
// the cockpit's query fast in a large log), that NarrowIndex replaces it
// by the (idnr, seq) index, and that reopening with the other choice
// switches the index while the records stay queryable.
func TestPersonIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "person.db")
	ctx := context.Background()
	for i, tc := range []struct {
		opt   sqlite.PersonIndex
		index string
		plan  string
	}{
		{sqlite.CoveringIndex, "audit_records_person", "USING COVERING INDEX audit_records_person (idnr=? AND seq<?)"},
		{sqlite.NarrowIndex, "audit_records_idnr", "USING INDEX audit_records_idnr (idnr=? AND seq<?)"},
		{sqlite.CoveringIndex, "audit_records_person", "USING COVERING INDEX audit_records_person (idnr=? AND seq<?)"},
	} {
		s, err := sqlite.Open(path, sqlite.WithPersonIndex(tc.opt))
		require.NoError(t, err)
		require.Equal(t, []string{tc.index}, indexNames(t, s), "round %d", i)
		require.Contains(t, queryPlan(t, s, tc.index), tc.plan, "round %d", i)
		l, err := audit.New(ctx, s, audit.Options{SigningKey: audittest.Key})
		require.NoError(t, err)
		require.NoError(t, l.Append(ctx, audittest.NewRecord(7, time.Time{})))
		p, err := l.Query(ctx, audit.Access{Who: "test", Purpose: audit.Datenschutzcockpit}, audit.Query{IDNr: audittest.IDNr(7)})
		require.NoError(t, err)
		require.Len(t, p.Records, i+1, "round %d: one record per round so far", i)
		require.NoError(t, l.Close())
	}
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.CheckIntegrity(ctx))
	require.NoError(t, s.Close())
	_, err = sqlite.Open(path, sqlite.WithPersonIndex(sqlite.PersonIndex(9)))
	require.Error(t, err)
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

// TestCheckIntegrityFindsEditedCopy edits the bytes of one copy of a
// record in the file (behind SQLite's back, which SQL cannot do): the
// table and the covering index then disagree, and CheckIntegrity says so.
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
	require.NoError(t, l.Close()) // checkpoints the WAL into the file

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	marker := []byte("marker-7f3a9c-marker")
	require.Equal(t, 2, bytes.Count(b, marker), "one copy in the table, one in the covering index")
	i := bytes.LastIndex(b, marker)
	b[i] = 'M'
	require.NoError(t, os.WriteFile(path, b, 0o600))

	s, err = sqlite.Open(path)
	require.NoError(t, err)
	defer s.Close()
	err = s.CheckIntegrity(ctx)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "arker", "no record content in the error")
	t.Log(err)
}
