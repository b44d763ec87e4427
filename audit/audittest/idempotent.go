package audittest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

func init() {
	register("Idempotent", testIdempotent)
}

// testIdempotent: appending a record again under its ID (a retry after
// ErrOutcomeUnknown) stores it once; the same ID with other content is
// refused with ErrDuplicateID and nothing of that Append is stored.
func testIdempotent(t *testing.T, h Harness) {
	ctx := context.Background()
	l := open(t, h, NewClock(t0))
	defer l.Close()
	recs := []audit.Record{NewRecord(1, t0), NewRecord(1, t0), NewRecord(2, t0)}
	must(t, l.Append(ctx, recs...), "append")
	// The retry: same records (IDs and times now set in recs).
	must(t, l.Append(ctx, recs...), "retry")
	// A retry of part of them together with a new record.
	fresh := NewRecord(1, t0)
	must(t, l.Append(ctx, recs[1], fresh), "partial retry")
	// Concurrent retries of the same record from many goroutines.
	again := []audit.Record{NewRecord(3, t0)}
	must(t, l.Append(ctx, again...), "append 3")
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 16 {
		wg.Go(func() { errs <- l.Append(ctx, again[0]) })
	}
	// A new record appended concurrently by many goroutines under one ID.
	twin := NewRecord(4, t0)
	twin.ID = uuid.New()
	for range 16 {
		wg.Go(func() { errs <- l.Append(ctx, twin) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err, "concurrent retry")
	}
	for p, want := range map[int]int{1: 3, 2: 1, 3: 1, 4: 1} {
		pg, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(p)})
		must(t, err, "query")
		if len(pg.Records) != want {
			t.Fatalf("person %d has %d records, want %d", p, len(pg.Records), want)
		}
	}
	cp, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	if cp.Size != 6 {
		t.Fatalf("log holds %d records, want 6", cp.Size)
	}

	// Same ID, different content: refused, and the other record of that
	// Append is not stored either.
	changed := recs[0]
	changed.Purpose = "something else"
	other := NewRecord(5, t0)
	err = l.Append(ctx, other, changed)
	var fe *audit.FieldError
	if !errors.Is(err, audit.ErrDuplicateID) || !errors.As(err, &fe) || fe.Field != "ID" || fe.Index != 1 {
		t.Fatalf("changed content under a stored ID: err = %v, want ErrDuplicateID on item 1 ID", err)
	}
	// Within one Append, too.
	dup := NewRecord(6, t0)
	dup.ID = uuid.New()
	dup2 := NewRecord(6, t0.Add(1))
	dup2.ID = dup.ID
	if err := l.Append(ctx, dup, dup2); !errors.Is(err, audit.ErrDuplicateID) {
		t.Fatalf("two contents under one ID in one Append: err = %v", err)
	}
	cp, err = l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	if cp.Size != 6 {
		t.Fatalf("log holds %d records after refused appends, want 6", cp.Size)
	}
	_, err = l.Verify(ctx)
	must(t, err, "verify")
	// After a reopen the IDs are still known.
	must(t, l.Close(), "close")
	l = open(t, h, NewClock(t0))
	defer l.Close()
	must(t, l.Append(ctx, recs...), "retry after reopen")
	if err := l.Append(ctx, changed); !errors.Is(err, audit.ErrDuplicateID) {
		t.Fatalf("after reopen: err = %v, want ErrDuplicateID", err)
	}
	cp, err = l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	if cp.Size != 6 {
		t.Fatalf("log holds %d records after reopen and retry, want 6", cp.Size)
	}
}
