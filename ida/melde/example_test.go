package melde_test

import (
	"context"
	"fmt"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/ida/melde"
	"github.com/regmo/regmo/ida/melde/meldetest"
	"github.com/regmo/regmo/idnr"
)

type discard struct{}

func (discard) Append(context.Context, ...audit.Record) error                  { return nil }
func (discard) AppendTransport(context.Context, ...audit.TransportEvent) error { return nil }

// A register that takes the IDNr from its Meldebehörde: the same calls as
// with an *ida.Client; a person with an information block is answered
// like nobody once the initial fill is over.
func ExampleNew() {
	anna := idnr.Person{IDNr: idnr.MustParse("36574261809"), FamilyName: "Müller", GivenNames: "Anna",
		BirthDate: idnr.MustDate(1980, 3, 15), Address: idnr.Address{PostalCode: "10115", City: "Berlin"}}
	blocked := idnr.Person{IDNr: idnr.MustParse("86095742719"), FamilyName: "Schmidt", GivenNames: "Jonas",
		BirthDate: idnr.MustDate(1975, 6, 1), Address: idnr.Address{PostalCode: "10115", City: "Berlin"},
		InformationBlocks: []idnr.InformationBlock{idnr.BlockRisk}}
	srv := meldetest.NewServer(idatest.WithPeople([]idnr.Person{anna, blocked}))
	defer srv.Close()

	c, err := melde.New(melde.Config{
		Authority: audit.Body{Name: "Stadt Musterstadt, Meldebehörde", ID: "mb-09162000"},
		Client: ida.Config{
			BaseURL: srv.URL, HTTPClient: srv.Client(),
			Sender:   audit.Body{ID: "bhkz-099999"},
			Policy:   ida.Policy{Rules: []ida.Rule{{Role: "r", Purposes: []string{"p"}, Fields: idnr.AllFields}}},
			Protocol: discard{},
		},
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	auth := ida.Auth{Role: "r", Actor: "job", Purpose: "p", Fields: idnr.FieldFamilyName} // LegalBasis: § 6 Abs. 1 IDNrG
	a, err := c.Lookup(context.Background(), auth, ida.Lookup{IDNr: anna.IDNr, BirthDate: anna.BirthDate})
	fmt.Println(a.Outcome, a.Fields, err)
	_, err = c.Lookup(context.Background(), auth, ida.Lookup{IDNr: blocked.IDNr, BirthDate: blocked.BirthDate})
	fmt.Println(ida.IsNotIdentifiable(err))
	// Output:
	// hit idnr|family_name <nil>
	// true
}
