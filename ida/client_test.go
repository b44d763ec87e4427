package ida_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testPeople is a small population with the interesting cases.
func testPeople() []idnr.Person {
	return []idnr.Person{
		{IDNr: idnr.MustParse("36574261809"), FamilyName: "Müller", GivenNames: "Anna Maria",
			FormerNames: []string{"Schulze"}, FormerNameKinds: []idnr.NameKind{idnr.BirthName},
			BirthDate: idnr.MustDate(1980, 3, 15), Sex: idnr.Female, Nationalities: []string{"DEU"},
			BirthPlace: idnr.Place{City: "Görlitz"},
			Address:    idnr.Address{Street: "Hauptstraße", HouseNumber: "12a", PostalCode: "10115", City: "Berlin"}},
		{IDNr: idnr.MustParse("86095742719"), FamilyName: "Schmidt", GivenNames: "Peter",
			BirthDate: idnr.MustDate(1975, 6, 1), Address: idnr.Address{PostalCode: "20095", City: "Hamburg"}},
		{IDNr: idnr.MustParse("65929970489"), FamilyName: "Schmidt", GivenNames: "Paul",
			BirthDate: idnr.MustDate(1975, 6, 1), Address: idnr.Address{PostalCode: "20095", City: "Hamburg"}},
		{IDNr: idnr.MustParse("57549285017"), FamilyName: "Weber", GivenNames: "Klara",
			BirthDate: idnr.MustDate(1961, 11, 2), Address: idnr.Address{PostalCode: "80331", City: "München"},
			InformationBlocks: []idnr.InformationBlock{idnr.BlockRisk}},
		{IDNr: idnr.MustParse("25768131411"), FamilyName: "Öztürk", GivenNames: "Elif",
			BirthDate: idnr.MustDate(1990, 0, 0), Address: idnr.Address{PostalCode: "50667", City: "Köln"}},
	}
}

func mueller() ida.Search {
	return ida.Search{FamilyName: "Müller", City: "Berlin", PostalCode: "10115", BirthDate: idnr.MustDate(1980, 3, 15)}
}

