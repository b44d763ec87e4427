package audit

import (
	"context"
	"testing"
	"time"
)

// prefixStore serves rows 1..n to Scan and nothing else.
type prefixStore struct {
	Store
	n int64
}

func (f *prefixStore) Scan(ctx context.Context, from, to int64, fn func(*Row) error) error {
	for s := from; s <= to && s <= f.n; s++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(&Row{Seq: s, Data: []byte{1, 2, 3}}); err != nil {
			return err
		}
	}
	return nil
}

// TestScanCheckedCancelled: a context that ends during the scan must make
// scanChecked fail, never return success after a prefix of the log (which
// Verify would then report as missing segments, i.e. as tampering).
func TestScanCheckedCancelled(t *testing.T) {
	defer SetVerifyChunk(10)()
	const total = 200
	l := &Log{store: &prefixStore{n: total}}
	for it := range 300 {
		ctx, cancel := context.WithCancel(context.Background())
		seen := int64(0)
		err := l.scanChecked(ctx, total, func(r *Row, ok bool) {
			seen++
			if seen == 1 {
				time.Sleep(time.Millisecond) // let the readers fill the queue
				cancel()
			}
		})
		cancel()
		if err == nil && seen < total {
			t.Fatalf("run %d: nil error after %d of %d rows", it, seen, total)
		}
	}
}
