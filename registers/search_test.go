package registers_test

import (
	"errors"
	"testing"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildSearch(t *testing.T) {
	full := idnr.Person{FamilyName: " Müller ", GivenNames: "Hans  Georg", BirthDate: idnr.MustDate(1980, 3, 0),
		Sex: idnr.Male, DoctoralDegree: "Dr.", BirthPlace: idnr.Place{City: "Köln"}, Nationalities: []string{"DEU"},
		Address: idnr.Address{Street: "Hauptstraße", HouseNumber: "1", PostalCode: "50667", City: "Köln"}}
	with := func(f func(p *idnr.Person)) idnr.Person { p := full; f(&p); return p }
	tests := []struct {
		name   string
		p      idnr.Person
		want   ida.Search
		reason string
	}{
		{"residence: only the four fields", full, ida.Search{Kind: ida.ByResidence, FamilyName: "Müller",
			BirthDate: idnr.MustDate(1980, 3, 0), City: "Köln", PostalCode: "50667"}, ""},
		{"no address: fallback with given names", with(func(p *idnr.Person) { p.Address = idnr.Address{} }),
			ida.Search{Kind: ida.ByName, FamilyName: "Müller", BirthDate: idnr.MustDate(1980, 3, 0), GivenNames: "Hans Georg"}, ""},
		{"address abroad: fallback", with(func(p *idnr.Person) { p.Address.Country = "AUT" }),
			ida.Search{Kind: ida.ByName, FamilyName: "Müller", BirthDate: idnr.MustDate(1980, 3, 0), GivenNames: "Hans Georg"}, ""},
		{"bad postcode: fallback", with(func(p *idnr.Person) { p.Address.PostalCode = "5066" }),
			ida.Search{Kind: ida.ByName, FamilyName: "Müller", BirthDate: idnr.MustDate(1980, 3, 0), GivenNames: "Hans Georg"}, ""},
		{"no city: fallback", with(func(p *idnr.Person) { p.Address.City = " " }),
			ida.Search{Kind: ida.ByName, FamilyName: "Müller", BirthDate: idnr.MustDate(1980, 3, 0), GivenNames: "Hans Georg"}, ""},
		{"no family name", with(func(p *idnr.Person) { p.FamilyName = "  " }), ida.Search{}, registers.ReasonNoFamilyName},
		{"family name with digits", with(func(p *idnr.Person) { p.FamilyName = "Müller2" }), ida.Search{}, registers.ReasonFamilyNameCharset},
		{"no birth date", with(func(p *idnr.Person) { p.BirthDate = idnr.Date{} }), ida.Search{}, registers.ReasonNoBirthDate},
		{"birth year unknown", with(func(p *idnr.Person) { p.BirthDate = idnr.MustDate(0, 3, 1) }), ida.Search{}, registers.ReasonBirthYearUnknown},
		{"no address, no given names", with(func(p *idnr.Person) { p.Address = idnr.Address{}; p.GivenNames = "" }), ida.Search{}, registers.ReasonNoResidenceNoGiven},
		{"given names with control characters", with(func(p *idnr.Person) { p.Address = idnr.Address{}; p.GivenNames = "Hans\x00" }), ida.Search{}, registers.ReasonGivenNamesCharset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := registers.BuildSearch(&tc.p)
			if tc.reason != "" {
				var ns *registers.NoSearchError
				require.True(t, errors.As(err, &ns), "error %v", err)
				assert.Equal(t, tc.reason, ns.Reason)
				assert.NotContains(t, err.Error(), "Müller")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func FuzzBuildSearch(f *testing.F) {
	f.Add("Müller", "Hans", "50667", "Köln", "", 1980, 3, 1)
	f.Add("", "", "", "", "AUT", 0, 0, 0)
	f.Fuzz(func(t *testing.T, fam, given, plz, city, country string, y, m, d int) {
		bd, err := idnr.NewDate(y, m, d)
		if err != nil {
			bd = idnr.Date{}
		}
		p := idnr.Person{FamilyName: fam, GivenNames: given, BirthDate: bd, Address: idnr.Address{PostalCode: plz, City: city, Country: country}}
		s, err := registers.BuildSearch(&p)
		if err != nil {
			return
		}
		// A search always carries family name and birth date, and exactly
		// the fields of its kind.
		if s.FamilyName == "" || s.BirthDate.IsZero() {
			t.Fatal("search without family name or birth date")
		}
		switch s.Kind {
		case ida.ByResidence:
			if s.City == "" || len(s.PostalCode) != 5 || s.GivenNames != "" {
				t.Fatal("bad residence search")
			}
		case ida.ByName:
			if s.GivenNames == "" || s.City != "" || s.PostalCode != "" {
				t.Fatal("bad fallback search")
			}
		default:
			t.Fatal("no kind")
		}
	})
}

func TestProfiles(t *testing.T) {
	ps := registers.Profiles()
	require.NotEmpty(t, ps)
	seen := map[int]bool{}
	for _, p := range ps {
		assert.False(t, seen[p.Number], "number %d twice", p.Number)
		seen[p.Number] = true
		assert.True(t, p.Number >= 1 && p.Number <= registers.NumAnlageRegisters)
		assert.NotEmpty(t, p.Name)
		assert.True(t, p.Fields.Has(idnr.FieldIDNr|idnr.FieldFamilyName|idnr.FieldBirthDate), p.Name)
	}
	m, ok := registers.ProfileOf(1)
	require.True(t, ok)
	assert.Equal(t, "Melderegister", m.Name)
	assert.False(t, m.Fields.Has(idnr.FieldLastContact), "the last contact is the BZSt's datum")
	_, ok = registers.ProfileOf(4)
	assert.True(t, ok, "all 50 entries are listed")
}
