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
// in the records file before it is served (checkCopies), and Verify
// compares the whole file with the records (CheckDerived).

// checkCopies checks copies read from the person table (Seq, IDNr, Time
// and Data from the copy, by Seq descending) against the chained rows of
// the records table: one statement for the page, by seq (the records
// table's primary key), reading seg, prev and hash. A copy that does not
// match, or whose record is gone, fails the query with an error wrapping
// [audit.ErrCopyMismatch] that names the position only.
func (p *personIndex) checkCopies(ctx context.Context, recs *sql.DB, copies []audit.Row) error {
	if len(copies) == 0 {
		return nil
	}
	args := make([]any, len(copies))
	for i := range copies {
		args[i] = copies[i].Seq
	}
	rs, err := recs.QueryContext(ctx, `SELECT seq, seg, prev, hash FROM `+p.rec+` WHERE seq IN (?`+
		strings.Repeat(`,?`, len(copies)-1)+`) ORDER BY seq DESC`, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	i := 0
	var prevB, hashB sql.RawBytes
	var prev, hash [32]byte
	for rs.Next() {
		var seq, seg int64
		if err := rs.Scan(&seq, &seg, &prevB, &hashB); err != nil {
			return err
		}
		// Both sides are by seq descending; the copies' seqs are distinct
		// (the person table's key is (idnr, seq) and the IDNr is one).
		if i < len(copies) && copies[i].Seq > seq {
			return copyMismatch(copies[i].Seq, "its record is not in the records file")
		}
		if i == len(copies) || copies[i].Seq != seq {
			continue
		}
		fill(&prev, prevB)
		fill(&hash, hashB)
		if !audit.CopyMatches(&copies[i], &prev, seg, &hash) {
			return copyMismatch(seq, "it differs from its chained record")
		}
		i++
	}
	if err := rs.Err(); err != nil {
		return err
	}
	if i < len(copies) {
		return copyMismatch(copies[i].Seq, "its record is not in the records file")
	}
	return nil
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
