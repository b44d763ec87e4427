package idnr_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
)

func goodPerson() idnr.Person {
	return idnr.Person{
		IDNr:            idnr.MustParse("65929970489"),
		FamilyName:      "Graf von Schönberg-Łęcki",
		FormerNames:     []string{"Yılmaz", "Ordensschwester Maria"},
		FormerNameKinds: []idnr.NameKind{idnr.BirthName},
		GivenNames:      "Anna-Lena Søs Thị",
		DoctoralDegree:  "Dr. rer. nat.",
		BirthDate:       idnr.MustDate(1961, 3, 0),
		BirthPlace:      idnr.Place{City: "İzmir", Country: "TUR"},
		Sex:             idnr.Female,
		Nationalities:   []string{"DEU", "TUR", "000"},
		Address: idnr.Address{
			Street: "Straße des 17. Juni", HouseNumber: "12a/3", Supplement: "c/o Müller (Hinterhaus)",
			PostalCode: "10623", City: "Berlin", MunicipalityKey: "11000000",
		},
		MoveInDate:        idnr.MustDate(1990, 1, 1),
		MoveOutDate:       idnr.MustDate(1999, 0, 0),
		InformationBlocks: []idnr.InformationBlock{idnr.BlockConditional},
		LastContact:       idnr.MonthYear{Year: 2025, Month: time.May},
	}
}

func TestValidateGood(t *testing.T) {
	p := goodPerson()
	require.NoError(t, p.Validate())
	var empty idnr.Person
	assert.NoError(t, empty.Validate(), "no field is required")
	abroad := idnr.Person{Address: idnr.Address{PostalCode: "SW1A 1AA", City: "London", Country: "GBR"}}
	assert.NoError(t, abroad.Validate())
	partial := idnr.Person{BirthDate: idnr.MustDate(1980, 0, 0), DeathDate: idnr.MustDate(1980, 5, 3)}
	assert.NoError(t, partial.Validate(), "death in the birth year is possible")
}

