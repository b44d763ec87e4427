package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

// The read-access log and the transport log are chained and signed by the
// Log (see audit's side.go): each entry keeps the hash of the previous one
// (prev), its own (hash) and, on the last entry of each transaction, the
// Log's signature (sig). Version 2 of the access file adds these columns;
// entries written before are left without them (the Log starts the chain
// after them).

func (t tables) sideChainDDL() string {
	return `ALTER TABLE ` + t.access + ` ADD COLUMN prev BLOB;
		ALTER TABLE ` + t.access + ` ADD COLUMN hash BLOB;
		ALTER TABLE ` + t.access + ` ADD COLUMN sig BLOB;
		ALTER TABLE ` + t.transport + ` ADD COLUMN prev BLOB;
		ALTER TABLE ` + t.transport + ` ADD COLUMN hash BLOB;
		ALTER TABLE ` + t.transport + ` ADD COLUMN sig BLOB;`
}

func sigOrNil(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// fillLink copies the chain columns into l. A hash column of the wrong
// length is tampering and made to mismatch (fill); an absent one (NULL,
// an entry from before the chain) stays zero.
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
	var p int
	var prev, hash, sig []byte
	if err := sc.Scan(&e.ID, &t, &e.Who, &p, &e.Reason, &e.Count, &f, &tt, &prev, &hash, &sig); err != nil {
		return err
	}
	e.Time, e.Purpose, e.From, e.To = fromNanos(t), audit.AccessPurpose(p), fromNanos(f), fromNanos(tt)
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
	err = scanAccess(s.aw.QueryRowContext(ctx, `SELECT `+accessCols+` FROM `+s.t.access+` ORDER BY id DESC LIMIT 1`), &e)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

func (s *Store) ScanAccess(ctx context.Context, fromID int64, fn func(*audit.AccessEntry) error) error {
	rs, err := s.ar.QueryContext(ctx, `SELECT `+accessCols+` FROM `+s.t.access+` WHERE id >= ? ORDER BY id`, fromID)
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
	err = scanTransport(s.aw.QueryRowContext(ctx, `SELECT `+transportCols+` FROM `+s.t.transport+` ORDER BY id DESC LIMIT 1`), &e)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

func (s *Store) ScanTransport(ctx context.Context, fromID int64, fn func(*audit.TransportEvent) error) error {
	rs, err := s.ar.QueryContext(ctx, `SELECT `+transportCols+` FROM `+s.t.transport+` WHERE id >= ? ORDER BY id`, fromID)
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

// PurgeSide deletes the expired prefixes of the access and transport logs
// in one transaction of the access file.
func (s *Store) PurgeSide(ctx context.Context, accessBelow, transportBelow int64) error {
	tx, err := s.aw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.t.access+` WHERE id < ?`, accessBelow); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.t.transport+` WHERE id < ?`, transportBelow); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) PutMeta(ctx context.Context, key string, value []byte) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (s *Store) AppendAccess(ctx context.Context, es []audit.AccessEntry) error {
	tx, err := s.aw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.access+
		` (id, time, who, purpose, reason, count, qfrom, qto, prev, hash, sig) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	for _, e := range es {
		if _, err := st.ExecContext(ctx, e.ID, e.Time.UnixNano(), e.Who, int(e.Purpose), e.Reason, e.Count, nanos(e.From), nanos(e.To),
			e.Prev[:], e.Hash[:], sigOrNil(e.Sig)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (s *Store) Accesses(ctx context.Context, from, to, beforeID int64, limit int) ([]audit.AccessEntry, error) {
	rs, err := s.ar.QueryContext(ctx, `SELECT id, time, who, purpose, reason, count, qfrom, qto FROM `+s.t.access+
		` WHERE time >= ? AND time < ? AND id < ? ORDER BY id DESC LIMIT ?`, from, to, beforeID, limit)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.AccessEntry
	for rs.Next() {
		var e audit.AccessEntry
		var t, f, tt int64
		var p int
		if err := rs.Scan(&e.ID, &t, &e.Who, &p, &e.Reason, &e.Count, &f, &tt); err != nil {
			return nil, err
		}
		e.Time, e.Purpose, e.From, e.To = fromNanos(t), audit.AccessPurpose(p), fromNanos(f), fromNanos(tt)
		out = append(out, e)
	}
	return out, rs.Err()
}

func (s *Store) AppendTransport(ctx context.Context, evs []audit.TransportEvent) error {
	tx, err := s.aw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO `+s.t.transport+
		` (id, time, message_id, kind, actor, detail, prev, hash, sig) VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if _, err := st.ExecContext(ctx, e.ID, e.Time.UnixNano(), e.MessageID[:], e.Kind, e.Actor, e.Detail,
			e.Prev[:], e.Hash[:], sigOrNil(e.Sig)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *Store) Transport(ctx context.Context, messageID uuid.UUID) ([]audit.TransportEvent, error) {
	rs, err := s.ar.QueryContext(ctx, `SELECT id, time, message_id, kind, actor, detail FROM `+s.t.transport+
		` WHERE message_id = ? ORDER BY id`, messageID[:])
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.TransportEvent
	for rs.Next() {
		var e audit.TransportEvent
		var t int64
		var id []byte
		if err := rs.Scan(&e.ID, &t, &id, &e.Kind, &e.Actor, &e.Detail); err != nil {
			return nil, err
		}
		e.Time = fromNanos(t)
		copy(e.MessageID[:], id)
		out = append(out, e)
	}
	return out, rs.Err()
}
