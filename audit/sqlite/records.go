package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/internal/sqlrows"
)

const rowCols = sqlrows.RecordCols

// Head reads on the writer connection: what the Log committed last.
func (s *Store) Head(ctx context.Context) (audit.Row, bool, audit.Anchor, bool, error) {
	return sqlrows.Head(func(q string) (sqlrows.Rows, error) { return s.w.QueryContext(ctx, q) }, s.t.records, s.t.anchors)
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.t.anchors+` (`+sqlrows.AnchorCols+`) VALUES (?,?,?,?,?,?,?,?,?)`, sqlrows.AnchorArgs(a)...); err != nil {
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
		sqlrows.Fill(&r.Prev, prev)
		sqlrows.Fill(&r.Hash, hash)
		r.Data = data
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rs.Err()
}

func (s *Store) Anchors(ctx context.Context) ([]audit.Anchor, error) {
	return sqlrows.All(sqlrows.ScanAnchor)(s.r.QueryContext(ctx, `SELECT `+sqlrows.AnchorCols+` FROM `+s.t.anchors+` ORDER BY seg`))
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
