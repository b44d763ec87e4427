package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SchemaVersion is the schema version this package migrates to.
const SchemaVersion = 3

func (s *Store) migrations() []string {
	t := s.t
	return []string{
		`CREATE TABLE ` + t.meta + ` (key text PRIMARY KEY, value bytea NOT NULL);
		CREATE TABLE ` + t.records + ` (
			seq bigint PRIMARY KEY, seg bigint NOT NULL, time bigint NOT NULL, idnr bigint NOT NULL,
			prev bytea NOT NULL, hash bytea NOT NULL, data bytea NOT NULL);
		CREATE INDEX ON ` + t.records + ` (idnr, seq);
		CREATE TABLE ` + t.anchors + ` (
			seg bigint PRIMARY KEY, first_seq bigint NOT NULL, last_seq bigint NOT NULL,
			prev bytea NOT NULL, last bytea NOT NULL, prev_anchor bytea NOT NULL,
			closed bigint NOT NULL, sig bytea NOT NULL, purged bigint NOT NULL DEFAULT 0);
		CREATE TABLE ` + t.access + ` (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time bigint NOT NULL, who text NOT NULL,
			purpose int NOT NULL, reason text NOT NULL, count int NOT NULL, qfrom bigint NOT NULL, qto bigint NOT NULL);
		CREATE INDEX ON ` + t.access + ` (time);
		CREATE TABLE ` + t.transport + ` (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time bigint NOT NULL, message_id bytea NOT NULL,
			kind text NOT NULL, actor text NOT NULL, detail text NOT NULL);
		CREATE INDEX ON ` + t.transport + ` (message_id, id);
		CREATE INDEX ON ` + t.transport + ` (time);
		CREATE TABLE ` + t.holds + ` (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, hfrom bigint NOT NULL, hto bigint NOT NULL,
			until bigint NOT NULL, reason text NOT NULL, who text NOT NULL, placed bigint NOT NULL);`,
		// 2: record IDs are unique (appends are idempotent by ID). The ID is
		// bytes 21..36 of the encoding; a log that holds an ID twice (from a
		// retry before this version) keeps the first.
		`CREATE TABLE ` + t.ids + ` (rid bytea PRIMARY KEY, seq bigint NOT NULL);
		INSERT INTO ` + t.ids + ` (rid, seq) SELECT substring(data from 21 for 16), seq FROM ` + t.records + `
			ORDER BY seq ON CONFLICT (rid) DO NOTHING;`,
		// 3: the access and transport logs are chained and signed (side.go).
		t.sideChainDDL(),
	}
}

func (s *Store) migrate(ctx context.Context, schema, prefix string) error {
	return pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error { return s.migrateTx(ctx, t, schema, prefix) })
}

func (s *Store) migrateTx(ctx context.Context, tx pgx.Tx, schema, prefix string) error {
	// One migrator at a time, across processes.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "regmo-audit:"+schema+"."+prefix); err != nil {
		return fmt.Errorf("audit/postgres: migrate: %w", err)
	}
	if schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("audit/postgres: migrate: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.t.migrations+` (version int PRIMARY KEY, applied bigint NOT NULL)`); err != nil {
		return fmt.Errorf("audit/postgres: migrate: %w", err)
	}
	var cur int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+s.t.migrations).Scan(&cur); err != nil {
		return fmt.Errorf("audit/postgres: migrate: %w", err)
	}
	if cur > SchemaVersion {
		return fmt.Errorf("audit/postgres: database schema version %d is newer than this package (%d)", cur, SchemaVersion)
	}
	for i, m := range s.migrations()[cur:] {
		v := cur + i + 1
		if _, err := tx.Exec(ctx, m); err != nil {
			return fmt.Errorf("audit/postgres: migration %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t.migrations+` (version, applied) VALUES ($1, $2)`, v, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("audit/postgres: migration %d: %w", v, err)
		}
	}
	return nil
}
