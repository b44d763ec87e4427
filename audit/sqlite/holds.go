package sqlite

import (
	"context"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/internal/sqlrows"
)

// Legal holds and the key-value table live in the records file.

var _ audit.HoldStore = (*Store)(nil)

func (s *Store) PutHold(ctx context.Context, h audit.Hold) (int64, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.holds+` (`+sqlrows.HoldInsertCols+`) VALUES (?,?,?,?,?,?)`, sqlrows.HoldArgs(&h)...)
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
	return sqlrows.All(sqlrows.ScanHold)(s.r.QueryContext(ctx, `SELECT `+sqlrows.HoldCols+` FROM `+s.t.holds+` ORDER BY id`))
}

func (s *Store) Meta(ctx context.Context, key string) ([]byte, error) {
	v, _, err := sqlrows.First(sqlrows.ScanValue)(s.w.QueryContext(ctx, `SELECT value FROM `+s.t.meta+` WHERE key = ?`, key))
	return v, err
}

func (s *Store) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return nil, err
	}
	return s.Meta(ctx, key)
}

func (s *Store) PutMeta(ctx context.Context, key string, value []byte) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
