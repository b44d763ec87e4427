package sqlregister

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"github.com/regmo/regmo/internal/privfile"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// OpenSQLite opens (or creates) an SQLite database file for a register:
// WAL mode, synchronous=FULL (a committed batch survives a power loss),
// a busy timeout, foreign keys on, and write transactions that take the
// write lock at BEGIN (so that concurrent writers queue instead of failing).
// A file it creates (and so SQLite's -wal and -shm files, which take its
// mode) is 0600, in missing directories created 0700, whatever the umask:
// a register holds personal data. An existing file keeps its mode.
func OpenSQLite(path string) (*sql.DB, error) {
	if err := privfile.Create(path); err != nil {
		return nil, fmt.Errorf("sqlregister: %w", err)
	}
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
// key=value DSN) as a database/sql handle through pgx's own database/sql
// driver, github.com/jackc/pgx/v5/stdlib (driver name "pgx"). Columns are
// scanned into sql.NullString: text and varchar as is, integers as their
// decimal digits, a DATE column as a time.Time that database/sql formats
// as "YYYY-MM-DDT00:00:00Z" (the register reads its date part), and other
// types in PostgreSQL's text form.
func OpenPostgres(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
