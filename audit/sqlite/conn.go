package sqlite

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// openPair opens one database file: a single writer connection and a pool
// of read-only connections with a memory map.
func openPair(path string, c config, readers, autocheckpoint int) (w, r *sql.DB, err error) {
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
	r, err = sql.Open("sqlite", dsn+fmt.Sprintf("&mode=ro&_pragma=mmap_size(%d)", c.mmapBytes))
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
