package idatest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
)

type discard struct{}

func (discard) Append(context.Context, ...audit.Record) error                  { return nil }
func (discard) AppendTransport(context.Context, ...audit.TransportEvent) error { return nil }

// A mock BVA whose first answer is a 503 with Retry-After: the client waits,
// retries the same message, and the server processes it once.
func ExampleNewServer() {
	srv := idatest.NewServer(
		idatest.WithPeople([]idnr.Person{{
			IDNr: idnr.MustParse("36574261809"), FamilyName: "Müller", GivenNames: "Anna",
			BirthDate: idnr.MustDate(1980, 3, 15), Address: idnr.Address{PostalCode: "10115", City: "Berlin"},
		}}),
		idatest.WithScript(idatest.Fault503),
		idatest.WithFaults(idatest.Faults{RetryAfter: time.Second}),
	)
	defer srv.Close()

	c, err := ida.New(ida.Config{
		BaseURL: srv.URL, HTTPClient: srv.Client(),
		Sender:   audit.Body{ID: "bhkz-099999"},
		Policy:   ida.Policy{Rules: []ida.Rule{{Role: "r", Purposes: []string{"p"}, Fields: idnr.AllFields}}},
		Protocol: discard{},
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	a, err := c.Lookup(context.Background(),
		ida.Auth{Role: "r", Actor: "job", Purpose: "p", LegalBasis: "§ 6 Abs. 3 IDNrG", Fields: idnr.FieldFamilyName},
		ida.Lookup{IDNr: idnr.MustParse("36574261809"), BirthDate: idnr.MustDate(1980, 3, 15)})
	fmt.Println(a.Outcome, a.Fields, err)

	reqs := srv.Requests()
	fmt.Println(len(reqs), reqs[0].Status, reqs[1].Status, reqs[0].MessageID == reqs[1].MessageID)
	fmt.Println("processed:", srv.Processed(a.RequestID))
	// Output:
	// hit idnr|family_name <nil>
	// 2 503 200 true
	// processed: 1
}
