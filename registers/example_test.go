package registers_test

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
)

// BuildSearch forms the smallest lawful search: by residence when the
// domestic address has a place and a postcode, else by name.
func ExampleBuildSearch() {
	p := idnr.Person{FamilyName: "Muster", GivenNames: "Erika", BirthDate: idnr.MustDate(1964, 8, 12),
		Address: idnr.Address{Street: "Heidestraße", HouseNumber: "17", PostalCode: "51147", City: "Köln"}}
	s, _ := registers.BuildSearch(&p)
	fmt.Println(s.Kind == ida.ByResidence, s.PostalCode, s.City, s.GivenNames == "", s.Kind.Kind())

	p.Address = idnr.Address{}
	s, _ = registers.BuildSearch(&p)
	fmt.Println(s.Kind == ida.ByName, s.GivenNames, s.Kind.Kind())

	p.GivenNames = ""
	_, err := registers.BuildSearch(&p)
	fmt.Println(err)
	// Output:
	// true 51147 Köln true search
	// true Erika fallback
	// registers: no lawful search possible: no_residence_no_given_names
}

// memRegister is a register in memory: a Reader and a BatchWriter.
type memRegister struct {
	mu      sync.Mutex
	people  []registers.Entry
	settled map[registers.Key]registers.Result
}

func (m *memRegister) Next(_ context.Context, after registers.Key, limit int) ([]registers.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []registers.Entry
	for _, e := range m.people {
		if _, done := m.settled[e.Key]; !done && e.Key > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memRegister) WriteBatch(_ context.Context, b registers.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range b.Results {
		m.settled[r.Key] = r
	}
	return nil
}

// bva is a fake IDA in ida's own types: it knows one person.
type bva struct{ known idnr.Person }

func (b bva) Bulk(_ context.Context, _ ida.Auth, ss []ida.Search) ([]ida.Answer, error) {
	out := make([]ida.Answer, len(ss))
	for i, s := range ss {
		out[i] = ida.Answer{Index: i, Outcome: ida.NotIdentifiable, Err: ida.ErrNotIdentifiable, MessageID: uuid.New()}
		if s.FamilyName == b.known.FamilyName && s.BirthDate == b.known.BirthDate {
			out[i] = ida.Answer{Index: i, Outcome: ida.Hit, Person: b.known, Fields: idnr.AllFields, MessageID: uuid.New()}
		}
	}
	return out, nil
}

// A backfill over a register in memory and a fake IDA: the engines speak
// ida's types, so a fake builds ida.Answers; an *ida.Client is passed the
// same way.
func ExampleBackfill() {
	erika := idnr.Person{IDNr: idnr.MustParse("65929970489"), FamilyName: "Muster", GivenNames: "Erika",
		BirthDate: idnr.MustDate(1964, 8, 12), Sex: idnr.Female,
		Address: idnr.Address{Street: "Heidestraße", HouseNumber: "17", PostalCode: "51147", City: "Köln"}}
	reg := &memRegister{settled: map[registers.Key]registers.Result{}}
	own := erika
	own.IDNr = idnr.IDNr{}
	reg.people = []registers.Entry{
		{Key: "1", Person: own},
		{Key: "2", Person: idnr.Person{FamilyName: "Beispiel", GivenNames: "Max", BirthDate: idnr.MustDate(1980, 1, 2)}},
		{Key: "3", Person: idnr.Person{GivenNames: "Ohne Familienname", BirthDate: idnr.MustDate(1990, 5, 6)}},
	}
	bf, err := registers.NewBackfill(registers.BackfillConfig{
		Register: reg,
		IDA:      bva{known: erika},
		Auth:     ida.Auth{Role: "erstbefuellung", Actor: "example", Purpose: "Erstbefüllung", LegalBasis: "§ 6 Abs. 3 IDNrG", Fields: idnr.AllFields},
		Matcher:  registers.FromMatch(match.New()),
	})
	if err != nil {
		panic(err)
	}
	rep, err := bf.Run(context.Background())
	if err != nil {
		panic(err)
	}
	keys := make([]string, 0, len(reg.settled))
	for k := range reg.settled {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := reg.settled[registers.Key(k)]
		fmt.Printf("%s %s %q %s\n", k, r.Outcome, r.Reason, r.Person.IDNr.Masked())
	}
	fmt.Println(rep.People, "people")
	// Output:
	// 1 accepted "" ********489
	// 2 not_identifiable "not_identifiable" <none>
	// 3 no_search "no_family_name" <none>
	// 3 people
}
