package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"modernc.org/sqlite" // also registers the "sqlite" driver
)

// openPair opens one database file: a single writer connection and a pool
// of read-only connections with a memory map. If attach is not empty, each
// reader has that file attached as "rec" (the person file's readers, which
// check every copy against the records file in the same statement).
func openPair(path string, c config, readers, autocheckpoint int, attach string) (w, r *sql.DB, err error) {
	q := pragmas(c)
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", autocheckpoint))
	dsn := "file:" + path + "?" + q.Encode()
	w, err = sql.Open("sqlite", dsn+"&_txlock="+c.txlock)
	if err != nil {
		return nil, nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Readers map the file (by default as far as SQLite's compile-time
	// maximum allows; see WithMmapSize); pages read through the map cost no
	// copy and are shared by all readers.
	rdsn := dsn + fmt.Sprintf("&mode=ro&_pragma=mmap_size(%d)", c.mmapBytes)
	if attach == "" {
		r, err = sql.Open("sqlite", rdsn)
	} else {
		r, err = openAttached(rdsn, attach, c.mmapBytes)
	}
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	return w, r, nil
}

// pragmas are the settings of every connection.
func pragmas(c config) url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", c.busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+strings.ToUpper(c.synchronous)+")")
	q.Add("_pragma", "temp_store(MEMORY)") // statement journals of multi-row inserts stay in memory
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -c.cacheKiB))
	return q
}

// openAttached opens a pool of connections to dsn, each with the file
// attach attached as "rec" (memory-mapped like the main file).
func openAttached(dsn, attach string, mmap int64) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("audit/sqlite: open: %w", err)
	}
	return sql.OpenDB(attachConnector{Connector: base, path: attach, mmap: mmap}), nil
}

// attachConnector attaches a file to every connection it opens. The
// connection is returned as the driver made it (not wrapped), so that
// database/sql finds its optional interfaces.
type attachConnector struct {
	driver.Connector
	path string
	mmap int64
}

func (a attachConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := a.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("audit/sqlite: driver connection cannot execute statements")
	}
	if _, err := ex.ExecContext(ctx, `ATTACH DATABASE ? AS rec`, []driver.NamedValue{{Ordinal: 1, Value: a.path}}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("audit/sqlite: attaching the records file: %w", err)
	}
	if _, err := ex.ExecContext(ctx, fmt.Sprintf(`PRAGMA rec.mmap_size = %d`, a.mmap), nil); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
