package registers_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaults runs the backfill against a mock BVA that answers 10% of the
// requests with 503, 5% with 429 (Retry-After), lets 2% time out and
// sends 1% malformed bodies. The run must complete with the same register
// as a fault-free run (nothing lost), no message processed twice by the
// server, every written IDNr protocolled, and the protocol verifying.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 3000
	dir := t.TempDir()
	w := makeWorld(11, n)
	ctx := context.Background()

	refReg, refDB := openSQLiteRegister(t, filepath.Join(dir, "ref.db"))
	defer refDB.Close()
	insertAll(t, refReg, w.entries)
	ref := newStack(t, w.truth, filepath.Join(dir, "ref-audit.db"))
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: refReg, IDA: ref.client, Auth: ref.auth, Matcher: theMatcher, BatchSize: 50, Workers: 4})
	require.NoError(t, err)
	_, err = bf.Run(ctx)
	require.NoError(t, err)
	ref.close()
	want := readState(t, refDB)

	reg, db := openSQLiteRegister(t, filepath.Join(dir, "faults.db"))
	defer db.Close()
	insertAll(t, reg, w.entries)
	auditPath := filepath.Join(dir, "faults-audit.db")
	s := newStackConfig(t, w.truth, auditPath, func(c *ida.Config) {
		c.AttemptTimeout = 300 * time.Millisecond
		c.Retry = ida.Retry{Max: 3, WaitMin: 5 * time.Millisecond, WaitMax: 50 * time.Millisecond}
		c.Breaker = ida.Breaker{Failures: 4, OpenFor: 100 * time.Millisecond}
	}, idatest.WithFaults(idatest.Faults{Status503: 0.10, Status429: 0.05, Timeout: 0.02, Malformed: 0.01,
		TimeoutAfter: time.Second}), idatest.WithSeed(3),
		idatest.WithScript(idatest.Fault503, idatest.FaultMalformed, idatest.Fault429, idatest.FaultTimeout, idatest.FaultMalformed, idatest.FaultNone, idatest.FaultMalformed))
	defer s.close()
	bf, err = registers.NewBackfill(registers.BackfillConfig{Register: reg, IDA: s.client, Auth: s.auth, Matcher: theMatcher, BatchSize: 50, Workers: 4,
		MaxAttempts: 50, Backoff: 20 * time.Millisecond})
	require.NoError(t, err)
	rep, err := bf.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, n, rep.People)

	st := s.mock.Stats()
	t.Logf("mock: %d requests, %d processed, %d replayed, faults %v; client %+v", st.Requests, st.Processed, st.Replayed, st.Faults, s.client.Stats())
	assert.LessOrEqual(t, st.MaxProcessed, 1, "a message was processed twice")
	assert.Positive(t, st.Faults[idatest.Fault503])
	assert.Positive(t, st.Faults[idatest.Fault429])
	assert.Positive(t, st.Faults[idatest.FaultTimeout])
	assert.Positive(t, st.Faults[idatest.FaultMalformed])

	got := readState(t, db)
	require.Equal(t, want, got, "the register after faults differs from a fault-free run")

	s.log.Close()
	verifyAudit(t, auditPath)
	recs := protocolled(t, auditPath)
	for key, v := range got {
		if v[0] == '|' {
			continue
		}
		msg, err := reg.MessageOf(ctx, registers.Key(key))
		require.NoError(t, err)
		found := 0
		for _, m := range recs[idnr.MustParse(v[:11])] {
			if m == msg {
				found++
			}
		}
		require.Equal(t, 1, found, "key %s", key)
	}
}
