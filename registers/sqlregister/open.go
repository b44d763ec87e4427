package sqlregister

import (
	"context"
	"database/sql"
	"net/url"

	"github.com/regmo/regmo/registers/sqlregister/internal/pgdriver"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// OpenSQLite opens (or creates) an SQLite database file for a register:
// WAL mode, synchronous=FULL (a committed batch survives a power loss),
// a busy timeout, foreign keys on, and write transactions that take the
// write lock at BEGIN (so that concurrent writers queue instead of failing).
func OpenSQLite(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenPostgres opens a PostgreSQL database (a pgx connection URL or
// key=value DSN) as a database/sql handle, through a small driver over
// github.com/jackc/pgx/v5 connections (registered as "regmo-pgx").
func OpenPostgres(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open(pgdriver.Name, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
