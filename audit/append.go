package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// The append path: Append and Rotate hand requests to the one committer
// goroutine (commitLoop), which chains what is queued onto the record
// chain, closes a segment whose day is over, and commits it in one
// transaction; dedup makes appends idempotent by record ID.

type chainState struct {
	seq        int64    // last Seq
	hash       [32]byte // hash of the last row
	seg        int64    // segment of the last row (valid if seq > 0)
	segOpen    bool     // seg has rows and no anchor yet
	segFirst   int64    // first Seq of the open segment
	segPrev    [32]byte // chain hash before the open segment
	anchorHash [32]byte // hash of the last anchor (zero if none)
}

type appendReq struct {
	rows []Row // ID, Data, Time, IDNr filled in; chain fields by the committer; none: only rotate
	done chan error
	err  error // set by the committer when it refuses the request
}

// reload reads the chain state from the store.
func (l *Log) reload(ctx context.Context) error {
	last, lastOK, a, aOK, err := l.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("audit: reading the chain head: %w", err)
	}
	var st chainState
	if aOK {
		st.anchorHash = anchorHash(l.logID, &a)
		st.seq, st.hash, st.seg = a.LastSeq, a.Last, a.Segment
	}
	if lastOK {
		st.seq, st.hash, st.seg = last.Seq, last.Hash, last.Segment
		if !aOK || a.Segment != last.Segment {
			st.segOpen = true
			st.segFirst, st.segPrev = 1, [32]byte{}
			if aOK {
				st.segFirst, st.segPrev = a.LastSeq+1, a.Last
			}
		}
	}
	l.mu.Lock()
	l.st, l.stErr = st, nil
	l.mu.Unlock()
	return nil
}

// Append validates recs and appends them to the protocol. It returns when
// all of them are durable, or with an error when none of them was appended:
// a [*FieldError] names the first invalid record and field. A zero ID is
// replaced by a new version 7 UUID, a zero Time by the clock's time (both
// in the caller's slice, so the caller learns them).
//
// If ctx ends after the records were handed to the committer, Append
// returns an error wrapping [ErrOutcomeUnknown] and ctx.Err(): the records
// may still become durable.
func (l *Log) Append(ctx context.Context, recs ...Record) error {
	if len(recs) == 0 {
		return nil
	}
	rows := make([]Row, len(recs))
	size := 0
	for i := range recs {
		r := &recs[i]
		if r.Time.IsZero() {
			r.Time = l.clock()
		}
		r.Time = r.Time.UTC()
		if err := r.validate(i); err != nil {
			return err
		}
		if r.ID == (uuid.UUID{}) {
			r.ID = newRecordID()
		}
		size += fixedHeader + 64 + len(r.Content)
		for k := range r.Items {
			size += 24 + len(r.Items[k].Part) + len(r.Items[k].Value)
		}
	}
	buf := make([]byte, 0, size)
	for i := range recs {
		start := len(buf)
		buf = encodeRecord(buf, &recs[i])
		rows[i] = Row{ID: recs[i].ID, Time: recs[i].Time.UnixNano(), IDNr: IDNrKey(recs[i].IDNr), Data: buf[start:len(buf):len(buf)]}
	}
	return l.submit(ctx, &appendReq{rows: rows, done: make(chan error, 1)})
}

func (l *Log) submit(ctx context.Context, req *appendReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done, err := l.use()
	if err != nil {
		return err
	}
	defer done()
	return handOff(ctx, l.reqs, req, req.done)
}

