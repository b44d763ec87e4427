package sqlite

import (
	"regexp"
	"time"
)

// defaultMmapBytes is SQLite's compile-time maximum of mmap_size
// (SQLITE_MAX_MMAP_SIZE, 0x7fff0000 bytes, just under 2 GiB): a larger
// request is silently capped to it, so asking for more promises nothing.
// It is the amount each reading connection may map; the mapped pages are
// the file's and shared between connections.
const defaultMmapBytes = 0x7fff0000 // 2,147,418,112

// Option configures [Open].
type Option func(*config)

type config struct {
	prefix      string
	synchronous string
	busyTimeout time.Duration
	readers     int
	cacheKiB    int
	mmapBytes   int64
	sidePath    string
	personPath  string
	txlock      string // how the writer begins transactions
}

// WithTablePrefix puts a prefix before every table name (letters, digits
// and underscores), so that several logs can share one database file.
func WithTablePrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithSynchronous sets PRAGMA synchronous: "FULL" (the default: a commit
// is on disk when Commit returns, even across power loss) or "NORMAL"
// (survives a crash of the process but may lose the last commits on power
// loss; not durable in the sense of [audit.Store]).
func WithSynchronous(mode string) Option { return func(c *config) { c.synchronous = mode } }

// WithBusyTimeout sets how long a connection waits for a lock (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// WithCacheSize sets the page cache of each connection in bytes (default
// 64 MiB). A large log with heavy appends profits from a larger cache: the
// person indexer inserts all over the person file.
func WithCacheSize(bytes int64) Option { return func(c *config) { c.cacheKiB = int(bytes >> 10) } }

// WithMmapSize sets how much of the file each reading connection may map
// into memory (PRAGMA mmap_size; default: SQLite's compile-time maximum,
// just under 2 GiB; SQLite caps a larger value to it).
// Mapped pages are file-backed and shared, but they count as resident
// memory; a batch job that must keep its resident set small, such as a
// verification pass over a large log, passes 0 to read through the page
// cache instead.
func WithMmapSize(bytes int64) Option {
	return func(c *config) {
		if bytes >= 0 {
			c.mmapBytes = bytes
		}
	}
}

// WithPersonPath sets the database file of the person index (default:
// the records file's path with "-person" appended); see the package doc.
func WithPersonPath(path string) Option { return func(c *config) { c.personPath = path } }

// WithReaders sets the number of reading connections (default 4).
func WithReaders(n int) Option { return func(c *config) { c.readers = n } }

// WithAccessPath sets the database file of the read-access log and the
// transport log (default: the records file's path with "-access" appended).
func WithAccessPath(path string) Option { return func(c *config) { c.sidePath = path } }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)
