package registers_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

func TestProfilesAreTheFiftyEntriesOfTheAnlage(t *testing.T) {
	ps := registers.Profiles()
	require.Len(t, ps, registers.NumAnlageRegisters)
	require.Equal(t, 50, registers.NumAnlageRegisters)
	for i, p := range ps {
		assert.Equal(t, i+1, p.Number, "numbered 1..50 without gaps")
		assert.True(t, p.InAnlage())
		assert.NotEmpty(t, p.Name)
		assert.True(t, p.Fields.Has(idnr.FieldIDNr|idnr.FieldFamilyName|idnr.FieldBirthDate), p.Name)
		if strings.HasPrefix(p.LegalBasis, "§") {
			assert.Contains(t, p.Name, p.LegalBasis, "Nr. %d: the legal basis is the entry's words", p.Number)
		}
		assert.Equal(t, p.FieldsSource != "", p.FieldsVerified, "Nr. %d: a verified field set names its source", p.Number)
		q, ok := registers.ProfileOf(p.Number)
		require.True(t, ok)
		assert.Equal(t, p, q)
	}
	for _, n := range []int{0, -1, 51} {
		_, ok := registers.ProfileOf(n)
		assert.False(t, ok, "%d", n)
	}
	assert.Contains(t, registers.AnlageVersion, "2024")
}

func TestProfileEntries(t *testing.T) {
	p, _ := registers.ProfileOf(23)
	assert.Equal(t, "Ausländerdateien nach § 62 der Aufenthaltsverordnung", p.Name)
	assert.Equal(t, "§ 62 der Aufenthaltsverordnung", p.LegalBasis)
	assert.True(t, p.Municipal)

	p, _ = registers.ProfileOf(1)
	assert.Equal(t, "Melderegister", p.Name)
	assert.Equal(t, idnr.AllFields&^idnr.FieldLastContact, p.Fields,
		"§ 3 Abs. 1 BMG: every field but the BZSt's date of the last contact")
	assert.Empty(t, p.LegalBasis, "the entry names no provision")

	// After the deletion of the old Nr. 41 (2024): the Beitragskontendatenbank
	// is 41 and the ADR-Infodatenbank 50.
	p, _ = registers.ProfileOf(41)
	assert.Equal(t, "Beitragskontendatenbank", p.Name)
	p, _ = registers.ProfileOf(50)
	assert.Contains(t, p.Name, "ADR-Infodatenbank")
	p, _ = registers.ProfileOf(4)
	assert.Equal(t, "§ 150 des Sechsten Buches Sozialgesetzbuch", p.LegalBasis)

	// The identity-document registers keep no sex; the passport does.
	p, _ = registers.ProfileOf(21)
	assert.False(t, p.Fields.Has(idnr.FieldSex))
	assert.True(t, p.FieldsVerified)
	p, _ = registers.ProfileOf(22)
	assert.True(t, p.Fields.Has(idnr.FieldSex))
}

func TestNewProfileOutsideTheAnlage(t *testing.T) {
	p, err := registers.NewProfile("Fischereischeinregister", "LFischG", true, registers.CoreFields|idnr.FieldAddress, "")
	require.NoError(t, err)
	assert.Equal(t, 0, p.Number)
	assert.False(t, p.InAnlage())
	assert.False(t, p.FieldsVerified)

	for _, c := range []struct {
		name   string
		fields idnr.Fields
		field  string
	}{
		{"", registers.CoreFields, "Name"},
		{"Eigene Datei", idnr.FieldFamilyName, "Fields"},
		{"Eigene Datei", idnr.AllFields | idnr.FieldLastContact<<1, "Fields"},
		{"melderegister", idnr.AllFields, "Name"},
	} {
		_, err := registers.NewProfile(c.name, "", false, c.fields, "")
		var pe *registers.ProfileError
		require.ErrorAs(t, err, &pe, "%q", c.name)
		assert.Equal(t, c.field, pe.Field)
	}
}
