package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/internal/sqlrows"
)

const rowCols = sqlrows.RecordCols

// Head reads through the writers' pool: what the Log committed last.
func (s *Store) Head(ctx context.Context) (audit.Row, bool, audit.Anchor, bool, error) {
	return sqlrows.Head(func(q string) (sqlrows.Rows, error) { return s.wpool.Query(ctx, q) }, s.t.records, s.t.anchors)
}

func (s *Store) Commit(ctx context.Context, rows []audit.Row, anchors []audit.Anchor) error {
	if len(rows) < copyRows {
		return s.commitPipelined(ctx, rows, anchors)
	}
	tx, err := s.wpool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for i := range anchors {
		a := &anchors[i]
		if _, err := tx.Exec(ctx, insertAnchorSQL(s.t.anchors), sqlrows.AnchorArgs(a)...); err != nil {
			return err
		}
	}
	i := 0
	_, err = tx.CopyFrom(ctx, s.ids, []string{"seq", "seg", "time", "idnr", "prev", "hash", "data"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(rows) {
				return nil, nil
			}
			r := &rows[i]
			i++
			return []any{r.Seq, r.Segment, r.Time, r.IDNr, r.Prev[:], r.Hash[:], r.Data}, nil
		}))
	if err != nil {
		return err
	}
	i = 0
	_, err = tx.CopyFrom(ctx, s.idsIDs, []string{"rid", "seq"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(rows) {
				return nil, nil
			}
			r := &rows[i]
			i++
			return []any{r.ID[:], r.Seq}, nil
		}))
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// copyRows is the batch size from which Commit uses COPY in an explicit
// transaction (five round trips); smaller batches go in one round trip.
const copyRows = 1024

// commitPipelined sends the anchors and rows as one atomic batch
// (sendAtomic); the rows go as arrays through unnest, two statements for
// any number.
func (s *Store) commitPipelined(ctx context.Context, rows []audit.Row, anchors []audit.Anchor) error {
	b := &pgx.Batch{}
	for i := range anchors {
		b.Queue(insertAnchorSQL(s.t.anchors), sqlrows.AnchorArgs(&anchors[i])...)
	}
	if len(rows) > 0 {
		n := len(rows)
		seq, seg, tm, key := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		prev, hash, data, ids := make([][]byte, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
		for i := range rows {
			r := &rows[i]
			seq[i], seg[i], tm[i], key[i] = r.Seq, r.Segment, r.Time, r.IDNr
			prev[i], hash[i], data[i], ids[i] = r.Prev[:], r.Hash[:], r.Data, r.ID[:]
		}
		b.Queue(`INSERT INTO `+s.t.records+` (`+rowCols+`) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bytea[], $6::bytea[], $7::bytea[])`,
			seq, seg, tm, key, prev, hash, data)
		b.Queue(`INSERT INTO `+s.t.ids+` (rid, seq) SELECT * FROM unnest($1::bytea[], $2::bigint[])`, ids, seq)
	}
	return sendAtomic(ctx, s.wpool, b)
}

// sendAtomic sends b as one pipelined batch. PostgreSQL runs the
// statements of a batch that ends in one Sync as one implicit transaction:
// all of them or none are stored, and the commit (with its durable flush)
// costs one round trip, instead of three with BEGIN and COMMIT of their own.
func sendAtomic(ctx context.Context, pool *pgxpool.Pool, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return pool.SendBatch(ctx, b).Close()
}

func insertAnchorSQL(table string) string {
	return `INSERT INTO ` + table + ` (` + sqlrows.AnchorCols + `) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`
}

// Stored looks the IDs up in the unique index.
func (s *Store) Stored(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]byte, error) {
	keys := make([][]byte, len(ids))
	for i := range ids {
		keys[i] = ids[i][:]
	}
	rs, err := s.wpool.Query(ctx, `SELECT i.rid, r.data FROM `+s.t.ids+` i JOIN `+s.t.records+
		` r ON r.seq = i.seq WHERE i.rid = ANY($1)`, keys)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out map[uuid.UUID][]byte
	for rs.Next() {
		var rid, data []byte
		if err := rs.Scan(&rid, &data); err != nil {
			return nil, err
		}
		if len(rid) == 16 {
			if out == nil {
				out = make(map[uuid.UUID][]byte)
			}
			out[uuid.UUID(rid)] = data
		}
	}
	return out, rs.Err()
}

