package registers_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plainRegister implements only Reader and BatchWriter: no
// UniqueIDNrWriter, so the engine checks IDNrs in memory.
type plainRegister struct {
	mu      sync.Mutex
	entries []registers.Entry
	idnrs   map[registers.Key]idnr.IDNr
	cases   map[registers.Key]registers.Case
	marked  map[registers.Key]bool
}

func (p *plainRegister) Next(_ context.Context, after registers.Key, limit int) ([]registers.Entry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []registers.Entry
	for _, e := range p.entries {
		if after != "" && keyNum(e.Key) <= keyNum(after) {
			continue
		}
		if _, ok := p.idnrs[e.Key]; ok || p.marked[e.Key] {
			continue
		}
		out = append(out, e)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func keyNum(k registers.Key) int { n, _ := strconv.Atoi(string(k)); return n }

// WriteBatch stores the results: an accepted IDNr, a review case, a mark.
func (p *plainRegister) WriteBatch(_ context.Context, b registers.Batch) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range b.Results {
		switch r.Outcome {
		case registers.Accepted:
			p.idnrs[r.Key] = r.Person.IDNr
			continue
		case registers.Review:
			p.cases[r.Key] = registers.CaseOf(r)
		}
		p.marked[r.Key] = true
	}
	return nil
}

type oneHitIDA struct{ id idnr.IDNr }

func (o oneHitIDA) Bulk(_ context.Context, _ ida.Auth, ss []ida.Search) ([]ida.Answer, error) {
	out := make([]ida.Answer, len(ss))
	for i, s := range ss {
		out[i] = ida.Answer{Index: i, Outcome: ida.Hit, Fields: idnr.AllFields, MessageID: uuid.New(),
			Person: idnr.Person{IDNr: o.id, FamilyName: s.FamilyName, BirthDate: s.BirthDate}}
	}
	return out, nil
}

// A register without its own uniqueness: the engine still keeps one IDNr
// on one record within a run, also across batches.
func TestDuplicateIDNrInMemory(t *testing.T) {
	id := idnr.MustParse("12345678995")
	p := &plainRegister{idnrs: map[registers.Key]idnr.IDNr{}, cases: map[registers.Key]registers.Case{}, marked: map[registers.Key]bool{}}
	for i := 1; i <= 5; i++ {
		p.entries = append(p.entries, registers.Entry{Key: registers.Key(strconv.Itoa(i)), Person: idnr.Person{
			FamilyName: "Muster", GivenNames: "Erika", BirthDate: idnr.MustDate(1970, 1, 2)}})
	}
	accept := registers.MatcherFunc(func(r, c *idnr.Person) match.Outcome {
		return match.Outcome{Decision: match.Accept, Score: 20}
	})
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: p, IDA: oneHitIDA{id}, Matcher: accept, BatchSize: 2, Workers: 1})
	require.NoError(t, err)
	rep, err := bf.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Outcomes["accepted"])
	assert.Equal(t, 4, rep.Reasons["review/"+registers.ReasonIDNrAssigned])
	require.Len(t, p.idnrs, 1)
	assert.Equal(t, id, p.idnrs["1"])
	for k := 2; k <= 5; k++ {
		c := p.cases[registers.Key(strconv.Itoa(k))]
		assert.Equal(t, registers.ReasonIDNrAssigned, c.Reason)
		assert.Equal(t, registers.IDNrAssignedText+": Datensatz 1", c.Details[0])
	}
}
