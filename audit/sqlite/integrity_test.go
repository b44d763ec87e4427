package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
)

// personFixture appends three records of person 1 and two of person 2,
// closes the log (so that everything is indexed into the person file) and
// returns the path (the person file holding a copy of each).
func personFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.db")
	ctx := context.Background()
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	l, err := audit.New(ctx, s, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	for _, p := range []int{1, 2, 1, 2, 1} {
		r := audittest.NewRecord(p, time.Time{})
		r.Content = []byte("content-of-a-record-" + string(rune('a'+p)))
		require.NoError(t, l.Append(ctx, r))
	}
	require.NoError(t, l.Close())
	s, err = sqlite.Open(path) // indexes what the person file lacks
	require.NoError(t, err)
	require.NoError(t, s.Flush(ctx))
	require.NoError(t, s.Close())
	return path
}

func personExec(t *testing.T, path, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"-person")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(q, args...)
	require.NoError(t, err)
}

func openLog(t *testing.T, path string) *audit.Log {
	t.Helper()
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	l, err := audit.New(context.Background(), s, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

var dsc = audit.Access{Who: "dsc-gateway", Purpose: audit.Datenschutzcockpit}

// TestQueryRefusesEditedCopy: a copy in the person file edited behind the
// log's back (here: given the content of another record of the same person,
// so that it still decodes and belongs to the person) is not served: the
// query fails with ErrCopyMismatch and returns no data.
func TestQueryRefusesEditedCopy(t *testing.T) {
	path := personFixture(t)
	personExec(t, path, `UPDATE audit_person SET data = (SELECT data FROM audit_person WHERE seq = 1) WHERE seq = 3`)
	l := openLog(t, path)
	p, err := l.Query(context.Background(), dsc, audit.Query{IDNr: audittest.IDNr(1)})
	require.ErrorIs(t, err, audit.ErrCopyMismatch)
	require.Empty(t, p.Records)
	require.NotContains(t, err.Error(), audittest.IDNr(1).String())
	// Person 2's copies are intact and served.
	p, err = l.Query(context.Background(), dsc, audit.Query{IDNr: audittest.IDNr(2)})
	require.NoError(t, err)
	require.Len(t, p.Records, 2)
}

// TestQueryRefusesForgedCopy: a copy edited together with its time column,
// or moved to another person (its IDNr column), or one without a record,
// is refused too.
func TestQueryRefusesForgedCopy(t *testing.T) {
	for name, q := range map[string]string{
		"time":   `UPDATE audit_person SET time = time + 1 WHERE seq = 3`,
		"person": `UPDATE audit_person SET idnr = (SELECT idnr FROM audit_person WHERE seq = 2) WHERE seq = 3`,
		"extra":  `INSERT INTO audit_person (idnr, seq, time, data) SELECT idnr, 4, time, data FROM audit_person WHERE seq = 3`,
		"seq":    `UPDATE audit_person SET seq = 2 WHERE seq = 3`,
	} {
		t.Run(name, func(t *testing.T) {
			path := personFixture(t)
			personExec(t, path, q)
			l := openLog(t, path)
			_, err1 := l.Query(context.Background(), dsc, audit.Query{IDNr: audittest.IDNr(1)})
			_, err2 := l.Query(context.Background(), dsc, audit.Query{IDNr: audittest.IDNr(2)})
			require.True(t, errors.Is(err1, audit.ErrCopyMismatch) || errors.Is(err2, audit.ErrCopyMismatch), "%v / %v", err1, err2)
		})
	}
}

// TestVerifyCoversPersonFile: Verify compares the person file with the
// records, so that an edited, deleted or added copy is a finding, not
// "verified".
func TestVerifyCoversPersonFile(t *testing.T) {
	for name, c := range map[string]struct{ q, want string }{
		"edited":  {`UPDATE audit_person SET data = (SELECT data FROM audit_person WHERE seq = 1) WHERE seq = 3`, "differ"},
		"deleted": {`DELETE FROM audit_person WHERE seq = 3`, "no copy"},
		"added":   {`INSERT INTO audit_person (idnr, seq, time, data) SELECT idnr + 1, seq, time, data FROM audit_person WHERE seq = 3`, "differ"},
	} {
		t.Run(name, func(t *testing.T) {
			path := personFixture(t)
			l := openLog(t, path)
			_, err := l.Verify(context.Background())
			require.NoError(t, err)
			personExec(t, path, c.q)
			rep, err := l.Verify(context.Background())
			require.ErrorIs(t, err, audit.ErrTampered)
			require.Len(t, rep.Findings, 1, "%v", rep.Findings)
			f := rep.Findings[0]
			require.Equal(t, audit.CopyMismatch, f.Kind)
			require.EqualValues(t, 3, f.Seq)
			require.Contains(t, f.String(), c.want)
			require.NotContains(t, err.Error(), "content-of")
		})
	}
}

// TestLoweredMarkRebuilds: a person file whose mark was lowered (edited,
// or an old copy of the meta table restored) holds copies beyond its mark.
// Open must index them again (after deleting them), not fail with a UNIQUE
// constraint error on every start.
func TestLoweredMarkRebuilds(t *testing.T) {
	path := personFixture(t)
	// Forge the copy of record 5 too: the rebuild must replace it.
	personExec(t, path, `UPDATE audit_person SET data = (SELECT data FROM audit_person WHERE seq = 1) WHERE seq = 5`)
	personExec(t, path, `UPDATE audit_person_meta SET value = 2 WHERE key = 'indexed'`)
	s, err := sqlite.Open(path)
	require.NoError(t, err, "Open with a lowered mark")
	require.NoError(t, s.CheckIntegrity(context.Background()))
	l, err := audit.New(context.Background(), s, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	defer l.Close()
	p, err := l.Query(context.Background(), dsc, audit.Query{IDNr: audittest.IDNr(1)})
	require.NoError(t, err)
	require.Len(t, p.Records, 3)
	_, err = l.Verify(context.Background())
	require.NoError(t, err)
}

// TestLoweredMarkWhileRunning: the same while the store is open: the
// indexer meets the copies beyond the lowered mark, deletes and copies
// them again, and appends go on.
func TestLoweredMarkWhileRunning(t *testing.T) {
	defer sqlite.IndexEagerly(2)()
	path := personFixture(t)
	l := openLog(t, path)
	personExec(t, path, `UPDATE audit_person_meta SET value = 1 WHERE key = 'indexed'`)
	ctx := context.Background()
	for range 6 {
		require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})))
	}
	require.Eventually(t, func() bool {
		p, err := l.Query(ctx, dsc, audit.Query{IDNr: audittest.IDNr(1)})
		return err == nil && len(p.Records) == 9
	}, 10*time.Second, 10*time.Millisecond)
	_, err := l.Verify(ctx)
	require.NoError(t, err)
}
