package audit

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

// RecordKey names the record of one transfer of an IDNr: the person's IDNr
// and the ID of the message that carried it (Record.MessageID).
type RecordKey struct {
	IDNr      idnr.IDNr
	MessageID uuid.UUID
}

// maxRecordKeys bounds one HasRecords call.
const maxRecordKeys = 10000

// HasRecords reports, for each key, whether the log holds a record with
// that IDNr and that MessageID, whatever its direction, result and age
// (records purged after the retention are gone and count as absent). It is
// the cross-check of a register that keeps, with every IDNr it was given,
// the message that delivered it (see registers.VerifyProtocol).
//
// It reads each person's records through the store's index by IDNr, like
// [Log.Query], and records the access a in the read-access log (one entry
// per call; Count is the number of keys found) before it returns. At most
// 10,000 keys per call; a zero IDNr or message ID is reported absent.
func (l *Log) HasRecords(ctx context.Context, a Access, keys []RecordKey) ([]bool, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := l.canRead(); err != nil {
		return nil, err
	}
	if len(keys) > maxRecordKeys {
		return nil, &FieldError{Index: -1, Field: "keys", Reason: fmt.Sprintf("at most %d per call", maxRecordKeys)}
	}
	done, err := l.use()
	if err != nil {
		return nil, err
	}
	defer done()
	now := l.clock()
	found := make([]bool, len(keys))
	n := 0
	for i, k := range keys {
		if k.IDNr.IsZero() || k.MessageID == uuid.Nil {
			continue
		}
		ok, err := l.hasRecord(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			found[i] = true
			n++
		}
	}
	// The window read is the whole log (From the epoch, no To).
	e := AccessEntry{Time: now.UTC(), Who: a.Who, Purpose: a.Purpose, Reason: a.Reason, Count: n, From: time.Unix(0, 0).UTC()}
	if err := l.recordAccess(ctx, e); err != nil {
		return nil, fmt.Errorf("audit: recording the access: %w", err)
	}
	return found, nil
}

// hasRecord pages through the person's records, newest first, until it
// finds the message.
func (l *Log) hasRecord(ctx context.Context, k RecordKey) (bool, error) {
	key := IDNrKey(k.IDNr)
	before := int64(math.MaxInt64)
	const page = 64
	for {
		rows, err := l.store.Records(ctx, key, math.MinInt64, math.MaxInt64, before, page)
		if err != nil {
			return false, fmt.Errorf("audit: reading records: %w", err)
		}
		for i := range rows {
			r, err := decodeRecordView(rows[i].Data[:len(rows[i].Data):len(rows[i].Data)])
			if err != nil || IDNrKey(r.IDNr) != key {
				return false, fmt.Errorf("audit: record %d is damaged (run Verify): %w", rows[i].Seq, errEncoding)
			}
			if r.MessageID == k.MessageID && r.IDNr == k.IDNr {
				return true, nil
			}
		}
		if len(rows) < page {
			return false, nil
		}
		before = rows[len(rows)-1].Seq
	}
}
