package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/regmo/regmo/audit"
)

func (s *Store) PutHold(ctx context.Context, h audit.Hold) (int64, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.holds+` (hfrom, hto, until, reason, who, placed) VALUES (?,?,?,?,?,?)`,
		h.From.UnixNano(), h.To.UnixNano(), h.Until.UnixNano(), h.Reason, h.Who, h.Placed.UnixNano())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (s *Store) DeleteHold(ctx context.Context, id int64) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM `+s.t.holds+` WHERE id = ?`, id)
	return err
}

func (s *Store) Holds(ctx context.Context) ([]audit.Hold, error) {
	rs, err := s.r.QueryContext(ctx, `SELECT id, hfrom, hto, until, reason, who, placed FROM `+s.t.holds+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []audit.Hold
	for rs.Next() {
		var h audit.Hold
		var f, t, u, p int64
		if err := rs.Scan(&h.ID, &f, &t, &u, &h.Reason, &h.Who, &p); err != nil {
			return nil, err
		}
		h.From, h.To, h.Until, h.Placed = fromNanos(f), fromNanos(t), fromNanos(u), fromNanos(p)
		out = append(out, h)
	}
	return out, rs.Err()
}

func (s *Store) Meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.w.QueryRowContext(ctx, `SELECT value FROM `+s.t.meta+` WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func (s *Store) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return nil, err
	}
	return s.Meta(ctx, key)
}
