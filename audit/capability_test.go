package audit_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
)

// coreStore hides every optional capability of a store: only audit.Store's
// methods are visible to New's type assertions.
type coreStore struct{ audit.Store }

// TestCoreStore: a store with the core methods only works for appends,
// Verify, Purge and checkpoints; every read of the protocol is refused
// before a record is read (a read that cannot be recorded is not served),
// and so are the transport log, legal holds and a checkpoint reset.
func TestCoreStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "a.db"))
	require.NoError(t, err)
	var core audit.Store = coreStore{st}
	_, isAcc := core.(audit.AccessLogStore)
	_, isTr := core.(audit.TransportLogStore)
	_, isHold := core.(audit.HoldStore)
	require.False(t, isAcc || isTr || isHold)

	_, err = audit.New(ctx, core, audit.Options{SigningKey: audittest.Key, CheckpointFile: filepath.Join(dir, "cp"), CheckpointReset: "Ticket 1"})
	require.ErrorIs(t, err, audit.ErrNoCapability, "a reset must be recorded in the transport log")

	clock := audittest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	l, err := audit.New(ctx, core, audit.Options{SigningKey: audittest.Key, Clock: clock.Now, CheckpointFile: filepath.Join(dir, "cp")})
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, l.Append(ctx, audittest.NewRecord(1, time.Time{}), audittest.NewRecord(2, time.Time{})))

	dsc := audit.Access{Who: "dsc-gateway", Purpose: audit.Datenschutzcockpit}
	p, err := l.Query(ctx, dsc, audit.Query{IDNr: audittest.IDNr(1)})
	require.ErrorIs(t, err, audit.ErrNoCapability)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.Empty(t, p.Records)
	_, err = l.Accesses(ctx, dsc, audit.AccessQuery{})
	require.ErrorIs(t, err, audit.ErrNoCapability)
	_, err = l.HasRecords(ctx, dsc, []audit.RecordKey{{IDNr: audittest.IDNr(1)}})
	require.ErrorIs(t, err, audit.ErrNoCapability)

	require.ErrorIs(t, l.AppendTransport(ctx, audit.TransportEvent{Kind: "sent", Actor: "ida"}), audit.ErrNoCapability)
	_, err = l.Transport(ctx, [16]byte{1})
	require.ErrorIs(t, err, audit.ErrNoCapability)

	_, err = l.PlaceHold(ctx, audit.Hold{From: clock.Now(), To: clock.Now().Add(time.Hour), Until: clock.Now().Add(time.Hour), Reason: "r", Who: "w"})
	require.ErrorIs(t, err, audit.ErrNoCapability)
	require.ErrorIs(t, l.ReleaseHold(ctx, 1), audit.ErrNoCapability)
	hs, err := l.Holds(ctx)
	require.NoError(t, err)
	require.Empty(t, hs)

	rep, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, rep.Records)
	notes := strings.Join(rep.Notes, "\n")
	assert.Contains(t, notes, "no access log")
	assert.Contains(t, notes, "no transport log")

	clock.Set(clock.Now().Add(audit.DefaultRetention + 48*time.Hour))
	res, err := l.Purge(ctx)
	require.NoError(t, err)
	assert.Len(t, res.Segments, 1)
	_, err = l.Verify(ctx)
	require.NoError(t, err)
	cp, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	assert.Zero(t, cp.Access.ID)
	assert.Zero(t, cp.Transport.ID)
}