// commitLoop is the one committer: it takes what is queued (up to
// maxBatch records), chains it, commits it in one transaction and answers
// every waiter.
func (l *Log) commitLoop() {
	defer close(l.done)
	var batch []*appendReq
	var carry *appendReq
	for {
		batch = batch[:0]
		n := 0
		if carry != nil {
			batch, n, carry = append(batch, carry), len(carry.rows), nil
		} else {
			r, ok := <-l.reqs
			if !ok {
				return
			}
			batch, n = append(batch, r), len(r.rows)
		}
	drain:
		for n < l.maxBatch {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break drain
				}
				if n+len(r.rows) > l.maxBatch && n > 0 {
					carry = r
					break drain
				}
				batch, n = append(batch, r), n+len(r.rows)
			default:
				break drain
			}
		}
		err := l.commit(batch)
		for _, r := range batch {
			if r.err != nil && err == nil {
				r.done <- r.err
			} else {
				r.done <- err
			}
			r.err = nil
		}
		if err != nil {
			l.logger.Error("audit: commit failed", "records", n, "err", err)
			if rerr := l.reload(context.Background()); rerr != nil {
				l.mu.Lock()
				l.stErr = rerr
				l.mu.Unlock()
			}
		}
	}
}

// commit commits batch. A batch without repeated IDs is first committed
// without looking its IDs up (the store's unique index refuses one that
// repeats a stored ID; this saves a query, on PostgreSQL a round trip, per
// commit). If that fails, either the unique index refused a retried
// record, or the commit happened and only its answer was lost: the chain
// state is read back from the store (so that a commit that happened is not
// chained again) and the batch committed once more with its IDs looked up
// (dedup), so that records stored with the same content are acknowledged,
// not stored twice.
func (l *Log) commit(batch []*appendReq) error {
	if rows, ok := l.fastRows(batch); ok {
		err := l.commitRows(rows)
		if err == nil || len(rows) == 0 {
			return err
		}
		if rerr := l.reload(context.Background()); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	rows, err := l.dedup(batch)
	if err != nil {
		return err
	}
	return l.commitRows(rows)
}

// commitRows chains rows onto the current state (closing the open
// segment first if its day is over) and commits them.
func (l *Log) commitRows(rows []Row) error {
	l.mu.Lock()
	st, stErr := l.st, l.stErr
	l.mu.Unlock()
	if stErr != nil {
		if err := l.reload(context.Background()); err != nil {
			return err
		}
		l.mu.Lock()
		st = l.st
		l.mu.Unlock()
	}
	now := l.clock()
	today := segmentOf(now)
	var anchors []Anchor
	if st.segOpen && today > st.seg {
		anchors = append(anchors, l.closeSegment(&st, now))
	}
	if err := l.chainAndCommit(&st, rows, anchors, today); err != nil {
		return err
	}
	l.mu.Lock()
	l.st = st
	l.mu.Unlock()
	l.committed(st.seq)
	return nil
}

// fastRows returns the rows of batch as one slice if no ID repeats within
// the batch (ok true); otherwise the caller must deduplicate.
func (l *Log) fastRows(batch []*appendReq) (rows []Row, ok bool) {
	n := 0
	for _, r := range batch {
		n += len(r.rows)
	}
	if len(batch) == 1 {
		rows = batch[0].rows
	} else {
		rows = make([]Row, 0, n)
		for _, r := range batch {
			rows = append(rows, r.rows...)
		}
	}
	if n <= 1 {
		return rows, true
	}
	l.idScratch = l.idScratch[:0]
	for i := range rows {
		l.idScratch = append(l.idScratch, rows[i].ID)
	}
	slices.SortFunc(l.idScratch, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	for i := 1; i < len(l.idScratch); i++ {
		if l.idScratch[i] == l.idScratch[i-1] {
			return nil, false
		}
	}
	return rows, true
}

// chainAndCommit chains rows onto st (advancing it) and commits them with
// anchors. On error st is left advanced; the caller discards it.
func (l *Log) chainAndCommit(st *chainState, rows []Row, anchors []Anchor, today int64) error {
	h := &l.hasher
	for i := range rows {
		if !st.segOpen {
			// A new segment: today's, but never one that is already closed
			// (the clock may have gone back).
			if st.seq == 0 && st.anchorHash == ([32]byte{}) {
				st.seg = today
			} else {
				st.seg = max(today, st.seg+1)
			}
			st.segOpen, st.segFirst, st.segPrev = true, st.seq+1, st.hash
		}
		r := &rows[i]
		r.Seq, r.Segment, r.Prev = st.seq+1, st.seg, st.hash
		r.Hash = h.sum(&r.Prev, r.Segment, r.Data)
		st.seq, st.hash = r.Seq, r.Hash
	}
	if len(rows) == 0 && len(anchors) == 0 {
		return nil
	}
	if err := l.store.Commit(context.Background(), rows, anchors); err != nil {
		return fmt.Errorf("audit: commit: %w", err)
	}
	return nil
}

// dedup makes appends idempotent by record ID: it returns the rows of
// batch to store, leaving out every record whose ID is stored (or earlier
// in the batch) with the same encoding, and refuses (sets err on) every
// request with a record whose ID is stored with a different one.
func (l *Log) dedup(batch []*appendReq) ([]Row, error) {
	n := 0
	for _, r := range batch {
		n += len(r.rows)
	}
	if n == 0 {
		return nil, nil
	}
	ids := make([]uuid.UUID, 0, n)
	for _, r := range batch {
		for i := range r.rows {
			ids = append(ids, r.rows[i].ID)
		}
	}
	stored, err := l.store.Stored(context.Background(), ids)
	if err != nil {
		return nil, fmt.Errorf("audit: checking record IDs: %w", err)
	}
	if len(stored) == 0 && len(batch) == 1 && !hasDupIDs(ids) {
		return batch[0].rows, nil
	}
	rows := make([]Row, 0, n)
	taken := make(map[uuid.UUID][]byte, n) // IDs of rows already in rows
	for _, r := range batch {
		start := len(rows)
		for i := range r.rows {
			row := &r.rows[i]
			data, ok := stored[row.ID]
			if !ok {
				data, ok = taken[row.ID]
			}
			if !ok {
				rows = append(rows, *row)
				taken[row.ID] = row.Data
				continue
			}
			if string(data) == string(row.Data) {
				continue // stored already: acknowledged, not stored twice
			}
			r.err = &FieldError{Index: i, Field: "ID", Reason: "already stored with different content", Err: ErrDuplicateID}
			for _, kept := range rows[start:] {
				delete(taken, kept.ID)
			}
			rows = rows[:start]
			break
		}
	}
	return rows, nil
}

func hasDupIDs(ids []uuid.UUID) bool {
	if len(ids) < 2 {
		return false
	}
	seen := make(map[uuid.UUID]struct{}, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; ok {
			return true
		}
		seen[id] = struct{}{}
	}
	return false
}

// closeSegment builds the signed anchor of the open segment in st and
// updates st.
func (l *Log) closeSegment(st *chainState, now time.Time) Anchor {
	a := Anchor{
		Segment:    st.seg,
		FirstSeq:   st.segFirst,
		LastSeq:    st.seq,
		Prev:       st.segPrev,
		Last:       st.hash,
		PrevAnchor: st.anchorHash,
		Closed:     now.UnixNano(),
	}
	a.Sig = ed25519.Sign(l.key, anchorMessage(l.logID, &a))
	st.anchorHash = anchorHash(l.logID, &a)
	st.segOpen = false
	return a
}

// Rotate closes the open segment if its UTC day is over, writing its
// signed anchor. Appends and [Log.Purge] do this on their own; call it to
// seal yesterday's records without waiting for the next append.
func (l *Log) Rotate(ctx context.Context) error {
	return l.submit(ctx, &appendReq{done: make(chan error, 1)})
}

// newRecordID returns a version 7 UUID: time-ordered, so that the store's
// unique index on record IDs takes its inserts at one end instead of at
// random places (callers that set their own IDs may use uuid.NewV7 too).
func newRecordID() uuid.UUID {
	if id, err := uuid.NewV7(); err == nil {
		return id
	}
	return uuid.New()
}
