package sqlregister_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accessLog records the read accesses of the workbench.
type accessLog struct {
	mu      sync.Mutex
	entries []audit.Access
}

func (a *accessLog) RecordRead(_ context.Context, acc audit.Access, _ int) error {
	if err := acc.Validate(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, acc)
	return nil
}

var (
	clerk    = review.Clerk{ID: "sb-17", Role: "sachbearbeitung", Purpose: "erstbefuellung-klaerung"}
	reader   = review.Clerk{ID: "lese-1", Role: "lesen", Purpose: "erstbefuellung-klaerung"}
	outsider = review.Clerk{ID: "x-1", Role: "fremd", Purpose: "erstbefuellung-klaerung"}
	policy   = review.Policy{Rules: []review.Rule{
		{Role: "sachbearbeitung", Purposes: []string{"erstbefuellung-klaerung"}, Actions: []review.Action{review.ActionRead, review.ActionDecide, review.ActionSearch}},
		{Role: "lesen", Purposes: []string{"erstbefuellung-klaerung"}, Actions: []review.Action{review.ActionRead}},
	}}
)

// TestReviewSQLite and TestReviewPostgres run the workbench's conformance
// test on both databases.
func TestReviewSQLite(t *testing.T) {
	truth, entries := population(t, 300)
	r, _ := newSQLiteRegister(t, entries)
	testReview(t, r, truth, entries[0].Person, intKey)
}

func TestReviewPostgres(t *testing.T) {
	truth, entries := population(t, 300)
	r, _ := pgRegister(t, entries)
	testReview(t, r, truth, entries[0].Person, intKey)
}

// intKey is the key of record i of population in an integer-keyed
// register.
func intKey(i int) registers.Key { return registers.Key(strconv.Itoa(i)) }

