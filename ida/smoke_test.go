package ida_test

import (
	"context"
	"testing"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	srv := idatest.NewServer(idatest.WithPopulation(200, 7))
	defer srv.Close()
	c, p := newClient(t, srv, nil)
	ctx := context.Background()
	var person = srv.People()[0]
	for _, q := range srv.People() {
		if !q.HasInformationBlock() {
			person = q
			break
		}
	}
	a, err := c.Lookup(ctx, testAuth, ida.Lookup{IDNr: person.IDNr, BirthDate: person.BirthDate})
	require.NoError(t, err)
	require.Equal(t, person.IDNr, a.Person.IDNr)
	require.Equal(t, person.FamilyName, a.Person.FamilyName)
	a, err = c.Search(ctx, testAuth, ida.Search{FamilyName: person.FamilyName, City: person.Address.City, PostalCode: person.Address.PostalCode, BirthDate: person.BirthDate})
	t.Log(a.Outcome, err)
	searches := make([]ida.Search, 0, 200)
	for _, q := range srv.People() {
		searches = append(searches, ida.Search{FamilyName: q.FamilyName, City: q.Address.City, PostalCode: q.Address.PostalCode, BirthDate: q.BirthDate})
	}
	as, err := c.Bulk(ctx, testAuth, searches)
	require.NoError(t, err)
	n := map[ida.Outcome]int{}
	for _, a := range as {
		n[a.Outcome]++
	}
	t.Log(n, len(p.Records()), len(p.Events()))
}
