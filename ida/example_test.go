package ida_test

import (
	"context"
	"fmt"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
)

// exampleClient connects to a mock BVA. A real register passes its
// *audit.Log as Protocol and its mutual-TLS configuration as TLS.
func exampleClient(srv *idatest.Server, proto ida.Protocol) *ida.Client {
	c, err := ida.New(ida.Config{
		BaseURL:    srv.URL,
		HTTPClient: srv.Client(),
		Sender:     audit.Body{Name: "Bürgeramt Musterstadt", ID: "bhkz-099999"},
		Policy: ida.Policy{Rules: []ida.Rule{{
			Role:     "meldebehoerde",
			Purposes: []string{"Erstbefüllung"},
			Fields:   idnr.AllFields,
		}}},
		Protocol: proto,
	})
	if err != nil {
		panic(err)
	}
	return c
}

func ExampleClient_Search() {
	srv := idatest.NewServer(idatest.WithPeople(testPeople()))
	defer srv.Close()
	c := exampleClient(srv, &memProtocol{})
	defer c.Close()

	auth := ida.Auth{
		Role: "meldebehoerde", Actor: "erstbefuellung-job", Purpose: "Erstbefüllung",
		LegalBasis: "§ 6 Abs. 3 IDNrG", Fields: idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate,
	}
	a, err := c.Search(context.Background(), auth, ida.Search{
		FamilyName: "Mueller", City: "Berlin", PostalCode: "10115", BirthDate: idnr.MustDate(1980, 3, 15),
	})
	switch {
	case err == nil:
		fmt.Println(a.Outcome, a.Person.IDNr.Grouped(), a.Person.GivenNames, a.Fields)
	case ida.IsNotIdentifiable(err):
		fmt.Println("not identifiable")
	default:
		fmt.Println("failed:", err)
	}

	// A search below the legal minimum is refused before sending.
	_, err = c.Search(context.Background(), auth, ida.Search{FamilyName: "Mueller", BirthDate: idnr.MustDate(1980, 3, 15)})
	fmt.Println(err)
	// Output:
	// hit 36 574 261 809 Anna Maria idnr|family_name|given_names|birth_date
	// ida: Search.PostalCode: required
}

func ExampleClient_Bulk() {
	srv := idatest.NewServer(idatest.WithPeople(testPeople()))
	defer srv.Close()
	proto := &memProtocol{}
	c := exampleClient(srv, proto)
	defer c.Close()

	auth := ida.Auth{
		Role: "meldebehoerde", Actor: "erstbefuellung-job", Purpose: "Erstbefüllung",
		LegalBasis: "§ 6 Abs. 3 IDNrG", Fields: idnr.AllFields,
	}
	answers, err := c.Bulk(context.Background(), auth, []ida.Search{
		{FamilyName: "Müller", City: "Berlin", PostalCode: "10115", BirthDate: idnr.MustDate(1980, 3, 15)},
		{FamilyName: "Schmidt", City: "Hamburg", PostalCode: "20095", BirthDate: idnr.MustDate(1975, 6, 1)},
		{Kind: ida.ByName, FamilyName: "Öztürk", GivenNames: "Elif", BirthDate: idnr.MustDate(1990, 0, 0)},
		{FamilyName: "Weber", City: "München", BirthDate: idnr.MustDate(1961, 11, 2)},
	})
	if err != nil {
		fmt.Println("failed:", err)
		return
	}
	for _, a := range answers {
		fmt.Println(a.Index, a.Outcome, a.Person.IDNr.Masked(), a.Err)
	}
	fmt.Println("protocol records:", len(proto.Records()))
	// Output:
	// 0 hit ********809 <nil>
	// 1 not-identifiable <none> ida: not uniquely identifiable
	// 2 hit ********411 <nil>
	// 3 invalid <none> ida: search 3: Search.PostalCode: required
	// protocol records: 2
}

func ExampleIsRetryable() {
	srv := idatest.NewServer(idatest.WithPeople(testPeople()),
		idatest.WithFaults(idatest.Faults{Status503: 1}))
	defer srv.Close()
	c, _ := ida.New(ida.Config{
		BaseURL: srv.URL, HTTPClient: srv.Client(),
		Sender:   audit.Body{ID: "bhkz-099999"},
		Policy:   ida.Policy{Rules: []ida.Rule{{Role: "r", Purposes: []string{"p"}, Fields: idnr.AllFields}}},
		Protocol: &memProtocol{},
		Retry:    ida.Retry{Max: -1},
	})
	_, err := c.Lookup(context.Background(),
		ida.Auth{Role: "r", Actor: "a", Purpose: "p", LegalBasis: "§ 6 Abs. 3 IDNrG", Fields: idnr.FieldFamilyName},
		ida.Lookup{IDNr: idnr.MustParse("36574261809"), BirthDate: idnr.MustDate(1980, 3, 15)})
	fmt.Println(err)
	fmt.Println(ida.IsRetryable(err))
	// Output:
	// ida: HTTP 503 (injected-fault) after 1 attempt(s), retry after 1s
	// true
}
