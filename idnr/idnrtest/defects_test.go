package idnrtest

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
)

func defectTestPerson() idnr.Person {
	return idnr.Person{
		IDNr:            idnr.MustParse("36574261809"),
		FamilyName:      "Müller",
		FormerNames:     []string{"Weiß"},
		FormerNameKinds: []idnr.NameKind{idnr.BirthName},
		GivenNames:      "Anna Maria Jürgen",
		BirthDate:       idnr.MustDate(1961, 3, 12),
		BirthPlace:      idnr.Place{City: "München"},
		Sex:             idnr.Female,
		Nationalities:   []string{"DEU"},
		Address:         idnr.Address{Street: "Hauptstraße", HouseNumber: "12a", PostalCode: "50667", City: "Köln"},
	}
}

func TestApplyDefect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := defectTestPerson()
	for _, k := range PositiveKinds() {
		t.Run(k.String(), func(t *testing.T) {
			require.True(t, k.Applies(p))
			for range 50 {
				q := ApplyDefect(rng, p, k)
				assert.True(t, q.IDNr.IsZero(), "the register copy has no IDNr")
				switch k {
				case Clean:
					q.IDNr = p.IDNr
					assert.Equal(t, p, q)
				case Transliteration:
					assert.Contains(t, strings.ToLower(q.FamilyName), "mueller")
					assert.NotContains(t, q.GivenNames, "ü")
				case MissingDiacritics:
					assert.Equal(t, "Muller", q.FamilyName)
				case GivenNameSubset:
					got := strings.Fields(q.GivenNames)
					assert.NotEmpty(t, got)
					assert.Less(t, len(got), 3)
					for _, g := range got {
						assert.Contains(t, strings.Fields(p.GivenNames), g)
					}
				case GivenNameOrder:
					assert.NotEqual(t, p.GivenNames, q.GivenNames)
					assert.ElementsMatch(t, strings.Fields(p.GivenNames), strings.Fields(q.GivenNames))
				case Typo:
					assert.False(t, q.FamilyName == p.FamilyName && q.GivenNames == p.GivenNames && q.Address.Street == p.Address.Street)
				case MarriedName:
					assert.Equal(t, "Weiß", q.FamilyName)
					assert.Empty(t, q.FormerNames)
				case PartialBirthDate:
					assert.False(t, q.BirthDate.IsComplete())
					assert.True(t, q.BirthDate.Compatible(p.BirthDate))
				case SwappedBirthDate:
					assert.Equal(t, idnr.MustDate(1961, 12, 3), q.BirthDate)
				case BirthDateTypo:
					assert.True(t, q.BirthDate.IsComplete())
					assert.NotEqual(t, p.BirthDate, q.BirthDate)
					diff := 0
					a, b := p.BirthDate.RegisterForm(), q.BirthDate.RegisterForm()
					for i := range a {
						if a[i] != b[i] {
							diff++
						}
					}
					assert.LessOrEqual(t, diff, 2)
				case PlaceVariant:
					assert.NotEqual(t, p.BirthPlace.City, q.BirthPlace.City)
				case MovedAddress:
					assert.NotEqual(t, p.Address, q.Address)
				case DoctoralDegree:
					assert.NotEmpty(t, q.DoctoralDegree)
				}
			}
			assert.Equal(t, defectTestPerson(), p, "p is not changed")
		})
	}
}

func TestDefectKindsApply(t *testing.T) {
	p := defectTestPerson()
	p.GivenNames = "Anna"
	assert.False(t, GivenNameSubset.Applies(p))
	p.BirthDate = idnr.MustDate(1961, 3, 13)
	assert.False(t, SwappedBirthDate.Applies(p), "day 13 cannot be a month")
	p.FamilyName, p.GivenNames, p.BirthPlace.City, p.Address.Street, p.FormerNames = "Meyer", "Anna", "Kiel", "Ring", nil
	assert.False(t, Transliteration.Applies(p))
	rng := rand.New(rand.NewPCG(3, 4))
	q := ApplyDefect(rng, p, Transliteration)
	q.IDNr = p.IDNr
	assert.Equal(t, p, q, "a kind that does not apply leaves the copy clean")
}

func TestHardNegative(t *testing.T) {
	g := New(7)
	for range 200 {
		p := g.Person()
		for _, k := range NegativeKinds() {
			if !k.Applies(p) {
				continue
			}
			q := g.HardNegative(p, k)
			assert.NotEqual(t, p.IDNr, q.IDNr, k.String())
			assert.False(t, q.IDNr.IsZero(), k.String())
			require.NoError(t, q.Validate(), k.String())
			switch k {
			case Twin:
				assert.Equal(t, p.BirthDate, q.BirthDate)
				assert.False(t, defectSharesFirstName(p.GivenNames, q.GivenNames))
				assert.NotEqual(t, strings.Fields(p.GivenNames)[0], strings.Fields(q.GivenNames)[0])
			case NamesakeSameBirthDate:
				assert.Equal(t, p.BirthDate, q.BirthDate)
				assert.Equal(t, p.GivenNames, q.GivenNames)
				assert.NotEqual(t, p.BirthPlace.City, q.BirthPlace.City)
			case FatherSon:
				assert.Equal(t, p.GivenNames, q.GivenNames)
				assert.True(t, q.BirthDate.Before(p.BirthDate))
			case Sibling:
				assert.NotEqual(t, p.BirthDate, q.BirthDate)
			case NamesakeNearBirthDate:
				assert.Equal(t, p.GivenNames, q.GivenNames)
				assert.NotEqual(t, p.BirthDate, q.BirthDate)
			}
		}
	}
}

func TestRegisterCopyMix(t *testing.T) {
	g := New(11)
	counts := map[DefectKind]int{}
	const n = 4000
	for range n {
		_, k := g.RegisterCopy(g.Person())
		counts[k]++
	}
	assert.Greater(t, counts[Clean], n/2, "most records are clean")
	for k := range counts {
		assert.False(t, k.IsNegative())
	}
	assert.Greater(t, len(counts), 8, "a mix of kinds")
}

func TestCase(t *testing.T) {
	g := New(5)
	for _, k := range append(PositiveKinds(), NegativeKinds()...) {
		for range 30 {
			c := g.Case(k)
			assert.Equal(t, k, c.Kind)
			require.NotEmpty(t, c.Candidates)
			if k.IsNegative() {
				assert.Equal(t, -1, c.Truth)
			} else {
				require.GreaterOrEqual(t, c.Truth, 0)
				assert.False(t, c.Candidates[c.Truth].IDNr.IsZero())
			}
			b, err := json.Marshal(c)
			require.NoError(t, err)
			var back Case
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, c.Truth, back.Truth)
			assert.Equal(t, c.Kind, back.Kind)
			// The people are kept in full (test data), not masked.
			assert.Equal(t, c.Register.BirthDate, back.Register.BirthDate)
			assert.Equal(t, c.Register.FamilyName, back.Register.FamilyName)
			require.Len(t, back.Candidates, len(c.Candidates))
			for i := range c.Candidates {
				assert.Equal(t, c.Candidates[i].IDNr, back.Candidates[i].IDNr)
				assert.Equal(t, c.Candidates[i].BirthDate, back.Candidates[i].BirthDate)
			}
		}
	}
}

func TestDefectKindText(t *testing.T) {
	for k := Clean; k < numDefectKinds; k++ {
		var back DefectKind
		require.NoError(t, back.UnmarshalText([]byte(k.String())))
		assert.Equal(t, k, back)
	}
	var k DefectKind
	assert.Error(t, k.UnmarshalText([]byte("nope")))
}