func TestAnswerKinds(t *testing.T) {
	srv := idatest.NewServer(idatest.WithPeople(testPeople()),
		idatest.WithEntitlement("restricted", idnr.FieldIDNr|idnr.FieldFamilyName))
	defer srv.Close()
	c, proto := newClient(t, srv, nil)
	ctx := context.Background()
	people := testPeople()

	t.Run("search hit", func(t *testing.T) {
		a, err := c.Search(ctx, testAuth, mueller())
		require.NoError(t, err)
		assert.Equal(t, ida.Hit, a.Outcome)
		assert.Equal(t, people[0].IDNr, a.Person.IDNr)
		assert.Equal(t, "Anna Maria", a.Person.GivenNames)
		assert.Equal(t, []string{"Schulze"}, a.Person.FormerNames)
		assert.Equal(t, "12a", a.Person.Address.HouseNumber)
		assert.True(t, a.Fields.Has(idnr.FieldIDNr|idnr.FieldAddress))
		assert.NotEqual(t, a.MessageID, a.RequestID)
	})
	t.Run("search by search form", func(t *testing.T) {
		s := mueller()
		s.FamilyName, s.City = "MUELLER", "berlin"
		a, err := c.Search(ctx, testAuth, s)
		require.NoError(t, err)
		assert.Equal(t, people[0].IDNr, a.Person.IDNr)
	})
	t.Run("search by former name", func(t *testing.T) {
		s := mueller()
		s.FamilyName = "Schulze"
		a, err := c.Search(ctx, testAuth, s)
		require.NoError(t, err)
		assert.Equal(t, people[0].IDNr, a.Person.IDNr)
	})
	t.Run("fallback hit", func(t *testing.T) {
		a, err := c.FallbackSearch(ctx, testAuth, ida.Search{FamilyName: "Müller", GivenNames: "Maria", BirthDate: idnr.MustDate(1980, 3, 15)})
		require.NoError(t, err)
		assert.Equal(t, people[0].IDNr, a.Person.IDNr)
	})
	t.Run("partial birth date", func(t *testing.T) {
		a, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Oeztuerk", City: "Köln", PostalCode: "50667", BirthDate: idnr.MustDate(1990, 0, 0)})
		require.NoError(t, err)
		assert.Equal(t, people[4].IDNr, a.Person.IDNr)
	})
	t.Run("lookup hit", func(t *testing.T) {
		a, err := c.Lookup(ctx, testAuth, ida.Lookup{IDNr: people[0].IDNr, BirthDate: people[0].BirthDate})
		require.NoError(t, err)
		assert.Equal(t, "Müller", a.Person.FamilyName)
	})
	t.Run("not identifiable: nobody", func(t *testing.T) {
		s := mueller()
		s.PostalCode = "10117"
		a, err := c.Search(ctx, testAuth, s)
		require.Error(t, err)
		assert.True(t, ida.IsNotIdentifiable(err))
		assert.False(t, ida.IsRetryable(err))
		assert.Equal(t, ida.NotIdentifiable, a.Outcome)
		assert.True(t, a.Person.IDNr.IsZero())
	})
	t.Run("not identifiable: several", func(t *testing.T) {
		_, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Schmidt", City: "Hamburg", PostalCode: "20095", BirthDate: idnr.MustDate(1975, 6, 1)})
		assert.True(t, ida.IsNotIdentifiable(err))
		// A given name makes it unique.
		a, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Schmidt", GivenNames: "Paul", City: "Hamburg", PostalCode: "20095", BirthDate: idnr.MustDate(1975, 6, 1)})
		require.NoError(t, err)
		assert.Equal(t, people[2].IDNr, a.Person.IDNr)
	})
	t.Run("lookup with wrong birth date", func(t *testing.T) {
		_, err := c.Lookup(ctx, testAuth, ida.Lookup{IDNr: people[0].IDNr, BirthDate: idnr.MustDate(1980, 3, 16)})
		assert.True(t, ida.IsNotIdentifiable(err))
	})
	t.Run("information block", func(t *testing.T) {
		weber := ida.Search{FamilyName: "Weber", City: "München", PostalCode: "80331", BirthDate: idnr.MustDate(1961, 11, 2)}
		// Single requests never carry data for a blocked person.
		_, err := c.Search(ctx, testAuth, weber)
		assert.True(t, ida.IsNotIdentifiable(err))
		// The first transfer of the initial fill does.
		as, err := c.Bulk(ctx, testAuth, []ida.Search{weber})
		require.NoError(t, err)
		require.Equal(t, ida.Hit, as[0].Outcome)
		assert.Equal(t, []idnr.InformationBlock{idnr.BlockRisk}, as[0].Person.InformationBlocks)
		// Later ones look exactly like no data.
		as, err = c.Bulk(ctx, testAuth, []ida.Search{weber})
		require.NoError(t, err)
		assert.Equal(t, ida.NotIdentifiable, as[0].Outcome)
		assert.True(t, ida.IsNotIdentifiable(as[0].Err))
		_, err = c.Lookup(ctx, testAuth, ida.Lookup{IDNr: people[3].IDNr, BirthDate: people[3].BirthDate})
		assert.True(t, ida.IsNotIdentifiable(err))
	})
	t.Run("subset of fields", func(t *testing.T) {
		auth := testAuth
		auth.Fields = idnr.FieldFamilyName | idnr.FieldBirthDate
		a, err := c.Search(ctx, auth, mueller())
		require.NoError(t, err)
		assert.Equal(t, idnr.FieldIDNr|idnr.FieldFamilyName|idnr.FieldBirthDate, a.Fields)
		assert.Equal(t, "", a.Person.GivenNames)
		assert.True(t, a.Person.Address.IsZero())

		rc, _ := newClient(t, srv, func(cfg *ida.Config) { cfg.Sender.ID = "restricted" })
		a, err = rc.Search(ctx, testAuth, mueller())
		require.NoError(t, err)
		assert.Equal(t, idnr.FieldIDNr|idnr.FieldFamilyName, a.Fields)
		assert.Equal(t, "Müller", a.Person.FamilyName)
		assert.True(t, a.Person.BirthDate.IsZero())
	})
	t.Run("bulk mixed", func(t *testing.T) {
		bad := mueller()
		bad.PostalCode = ""
		as, err := c.Bulk(ctx, testAuth, []ida.Search{
			mueller(),
			bad,
			{Kind: ida.ByName, FamilyName: "Öztürk", GivenNames: "Elif", BirthDate: idnr.MustDate(1990, 0, 0)},
			{FamilyName: "Niemand", City: "Berlin", PostalCode: "10115", BirthDate: idnr.MustDate(2000, 1, 1)},
		})
		require.NoError(t, err)
		require.Len(t, as, 4)
		for i, a := range as {
			assert.Equal(t, i, a.Index)
		}
		assert.Equal(t, ida.Hit, as[0].Outcome)
		assert.Equal(t, ida.Invalid, as[1].Outcome)
		var fe *ida.FieldError
		require.ErrorAs(t, as[1].Err, &fe)
		assert.Equal(t, "Search.PostalCode", fe.Field)
		assert.Equal(t, 1, fe.Index)
		assert.Equal(t, ida.Hit, as[2].Outcome)
		assert.Equal(t, people[4].IDNr, as[2].Person.IDNr)
		assert.Equal(t, ida.NotIdentifiable, as[3].Outcome)
	})
	t.Run("reports", func(t *testing.T) {
		r, err := c.ReportInaccuracy(ctx, testAuth, ida.InaccuracyReport{
			IDNr: people[0].IDNr, Fields: idnr.FieldAddress, Reason: "moved-away",
			Held: idnr.Person{Address: idnr.Address{PostalCode: "10117", City: "Berlin"}},
			Evidence: []ida.Evidence{{Fields: idnr.FieldAddress, Kind: ida.DocRegistrationExtract,
				Reference: "MA-2026-0815", Date: idnr.MustDate(2026, 1, 5), Authority: "Bürgeramt Berlin-Mitte"}},
		})
		require.NoError(t, err)
		assert.False(t, r.Received.IsZero())
		_, err = c.ReportLastContact(ctx, testAuth, ida.LastContact{IDNr: people[0].IDNr, Date: idnr.MonthYear{Year: 2026, Month: 1}})
		require.NoError(t, err)
		reps := srv.Reports()
		require.Len(t, reps, 2)
		assert.Equal(t, "10117", reps[0].Inaccuracy.Held.Address.PostalCode)
		assert.Equal(t, idnr.MonthYear{Year: 2026, Month: 1}, reps[1].LastContact.Date)
	})
	t.Run("whole message rejected", func(t *testing.T) {
		rs := idatest.NewServer(idatest.WithPeople(testPeople()), idatest.WithScript(idatest.FaultReject))
		defer rs.Close()
		rc, _ := newClient(t, rs, nil)
		_, err := rc.Search(ctx, testAuth, mueller())
		var re *ida.RejectedError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "not-entitled", re.Code)
		assert.Equal(t, http.StatusForbidden, re.Status)
		assert.True(t, ida.IsRejected(err))
		assert.False(t, ida.IsRetryable(err))
	})

	// Every hit has its § 9 record; lookups and reports have their sent record.
	recs := proto.Records()
	var sent, received int
	for _, r := range recs {
		require.NoError(t, validRecord(r))
		switch r.Direction {
		case audit.Sent:
			sent++
			assert.Contains(t, string(r.Content), r.MessageID.String(), "the message sent is the content")
		case audit.Received:
			received++
			assert.NotEmpty(t, r.Content)
			assert.NotEqual(t, r.MessageID, r.RequestID)
		}
	}
	assert.Equal(t, 5, sent, "3 lookups + 2 reports")
	assert.Equal(t, 11, received, "one per hit")
	for _, e := range proto.Events() {
		assert.NotContains(t, e.Detail, "Müller")
		assert.NotContains(t, e.Detail, "36574261809")
	}
}