// testReview fills the register of population(300) and then a second
// record of person 1 (key 301), which becomes an idnr_already_assigned
// case with holder 1. k gives the key of record i (keys in the order of
// i). The second record is inserted after the first fill
// so that it is deterministic which of the two gets the IDNr: in one fill
// with two workers either record can be written first (the other is then
// the case), and the test would pin a race.
func testReview(t *testing.T, r *sqlregister.Register, truth map[string]idnr.Person, first idnr.Person, k func(int) registers.Key) {
	ctx := context.Background()
	fake := &fakeIDA{truth: truth, sent: map[string]int{}}
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: fake, Matcher: fakeMatcher, BatchSize: 64, Workers: 2})
	require.NoError(t, err)
	_, err = bf.Run(ctx)
	require.NoError(t, err)
	require.NoError(t, r.Insert(ctx, []registers.Entry{{Key: k(301), Person: first}}))
	rep, err := bf.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.People, "the second fill reads only the new record")

	acc := &accessLog{}
	wb, err := review.New(review.Config{Store: r, Policy: policy, Access: acc, Matcher: fakeMatcher, Identifier: fake, LegalBasis: "§ 6 Abs. 3 IDNrG"})
	require.NoError(t, err)

	// The work list: 12 no-search (i%25), 24 review (i%10, not %50), 1 duplicate.
	counts, err := wb.Counts(ctx, clerk, review.Filter{})
	require.NoError(t, err)
	total := 0
	for _, n := range counts {
		total += n
	}
	assert.Equal(t, 37, total, "%v", counts)
	assert.Equal(t, 1, counts[registers.ReasonIDNrAssigned])
	var all []review.Summary
	after := registers.Key("")
	for {
		page, next, err := wb.List(ctx, clerk, review.Filter{}, after, 7)
		require.NoError(t, err)
		all = append(all, page...)
		if next == "" {
			break
		}
		after = next
	}
	require.Len(t, all, 37)
	index := map[registers.Key]int{}
	for i := 1; i <= 301; i++ {
		index[k(i)] = i
	}
	for i := 1; i < len(all); i++ {
		require.Less(t, index[all[i-1].Key], index[all[i].Key], "key order: %s before %s", all[i-1].Key, all[i].Key)
	}
	rev, _, err := wb.List(ctx, clerk, review.Filter{Outcome: registers.Review, HasScore: true, MinScore: 3, MaxScore: 4}, "", 100)
	require.NoError(t, err)
	assert.Len(t, rev, 24)
	// The previous and next case under a filter, by keyset on the store.
	prev, next, err := wb.Neighbours(ctx, clerk, review.Filter{Outcome: registers.Review, HasScore: true, MinScore: 3, MaxScore: 4}, rev[1].Key)
	require.NoError(t, err)
	assert.Equal(t, rev[0].Key, prev)
	assert.Equal(t, rev[2].Key, next)
	prev, next, err = wb.Neighbours(ctx, clerk, review.Filter{}, all[0].Key)
	require.NoError(t, err)
	assert.Equal(t, registers.Key(""), prev)
	assert.Equal(t, all[1].Key, next)

	// Roles: no role, read-only, unauthenticated.
	_, _, err = wb.List(ctx, outsider, review.Filter{}, "", 10)
	require.ErrorIs(t, err, review.ErrForbidden)
	_, err = wb.Open(ctx, outsider, k(10))
	require.ErrorIs(t, err, review.ErrForbidden)
	_, err = wb.Decide(ctx, reader, review.Decision{ID: "r1", Key: k(10), Kind: review.Defer})
	require.ErrorIs(t, err, review.ErrForbidden)
	_, err = wb.Open(ctx, review.Clerk{}, k(10))
	require.ErrorIs(t, err, review.ErrUnauthenticated)
	assert.Empty(t, acc.entries, "refused reads are not served, so not logged")

	// Open: one read-access entry, both records, the comparison.
	c, err := wb.Open(ctx, clerk, k(10))
	require.NoError(t, err)
	require.Len(t, acc.entries, 1)
	assert.Equal(t, audit.Access{Who: "sb-17", Purpose: audit.CaseWork, Reason: "Fall " + string(k(10))}, acc.entries[0])
	assert.True(t, c.HasCandidate)
	assert.True(t, c.Open)
	assert.Equal(t, "Erica", c.Register.Person.GivenNames)
	assert.Equal(t, "Erika Anna", c.Candidate.GivenNames)
	assert.NotEmpty(t, c.MessageID)

	// Accept: the IDNr and the transferred data, linked to the message.
	out, err := wb.Decide(ctx, clerk, review.Decision{ID: "d-10", Key: k(10), Kind: review.Accept, Version: c.Version})
	require.NoError(t, err)
	assert.False(t, out.Replayed)
	assert.Equal(t, registers.Accepted, out.Outcome)
	e, ok, err := r.ByIDNr(ctx, c.Candidate.IDNr)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, k(10), e.Key)
	// The register writes only the IDNr on Accept (Config.Write is
	// empty), a clerk's Accept as much as the backfill's: the given names
	// stay the register's.
	assert.Equal(t, "Erica", e.Person.GivenNames)
	msg, err := r.MessageOf(ctx, k(10))
	require.NoError(t, err)
	assert.Equal(t, c.MessageID, msg)
	// A double submit decides once; another decision on a settled case is refused.
	again, err := wb.Decide(ctx, clerk, review.Decision{ID: "d-10", Key: k(10), Kind: review.Accept, Version: c.Version})
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, 1, again.Seq)
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-10b", Key: k(10), Kind: review.Reject, Reason: "x", Version: 1})
	require.ErrorIs(t, err, review.ErrNotOpen)
	c, err = wb.Open(ctx, clerk, k(10))
	require.NoError(t, err)
	require.Len(t, c.History, 1)
	assert.Equal(t, "sb-17", c.History[0].Clerk)
	assert.False(t, c.Open)

	// Reject needs a reason; then it is closed and off the list.
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-20", Key: k(20), Kind: review.Reject})
	var ie *review.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "reason", ie.Field)
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-20", Key: k(20), Kind: review.Reject, Reason: "andere Person laut Akte"})
	require.NoError(t, err)
	page, _, err := wb.List(ctx, clerk, review.Filter{Key: k(20)}, "", 10)
	require.NoError(t, err)
	assert.Empty(t, page)
	st, _, err := r.LoadCase(ctx, k(20))
	require.NoError(t, err)
	assert.Equal(t, review.Reject, st.Closed)
	assert.Equal(t, "andere Person laut Akte", st.History[0].Reason)

	// Defer keeps the case open with a note; a stale version conflicts.
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-30", Key: k(30), Kind: review.Defer, Note: "Rückfrage beim Bürger"})
	require.NoError(t, err)
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-30b", Key: k(30), Kind: review.Defer, Version: 0})
	var ce *review.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1, ce.Version)
	page, _, err = wb.List(ctx, clerk, review.Filter{Key: k(30)}, "", 10)
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.True(t, page[0].Deferred)
	assert.Equal(t, 1, page[0].Version)

	// Two clerks at once: exactly one wins, the others get a conflict.
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = wb.Decide(ctx, clerk, review.Decision{ID: "race-" + strconv.Itoa(i), Key: k(40), Kind: review.Reject, Reason: "Test"})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		require.True(t, errors.Is(err, review.ErrConflict) || errors.Is(err, review.ErrNotOpen), "%v", err)
	}
	assert.Equal(t, 1, won)

	// The duplicate: Accept is refused (record 1 holds the IDNr), Merge marks it.
	dup, err := wb.Open(ctx, clerk, k(301))
	require.NoError(t, err)
	assert.Equal(t, registers.ReasonIDNrAssigned, dup.Reason)
	assert.Equal(t, k(1), dup.Holder)
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-301a", Key: k(301), Kind: review.Accept})
	var he *review.IDNrHeldError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, k(1), he.Holder)
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-60m", Key: k(60), Kind: review.Merge})
	require.ErrorAs(t, err, &ie, "merge only for idnr_already_assigned")
	out, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-301", Key: k(301), Kind: review.Merge, Note: "gleiche Person"})
	require.NoError(t, err)
	assert.Equal(t, k(1), out.Holder)
	st, _, err = r.LoadCase(ctx, k(301))
	require.NoError(t, err)
	assert.Equal(t, review.Merge, st.Closed)

	// Correct and search again: record 25 had no address and no given
	// names; with them the search finds the person and the case settles.
	c, err = wb.Open(ctx, clerk, k(25))
	require.NoError(t, err)
	assert.Equal(t, registers.NoSearch, c.Outcome)
	var p idnr.Person
	for _, q := range truth {
		if q.FamilyName == "Muster"+letters(25) && q.BirthDate == idnr.MustDate(1975, 2, 26) {
			p = q
		}
	}
	require.False(t, p.IDNr.IsZero())
	_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-25x", Key: k(25), Kind: review.SearchAgain, Texts: map[string]string{"birth_date": "31.31.1975"}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "birth_date", ie.Field)
	sentBefore := fake.calls
	out, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-25", Key: k(25), Kind: review.SearchAgain, Texts: map[string]string{
		"given_names": "Erika Anna", "street": p.Address.Street, "house_number": p.Address.HouseNumber,
		"postal_code": p.Address.PostalCode, "city": p.Address.City}})
	require.NoError(t, err)
	assert.Equal(t, sentBefore+1, fake.calls, "one search")
	assert.Equal(t, registers.Accepted, out.Outcome)
	assert.ElementsMatch(t, []string{"given_names", "street", "house_number", "postal_code", "city"}, out.Corrected)
	e, ok, err = r.ByIDNr(ctx, p.IDNr)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, k(25), e.Key)
	msg, err = r.MessageOf(ctx, k(25))
	require.NoError(t, err)
	assert.Equal(t, out.MessageID, msg)
	assert.NotEmpty(t, msg)

	// A search again that still finds the person but with a conflicting
	// given name comes back open with the new evidence.
	out, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-70", Key: k(70), Kind: review.SearchAgain, Texts: map[string]string{"given_names": "Erik"}})
	require.NoError(t, err)
	assert.Equal(t, registers.Review, out.Outcome)
	c, err = wb.Open(ctx, clerk, k(70))
	require.NoError(t, err)
	assert.True(t, c.Open)
	assert.Equal(t, 1, c.Version)
	assert.Equal(t, "Erik", c.Register.Person.GivenNames)

	// Every opening was logged (10, 10, 301, 25, 70).
	assert.Len(t, acc.entries, 5)
}
