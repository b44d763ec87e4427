package registers_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A mock BVA that answers a lookup with another person's hit must not
// change the register: the ida client refuses the answer before it is
// protocolled or used, and Sync writes nothing of it.
func TestSyncHostileAnswer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w := makeWorld(5, 40)
	var truth []idnr.Person
	for _, p := range w.truth {
		if !p.HasInformationBlock() {
			truth = append(truth, p)
		}
	}
	truth = truth[:20]
	var entries []registers.Entry
	for i, p := range truth {
		c := p
		c.InformationBlocks, c.LastContact, c.FormerNameKinds = nil, idnr.MonthYear{}, nil
		c.Address.Street = "Alte Gasse" // outdated: a true answer would update it
		entries = append(entries, registers.Entry{Key: registers.Key(strconv.Itoa(i + 1)), Person: c})
	}
	reg, db := openSQLiteRegister(t, filepath.Join(dir, "reg.db"))
	defer db.Close()
	insertAll(t, reg, entries)
	before, err := reg.NextWithIDNr(ctx, "", 1000)
	require.NoError(t, err)

	auditPath := filepath.Join(dir, "audit.db")
	s := newStack(t, truth, auditPath, idatest.WithScript(idatest.FaultOtherPerson))
	sy, err := registers.NewSync(registers.SyncConfig{Register: reg, IDA: s.ida, Fields: reg.Fields(), Workers: 1, BatchSize: 64})
	require.NoError(t, err)
	_, err = sy.Run(ctx)
	require.Error(t, err, "the refused answer stops the pass")
	require.ErrorIs(t, err, ida.ErrAnswerMismatch)
	assert.False(t, ida.IsRetryable(err))
	for _, p := range truth {
		assert.NotContains(t, err.Error(), p.IDNr.String())
		assert.NotContains(t, err.Error(), p.FamilyName)
	}
	s.close()

	after, err := reg.NextWithIDNr(ctx, "", 1000)
	require.NoError(t, err)
	require.Equal(t, before, after, "the register is unchanged")
	// The first lookup (of truth[0]) was answered with another person and
	// refused; the other lookups of the batch were answered truly. So no
	// person is protocolled as received twice, and truth[0] not at all.
	recv := protocolled(t, auditPath)
	assert.Empty(t, recv[truth[0].IDNr], "no § 9 received record for the refused answer")
	for id, msgs := range recv {
		assert.Len(t, msgs, 1, "%v", id)
	}
}

// In the initial fill, a bulk answer whose items belong to other people
// writes no IDNr: each such search is reported, none is accepted.
func TestBackfillHostileAnswer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w := makeWorld(7, 30)
	reg, db := openSQLiteRegister(t, filepath.Join(dir, "reg.db"))
	defer db.Close()
	insertAll(t, reg, w.entries)
	auditPath := filepath.Join(dir, "audit.db")
	s := newStack(t, w.truth, auditPath, idatest.WithScript(idatest.FaultOtherPerson))
	defer s.close()
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: reg, IDA: s.ida, Matcher: theMatcher, BatchSize: 100, Workers: 1})
	require.NoError(t, err)
	_, err = bf.Run(ctx)
	require.NoError(t, err)
	refused := 0
	for key, st := range readState(t, db) {
		idn, _, _ := strings.Cut(st, "|")
		assert.Empty(t, idn, "key %s: no IDNr from a refused answer", key)
		if strings.Contains(st, "|answer_refused:") {
			refused++
		}
	}
	assert.Positive(t, refused, "the refusal is the reported reason")
	assert.Empty(t, protocolled(t, auditPath))
}
