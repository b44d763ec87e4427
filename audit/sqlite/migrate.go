package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order; each runs once, in its own transaction.
func (s *Store) migrations() []string {
	t := s.t
	return []string{
		// 1: the initial schema (one file).
		`CREATE TABLE ` + t.meta + ` (key TEXT PRIMARY KEY, value BLOB NOT NULL);
		CREATE TABLE ` + t.records + ` (
			seq INTEGER PRIMARY KEY, seg INTEGER NOT NULL, time INTEGER NOT NULL, idnr INTEGER NOT NULL,
			prev BLOB NOT NULL, hash BLOB NOT NULL, data BLOB NOT NULL);
		CREATE INDEX ` + t.records + `_idnr ON ` + t.records + ` (idnr, seq);
		CREATE TABLE ` + t.anchors + ` (
			seg INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
			prev BLOB NOT NULL, last BLOB NOT NULL, prev_anchor BLOB NOT NULL,
			closed INTEGER NOT NULL, sig BLOB NOT NULL, purged INTEGER NOT NULL DEFAULT 0);
		` + t.accessDDL() + `
		CREATE TABLE ` + t.holds + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, hfrom INTEGER NOT NULL, hto INTEGER NOT NULL, until INTEGER NOT NULL,
			reason TEXT NOT NULL, who TEXT NOT NULL, placed INTEGER NOT NULL);`,
		// 2: the access and transport logs live in the access file (attached
		// as "side" while this runs); move what version 1 kept here. The copy
		// keeps the IDs and ignores rows already copied, so a crash between
		// the two files' commits only repeats it.
		// (Named columns: the access file may have more, see sideChainDDL.)
		`INSERT OR IGNORE INTO side.` + t.access + ` (id, time, who, purpose, reason, count, qfrom, qto)
			SELECT id, time, who, purpose, reason, count, qfrom, qto FROM main.` + t.access + `;
		INSERT OR IGNORE INTO side.` + t.transport + ` (id, time, message_id, kind, actor, detail)
			SELECT id, time, message_id, kind, actor, detail FROM main.` + t.transport + `;
		DROP TABLE main.` + t.access + `;
		DROP TABLE main.` + t.transport + `;`,
		// 3: record IDs are unique (appends are idempotent by ID). The ID
		// is bytes 21..36 of the encoding; a log that holds an ID twice
		// (from a retry before this version) keeps the first.
		`CREATE TABLE ` + t.ids + ` (rid BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
		INSERT OR IGNORE INTO ` + t.ids + ` (rid, seq) SELECT substr(data, 21, 16), seq FROM ` + t.records + ` ORDER BY 1;`,
		// 4: the person index moved to the person file (built by Open from
		// the records); the indexes of the records table that served it
		// before go.
		`DROP INDEX IF EXISTS ` + t.records + `_idnr;
		DROP INDEX IF EXISTS ` + t.records + `_person;`,
	}
}

// sideMigrations are the access file's schema versions.
func (s *Store) sideMigrations() []string {
	return []string{s.t.accessDDL(), s.t.sideChainDDL()}
}

// accessDDL creates the read-access and transport tables: in the access
// file, and (schema version 1) in the records file.
func (t tables) accessDDL() string {
	return `CREATE TABLE ` + t.access + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, who TEXT NOT NULL, purpose INTEGER NOT NULL,
			reason TEXT NOT NULL, count INTEGER NOT NULL, qfrom INTEGER NOT NULL, qto INTEGER NOT NULL);
		CREATE INDEX ` + t.access + `_time ON ` + t.access + ` (time);
		CREATE TABLE ` + t.transport + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, message_id BLOB NOT NULL,
			kind TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL);
		CREATE INDEX ` + t.transport + `_msg ON ` + t.transport + ` (message_id, id);
		CREATE INDEX ` + t.transport + `_time ON ` + t.transport + ` (time);`
}

// SchemaVersion is the schema version of the records file this package
// migrates to; the access file has its own, [AccessSchemaVersion].
const (
	SchemaVersion       = 4
	AccessSchemaVersion = 2
)

func (s *Store) migrate(ctx context.Context) error {
	if err := migrateDB(ctx, s.aw, s.t.migrations, s.sideMigrations(), AccessSchemaVersion, ""); err != nil {
		return err
	}
	return migrateDB(ctx, s.w, s.t.migrations, s.migrations(), SchemaVersion, s.side)
}

// migrateDB applies the missing migrations to db, with the file side
// attached as "side" if given.
func migrateDB(ctx context.Context, db *sql.DB, table string, ms []string, version int, side string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+
		` (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	var cur int
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM `+table).Scan(&cur); err != nil {
		return fmt.Errorf("audit/sqlite: migrate: %w", err)
	}
	if cur > version {
		return fmt.Errorf("audit/sqlite: database schema version %d is newer than this package (%d)", cur, version)
	}
	if cur == version {
		return nil
	}
	if side != "" {
		if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS side`, side); err != nil {
			return fmt.Errorf("audit/sqlite: migrate: attaching the access file: %w", err)
		}
		defer conn.ExecContext(context.Background(), `DETACH DATABASE side`)
	}
	for i, m := range ms {
		v := i + 1
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("audit/sqlite: migrate: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE version = ?`, v).Scan(&n); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit/sqlite: migrate: %w", err)
		}
		if n > 0 {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, m); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (version, applied) VALUES (?, ?)`, v, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("audit/sqlite: migration %d: %w", v, err)
		}
	}
	return nil
}
