package sqlregister_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/require"
)

// testIDNr returns a valid IDNr for i (first digit 1-9, digits 2-10 built so
// that exactly one digit repeats).
func testIDNr(t testing.TB, i int) idnr.IDNr {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	for {
		perm := rng.Perm(10)
		if perm[0] == 0 {
			continue
		}
		var b [10]byte
		for k := range 9 {
			b[k] = byte('0' + perm[k])
		}
		b[9] = b[rng.IntN(8)] // one digit twice, never three in a row
		c, err := idnr.CheckDigit(string(b[:]))
		if err != nil {
			continue
		}
		if id, err := idnr.Parse(string(b[:]) + string(rune('0'+c))); err == nil {
			return id
		}
	}
}

// letters spells i with the letters a-z (for synthetic names).
func letters(i int) string {
	s := ""
	for {
		s += string(rune('a' + i%26))
		i /= 26
		if i == 0 {
			return s
		}
	}
}

// population returns n synthetic people (the truth) and the register's
// copies: every 10th has a typo in the given names (a review case in the
// fake matcher), every 25th has no address and no given names (no search),
// every 50th is unknown to the fake BVA (not identifiable).
func population(t testing.TB, n int) (truth map[string]idnr.Person, reg []registers.Entry) {
	truth = map[string]idnr.Person{}
	used := map[idnr.IDNr]bool{}
	for i := 1; i <= n; i++ {
		id := testIDNr(t, i)
		for k := 1; used[id]; k++ {
			id = testIDNr(t, i+k*1000003)
		}
		used[id] = true
		p := idnr.Person{
			IDNr:       id,
			FamilyName: "Muster" + letters(i%997),
			GivenNames: "Erika Anna",
			BirthDate:  idnr.MustDate(1950+i%50, 1+i%12, 1+i%28),
			Sex:        idnr.Female,
			Address:    idnr.Address{Street: "Hauptstraße", HouseNumber: strconv.Itoa(i % 200), PostalCode: fmt.Sprintf("%05d", 10000+i%80000), City: "Musterstadt"},
			BirthPlace: idnr.Place{City: "Köln"},
		}
		c := p
		c.IDNr = idnr.IDNr{}
		switch {
		case i%25 == 0:
			c.Address = idnr.Address{}
			c.GivenNames = ""
		case i%10 == 0:
			c.GivenNames = "Erica"
			c.Address.Street = "Hauptstr."
		}
		if i%50 != 0 {
			truth[searchKey(&p)] = p
		}
		reg = append(reg, registers.Entry{Key: registers.Key(strconv.Itoa(i)), Person: c})
	}
	return truth, reg
}

func searchKey(p *idnr.Person) string {
	return p.FamilyName + "|" + p.BirthDate.String() + "|" + p.Address.PostalCode
}

// fakeIDA answers searches from the truth and counts each person it
// transferred (its "protocol").
type fakeIDA struct {
	truth map[string]idnr.Person
	mu    sync.Mutex
	sent  map[string]int // IDNr -> transfers
	fail  func(call int) error
	calls int
}

func (f *fakeIDA) Bulk(ctx context.Context, _ ida.Auth, ss []ida.Search) ([]ida.Answer, error) {
	f.mu.Lock()
	f.calls++
	call := f.calls
	f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(call); err != nil {
			return nil, err
		}
	}
	out := make([]ida.Answer, len(ss))
	f.mu.Lock()
	defer f.mu.Unlock()
	msg := uuid.NewSHA1(uuid.Nil, []byte("m"+strconv.Itoa(call)))
	for i, s := range ss {
		p, ok := f.truth[s.FamilyName+"|"+s.BirthDate.String()+"|"+s.PostalCode]
		if !ok {
			out[i] = ida.Answer{Index: i, Outcome: ida.NotIdentifiable, Err: ida.ErrNotIdentifiable, MessageID: msg}
			continue
		}
		f.sent[p.IDNr.String()]++
		out[i] = ida.Answer{Index: i, Outcome: ida.Hit, Person: p, Fields: idnr.AllFields, MessageID: msg}
	}
	return out, nil
}

var fakeMatcher = registers.MatcherFunc(func(r, c *idnr.Person) match.Outcome {
	switch {
	case r.FamilyName != c.FamilyName || r.BirthDate != c.BirthDate:
		return match.Outcome{Decision: match.Reject, Candidate: -1}
	case r.GivenNames != c.GivenNames:
		return match.Outcome{Decision: match.Review, Score: 3.5}
	}
	return match.Outcome{Decision: match.Accept, Score: 20}
})

func newSQLiteRegister(t testing.TB, entries []registers.Entry) (*sqlregister.Register, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "register.db")
	db, err := sqlregister.OpenSQLite(path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, sqlregister.CreateTable(ctx, db, sqlregister.SQLite, "people"))
	r, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true, Columns: sqlregister.DefaultColumns()})
	require.NoError(t, err)
	for i := 0; i < len(entries); i += 5000 {
		require.NoError(t, r.Insert(ctx, entries[i:min(i+5000, len(entries))]))
	}
	return r, path
}
