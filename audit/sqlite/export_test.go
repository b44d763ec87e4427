package sqlite

import "time"

// IndexEagerly makes the person indexer index after every commit and
// every millisecond, in chunks of chunk records, so that the conformance
// suite runs its queries across the tail, the indexed part and the moves
// between them. It returns a function restoring the defaults.
func IndexEagerly(chunk int) (restore func()) {
	return SetIndexer(chunk, 1, time.Millisecond, 4*chunk)
}

// SetIndexer sets the indexer's tuning and returns a function restoring
// the defaults.
func SetIndexer(chunk, kickAt int, every time.Duration, tail int) (restore func()) {
	c, k, e, m := indexChunk, indexKickAt, indexEvery, maxTail
	indexChunk, indexKickAt, indexEvery, maxTail = chunk, kickAt, every, tail
	return func() { indexChunk, indexKickAt, indexEvery, maxTail = c, k, e, m }
}
