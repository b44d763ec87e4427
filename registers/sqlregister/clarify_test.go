package sqlregister_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeBVA serves clarification pages from a list and records replies.
type fakeBVA struct {
	reqs    []ida.ClarificationRequest
	refused int
	replies []ida.ClarificationReply
	fail    error
}

func (f *fakeBVA) Clarifications(_ context.Context, _ ida.Auth, since string) (ida.ClarificationPage, error) {
	from := 0
	if since != "" {
		from, _ = strconv.Atoi(since)
	}
	p := ida.ClarificationPage{Next: since, MessageID: uuid.New()}
	for i := from; i < len(f.reqs) && i < from+2; i++ {
		p.Requests = append(p.Requests, f.reqs[i])
		p.Next = strconv.Itoa(i + 1)
	}
	if from == 0 && f.refused > 0 {
		for range f.refused {
			p.Refused = append(p.Refused, &ida.FieldError{Field: "ClarificationRequest.Reference", Reason: "longer than 64 characters"})
		}
	}
	return p, nil
}

func (f *fakeBVA) ReplyClarification(_ context.Context, _ ida.Auth, r ida.ClarificationReply) (ida.Receipt, error) {
	if f.fail != nil {
		return ida.Receipt{}, f.fail
	}
	f.replies = append(f.replies, r)
	return ida.Receipt{RequestID: uuid.New()}, nil
}

// TestClarificationStore (SQLite and PostgreSQL): the intake makes each
// request for a person of the register a case (once, with the cursor),
// answers a request for someone else with not_held without storing it,
// and the store keeps the clerks' decisions with versions.
func TestClarificationStore(t *testing.T) {
	for _, d := range []sqlregister.Dialect{sqlregister.SQLite, sqlregister.PostgreSQL} {
		t.Run(d.String(), func(t *testing.T) { testClarificationStore(t, d) })
	}
}

