package registers_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSync(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w := makeWorld(5, 400)
	var truth []idnr.Person
	for _, p := range w.truth {
		if !p.HasInformationBlock() {
			truth = append(truth, p)
		}
	}
	truth = truth[:300]
	// The register holds every person with the IDNr, after the fill:
	// mostly as the BZSt, some with an outdated address, some with a death
	// registered that the BZSt lacks, some with a verified family name that
	// differs, some with a wrong birth date.
	var entries []registers.Entry
	kind := func(i int) string {
		switch i % 10 {
		case 1:
			return "moved"
		case 2:
			return "death"
		case 3:
			return "verified"
		case 4:
			return "wrong-birth"
		}
		return "same"
	}
	for i, p := range truth {
		c := p
		c.InformationBlocks, c.LastContact, c.FormerNameKinds = nil, idnr.MonthYear{}, nil
		switch kind(i) {
		case "moved":
			c.Address.Street, c.Address.HouseNumber = "Alte Gasse", "9"
		case "death":
			c.DeathDate = idnr.MustDate(2024, 5, 6)
		case "verified":
			c.FamilyName = "Registerwert"
		case "wrong-birth":
			y, _ := c.BirthDate.Year()
			c.BirthDate = idnr.MustDate(y-1, 1, 1)
		}
		entries = append(entries, registers.Entry{Key: registers.Key(strconv.Itoa(i + 1)), Person: c})
	}
	// Every other death and verified name has the details of its
	// document in the evidence column; the rest only the verified mark.
	reg, db := openSQLiteRegisterEvidence(t, filepath.Join(dir, "reg.db"))
	defer db.Close()
	insertAll(t, reg, entries)
	withEvidence := func(i int) bool { return i%20 < 10 }
	for i, e := range entries {
		var ev string
		switch kind(i) {
		case "verified":
			_, err := db.Exec(`UPDATE people SET verified_fields = 'family_name+birth_date' WHERE id = ?`, string(e.Key))
			require.NoError(t, err)
			ev = `[{"fields":"family_name+birth_date","kind":"birth_certificate","reference":"G ` + strconv.Itoa(i) + `/1980","date":"1980-04-02","authority":"Standesamt Musterstadt"}]`
		case "death":
			ev = `[{"fields":"death_date","kind":"death_certificate","reference":"S ` + strconv.Itoa(i) + `/2024","date":"2024-05-07","authority":"Standesamt Musterstadt"}]`
		}
		if ev != "" && withEvidence(i) {
			_, err := db.Exec(`UPDATE people SET verified_evidence = ? WHERE id = ?`, ev, string(e.Key))
			require.NoError(t, err)
		}
	}
	s := newStack(t, truth, filepath.Join(dir, "audit.db"))
	defer s.close()
	sy, err := registers.NewSync(registers.SyncConfig{Register: reg, IDA: s.client, Auth: s.auth, Fields: reg.Fields(), BatchSize: 64})
	require.NoError(t, err)
	rep, err := sy.Run(ctx)
	require.NoError(t, err)
	t.Logf("%v %v", rep.Outcomes, rep.Reasons)
	assert.Equal(t, 300, rep.People)
	assert.Equal(t, 30, rep.Outcomes["updated"])
	assert.Equal(t, 60, rep.Outcomes["inaccurate"])
	assert.Equal(t, 30, rep.Outcomes["not_identifiable"])
	assert.Equal(t, 180, rep.Outcomes["unchanged"])
	assert.Equal(t, 15, rep.Reasons["inaccurate/inaccuracy_reported:death_date"])
	assert.Equal(t, 15, rep.Reasons["inaccurate/inaccuracy_reported:family_name"])
	assert.Equal(t, 15, rep.Reasons["inaccurate/inaccuracy_no_evidence:death_date"])
	assert.Equal(t, 15, rep.Reasons["inaccurate/inaccuracy_no_evidence:family_name"])

	// Only the backed deviations reached the BVA, each with its evidence
	// narrowed to the field reported.
	reports := s.mock.Reports()
	require.Len(t, reports, 30)
	for _, r := range reports {
		assert.Equal(t, ida.KindInaccuracy, r.Kind)
		x := r.Inaccuracy
		require.Len(t, x.Evidence, 1)
		assert.Equal(t, x.Fields, x.Evidence[0].Fields)
		switch x.Fields {
		case idnr.FieldFamilyName:
			assert.Equal(t, ida.DocBirthCertificate, x.Evidence[0].Kind)
			assert.Equal(t, "Registerwert", x.Held.FamilyName)
		case idnr.FieldDeathDate:
			assert.Equal(t, ida.DocDeathCertificate, x.Evidence[0].Kind)
			assert.Equal(t, idnr.MustDate(2024, 5, 7), x.Evidence[0].Date)
		default:
			t.Errorf("report of %v", x.Fields)
		}
		assert.Equal(t, "Standesamt Musterstadt", x.Evidence[0].Authority)
	}

	// The register now has the BZSt's address, its own death date and its
	// own verified family name.
	got, err := reg.NextWithIDNr(ctx, "", 1000)
	require.NoError(t, err)
	for i, e := range got {
		switch kind(i) {
		case "moved":
			assert.Equal(t, truth[i].Address.Street, e.Person.Address.Street)
		case "death":
			assert.Equal(t, idnr.MustDate(2024, 5, 6), e.Person.DeathDate)
		case "verified":
			assert.Equal(t, "Registerwert", e.Person.FamilyName)
		}
	}
	c, ok, err := reg.ReviewCase(ctx, entries[2].Key)
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(c.Reason, "inaccuracy_reported"))
	assert.Contains(t, c.Details, "Bericht an das BVA (§ 10 Abs. 4 IDNrG) mit Nachweis: Sterbetag (Sterbeurkunde)")
	c, ok, err = reg.ReviewCase(ctx, entries[13].Key)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "inaccuracy_no_evidence:family_name", c.Reason)
	require.NotEmpty(t, c.Details)
	assert.Contains(t, c.Details[0], "ohne Nachweisangaben: Familienname")

	// A second pass finds only what the register keeps against the BZSt.
	rep2, err := sy.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, rep2.Outcomes["updated"], "%v", rep2.Reasons)
	assert.Equal(t, 210, rep2.Outcomes["unchanged"])
}
