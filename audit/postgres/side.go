package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/regmo/regmo/audit"
)

// The read-access log and the transport log are chained and signed by the
// Log (see audit's side.go). Schema version 3 adds the chain columns
// (prev, hash, sig); the Log gives every entry its ID, which is inserted
// with OVERRIDING SYSTEM VALUE. Entries written before keep NULL there
// (the Log starts the chain after them).

func (t tables) sideChainDDL() string {
	return `ALTER TABLE ` + t.access + ` ADD COLUMN prev bytea, ADD COLUMN hash bytea, ADD COLUMN sig bytea;
		ALTER TABLE ` + t.transport + ` ADD COLUMN prev bytea, ADD COLUMN hash bytea, ADD COLUMN sig bytea;`
}

func sigOrNil(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// fillLink copies the chain columns into l: a hash of the wrong length is
// made to mismatch (fill); an absent one (NULL) stays zero.
func fillLink(l *audit.Link, prev, hash, sig []byte) {
	l.Prev, l.Hash = [32]byte{}, [32]byte{}
	if len(prev) > 0 {
		fill(&l.Prev, prev)
	}
	if len(hash) > 0 {
		fill(&l.Hash, hash)
	}
	l.Sig = sig
}

const accessCols = `id, time, who, purpose, reason, count, qfrom, qto, prev, hash, sig`

func scanAccess(sc interface{ Scan(...any) error }, e *audit.AccessEntry) error {
	var t, f, tt int64
	var p, n int32
	var prev, hash, sig []byte
	if err := sc.Scan(&e.ID, &t, &e.Who, &p, &e.Reason, &n, &f, &tt, &prev, &hash, &sig); err != nil {
		return err
	}
	e.Time, e.Purpose, e.Count, e.From, e.To = fromNanos(t), audit.AccessPurpose(p), int(n), fromNanos(f), fromNanos(tt)
	fillLink(&e.Link, prev, hash, sig)
	return nil
}

const transportCols = `id, time, message_id, kind, actor, detail, prev, hash, sig`

func scanTransport(sc interface{ Scan(...any) error }, e *audit.TransportEvent) error {
	var t int64
	var id, prev, hash, sig []byte
	if err := sc.Scan(&e.ID, &t, &id, &e.Kind, &e.Actor, &e.Detail, &prev, &hash, &sig); err != nil {
		return err
	}
	e.Time = fromNanos(t)
	e.MessageID = [16]byte{}
	copy(e.MessageID[:], id)
	fillLink(&e.Link, prev, hash, sig)
	return nil
}

func (s *Store) LastAccess(ctx context.Context) (e audit.AccessEntry, ok bool, err error) {
	err = scanAccess(s.wpool.QueryRow(ctx, `SELECT `+accessCols+` FROM `+s.t.access+` ORDER BY id DESC LIMIT 1`), &e)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

func (s *Store) ScanAccess(ctx context.Context, fromID int64, fn func(*audit.AccessEntry) error) error {
	rs, err := s.pool.Query(ctx, `SELECT `+accessCols+` FROM `+s.t.access+` WHERE id >= $1 ORDER BY id`, fromID)
	if err != nil {
		return err
	}
	defer rs.Close()
	var e audit.AccessEntry
	for rs.Next() {
		if err := scanAccess(rs, &e); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rs.Err()
}

func (s *Store) LastTransport(ctx context.Context) (e audit.TransportEvent, ok bool, err error) {
	err = scanTransport(s.wpool.QueryRow(ctx, `SELECT `+transportCols+` FROM `+s.t.transport+` ORDER BY id DESC LIMIT 1`), &e)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

func (s *Store) ScanTransport(ctx context.Context, fromID int64, fn func(*audit.TransportEvent) error) error {
	rs, err := s.pool.Query(ctx, `SELECT `+transportCols+` FROM `+s.t.transport+` WHERE id >= $1 ORDER BY id`, fromID)
	if err != nil {
		return err
	}
	defer rs.Close()
	var e audit.TransportEvent
	for rs.Next() {
		if err := scanTransport(rs, &e); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rs.Err()
}

// PurgeSide deletes the expired prefixes of both logs in one transaction.
func (s *Store) PurgeSide(ctx context.Context, accessBelow, transportBelow int64) error {
	return pgx.BeginFunc(ctx, s.wpool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t.access+` WHERE id < $1`, accessBelow); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM `+s.t.transport+` WHERE id < $1`, transportBelow)
		return err
	})
}

func (s *Store) PutMeta(ctx context.Context, key string, value []byte) error {
	_, err := s.wpool.Exec(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