func validRecord(r audit.Record) error {
	switch {
	case r.IDNr.IsZero():
		return errors.New("no IDNr")
	case r.Purpose == "" || r.LegalBasis == "" || r.Actor == "":
		return errors.New("who/why missing")
	case r.MessageID.String() == "00000000-0000-0000-0000-000000000000":
		return errors.New("no message ID")
	case len(r.Categories) == 0:
		return errors.New("no categories")
	case r.Result == audit.ResultUnknown:
		return errors.New("no result")
	}
	return nil
}

func TestValidationBeforeSending(t *testing.T) {
	srv := idatest.NewServer(idatest.WithPeople(testPeople()))
	defer srv.Close()
	c, proto := newClient(t, srv, nil)
	ctx := context.Background()
	d := idnr.MustDate(1980, 3, 15)
	cases := []struct {
		name  string
		call  func() error
		field string
	}{
		{"search without family name", func() error {
			_, err := c.Search(ctx, testAuth, ida.Search{City: "Berlin", PostalCode: "10115", BirthDate: d})
			return err
		}, "Search.FamilyName"},
		{"search without city", func() error {
			_, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Müller", PostalCode: "10115", BirthDate: d})
			return err
		}, "Search.City"},
		{"search without postal code", func() error {
			_, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Müller", City: "Berlin", BirthDate: d})
			return err
		}, "Search.PostalCode"},
		{"search with bad postal code", func() error {
			_, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Müller", City: "Berlin", PostalCode: "1011", BirthDate: d})
			return err
		}, "Search.PostalCode"},
		{"search without birth date", func() error {
			_, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Müller", City: "Berlin", PostalCode: "10115"})
			return err
		}, "Search.BirthDate"},
		{"fallback without given names", func() error {
			_, err := c.FallbackSearch(ctx, testAuth, ida.Search{FamilyName: "Müller", BirthDate: d})
			return err
		}, "Search.GivenNames"},
		{"family name with control character", func() error {
			_, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Mül\x00ler", City: "Berlin", PostalCode: "10115", BirthDate: d})
			return err
		}, "Search.FamilyName"},
		{"family name outside DIN 91379", func() error {
			_, err := c.Search(ctx, testAuth, ida.Search{FamilyName: "Müller☃", City: "Berlin", PostalCode: "10115", BirthDate: d})
			return err
		}, "Search.FamilyName"},
		{"lookup without IDNr", func() error {
			_, err := c.Lookup(ctx, testAuth, ida.Lookup{BirthDate: d})
			return err
		}, "Lookup.IDNr"},
		{"lookup without birth date", func() error {
			_, err := c.Lookup(ctx, testAuth, ida.Lookup{IDNr: idnr.MustParse("36574261809")})
			return err
		}, "Lookup.BirthDate"},
		{"auth without purpose", func() error {
			a := testAuth
			a.Purpose = ""
			_, err := c.Search(ctx, a, mueller())
			return err
		}, "Auth.Purpose"},
		{"auth without fields", func() error {
			a := testAuth
			a.Fields = 0
			_, err := c.Search(ctx, a, mueller())
			return err
		}, "Auth.Fields"},
		{"auth actor too long", func() error {
			a := testAuth
			a.Actor = string(make([]byte, 121))
			_, err := c.Search(ctx, a, mueller())
			return err
		}, "Auth.Actor"},
		{"report without reason", func() error {
			_, err := c.ReportInaccuracy(ctx, testAuth, ida.InaccuracyReport{IDNr: idnr.MustParse("36574261809"), Fields: idnr.FieldAddress})
			return err
		}, "InaccuracyReport.Reason"},
		{"last contact without date", func() error {
			_, err := c.ReportLastContact(ctx, testAuth, ida.LastContact{IDNr: idnr.MustParse("36574261809")})
			return err
		}, "LastContact.Date"},
		{"bulk too large", func() error {
			_, err := c.Bulk(ctx, testAuth, make([]ida.Search, ida.MaxBulk+1))
			return err
		}, "searches"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var fe *ida.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.True(t, ida.IsInvalid(err))
			assert.NotContains(t, err.Error(), "Müller")
		})
	}
	assert.Zero(t, srv.Stats().Requests, "nothing may be sent")
	assert.Empty(t, proto.Records())
}

