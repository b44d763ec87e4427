package registers_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifyProtocol: after a fill every written IDNr has the protocol
// record of the message that delivered it; an IDNr written into the
// register without a transfer, one whose stored message has no record
// (the record deleted, or another message stored), and one without a
// message are each reported, IDNrs masked.
func TestVerifyProtocol(t *testing.T) {
	const n = 400
	dir := t.TempDir()
	w := makeWorld(21, n)
	ctx := context.Background()
	reg, db := openSQLiteRegister(t, filepath.Join(dir, "reg.db"))
	defer db.Close()
	insertAll(t, reg, w.entries)
	auditPath := filepath.Join(dir, "audit.db")
	s := newStack(t, w.truth, auditPath)
	defer s.close()
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: reg, IDA: s.client, Auth: s.auth, Matcher: theMatcher, BatchSize: 50, Workers: 2})
	require.NoError(t, err)
	_, err = bf.Run(ctx)
	require.NoError(t, err)

	// Small pages and several workers, so that the order of the report
	// and the paging are exercised.
	opts := registers.VerifyProtocolOptions{BatchSize: 7, Workers: 3}
	rep, err := registers.VerifyProtocol(ctx, reg, s.log, opts)
	require.NoError(t, err)
	require.True(t, rep.OK(), rep.String())
	var accepted int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM people WHERE regmo_state = 1`).Scan(&accepted))
	require.Positive(t, accepted)
	assert.Equal(t, accepted, rep.Checked)

	// Three accepted records in key order.
	rows, err := db.Query(`SELECT id, idnr FROM people WHERE regmo_state = 1 ORDER BY id LIMIT 3`)
	require.NoError(t, err)
	var keys []int
	var ids []string
	for rows.Next() {
		var k int
		var id string
		require.NoError(t, rows.Scan(&k, &id))
		keys, ids = append(keys, k), append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.Len(t, keys, 3)
	// 1: another message stored (as if its record were deleted).
	_, err = db.Exec(`UPDATE people SET regmo_message = ? WHERE id = ?`, uuid.NewString(), keys[0])
	require.NoError(t, err)
	// 2: no message.
	_, err = db.Exec(`UPDATE people SET regmo_message = NULL WHERE id = ?`, keys[1])
	require.NoError(t, err)
	// 3: an IDNr written by hand into a record that got none, with a
	// message of the run (so the message exists, not for this IDNr).
	var pendingKey int
	require.NoError(t, db.QueryRow(`SELECT id FROM people WHERE idnr IS NULL ORDER BY id LIMIT 1`).Scan(&pendingKey))
	var msg string
	require.NoError(t, db.QueryRow(`SELECT regmo_message FROM people WHERE id = ?`, keys[2]).Scan(&msg))
	forged := idnrtest.New(99).Population(1)[0].IDNr
	_, err = db.Exec(`UPDATE people SET idnr = ?, regmo_state = 1, regmo_message = ? WHERE id = ?`, forged.String(), msg, pendingKey)
	require.NoError(t, err)

	var streamed []registers.Unprotocolled
	opts.OnMissing = func(u registers.Unprotocolled) error { streamed = append(streamed, u); return nil }
	rep, err = registers.VerifyProtocol(ctx, reg, s.log, opts)
	require.Error(t, err)
	assert.True(t, errors.Is(err, registers.ErrUnprotocolled))
	var ue *registers.UnprotocolledError
	require.ErrorAs(t, err, &ue)
	assert.False(t, rep.OK())
	assert.Equal(t, accepted+1, rep.Checked)
	assert.Equal(t, 3, rep.Unprotocolled)
	assert.Equal(t, rep.Missing, streamed)
	got := map[string]string{}
	for _, m := range rep.Missing {
		got[string(m.Key)] = m.Reason
	}
	assert.Equal(t, map[string]string{
		itoa(keys[0]): registers.ReasonNoRecord, itoa(keys[1]): registers.ReasonNoMessage, itoa(pendingKey): registers.ReasonNoRecord,
	}, got)
	for i := 1; i < len(rep.Missing); i++ {
		assert.Less(t, atoi(t, string(rep.Missing[i-1].Key)), atoi(t, string(rep.Missing[i].Key)), "key order")
	}
	for _, text := range []string{err.Error(), rep.String()} {
		for _, id := range append(ids, forged.String()) {
			assert.NotContains(t, text, id)
		}
	}
	assert.Contains(t, err.Error(), forged.Masked())

	// MaxListed bounds the list, not the count.
	opts.OnMissing, opts.MaxListed = nil, 1
	rep, _ = registers.VerifyProtocol(ctx, reg, s.log, opts)
	assert.Equal(t, 3, rep.Unprotocolled)
	assert.Len(t, rep.Missing, 1)

	// Each page is one entry in the read-access log.
	page, err := s.log.Accesses(ctx, audit.Access{Who: "t", Purpose: audit.DataProtectionCheck}, audit.AccessQuery{})
	require.NoError(t, err)
	assert.NotEmpty(t, page.Entries)
}

// TestVerifyProtocolNeedsLister: a register that cannot list its written
// IDNrs is refused, not reported verified.
func TestVerifyProtocolNeedsLister(t *testing.T) {
	_, err := registers.VerifyProtocol(context.Background(), &plainRegister{}, nil, registers.VerifyProtocolOptions{})
	assert.ErrorIs(t, err, registers.ErrNoWrittenLister)
}

func itoa(i int) string { return strconv.Itoa(i) }

func atoi(t *testing.T, s string) int {
	t.Helper()
	i, err := strconv.Atoi(s)
	require.NoError(t, err)
	return i
}
