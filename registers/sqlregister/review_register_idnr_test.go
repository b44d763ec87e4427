package sqlregister_test

import (
	"context"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The register's own IDNr column decides what a clerk's case is, as it
// does for the fill: a blank column (empty or spaces) holds no IDNr, and a
// record whose own IDNr is invalid or held twice is a case too. Each of
// them is on the work list and takes a clerk's decision (Accept, Reject,
// correct and search again); none is refused as settled.
func TestReviewRegisterIDNrColumn(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr INTEGER PRIMARY KEY")
		dup := testIDNr(t, 1).String()
		bad := testIDNr(t, 2).String()
		bad = bad[:10] + string(rune('0'+(bad[10]-'0'+1)%10)) // wrong check digit
		truth := map[string]idnr.Person{}
		for i, fam := range []string{"Leer", "Blank", "Kurz", "Falsch", "Doppelt", "Zweimal"} {
			p := vendorTruth(t, i, fam, "Köln")
			if fam == "Zweimal" {
				p.IDNr = testIDNr(t, 1) // the BVA knows record 6 under the doubly held number
			}
			truth[searchKey(&p)] = p
		}
		// "Anja" against the BVA's "Anna": the fake matcher's review case.
		v.row(t, 1, "Leer", "Anja", "1980-05-17", "w", 50667, "Köln", "")
		v.row(t, 2, "Blank", "Anja", "1980-05-17", "w", 50667, "Köln", "   ")
		v.row(t, 3, "Kurz", "Anja", "1980-05-17", "w", 50667, "Köln", "12345")
		v.row(t, 4, "Falsch", "Anja", "1980-05-17", "w", 50667, "Köln", bad)
		v.row(t, 5, "Doppelt", "Anna", "1980-05-17", "w", 50667, "Köln", dup)
		v.row(t, 6, "Zweimal", "Anna", "1980-05-17", "w", 50667, "Köln", dup)
		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		require.Equal(t, sqlregister.ExistingIDNrs{Invalid: 2, Duplicate: 2}, r.Existing())
		fake := &fakeIDA{truth: truth, sent: map[string]int{}}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: fake, Matcher: fakeMatcher, BatchSize: 10})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, rep.Reasons["review/"+registers.ReasonMatchReview], "%v", rep.Reasons)

		wb, err := review.New(review.Config{Store: r, Policy: policy, Access: &accessLog{}, Matcher: fakeMatcher, Identifier: fake, LegalBasis: "§ 6 Abs. 3 IDNrG"})
		require.NoError(t, err)
		page, _, err := wb.List(ctx, clerk, review.Filter{}, "", 100)
		require.NoError(t, err)
		reasons := map[registers.Key]string{}
		for _, s := range page {
			reasons[s.Key] = s.Reason
		}
		assert.Equal(t, map[registers.Key]string{
			"1": registers.ReasonMatchReview, "2": registers.ReasonMatchReview,
			"3": registers.ReasonIDNrInvalidInRegister, "4": registers.ReasonIDNrInvalidInRegister,
			"5": registers.ReasonIDNrDuplicateInRegister, "6": registers.ReasonIDNrDuplicateInRegister,
		}, reasons, "every case is on the work list")
		counts, err := wb.Counts(ctx, clerk, review.Filter{})
		require.NoError(t, err)
		assert.Equal(t, map[string]int{registers.ReasonMatchReview: 2, registers.ReasonIDNrInvalidInRegister: 2, registers.ReasonIDNrDuplicateInRegister: 2}, counts)

		// An empty IDNr column: Accept writes the candidate's IDNr.
		c, err := wb.Open(ctx, clerk, "1")
		require.NoError(t, err)
		require.True(t, c.Open)
		require.True(t, c.HasCandidate)
		out, err := wb.Decide(ctx, clerk, review.Decision{ID: "d-1", Key: "1", Kind: review.Accept, Version: c.Version})
		require.NoError(t, err)
		assert.Equal(t, registers.Accepted, out.Outcome)
		e, ok, err := r.ByIDNr(ctx, c.Candidate.IDNr)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, registers.Key("1"), e.Key)

		// A column of spaces: Reject closes the case.
		_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-2", Key: "2", Kind: review.Reject, Reason: "andere Person laut Akte"})
		require.NoError(t, err)
		st, _, err := r.LoadCase(ctx, "2")
		require.NoError(t, err)
		assert.Equal(t, review.Reject, st.Closed)
		assert.False(t, st.Open)

		// An invalid IDNr of the register: Reject closes it.
		c, err = wb.Open(ctx, clerk, "3")
		require.NoError(t, err)
		require.True(t, c.Open)
		_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-3", Key: "3", Kind: review.Reject, Reason: "Nummer beim Bürger erfragen"})
		require.NoError(t, err)
		st, _, err = r.LoadCase(ctx, "3")
		require.NoError(t, err)
		assert.Equal(t, review.Reject, st.Closed)

		// An invalid IDNr with a wrong check digit: a search gives a
		// candidate, and Accept replaces the invalid number with it.
		out, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-4s", Key: "4", Kind: review.SearchAgain, Texts: map[string]string{"house_number": "1a"}})
		require.NoError(t, err)
		assert.Equal(t, registers.Review, out.Outcome)
		c, err = wb.Open(ctx, clerk, "4")
		require.NoError(t, err)
		require.True(t, c.Open)
		require.True(t, c.HasCandidate)
		out, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-4", Key: "4", Kind: review.Accept, Version: c.Version})
		require.NoError(t, err)
		assert.Equal(t, registers.Accepted, out.Outcome)
		e, ok, err = r.ByIDNr(ctx, c.Candidate.IDNr)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, registers.Key("4"), e.Key)
		snap := v.snapshot(t, "steuer_id")
		assert.Equal(t, "true:"+`"`+c.Candidate.IDNr.String()+`"`, snap[3])

		// A doubly held IDNr: the search for record 5 finds its own number,
		// which replaces the shared one (and frees it); the search for
		// record 6 finds the shared number, which it now holds alone.
		c, err = wb.Open(ctx, clerk, "5")
		require.NoError(t, err)
		require.True(t, c.Open)
		_, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-6d", Key: "6", Kind: review.Defer, Note: "Rückfrage"})
		require.NoError(t, err)
		out, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-5", Key: "5", Kind: review.SearchAgain, Texts: map[string]string{"house_number": "1a"}})
		require.NoError(t, err)
		assert.Equal(t, registers.Accepted, out.Outcome)
		out, err = wb.Decide(ctx, clerk, review.Decision{ID: "d-6", Key: "6", Kind: review.SearchAgain, Version: 1, Texts: map[string]string{"house_number": "1a"}})
		require.NoError(t, err)
		assert.Equal(t, registers.Accepted, out.Outcome, "%+v", out)
		e, ok, err = r.ByIDNr(ctx, testIDNr(t, 1))
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, registers.Key("6"), e.Key)

		page, _, err = wb.List(ctx, clerk, review.Filter{}, "", 100)
		require.NoError(t, err)
		assert.Empty(t, page)
		// The register's own values of the rejected cases are untouched.
		snap = v.snapshot(t, "steuer_id")
		assert.Equal(t, []string{`true:"   "`, `true:"12345"`}, []string{snap[1], snap[2]})
		assert.Equal(t, []string{`true:"` + testIDNr(t, 104).String() + `"`, `true:"` + dup + `"`}, snap[4:])
	})
}