func TestValidateErrors(t *testing.T) {
	long := strings.Repeat("ä", idnr.MaxNameLen+1)
	for _, tc := range []struct {
		name  string
		edit  func(p *idnr.Person)
		field string
		err   error
	}{
		{"digit in family name", func(p *idnr.Person) { p.FamilyName = "Meier2" }, "FamilyName", idnr.ErrNameChars},
		{"cyrillic former name", func(p *idnr.Person) { p.FormerNames[1] = "Иванова" }, "FormerNames[1]", idnr.ErrNameChars},
		{"empty former name", func(p *idnr.Person) { p.FormerNames[0] = "" }, "FormerNames[0]", idnr.ErrEmptyName},
		{"too many kinds", func(p *idnr.Person) { p.FormerNameKinds = make([]idnr.NameKind, 3) }, "FormerNameKinds", idnr.ErrCode},
		{"bad kind", func(p *idnr.Person) { p.FormerNameKinds[0] = 9 }, "FormerNameKinds[0]", idnr.ErrCode},
		{"double space", func(p *idnr.Person) { p.GivenNames = "Anna  Lena" }, "GivenNames", idnr.ErrSpacing},
		{"trailing space", func(p *idnr.Person) { p.GivenNames = "Anna " }, "GivenNames", idnr.ErrSpacing},
		{"no letter", func(p *idnr.Person) { p.GivenNames = "-" }, "GivenNames", idnr.ErrNoLetter},
		{"degree in name", func(p *idnr.Person) { p.FamilyName = "Dr. Meier" }, "FamilyName", idnr.ErrDegreeInName},
		{"degree with digit", func(p *idnr.Person) { p.DoctoralDegree = "Dr. 2" }, "DoctoralDegree", idnr.ErrNameChars},
		{"too long", func(p *idnr.Person) { p.FamilyName = long }, "FamilyName", idnr.ErrTooLong},
		{"not NFC", func(p *idnr.Person) { p.FamilyName = "Mu\u0308ller" }, "FamilyName", idnr.ErrNotNFC},
		{"bad UTF-8", func(p *idnr.Person) { p.Address.City = "K\xf6ln" }, "Address.City", idnr.ErrNameUTF8},
		{"place with emoji", func(p *idnr.Person) { p.BirthPlace.City = "Berlin🐻" }, "BirthPlace.City", idnr.ErrNameChars},
		{"street with tab", func(p *idnr.Person) { p.Address.Street = "Hauptstr.\t5" }, "Address.Street", idnr.ErrNameChars},
		{"house number too long", func(p *idnr.Person) { p.Address.HouseNumber = strings.Repeat("1", 33) }, "Address.HouseNumber", idnr.ErrTooLong},
		{"postcode 4 digits", func(p *idnr.Person) { p.Address.PostalCode = "1062" }, "Address.PostalCode", idnr.ErrPostalCode},
		{"postcode letters", func(p *idnr.Person) { p.Address.PostalCode = "1062A" }, "Address.PostalCode", idnr.ErrPostalCode},
		{"municipality key 7", func(p *idnr.Person) { p.Address.MunicipalityKey = "1100000" }, "Address.MunicipalityKey", idnr.ErrMunicipalityKey},
		{"municipality key Land 17", func(p *idnr.Person) { p.Address.MunicipalityKey = "17000000" }, "Address.MunicipalityKey", idnr.ErrMunicipalityKey},
		{"nationality lower case", func(p *idnr.Person) { p.Nationalities[0] = "deu" }, "Nationalities[0]", idnr.ErrNationality},
		{"nationality 2 letters", func(p *idnr.Person) { p.Nationalities[1] = "DE" }, "Nationalities[1]", idnr.ErrNationality},
		{"nationality duplicate", func(p *idnr.Person) { p.Nationalities[2] = "DEU" }, "Nationalities[2]", idnr.ErrDuplicate},
		{"sex", func(p *idnr.Person) { p.Sex = 7 }, "Sex", idnr.ErrCode},
		{"block none", func(p *idnr.Person) { p.InformationBlocks[0] = idnr.BlockNone }, "InformationBlocks[0]", idnr.ErrCode},
		{"death before birth", func(p *idnr.Person) { p.DeathDate = idnr.MustDate(1960, 0, 0) }, "DeathDate", idnr.ErrDateOrder},
		{"move-in before birth", func(p *idnr.Person) { p.MoveInDate = idnr.MustDate(1961, 2, 28) }, "MoveInDate", idnr.ErrDateOrder},
		{"move-out before move-in", func(p *idnr.Person) { p.MoveOutDate = idnr.MustDate(1989, 12, 31) }, "MoveOutDate", idnr.ErrDateOrder},
		{"impossible date", func(p *idnr.Person) { p.BirthDate = idnr.DateOf(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)) }, "BirthDate", idnr.ErrDateYear},
		{"last contact month", func(p *idnr.Person) { p.LastContact.Month = 13 }, "LastContact", idnr.ErrLastContact},
		{"last contact before birth", func(p *idnr.Person) { p.LastContact.Year = 1950 }, "LastContact", idnr.ErrDateOrder},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := goodPerson()
			p.FormerNames = append([]string(nil), p.FormerNames...)
			p.FormerNameKinds = append([]idnr.NameKind(nil), p.FormerNameKinds...)
			p.Nationalities = append([]string(nil), p.Nationalities...)
			p.InformationBlocks = append([]idnr.InformationBlock(nil), p.InformationBlocks...)
			tc.edit(&p)
			err := p.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.err)
			fes := idnr.FieldErrors(err)
			require.Len(t, fes, 1, "%v", err)
			assert.Equal(t, tc.field, fes[0].Field)
			for _, secret := range []string{"Meier", "Иванова", "Schönberg", "Anna", "Berlin", "10623", "1062", "Hauptstr", "Müller", "Mu\u0308ller", "1961"} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

func TestValidateReportsAll(t *testing.T) {
	p := goodPerson()
	p.FamilyName = "X1"
	p.Address.PostalCode = "1"
	p.Sex = 9
	err := p.Validate()
	fes := idnr.FieldErrors(err)
	require.Len(t, fes, 3)
	assert.Equal(t, []string{"FamilyName", "Sex", "Address.PostalCode"}, []string{fes[0].Field, fes[1].Field, fes[2].Field})
	var fe *idnr.FieldError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "FamilyName", fe.Field, "errors.As finds the first")
	assert.Equal(t, "idnr: FamilyName: characters outside DIN 91379 data type A (U+0031)\n"+
		"idnr: Sex: unknown code\nidnr: Address.PostalCode: not 5 digits", err.Error())
	assert.Nil(t, idnr.FieldErrors(nil))
}

func BenchmarkValidate(b *testing.B) {
	p := goodPerson()
	b.ReportAllocs()
	for b.Loop() {
		if p.Validate() != nil {
			b.Fatal("invalid")
		}
	}
}
