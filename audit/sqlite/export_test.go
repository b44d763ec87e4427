package sqlite

import (
	"database/sql"
	"time"
)

// IndexEagerly makes the person indexer index after every commit and
// every millisecond, in chunks of chunk records, so that the conformance
// suite runs its queries across the tail, the indexed part and the moves
// between them. It returns a function restoring the defaults.
func IndexEagerly(chunk int) (restore func()) {
	return SetIndexer(chunk, 1, time.Millisecond, 4*chunk)
}

// SetIndexer sets the indexer's tuning of the stores opened from now on
// (a store keeps the tuning it was opened with) and returns a function
// restoring the defaults. Not for parallel tests.
func SetIndexer(chunk, kickAt int, every time.Duration, tail int) (restore func()) {
	old := defaultTuning
	defaultTuning = indexTuning{chunk: chunk, kickAt: kickAt, every: every, tail: tail}
	return func() { defaultTuning = old }
}

// ReaderDB returns the pool of reading connections of the records file.
func (s *Store) ReaderDB() *sql.DB { return s.r }

// DefaultMmapBytes is the default of [WithMmapSize].
const DefaultMmapBytes = defaultMmapBytes
