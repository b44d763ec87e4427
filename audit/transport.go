package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The transport log (BSI TR-03176): events are validated here and chained,
// signed and group-committed by side.go.

// TransportEvent is an event of the separate BSI TR-03176 transport log. It never holds an IDNr.
type TransportEvent struct {
	Time      time.Time
	MessageID uuid.UUID
	Kind      string // "sent", "received", "schema-check", "error", ...
	Actor     string
	Detail    string // no personal data
	// ID (the position in the transport log, from 1) and Link are set by
	// the Log when it stores the event (see side.go).
	ID int64
	Link
}

// AppendTransport validates and stores transport events durably, in one
// transaction, apart from the § 9 protocol. A zero Time is set from the
// clock. An event whose Kind, Actor or Detail contains an IDNr is refused.
func (l *Log) AppendTransport(ctx context.Context, evs ...TransportEvent) error {
	if len(evs) == 0 {
		return nil
	}
	if l.caps.tr == nil {
		return noCapability("transport log")
	}
	cp := make([]TransportEvent, len(evs))
	for i, e := range evs {
		if e.Time.IsZero() {
			e.Time = l.clock()
		}
		e.Time = e.Time.UTC()
		if err := e.validate(i); err != nil {
			return err
		}
		cp[i] = e
	}
	done, err := l.use()
	if err != nil {
		return err
	}
	defer done()
	if err := l.appendTransport(ctx, cp); err != nil {
		return fmt.Errorf("audit: transport log: %w", err)
	}
	return nil
}

// Transport returns the transport events of one message, oldest first.
func (l *Log) Transport(ctx context.Context, messageID uuid.UUID) ([]TransportEvent, error) {
	done, err := l.use()
	if err != nil {
		return nil, err
	}
	defer done()
	if l.caps.tr == nil {
		return nil, noCapability("transport log")
	}
	evs, err := l.caps.tr.Transport(ctx, messageID)
	if err != nil {
		return nil, fmt.Errorf("audit: transport log: %w", err)
	}
	return evs, nil
}
