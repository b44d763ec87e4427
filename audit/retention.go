package audit

import (
	"context"
	"fmt"
	"time"
)

// PurgeResult says what a purge removed.
type PurgeResult struct {
	Segments []int64 // segments whose records were deleted (their anchors stay)
	Held     []int64 // expired segments kept because of a legal hold
}

// Purge deletes the records of every segment whose UTC day ended at least
// the retention ago (a record appended on day D is deleted from D+1 00:00
// UTC + retention on), except segments covered by an active legal hold, and
// deletes read-access entries and transport events older than the
// retention. The segments' signed anchors are kept, so [Log.Verify] still
// checks what remains. The open segment is sealed first if its day is over.
func (l *Log) Purge(ctx context.Context) (PurgeResult, error) {
	if err := l.Rotate(ctx); err != nil {
		return PurgeResult{}, err
	}
	done, err := l.use()
	if err != nil {
		return PurgeResult{}, err
	}
	defer done()
	l.purgeMu.Lock()
	defer l.purgeMu.Unlock()
	now := l.clock()
	anchors, err := l.store.Anchors(ctx)
	if err != nil {
		return PurgeResult{}, fmt.Errorf("audit: purge: %w", err)
	}
	holds, err := l.storedHolds(ctx)
	if err != nil {
		return PurgeResult{}, fmt.Errorf("audit: purge: %w", err)
	}
	var res PurgeResult
	for _, a := range anchors {
		if a.Purged != 0 || now.Before(segmentEnd(a.Segment).Add(l.retention)) {
			continue
		}
		if heldBy(holds, a.Segment, now) {
			res.Held = append(res.Held, a.Segment)
			continue
		}
		res.Segments = append(res.Segments, a.Segment)
	}
	if err := l.store.Purge(ctx, res.Segments, now.UnixNano()); err != nil {
		return PurgeResult{}, fmt.Errorf("audit: purge: %w", err)
	}
	if err := l.purgeSide(ctx, now.Add(-l.retention)); err != nil {
		return PurgeResult{}, fmt.Errorf("audit: purge: %w", err)
	}
	if len(res.Segments) > 0 || len(res.Held) > 0 {
		l.logger.Info("audit: purge", "segments", len(res.Segments), "held", len(res.Held))
	}
	return res, nil
}

// heldBy reports whether an active hold covers segment seg.
func heldBy(holds []Hold, seg int64, now time.Time) bool {
	start, end := segmentEnd(seg).Add(-day), segmentEnd(seg)
	for _, h := range holds {
		if now.Before(h.Until) && h.From.Before(end) && start.Before(h.To) {
			return true
		}
	}
	return false
}

// PlaceHold places a legal hold: the records appended on the UTC days
// overlapping [h.From, h.To) are kept beyond the retention until h.Until,
// for one of the lawful purposes. Reason and Who are required (at most 120
// characters) and must not contain an IDNr. It returns the hold's ID.
func (l *Log) PlaceHold(ctx context.Context, h Hold) (int64, error) {
	if err := checkText(-1, "Hold.Reason", h.Reason, true, MaxText); err != nil {
		return 0, err
	}
	if err := checkText(-1, "Hold.Who", h.Who, true, MaxText); err != nil {
		return 0, err
	}
	if ContainsIDNr(h.Reason) || ContainsIDNr(h.Who) {
		return 0, &FieldError{Index: -1, Field: "Hold", Reason: "contains an IDNr"}
	}
	if h.From.IsZero() || h.To.IsZero() || !h.From.Before(h.To) {
		return 0, &FieldError{Index: -1, Field: "Hold.To", Reason: "must be after Hold.From (both required)"}
	}
	if h.Until.IsZero() {
		return 0, &FieldError{Index: -1, Field: "Hold.Until", Reason: "required"}
	}
	if l.caps.holds == nil {
		return 0, noCapability("legal holds")
	}
	done, err := l.use()
	if err != nil {
		return 0, err
	}
	defer done()
	h.Placed = l.clock().UTC()
	h.From, h.To, h.Until = h.From.UTC(), h.To.UTC(), h.Until.UTC()
	id, err := l.caps.holds.PutHold(ctx, h)
	if err != nil {
		return 0, fmt.Errorf("audit: hold: %w", err)
	}
	l.logger.Info("audit: legal hold placed", "id", id, "who", h.Who, "until", h.Until)
	return id, nil
}

// ReleaseHold removes a legal hold; the next Purge deletes what it kept.
func (l *Log) ReleaseHold(ctx context.Context, id int64) error {
	if l.caps.holds == nil {
		return noCapability("legal holds")
	}
	done, err := l.use()
	if err != nil {
		return err
	}
	defer done()
	if err := l.caps.holds.DeleteHold(ctx, id); err != nil {
		return fmt.Errorf("audit: hold: %w", err)
	}
	return nil
}

// Holds lists the legal holds (none if the store keeps none, [HoldStore]).
func (l *Log) Holds(ctx context.Context) ([]Hold, error) {
	done, err := l.use()
	if err != nil {
		return nil, err
	}
	defer done()
	hs, err := l.storedHolds(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: hold: %w", err)
	}
	return hs, nil
}

// storedHolds returns the store's holds; none if it keeps none.
func (l *Log) storedHolds(ctx context.Context) ([]Hold, error) {
	if l.caps.holds == nil {
		return nil, nil
	}
	return l.caps.holds.Holds(ctx)
}
