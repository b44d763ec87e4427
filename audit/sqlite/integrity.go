package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/regmo/regmo/audit"
)

// The person file is derived data and not trusted (see the package doc):
// every copy a query reads from it is checked against the chained record
// in the records file before it is served (scanCheckedCopies, on the
// person file's readers, which have the records file attached), and
// Verify compares the whole file with the records (CheckDerived).

// scanCheckedCopies reads the rows of copiesQuery, checks each copy
// against the chain columns of its record and appends it to out. A copy
// that does not match, or whose record is gone, fails the query with an
// error wrapping [audit.ErrCopyMismatch] that names the position only.
func scanCheckedCopies(rs *sql.Rows, out []audit.Row) ([]audit.Row, error) {
	defer rs.Close()
	var chain sql.RawBytes
	var prev, hash [32]byte
	var seg int64
	for rs.Next() {
		var r audit.Row
		if err := rs.Scan(&r.Seq, &r.IDNr, &r.Time, &r.Data, &seg, &chain); err != nil {
			return nil, err
		}
		if chain == nil {
			return nil, copyMismatch(r.Seq, "its record is not in the records file")
		}
		if len(chain) != 64 { // chain columns of the wrong length: tampered
			return nil, copyMismatch(r.Seq, "it differs from its chained record")
		}
		copy(prev[:], chain[:32])
		copy(hash[:], chain[32:])
		if !audit.CopyMatches(&r, &prev, seg, &hash) {
			return nil, copyMismatch(r.Seq, "it differs from its chained record")
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

func copyMismatch(seq int64, why string) error {
	return fmt.Errorf("audit/sqlite: person file: copy of record %d refused, %s (run Verify): %w", seq, why, audit.ErrCopyMismatch)
}

// CheckDerived implements [audit.DerivedChecker]: it compares every copy in
// the person file with its record (as [Store.CheckIntegrity] does, without
// SQLite's page-level integrity check), so that [audit.Log.Verify] reports
// a copy that was edited, deleted or added. It reads both files in full, on
// a reader connection: the indexer and the committer go on meanwhile.
func (s *Store) CheckDerived(ctx context.Context) ([]audit.DerivedProblem, error) {
	s.purgeMu.Lock()
	defer s.purgeMu.Unlock()
	return s.person.check(ctx)
}

var _ audit.DerivedChecker = (*Store)(nil)

// isConstraint reports whether err is SQLite's constraint violation (the
// primary code SQLITE_CONSTRAINT, 19, with any extended code).
func isConstraint(err error) bool {
	var ce interface{ Code() int }
	return errors.As(err, &ce) && ce.Code()&0xff == 19
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
