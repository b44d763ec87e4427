package postgres

import (
	"context"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/internal/sqlrows"
)

// Legal holds and the key-value table.

var _ audit.HoldStore = (*Store)(nil)

func (s *Store) PutHold(ctx context.Context, h audit.Hold) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO `+s.t.holds+` (`+sqlrows.HoldInsertCols+`) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, sqlrows.HoldArgs(&h)...).Scan(&id)
	return id, err
}

func (s *Store) DeleteHold(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM `+s.t.holds+` WHERE id = $1`, id)
	return err
}

func (s *Store) Holds(ctx context.Context) ([]audit.Hold, error) {
	return sqlrows.All(sqlrows.ScanHold)(s.pool.Query(ctx, `SELECT `+sqlrows.HoldCols+` FROM `+s.t.holds+` ORDER BY id`))
}

func (s *Store) Meta(ctx context.Context, key string) ([]byte, error) {
	v, _, err := sqlrows.First(sqlrows.ScanValue)(s.pool.Query(ctx, `SELECT value FROM `+s.t.meta+` WHERE key = $1`, key))
	return v, err
}

func (s *Store) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if _, err := s.wpool.Exec(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return nil, err
	}
	return s.Meta(ctx, key)
}

func (s *Store) PutMeta(ctx context.Context, key string, value []byte) error {
	_, err := s.wpool.Exec(ctx, `INSERT INTO `+s.t.meta+` (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