func TestPolicy(t *testing.T) {
	srv := idatest.NewServer(idatest.WithPeople(testPeople()))
	defer srv.Close()
	c, proto := newClient(t, srv, nil)
	ctx := context.Background()
	gewerbe := ida.Auth{Role: "gewerbeamt", Actor: "sb-1", Purpose: "Gewerbeanzeige", LegalBasis: "§ 14 GewO",
		Fields: idnr.FieldFamilyName | idnr.FieldBirthDate}

	// Allowed.
	_, err := c.Search(ctx, gewerbe, mueller())
	require.NoError(t, err)

	cases := []struct {
		name   string
		auth   func(ida.Auth) ida.Auth
		call   func(a ida.Auth) error
		reason string
		denied idnr.Fields
	}{
		{"unknown role", func(a ida.Auth) ida.Auth { a.Role = "hausmeister"; return a },
			func(a ida.Auth) error { _, err := c.Search(ctx, a, mueller()); return err }, "unknown role", 0},
		{"purpose not allowed", func(a ida.Auth) ida.Auth { a.Purpose = "Neugier"; return a },
			func(a ida.Auth) error { _, err := c.Search(ctx, a, mueller()); return err }, "purpose or request kind not allowed for the role", 0},
		{"kind not allowed", func(a ida.Auth) ida.Auth { return a },
			func(a ida.Auth) error { _, err := c.Bulk(ctx, a, []ida.Search{mueller()}); return err }, "purpose or request kind not allowed for the role", 0},
		{"fields not allowed", func(a ida.Auth) ida.Auth { a.Fields |= idnr.FieldAddress | idnr.FieldSex; return a },
			func(a ida.Auth) error { _, err := c.Search(ctx, a, mueller()); return err }, "fields not allowed", idnr.FieldAddress | idnr.FieldSex},
		{"lookup fields not allowed", func(a ida.Auth) ida.Auth { a.Fields |= idnr.FieldAddress; return a },
			func(a ida.Auth) error {
				_, err := c.Lookup(ctx, a, ida.Lookup{IDNr: idnr.MustParse("36574261809"), BirthDate: idnr.MustDate(1980, 3, 15)})
				return err
			}, "fields not allowed", idnr.FieldAddress},
	}
	before := srv.Stats().Requests
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(tc.auth(gewerbe))
			var pe *ida.PolicyError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.reason, pe.Reason)
			assert.Equal(t, tc.denied, pe.Denied)
			assert.True(t, ida.IsPolicyDenied(err))
			assert.False(t, ida.IsRetryable(err))
		})
	}
	assert.Equal(t, before, srv.Stats().Requests, "a refused request is not sent")

	refused := 0
	for _, e := range proto.Events() {
		if e.Kind == "policy-refused" {
			refused++
			assert.Equal(t, "sb-1", e.Actor)
		}
	}
	assert.Equal(t, len(cases), refused, "each refusal is in the transport log")
	// The refused lookup carried an IDNr: it has a Rejected § 9 record.
	var rejected []audit.Record
	for _, r := range proto.Records() {
		if r.Result == audit.Rejected {
			rejected = append(rejected, r)
		}
	}
	require.Len(t, rejected, 1)
	assert.Equal(t, idnr.MustParse("36574261809"), rejected[0].IDNr)
	assert.Equal(t, audit.Sent, rejected[0].Direction)
	assert.Contains(t, rejected[0].Reason, "policy")
}

func TestNewChecksConfig(t *testing.T) {
	p := &memProtocol{}
	base := ida.Config{BaseURL: "https://ida.example", Sender: audit.Body{ID: "x"}, Policy: testPolicy, Protocol: p}
	cases := []struct {
		name  string
		mod   func(*ida.Config)
		field string
	}{
		{"no base URL", func(c *ida.Config) { c.BaseURL = "" }, "Config.BaseURL"},
		{"http to a remote host", func(c *ida.Config) { c.BaseURL = "http://ida.example" }, "Config.BaseURL"},
		{"no sender", func(c *ida.Config) { c.Sender = audit.Body{} }, "Config.Sender.ID"},
		{"no policy", func(c *ida.Config) { c.Policy = ida.Policy{} }, "Config.Policy"},
		{"no protocol", func(c *ida.Config) { c.Protocol = nil }, "Config.Protocol"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.mod(&cfg)
			_, err := ida.New(cfg)
			var fe *ida.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	c, err := ida.New(base)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	_, err = c.Search(context.Background(), testAuth, mueller())
	assert.ErrorIs(t, err, ida.ErrClosed)
}
