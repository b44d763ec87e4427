package sqlregister_test

import (
	"context"
	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vendorTruth is what the fake BVA knows of vendor record i: the register's
// person with a valid IDNr and the given city.
func vendorTruth(t testing.TB, i int, family, city string) idnr.Person {
	return idnr.Person{IDNr: testIDNr(t, 100+i), FamilyName: family, GivenNames: "Anna", BirthDate: idnr.MustDate(1980, 5, 17), Sex: idnr.Female,
		BirthPlace: idnr.Place{City: "Köln"}, Address: idnr.Address{Street: "Hauptstr.", HouseNumber: "1", PostalCode: "50667", City: city}}
}

// A record whose write the database refuses (a value too long for
// varchar(5)) becomes a case naming its key, the column and the problem;
// the batch and the fill go on, and a rerun does not search for it again.
func TestWriteErrorIsolatedPerRecord(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr INTEGER PRIMARY KEY")
		truth := map[string]idnr.Person{}
		for i, fam := range []string{"Eins", "Zwei", "Drei", "Vier"} {
			city := "Köln"
			if fam == "Zwei" {
				city = "Bergisch Gladbach" // too long for ort VARCHAR(5)
			}
			p := vendorTruth(t, i, fam, city)
			truth[searchKey(&p)] = p
			v.row(t, i+1, fam, "Anna", "1980-05-17", "w", 50667, "Köln", nil)
		}
		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		cfg.Write = []string{"idnr", "city"}
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		fake := &fakeIDA{truth: truth, sent: map[string]int{}}
		bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: fake, Matcher: fakeMatcher, BatchSize: 10})
		require.NoError(t, err)
		rep, err := bf.Run(ctx)
		require.NoError(t, err, "one refused record does not stop the fill")
		assert.Equal(t, 3, rep.Outcomes["accepted"])
		assert.Equal(t, 1, rep.Reasons["review/"+registers.ReasonWriteFailed])

		var cases []registers.Case
		require.NoError(t, r.Cases(ctx, func(c registers.Case) error { cases = append(cases, c); return nil }))
		require.Len(t, cases, 1)
		assert.Equal(t, registers.Key("2"), cases[0].Key)
		assert.Equal(t, registers.ReasonWriteFailed, cases[0].Reason)
		c, ok, err := r.ReviewCase(ctx, "2")
		require.NoError(t, err)
		require.True(t, ok)
		require.NotEmpty(t, c.Details)
		assert.Contains(t, c.Details[0], "Spalte ort")
		if v.dialect == sqlregister.PostgreSQL {
			assert.Contains(t, c.Details[0], "too long")
		} else {
			assert.Contains(t, c.Details[0], "constraint") // SQLite: the CHECK standing in for VARCHAR(5)
		}
		for _, d := range c.Details {
			assert.NotContains(t, d, "Gladbach", "no personal data in the case text")
		}
		assert.Equal(t, "Bergisch Gladbach", c.Candidate.Address.City, "the transferred data stay with the case")

		// The refused record kept its data and got no IDNr; its IDNr is free.
		got := v.snapshot(t, "steuer_id", "ort")
		assert.Equal(t, `false:""|true:"Köln"`, got[1])
		_, held, err := r.ByIDNr(ctx, testIDNr(t, 101))
		require.NoError(t, err)
		assert.False(t, held)

		// A rerun sends nobody again.
		calls := fake.calls
		rep2, err := bf.Run(ctx)
		require.NoError(t, err)
		assert.Zero(t, rep2.People)
		assert.Equal(t, calls, fake.calls)
		for id, n := range fake.sent {
			assert.Equal(t, 1, n, "IDNr ...%s sent %d times", id[8:], n)
		}
	})
}

// lookupFake answers the sync's lookups from the truth by IDNr.
type lookupFake struct{ truth map[idnr.IDNr]idnr.Person }

func (f *lookupFake) Lookup(_ context.Context, _ ida.Auth, q ida.Lookup) (ida.Answer, error) {
	p, ok := f.truth[q.IDNr]
	if !ok {
		return ida.Answer{Outcome: ida.NotIdentifiable, Err: ida.ErrNotIdentifiable}, ida.ErrNotIdentifiable
	}
	return ida.Answer{Outcome: ida.Hit, Person: p, Fields: idnr.AllFields, MessageID: uuid.NewSHA1(uuid.Nil, []byte(q.IDNr.String()))}, nil
}

// In the sync too, a record whose update the database refuses (a city too
// long for varchar(5)) becomes a write_failed case naming the column, and
// keeps every value it had; the rest of the batch is written.
func TestSyncWriteErrorIsolatedPerRecord(t *testing.T) {
	dialects(t, func(t *testing.T, v *vendorDB) {
		ctx := context.Background()
		v.create(t, "ordnr BIGINT PRIMARY KEY")
		fake := &lookupFake{truth: map[idnr.IDNr]idnr.Person{}}
		for i, fam := range []string{"Eins", "Zwei", "Drei", "Vier"} {
			city := "Bonn" // moved
			if fam == "Zwei" {
				city = "Bergisch Gladbach" // too long for ort VARCHAR(5)
			}
			p := vendorTruth(t, i, fam, city)
			fake.truth[p.IDNr] = p
			v.row(t, i+1, fam, "Anna", "1980-05-17", "w", 50667, "Köln", p.IDNr.String())
		}
		cfg := v.config("ordnr")
		cfg.IntegerKey = true
		cfg.Write = []string{"idnr", "city"}
		r, err := sqlregister.New(ctx, v.db, cfg)
		require.NoError(t, err)
		before := v.snapshot(t, "familienname", "vornamen", "geburtsdatum", "geburtsort", "geschlecht", "strasse", "hausnr", "plz", "steuer_id", "bemerkung")
		sy, err := registers.NewSync(registers.SyncConfig{Register: r, IDA: fake, BatchSize: 10})
		require.NoError(t, err)
		rep, err := sy.Run(ctx)
		require.NoError(t, err, "one refused record does not stop the sync")
		assert.Equal(t, 3, rep.Outcomes["updated"], "%v", rep.Reasons)
		assert.Equal(t, 1, rep.Reasons["review/"+registers.ReasonWriteFailed], "%v", rep.Reasons)

		assert.Equal(t, []string{`true:"Bonn"`, `true:"Köln"`, `true:"Bonn"`, `true:"Bonn"`}, v.snapshot(t, "ort"))
		assert.Equal(t, before, v.snapshot(t, "familienname", "vornamen", "geburtsdatum", "geburtsort", "geschlecht", "strasse", "hausnr", "plz", "steuer_id", "bemerkung"),
			"columns not written are unchanged, and the refused record keeps its IDNr")

		c, ok, err := r.ReviewCase(ctx, "2")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, registers.ReasonWriteFailed, c.Reason)
		require.Len(t, c.Details, 2)
		assert.Contains(t, c.Details[0], "Spalte ort")
		assert.Equal(t, "Abgleich: changed:address", c.Details[1])
		for _, d := range c.Details {
			assert.NotContains(t, d, "Gladbach", "no personal data in the case text")
		}
		assert.Equal(t, "Bergisch Gladbach", c.Candidate.Address.City, "the BZSt's data stay with the case")
		_, ok, err = r.ReviewCase(ctx, "1")
		require.NoError(t, err)
		assert.False(t, ok, "an updated record is no case")
	})
}
