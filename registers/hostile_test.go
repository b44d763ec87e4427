package registers_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A mock BVA that answers a lookup with another person's hit must not
// change that person's record: the ida client refuses the answer before it
// is protocolled or used, and Sync makes it a case for the clerks (reason
// answer_refused:<field>) and writes nothing of it. The other records of
// the pass are synced all the same: one hostile or broken answer does not
// halt the sync of everyone else.
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
	sy, err := registers.NewSync(s.syncConfig(reg, 1, 64))
	require.NoError(t, err)
	rep, err := sy.Run(ctx)
	require.NoError(t, err, "a refused answer is one record's outcome, not the pass's")
	s.close()

	// The refused answer is a case for the clerks, with the field the
	// client refused it for, and no personal data in its reason.
	c, ok, err := reg.ReviewCase(ctx, "1")
	require.NoError(t, err)
	require.True(t, ok, "the refused lookup is a case for the clerks")
	assert.Equal(t, registers.Rejected, c.Outcome)
	assert.True(t, strings.HasPrefix(c.Reason, "answer_refused:"), "reason %q", c.Reason)
	assert.Zero(t, c.Candidate.IDNr, "nothing of the refused answer is kept")
	for _, p := range truth {
		assert.NotContains(t, c.Reason, p.IDNr.String())
		assert.NotContains(t, c.Reason, p.FamilyName)
	}
	assert.Equal(t, 1, rep.Outcomes["rejected"])

	after, err := reg.NextWithIDNr(ctx, "", 1000)
	require.NoError(t, err)
	require.Len(t, after, len(before))
	require.Equal(t, before[0], after[0], "the refused person's record is unchanged")
	// The other records of the pass are still synced: their outdated
	// street was replaced by the BZSt's.
	for i := 1; i < len(after); i++ {
		assert.Equal(t, truth[i].Address.Street, after[i].Person.Address.Street, "key %s synced", after[i].Key)
	}
	assert.Equal(t, len(truth)-1, rep.Outcomes["updated"])

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
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: reg, IDA: s.client, Auth: s.auth, Matcher: theMatcher, BatchSize: 100, Workers: 1})
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