func testClarificationStore(t *testing.T, d sqlregister.Dialect) {
	ctx := context.Background()
	r, exec := evidenceRegister(t, d)
	var entries []registers.Entry
	for i := 1; i <= 3; i++ {
		entries = append(entries, registers.Entry{Key: registers.Key(strconv.Itoa(i)), Person: idnr.Person{IDNr: testIDNr(t, i),
			FamilyName: "Muster", GivenNames: "Erika", BirthDate: idnr.MustDate(1964, 8, 12)}})
	}
	require.NoError(t, r.Insert(ctx, entries))
	// A number the register's own software wrote, not in the side table.
	exec(`UPDATE %s SET idnr = ? WHERE id = 3`, testIDNr(t, 33).String())
	issued := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	bva := &fakeBVA{refused: 1, reqs: []ida.ClarificationRequest{
		{Reference: "KL-1", IDNr: testIDNr(t, 1), Fields: idnr.FieldFamilyName, Reason: "deviation-reported", Issued: issued},
		{Reference: "KL-2", IDNr: testIDNr(t, 99), Fields: idnr.FieldSex, Reason: "data-conflict", Issued: issued},
		{Reference: "KL-3", IDNr: testIDNr(t, 33), Fields: idnr.FieldBirthDate | idnr.FieldGivenNames, Reason: "unlisted", Issued: issued},
	}}
	auth := ida.Auth{Role: "klaerung", Actor: "intake", Purpose: "Datenpflege", Fields: idnr.AllFields}
	rep, err := registers.IntakeClarifications(ctx, registers.IntakeConfig{Source: bva, Store: r, Replier: bva, Auth: auth})
	require.NoError(t, err)
	assert.Equal(t, registers.IntakeReport{Fetched: 3, Refused: 1, Added: 2, NotInRegister: 1, RepliedNotHeld: 1, Cursor: "3"}, rep)
	require.Len(t, bva.replies, 1)
	assert.Equal(t, ida.ClarificationReply{Reference: "KL-2", IDNr: testIDNr(t, 99), Answer: ida.ReplyNotHeld, Reason: "Person nicht im Register"}, bva.replies[0])

	// Again: nothing new, nothing twice.
	bva.reqs = append(bva.reqs, bva.reqs[0])
	rep, err = registers.IntakeClarifications(ctx, registers.IntakeConfig{Source: bva, Store: r, Auth: auth})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Duplicates)
	assert.Equal(t, 0, rep.Added)
	assert.Equal(t, "4", rep.Cursor)

	list, err := r.ClarificationList(ctx, true, "", 10)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "KL-1", list[0].Reference)
	assert.Equal(t, registers.Key("1"), list[0].Key)
	assert.Equal(t, idnr.FieldFamilyName, list[0].Fields)
	assert.Equal(t, issued, list[0].Issued)
	assert.Equal(t, registers.Key("3"), list[1].Key, "found by the register's own IDNr column")
	assert.Equal(t, idnr.FieldBirthDate|idnr.FieldGivenNames, list[1].Fields)

	st, ok, err := r.LoadClarification(ctx, "KL-1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "Muster", st.Register.Person.FamilyName)
	assert.NotEmpty(t, st.Columns)

	// Decisions: defer, then a reply; a stale version conflicts, a
	// repeated ID is a replay, a closed request is not open.
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d1, replayed, err := r.ApplyClarification(ctx, review.ClarificationChange{ClarificationDecided: review.ClarificationDecided{
		ID: "a", Reference: "KL-1", Seq: 1, Kind: review.ClarifyDefer, Clerk: "sb", At: at, Note: "Urkunde angefordert"}})
	require.NoError(t, err)
	assert.False(t, replayed)
	assert.Equal(t, 1, d1.Seq)
	_, _, err = r.ApplyClarification(ctx, review.ClarificationChange{ClarificationDecided: review.ClarificationDecided{
		ID: "b", Reference: "KL-1", Seq: 1, Kind: review.ClarifyDefer, Clerk: "sb2", At: at}})
	var ce *review.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1, ce.Version)
	ev := []ida.Evidence{{Fields: idnr.FieldFamilyName, Kind: ida.DocMarriageCertificate, Reference: "E 7/1990", Date: idnr.MustDate(1990, 6, 1), Authority: "Standesamt Köln"}}
	_, _, err = r.ApplyClarification(ctx, review.ClarificationChange{Version: 1, State: review.ClarificationReplied, ClarificationDecided: review.ClarificationDecided{
		ID: "c", Reference: "KL-1", Seq: 2, Kind: review.ClarifyReply, Clerk: "sb", At: at, Fields: idnr.FieldFamilyName, Evidence: ev, ReplyMessage: "m-1"}})
	require.NoError(t, err)
	prev, replayed, err := r.ApplyClarification(ctx, review.ClarificationChange{Version: 1, ClarificationDecided: review.ClarificationDecided{ID: "c", Reference: "KL-1"}})
	require.NoError(t, err)
	assert.True(t, replayed)
	assert.Equal(t, ev, prev.Evidence)
	_, _, err = r.ApplyClarification(ctx, review.ClarificationChange{Version: 2, ClarificationDecided: review.ClarificationDecided{ID: "d", Reference: "KL-1", Seq: 3, Kind: review.ClarifyDefer}})
	assert.True(t, errors.Is(err, review.ErrNotOpen))
	_, _, err = r.ApplyClarification(ctx, review.ClarificationChange{ClarificationDecided: review.ClarificationDecided{ID: "e", Reference: "KL-404", Seq: 1, Kind: review.ClarifyDefer}})
	assert.True(t, errors.Is(err, review.ErrNotFound))

	st, _, err = r.LoadClarification(ctx, "KL-1")
	require.NoError(t, err)
	assert.Equal(t, review.ClarificationReplied, st.State)
	require.Len(t, st.History, 2)
	assert.Equal(t, "Urkunde angefordert", st.History[0].Note)
	assert.Equal(t, "m-1", st.History[1].ReplyMessage)
	list, err = r.ClarificationList(ctx, true, "", 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "KL-3", list[0].Reference)
}
