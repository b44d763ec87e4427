package audit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newLog(t *testing.T, opts audit.Options) *audit.Log {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "a.db"))
	require.NoError(t, err)
	if opts.SigningKey == nil {
		opts.SigningKey = audittest.Key
	}
	l, err := audit.New(context.Background(), st, opts)
	require.NoError(t, err)
	return l
}

// No goroutine outlives Close: the committer and the store's are gone.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	l := newLog(t, audit.Options{})
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Go(func() {
			for range 10 {
				assert.NoError(t, l.Append(context.Background(), audittest.NewRecord(w, time.Time{})))
			}
		})
	}
	wg.Wait()
	_, err := l.Query(context.Background(), audit.Access{Who: "dsb", Purpose: audit.DataProtectionCheck}, audit.Query{IDNr: audittest.IDNr(1)})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	assert.ErrorIs(t, l.Close(), audit.ErrClosed)
}

// Close while many goroutines append: every Append either succeeded (and
// its record is durable) or returned ErrClosed; nothing panics or hangs.
func TestCloseWhileAppending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	st, err := sqlite.Open(path)
	require.NoError(t, err)
	l, err := audit.New(context.Background(), st, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	var mu sync.Mutex
	ok := 0
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for {
				err := l.Append(context.Background(), audittest.NewRecord(w, time.Time{}))
				if errors.Is(err, audit.ErrClosed) {
					return
				}
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, l.Close())
	wg.Wait()
	st, err = sqlite.Open(path)
	require.NoError(t, err)
	l, err = audit.New(context.Background(), st, audit.Options{SigningKey: audittest.Key})
	require.NoError(t, err)
	defer l.Close()
	rep, err := l.Verify(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, ok, rep.Records, "acknowledged = stored")
}

func TestAppendContext(t *testing.T) {
	l := newLog(t, audit.Options{})
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})), context.Canceled)
	assert.NoError(t, l.Append(context.Background()), "no records")
}

// Nothing the log writes to its logger, and no error, shows an IDNr.
func TestNoIDNrInLogsOrErrors(t *testing.T) {
	var buf bytes.Buffer
	clock := audittest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLog(t, audit.Options{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), Clock: clock.Now})
	defer l.Close()
	ctx := context.Background()
	id := audittest.IDNr(4)
	r := audittest.NewRecord(4, time.Time{})
	r.Purpose = ""
	err := l.Append(ctx, r)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), id.String())
	require.NoError(t, l.Append(ctx, audittest.NewRecord(4, time.Time{})))
	_, err = l.PlaceHold(ctx, audit.Hold{From: clock.Now(), To: clock.Now().Add(time.Hour), Until: clock.Now().Add(time.Hour), Reason: "re " + id.String(), Who: "x"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), id.String())
	_, err = l.Query(ctx, audit.Access{Who: "dsb", Purpose: audit.DataProtectionCheck, Reason: "about " + id.String()}, audit.Query{IDNr: id})
	require.Error(t, err, "an access reason with an IDNr would put it into the access log")
	clock.Add(800 * 24 * time.Hour)
	_, err = l.Purge(ctx)
	require.NoError(t, err)
	assert.NotContains(t, buf.String(), id.String())
	assert.Contains(t, buf.String(), "purge")
}

func TestOptionsValidation(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "a.db"))
	require.NoError(t, err)
	defer st.Close()
	_, err = audit.New(context.Background(), st, audit.Options{SigningKey: []byte("short")})
	var fe *audit.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Options.SigningKey", fe.Field)
	_, err = audit.New(context.Background(), nil, audit.Options{})
	require.Error(t, err)
}

// A clock that goes back never puts records into a closed segment.
func TestClockGoesBack(t *testing.T) {
	clock := audittest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	l := newLog(t, audit.Options{Clock: clock.Now})
	defer l.Close()
	ctx := context.Background()
	require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})))
	clock.Add(24 * time.Hour)
	require.NoError(t, l.Rotate(ctx))
	require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})))
	clock.Add(-48 * time.Hour)
	require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})))
	require.NoError(t, l.Rotate(ctx))
	clock.Add(72 * time.Hour)
	require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{})))
	rep, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 4, rep.Records)
}

// Verify and Checkpoint while appends run (and segments close) find nothing.
func TestVerifyWhileAppending(t *testing.T) {
	clock := audittest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	l := newLog(t, audit.Options{Clock: clock.Now})
	defer l.Close()
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var appended atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if w == 0 && i%5 == 4 {
					clock.Add(24 * time.Hour)
				}
				assert.NoError(t, l.Append(ctx, audittest.NewRecord(w, time.Time{})))
				appended.Add(1)
			}
		})
	}
	// At least 10 rounds, and on until the writers have appended enough
	// for several segments to close.
	for i := 0; i < 10 || appended.Load() < 100; i++ {
		cp, err := l.Checkpoint(ctx)
		require.NoError(t, err)
		_, err = l.Verify(ctx)
		require.NoError(t, err)
		_, err = l.VerifyAgainst(ctx, cp)
		require.NoError(t, err)
	}
	close(stop)
	wg.Wait()
	rep, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.Greater(t, rep.Segments, 0)
}

// TestConformanceSmallVerifyChunks runs the conformance suite (tampering,
// retention, holds, crash recovery checks included) with Verify reading
// chunks of 3 positions, so that every kind of tampering straddles chunk
// boundaries and the parallel readers' results must be put back in order.
func TestConformanceSmallVerifyChunks(t *testing.T) {
	defer audit.SetVerifyChunk(3)()
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		path := filepath.Join(t.TempDir(), "audit.db")
		var raw *sqlite.Store
		return audittest.Harness{
			Open: func() (audit.Store, error) { return sqlite.Open(path) },
			Exec: func(q string, args ...any) error {
				if raw == nil {
					var err error
					if raw, err = sqlite.Open(path); err != nil {
						return err
					}
					t.Cleanup(func() { raw.Close() })
				}
				db := raw.DB()
				if strings.Contains(q, "audit_access") || strings.Contains(q, "audit_transport") {
					db = raw.AccessDB() // the access file
				}
				_, err := db.Exec(q, args...)
				return err
			},
			Tables: audittest.Tables{Records: "audit_records", Anchors: "audit_anchors", Access: "audit_access",
				Transport: "audit_transport", Holds: "audit_holds"},
		}
	})
}
