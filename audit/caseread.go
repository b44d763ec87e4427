package audit

import (
	"context"
	"fmt"
)

// RecordRead writes one entry to the read-access log for a read of
// personal data outside the protocol, typically a clerk opening a case of
// the register's work list (registers/review): who, the purpose
// ([CaseWork]), the reason (no IDNr, no name) and how many records were
// shown. It returns when the entry is durable; a read that cannot be
// recorded must not be served. Without a read-access log it fails closed
// with [ErrNoCapability].
func (l *Log) RecordRead(ctx context.Context, a Access, count int) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := l.canRead(); err != nil {
		return err
	}
	done, err := l.use()
	if err != nil {
		return err
	}
	defer done()
	now := l.clock().UTC()
	e := AccessEntry{Time: now, Who: a.Who, Purpose: a.Purpose, Reason: a.Reason, Count: count, From: now, To: now}
	if err := l.recordAccess(ctx, e); err != nil {
		return fmt.Errorf("audit: recording the access: %w", err)
	}
	return nil
}
