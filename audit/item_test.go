package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleItems() Record {
	r := sample()
	r.Content = nil
	r.Items = []Item{
		{Field: idnr.FieldIDNr, Value: testID.String()},
		{Field: idnr.FieldFamilyName, Value: "Graf von Neuenwalde"},
		{Field: idnr.FieldFormerNames, Part: "birth", Value: "Müller"},
		{Field: idnr.FieldFormerNames, Value: "Schmidt"},
		{Field: idnr.FieldGivenNames, Value: "Erika Maria"},
		{Field: idnr.FieldAddress, Part: "street", Value: "Hauptstraße"},
		{Field: idnr.FieldAddress, Part: "postal_code", Value: "12345"},
		{Field: idnr.FieldNationalities, Value: "DEU"},
		{Field: idnr.FieldNationalities, Value: "FRA"},
	}
	return r
}

func TestItemsRoundTrip(t *testing.T) {
	r := sampleItems()
	b, err := EncodeRecord(&r)
	require.NoError(t, err)
	assert.Equal(t, byte(encItems), b[0], "a record with items is version 2")
	got, err := DecodeRecord(b)
	require.NoError(t, err)
	assert.Equal(t, r, got)
	view, err := decodeRecordView(b)
	require.NoError(t, err)
	assert.Equal(t, r.Items, view.Items)
	for i := range len(b) {
		_, err := DecodeRecord(b[:i])
		assert.ErrorIs(t, err, errEncoding, "truncated at %d", i)
	}
	_, err = DecodeRecord(append(bytes.Clone(b), 0))
	assert.ErrorIs(t, err, errEncoding)

	// A record without items keeps the version 1 encoding, byte for byte.
	old := sample()
	b1, err := EncodeRecord(&old)
	require.NoError(t, err)
	assert.Equal(t, byte(encVersion), b1[0])
	// A version 1 encoding relabelled as version 2 (and back) is refused.
	b1[0] = encItems
	_, err = DecodeRecord(b1)
	assert.ErrorIs(t, err, errEncoding)
	b[0] = encVersion
	_, err = DecodeRecord(b)
	assert.ErrorIs(t, err, errEncoding)
}

func TestItemsHashCoversValues(t *testing.T) {
	r := sampleItems()
	b, _ := EncodeRecord(&r)
	r.Items[1].Value = "Graf von Neuenwaldf" // same length
	b2, _ := EncodeRecord(&r)
	var prev [32]byte
	assert.NotEqual(t, rowHash(&prev, 1, b), rowHash(&prev, 1, b2))
	r = sampleItems()
	r.Items[5].Part = "city"
	b3, _ := EncodeRecord(&r)
	assert.NotEqual(t, rowHash(&prev, 1, b), rowHash(&prev, 1, b3))
}

func TestItemsStrictDecoding(t *testing.T) {
	r := sampleItems()
	r.Items = []Item{{Field: idnr.FieldAddress, Part: "street", Value: "X"}}
	b, _ := EncodeRecord(&r)
	// Replace the field token or the part by another of the same length.
	for _, tc := range []struct{ from, to string }{
		{"\x07address", "\x07adresse"}, // unknown field
		{"\x06street", "\x06strase"},   // unknown part
		{"\x06street", "\x00"},         // address without part
	} {
		k := bytes.LastIndex(b, []byte(tc.from)) // the item's, not the category's
		require.Positive(t, k)
		bad := append(append(bytes.Clone(b[:k]), tc.to...), b[k+len(tc.from):]...)
		_, err := DecodeRecord(bad)
		assert.ErrorIs(t, err, errEncoding, "%q -> %q", tc.from, tc.to)
	}
	// A version 2 encoding with zero items.
	r.Items = nil
	b1, _ := EncodeRecord(&r)
	b1[0] = encItems
	b1 = append(b1[:len(b1)-1], 0) // content length 0 -> item count 0
	_, err := DecodeRecord(b1)
	assert.ErrorIs(t, err, errEncoding)
}