func (s *Store) Records(ctx context.Context, idnrKey, from, to, beforeSeq int64, limit int) ([]audit.Row, error) {
	// Only what the query path reads (see audit.Store): no chain columns.
	return sqlrows.ScanQueried(make([]audit.Row, 0, min(limit, 256)), idnrKey)(s.pool.Query(ctx, `SELECT seq, time, data FROM `+s.t.records+
		` WHERE idnr = $1 AND seq < $2 AND time >= $3 AND time < $4 ORDER BY seq DESC LIMIT $5`,
		idnrKey, beforeSeq, from, to, limit))
}

// Scan streams the rows; it reads the binary wire values directly.
func (s *Store) Scan(ctx context.Context, fromSeq, toSeq int64, fn func(*audit.Row) error) error {
	rs, err := s.pool.Query(ctx, `SELECT `+rowCols+` FROM `+s.t.records+
		` WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, fromSeq, toSeq)
	if err != nil {
		return err
	}
	defer rs.Close()
	fds := rs.FieldDescriptions()
	binaryOK := len(fds) == 7
	for _, fd := range fds {
		binaryOK = binaryOK && fd.Format == pgx.BinaryFormatCode
	}
	var r audit.Row
	for rs.Next() {
		if binaryOK {
			v := rs.RawValues()
			if len(v[0]) != 8 || len(v[1]) != 8 || len(v[2]) != 8 || len(v[3]) != 8 {
				return errors.New("audit/postgres: unexpected wire format")
			}
			r.Seq = int64(binary.BigEndian.Uint64(v[0]))
			r.Segment = int64(binary.BigEndian.Uint64(v[1]))
			r.Time = int64(binary.BigEndian.Uint64(v[2]))
			r.IDNr = int64(binary.BigEndian.Uint64(v[3]))
			sqlrows.Fill(&r.Prev, v[4])
			sqlrows.Fill(&r.Hash, v[5])
			r.Data = v[6]
		} else {
			var prev, hash []byte
			if err := rs.Scan(&r.Seq, &r.Segment, &r.Time, &r.IDNr, &prev, &hash, &r.Data); err != nil {
				return err
			}
			sqlrows.Fill(&r.Prev, prev)
			sqlrows.Fill(&r.Hash, hash)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rs.Err()
}

func (s *Store) Anchors(ctx context.Context) ([]audit.Anchor, error) {
	return sqlrows.All(sqlrows.ScanAnchor)(s.pool.Query(ctx, `SELECT `+sqlrows.AnchorCols+` FROM `+s.t.anchors+` ORDER BY seg`))
}

func (s *Store) Purge(ctx context.Context, segments []int64, purgedAt int64) error {
	tx, err := s.wpool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, seg := range segments {
		var first, last int64
		if err := tx.QueryRow(ctx, `SELECT first_seq, last_seq FROM `+s.t.anchors+` WHERE seg = $1`, seg).Scan(&first, &last); err != nil {
			return fmt.Errorf("segment %d: %w", seg, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t.ids+` WHERE rid IN (SELECT substring(data from 21 for 16) FROM `+
			s.t.records+` WHERE seq >= $1 AND seq <= $2)`, first, last); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t.records+` WHERE seq >= $1 AND seq <= $2`, first, last); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE `+s.t.anchors+` SET purged = $1 WHERE seg = $2`, purgedAt, seg); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}
