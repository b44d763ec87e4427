package sqlite

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/internal/sqlrows"
)

// The read-access log and the transport log live in the access file. They
// are chained and signed by the Log (see audit's side.go): each entry
// keeps the hash of the previous one (prev), its own (hash) and, on the
// last entry of each transaction, the Log's signature (sig). Version 2 of
// the access file adds these columns; entries written before are left
// without them (the Log starts the chain after them).

var (
	_ audit.AccessLogStore    = (*Store)(nil)
	_ audit.TransportLogStore = (*Store)(nil)
)

func (t tables) sideChainDDL() string {
	return `ALTER TABLE ` + t.access + ` ADD COLUMN prev BLOB;
		ALTER TABLE ` + t.access + ` ADD COLUMN hash BLOB;
		ALTER TABLE ` + t.access + ` ADD COLUMN sig BLOB;
		ALTER TABLE ` + t.transport + ` ADD COLUMN prev BLOB;
		ALTER TABLE ` + t.transport + ` ADD COLUMN hash BLOB;
		ALTER TABLE ` + t.transport + ` ADD COLUMN sig BLOB;`
}

// appendSide inserts n entries into table (columns cols, values args(i))
// in one transaction of the access file.
func (s *Store) appendSide(ctx context.Context, table, cols string, n int, args func(i int) []any) error {
	tx, err := s.aw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	marks := strings.Repeat(",?", strings.Count(cols, ",")+1)[1:]
	st, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` (`+cols+`) VALUES (`+marks+`)`)
	if err != nil {
		return err
	}
	for i := range n {
		if _, err := st.ExecContext(ctx, args(i)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *Store) AppendAccess(ctx context.Context, es []audit.AccessEntry) error {
	return s.appendSide(ctx, s.t.access, sqlrows.AccessCols, len(es), func(i int) []any { return sqlrows.AccessArgs(&es[i]) })
}

func (s *Store) LastAccess(ctx context.Context) (audit.AccessEntry, bool, error) {
	return sqlrows.First(sqlrows.ScanAccess)(s.aw.QueryContext(ctx, `SELECT `+sqlrows.AccessCols+` FROM `+s.t.access+` ORDER BY id DESC LIMIT 1`))
}

func (s *Store) ScanAccess(ctx context.Context, fromID int64, fn func(*audit.AccessEntry) error) error {
	return sqlrows.Each(sqlrows.ScanAccess, fn)(s.ar.QueryContext(ctx, `SELECT `+sqlrows.AccessCols+` FROM `+s.t.access+` WHERE id >= ? ORDER BY id`, fromID))
}

func (s *Store) Accesses(ctx context.Context, from, to, beforeID int64, limit int) ([]audit.AccessEntry, error) {
	return sqlrows.All(sqlrows.ScanAccess)(s.ar.QueryContext(ctx, `SELECT `+sqlrows.AccessCols+` FROM `+s.t.access+
		` WHERE time >= ? AND time < ? AND id < ? ORDER BY id DESC LIMIT ?`, from, to, beforeID, limit))
}

// PurgeAccess deletes the expired prefix of the access log.
func (s *Store) PurgeAccess(ctx context.Context, below int64) error {
	_, err := s.aw.ExecContext(ctx, `DELETE FROM `+s.t.access+` WHERE id < ?`, below)
	return err
}

func (s *Store) AppendTransport(ctx context.Context, evs []audit.TransportEvent) error {
	return s.appendSide(ctx, s.t.transport, sqlrows.TransportCols, len(evs), func(i int) []any { return sqlrows.TransportArgs(&evs[i]) })
}

func (s *Store) LastTransport(ctx context.Context) (audit.TransportEvent, bool, error) {
	return sqlrows.First(sqlrows.ScanTransport)(s.aw.QueryContext(ctx, `SELECT `+sqlrows.TransportCols+` FROM `+s.t.transport+` ORDER BY id DESC LIMIT 1`))
}

func (s *Store) ScanTransport(ctx context.Context, fromID int64, fn func(*audit.TransportEvent) error) error {
	return sqlrows.Each(sqlrows.ScanTransport, fn)(s.ar.QueryContext(ctx, `SELECT `+sqlrows.TransportCols+` FROM `+s.t.transport+` WHERE id >= ? ORDER BY id`, fromID))
}

func (s *Store) Transport(ctx context.Context, messageID uuid.UUID) ([]audit.TransportEvent, error) {
	return sqlrows.All(sqlrows.ScanTransport)(s.ar.QueryContext(ctx, `SELECT `+sqlrows.TransportCols+` FROM `+s.t.transport+
		` WHERE message_id = ? ORDER BY id`, messageID[:]))
}

// PurgeTransport deletes the expired prefix of the transport log.
func (s *Store) PurgeTransport(ctx context.Context, below int64) error {
	_, err := s.aw.ExecContext(ctx, `DELETE FROM `+s.t.transport+` WHERE id < ?`, below)
	return err
}