func TestItemsValidate(t *testing.T) {
	long := strings.Repeat("ä", MaxItemValue+1)
	for _, tc := range []struct {
		name, field, reason string
		mod                 func(r *Record)
	}{
		{"content and items", "Items", "keep one", func(r *Record) { r.Content = []byte("x") }},
		{"no field", "Items[0]", "known field", func(r *Record) { r.Items[0].Field = 0 }},
		{"two fields", "Items[0]", "known field", func(r *Record) { r.Items[0].Field = idnr.FieldSex | idnr.FieldIDNr }},
		{"unknown bit", "Items[0]", "known field", func(r *Record) { r.Items[0].Field = 1 << 20 }},
		{"address without part", "Items[5].address", "part required", func(r *Record) { r.Items[5].Part = "" }},
		{"wrong part", "Items[1].family_name", "unknown part", func(r *Record) { r.Items[1].Part = "street" }},
		{"empty value", "Items[4].given_names", "empty", func(r *Record) { r.Items[4].Value = "" }},
		{"long value", "Items[6].address.postal_code", "longer than 1000", func(r *Record) { r.Items[6].Value = long }},
		{"bad utf8", "Items[1].family_name", "UTF-8", func(r *Record) { r.Items[1].Value = "M\xffller" }},
		{"newline", "Items[1].family_name", "control", func(r *Record) { r.Items[1].Value = "Muster\nmann" }},
		{"nul", "Items[2].former_names.birth", "control", func(r *Record) { r.Items[2].Value = "a\x00" }},
		{"c1", "Items[1].family_name", "control", func(r *Record) { r.Items[1].Value = "a\u0085b" }},
		{"bidi override", "Items[1].family_name", "format", func(r *Record) { r.Items[1].Value = "a\u202eb" }},
		{"line separator", "Items[1].family_name", "separator", func(r *Record) { r.Items[1].Value = "a\u2028b" }},
		{"too many", "Items", "more than 512", func(r *Record) {
			r.Items = make([]Item, MaxItems+1)
			for i := range r.Items {
				r.Items[i] = Item{Field: idnr.FieldNationalities, Value: "DEU"}
			}
		}},
		{"too large together", "Items", "bytes together", func(r *Record) {
			r.Items = nil
			for range 70 {
				r.Items = append(r.Items, Item{Field: idnr.FieldFormerNames, Value: strings.Repeat("x", 1000)})
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleItems()
			tc.mod(&r)
			err := r.Validate()
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "err = %v", err)
			assert.Equal(t, tc.field, fe.Field)
			assert.Contains(t, fe.Reason, tc.reason)
			assert.ErrorIs(t, err, ErrInvalid)
			for _, it := range sampleItems().Items[1:] {
				assert.NotContains(t, err.Error(), it.Value, "the error shows a value")
			}
		})
	}
	// Umlauts, combining marks and a former name of unknown kind are fine.
	r := sampleItems()
	r.Items = append(r.Items, Item{Field: idnr.FieldFamilyName, Value: "Müller-Lüdenscheidt"},
		Item{Field: idnr.FieldGivenNames, Value: "Zoe\u0308"})
	require.NoError(t, r.Validate())
}

func TestItemsOf(t *testing.T) {
	p := idnr.Person{
		IDNr: testID, FamilyName: "Mustermann", GivenNames: "Erika Maria",
		FormerNames: []string{"Gabler", "Schwester Maria"}, FormerNameKinds: []idnr.NameKind{idnr.BirthName},
		DoctoralDegree: "Dr.", BirthDate: idnr.MustDate(1964, 8, 0),
		BirthPlace: idnr.Place{City: "Berlin"}, Sex: idnr.Female, Nationalities: []string{"DEU", "AUT"},
		Address:           idnr.Address{Street: "Heidestraße", HouseNumber: "17", PostalCode: "51147", City: "Köln"},
		InformationBlocks: []idnr.InformationBlock{idnr.BlockRisk},
		LastContact:       idnr.MonthYear{Year: 2025, Month: 11},
	}
	got := ItemsOf(&p, idnr.AllFields&^idnr.FieldDoctoralDegree)
	want := []Item{
		{idnr.FieldIDNr, "", testID.String()},
		{idnr.FieldFamilyName, "", "Mustermann"},
		{idnr.FieldFormerNames, "birth", "Gabler"},
		{idnr.FieldFormerNames, "", "Schwester Maria"},
		{idnr.FieldGivenNames, "", "Erika Maria"},
		{idnr.FieldBirthDate, "", "1964-08-00"},
		{idnr.FieldBirthPlace, "city", "Berlin"},
		{idnr.FieldSex, "", "w"},
		{idnr.FieldNationalities, "", "DEU"},
		{idnr.FieldNationalities, "", "AUT"},
		{idnr.FieldAddress, "street", "Heidestraße"},
		{idnr.FieldAddress, "house_number", "17"},
		{idnr.FieldAddress, "postal_code", "51147"},
		{idnr.FieldAddress, "city", "Köln"},
		{idnr.FieldInformationBlocks, "", "bmg51"},
		{idnr.FieldLastContact, "", "2025-11"},
	}
	assert.Equal(t, want, got)
	assert.Nil(t, ItemsOf(&p, idnr.FieldDeathDate), "an empty field gives no item")
	r := sample()
	r.Content, r.Items = nil, got
	require.NoError(t, r.Validate())
	assert.Equal(t, "Straße", PartName(idnr.FieldAddress, "street"))
	assert.Equal(t, "Geburtsname", PartName(idnr.FieldFormerNames, "birth"))
	assert.Equal(t, "", PartName(idnr.FieldFamilyName, "street"))
}

// FuzzItems: a record with one fuzzed item either validates and round-trips
// through the canonical encoding, or is refused by a FieldError that does
// not show the value.
func FuzzItems(f *testing.F) {
	for _, it := range sampleItems().Items {
		f.Add(uint32(it.Field), it.Part, it.Value)
	}
	f.Add(uint32(idnr.FieldFamilyName), "", "a\u202eb")
	f.Add(uint32(3), "street", "x")
	f.Fuzz(func(t *testing.T, field uint32, part, value string) {
		r := sample()
		r.Content = nil
		r.Items = []Item{{Field: idnr.Fields(field), Part: part, Value: value}}
		b, err := EncodeRecord(&r)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("not a FieldError: %v", err)
			}
			// Errors are ASCII: a value with other characters in them leaked.
			nonASCII := strings.ContainsFunc(value, func(r rune) bool { return r > 0x7e })
			if nonASCII && strings.Contains(err.Error(), value) {
				t.Fatalf("error shows the value: %v", err)
			}
			return
		}
		got, err := DecodeRecord(b)
		if err != nil {
			t.Fatalf("decode of a valid record: %v", err)
		}
		if len(got.Items) != 1 || got.Items[0] != r.Items[0] {
			t.Fatalf("round trip differs: %+v", got.Items)
		}
	})
}
