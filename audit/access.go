package audit

import (
	"context"
	"fmt"
	"time"
)

// The read-access log: Query, Accesses and HasRecords record each read
// through the access committer (accessLoop), which group-commits the
// entries of concurrent reads; the chain and signature are side.go's.

type accessReq struct {
	e    AccessEntry
	done chan error
}

// canRead refuses a read of the protocol when the store keeps no
// read-access log: a read that cannot be recorded is not served.
func (l *Log) canRead() error {
	if l.caps.acc == nil {
		return noCapability("read-access log: every read of the protocol is recorded there")
	}
	return nil
}

// recordAccess hands e to the access committer and returns when it is
// durable. The caller holds l.use(), so Close has not closed accReqs.
func (l *Log) recordAccess(ctx context.Context, e AccessEntry) error {
	req := &accessReq{e: e, done: make(chan error, 1)}
	return handOff(ctx, l.accReqs, req, req.done)
}

// accessLoop group-commits read-access entries: whatever is queued while
// one transaction is in flight goes into the next, so concurrent queries
// share one durable write. It runs apart from the record committer, so a
// query never waits for a large batch of records.
func (l *Log) accessLoop() {
	defer close(l.accDone)
	var batch []*accessReq
	var es []AccessEntry
	for {
		r, ok := <-l.accReqs
		if !ok {
			return
		}
		batch, es = append(batch[:0], r), append(es[:0], r.e)
	drain:
		for len(batch) < 1024 {
			select {
			case r, ok := <-l.accReqs:
				if !ok {
					break drain
				}
				batch, es = append(batch, r), append(es, r.e)
			default:
				break drain
			}
		}
		err := l.appendAccess(context.Background(), es)
		if err != nil {
			l.logger.Error("audit: access log commit failed", "entries", len(es), "err", err)
		}
		for _, r := range batch {
			r.done <- err
		}
		clear(batch)
	}
}

// AccessQuery selects entries of the read-access log.
type AccessQuery struct {
	From  time.Time // inclusive; zero: the beginning
	To    time.Time // exclusive; zero: no upper bound
	Limit int       // default 100, max 1000
	After string    // cursor of the previous page
}

// AccessPage is one page of the read-access log, newest first.
type AccessPage struct {
	Entries []AccessEntry
	Next    string
}

// Accesses reads the read-access log, for the data-protection officer. The
// reading is itself recorded as an access with a's purpose.
func (l *Log) Accesses(ctx context.Context, a Access, q AccessQuery) (AccessPage, error) {
	if err := a.Validate(); err != nil {
		return AccessPage{}, err
	}
	if err := l.canRead(); err != nil {
		return AccessPage{}, err
	}
	done, err := l.use()
	if err != nil {
		return AccessPage{}, err
	}
	defer done()
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return AccessPage{}, &FieldError{Index: -1, Field: "AccessQuery.Limit", Reason: "must be 0..1000"}
	}
	toN := int64(1<<63 - 1)
	if !q.To.IsZero() {
		toN = q.To.UnixNano()
	}
	fromN := int64(-1 << 63)
	if !q.From.IsZero() {
		fromN = q.From.UnixNano()
	}
	before := int64(1<<63 - 1)
	if q.After != "" {
		s, err := decodeCursor(q.After)
		if err != nil {
			return AccessPage{}, &FieldError{Index: -1, Field: "AccessQuery.After", Reason: "not a cursor of this log"}
		}
		before = s
	}
	es, err := l.caps.acc.Accesses(ctx, fromN, toN, before, limit+1)
	if err != nil {
		return AccessPage{}, fmt.Errorf("audit: reading the access log: %w", err)
	}
	var p AccessPage
	if len(es) > limit {
		es = es[:limit]
		p.Next = encodeCursor(es[limit-1].ID)
	}
	p.Entries = es
	e := AccessEntry{Time: l.clock().UTC(), Who: a.Who, Purpose: a.Purpose, Reason: "access log: " + a.Reason, Count: len(es), From: q.From.UTC(), To: q.To.UTC()}
	if len([]rune(e.Reason)) > MaxText {
		e.Reason = string([]rune(e.Reason)[:MaxText])
	}
	if err := l.recordAccess(ctx, e); err != nil {
		return AccessPage{}, fmt.Errorf("audit: recording the access: %w", err)
	}
	return p, nil
}
