package match_test

import (
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

// decide returns the outcome of reg against the single candidate cand.
func decide(m *match.Matcher, reg, cand idnr.Person) match.Outcome {
	reg.IDNr = idnr.IDNr{}
	return m.Decide(reg, []idnr.Person{cand})
}

func syrian() idnr.Person {
	p := person()
	p.FamilyName, p.GivenNames = "Al-Hassan", "Mohammed"
	p.Nationalities = []string{"SYR"}
	p.BirthPlace = idnr.Place{City: "Aleppo", Country: "SYR"}
	return p
}

func TestNameOrder(t *testing.T) {
	m := match.New()
	cand := person()
	cand.GivenNames = "Peter"
	t.Run("given and family name swapped", func(t *testing.T) {
		reg := cand
		reg.FamilyName, reg.GivenNames = "Peter", "Müller"
		o := decide(m, reg, cand)
		assert.Equal(t, match.Accept, o.Decision, o.String())
		assert.Equal(t, match.LevelNameOrder, o.Reasons[match.FieldFamilyName].Level)
		assert.Equal(t, match.LevelNameOrder, o.Reasons[match.FieldGivenNames].Level)
		assert.Contains(t, o.German(), "vertauscht")
	})
	t.Run("family name first", func(t *testing.T) {
		c := cand
		c.FamilyName, c.GivenNames = "Nguyen", "Van Minh"
		reg := c
		reg.FamilyName, reg.GivenNames = "Minh", "Nguyen Van"
		o := decide(m, reg, c)
		assert.Equal(t, match.Accept, o.Decision, o.String())
	})
	t.Run("swapped with a typo goes to review, never reject", func(t *testing.T) {
		reg := cand
		reg.FamilyName, reg.GivenNames = "Petr", "Müller"
		reg.Address = idnr.Address{Street: "Ringstraße", HouseNumber: "3", PostalCode: "10115", City: "Berlin"}
		o := decide(m, reg, cand)
		assert.Equal(t, match.Review, o.Decision, o.String())
	})
	t.Run("another person with the names swapped, born years apart", func(t *testing.T) {
		reg := cand
		reg.FamilyName, reg.GivenNames = "Peter", "Müller"
		reg.BirthDate = idnr.MustDate(1965, 7, 1)
		o := decide(m, reg, cand)
		assert.NotEqual(t, match.Accept, o.Decision, o.String())
	})
	t.Run("swap needs birth place or street", func(t *testing.T) {
		reg := cand
		reg.FamilyName, reg.GivenNames = "Peter", "Müller"
		reg.BirthPlace = idnr.Place{}
		reg.Address.Street = "Ringstraße"
		o := decide(m, reg, cand)
		assert.Equal(t, match.Review, o.Decision, o.String())
	})
}

func TestTransliteration(t *testing.T) {
	m := match.New()
	for _, tc := range []struct{ a, b string }{
		{"Mohammed", "Muhammad"}, {"Mohammed", "Mohamed"}, {"Hussein", "Husain"}, {"Yusuf", "Yousef"},
		{"Al-Hassan", "Alhassan"}, {"Al-Hassan", "El Hasan"}, {"Schewtschenko", "Ševčenko"}, {"Tatjana", "Tatiana"},
		{"Sergej", "Sergey"}, {"Khaled", "Chalid"},
	} {
		assert.True(t, match.TranslitEqual(tc.a, tc.b, false), "%s %s", tc.a, tc.b)
	}
	for _, tc := range []struct{ a, b string }{
		{"Anna", "Anja"}, {"Lena", "Lina"}, {"Lena", "Leni"}, {"Hasan", "Hussein"}, {"Mehmet", "Mahmut"},
		{"Stefan", "Steffen"}, {"Leonard", "Lennart"}, {"Niccolò", "Nicolò"},
	} {
		assert.NotEqual(t, match.TranslitKey(tc.a, true), match.TranslitKey(tc.b, true), "%s %s", tc.a, tc.b)
	}
	t.Run("family and given name in another spelling", func(t *testing.T) {
		cand := syrian()
		reg := cand
		reg.FamilyName, reg.GivenNames = "El Hasan", "Muhammad"
		o := decide(m, reg, cand)
		assert.Equal(t, match.Accept, o.Decision, o.String())
		assert.Equal(t, match.LevelTranslit, o.Reasons[match.FieldFamilyName].Level)
		assert.Equal(t, match.LevelTranslit, o.Reasons[match.FieldGivenNames].Level)
	})
	t.Run("Yusuf and Yousef", func(t *testing.T) {
		cand := syrian()
		cand.GivenNames = "Yusuf"
		reg := cand
		reg.GivenNames = "Yousef"
		o := decide(m, reg, cand)
		assert.Equal(t, match.Accept, o.Decision, o.String())
	})
	t.Run("German twins Stefan and Steffen", func(t *testing.T) {
		cand := person()
		cand.GivenNames = "Steffen"
		reg := cand
		reg.GivenNames = "Stefan"
		o := decide(m, reg, cand)
		assert.Equal(t, match.Review, o.Decision, o.String())
	})
	t.Run("twins Lena and Lina", func(t *testing.T) {
		cand := syrian()
		cand.GivenNames, cand.Sex = "Lina", idnr.Female
		reg := cand
		reg.GivenNames = "Lena"
		o := decide(m, reg, cand)
		assert.Equal(t, match.Review, o.Decision, o.String())
	})
}

func TestScanningErrors(t *testing.T) {
	m := match.New()
	cand := person()
	cand.FamilyName = "Hoffmann"
	for fam, want := range map[string]match.Level{"Hoffrnann": match.LevelTypo, "H0ffmann": match.LevelExact} {
		reg := cand
		reg.FamilyName = fam
		o := decide(m, reg, cand)
		assert.Equal(t, want, o.Reasons[match.FieldFamilyName].Level, fam)
		assert.Equal(t, match.Accept, o.Decision, "%s: %s", fam, o)
	}
	// cl for d, ii for ü in a given name of six letters or more
	cand.GivenNames = "Dietmar"
	for _, g := range []string{"Cliétmar", "Dietrnar"} {
		reg := cand
		reg.GivenNames = g
		o := decide(m, reg, cand)
		assert.Equal(t, match.LevelTypo, o.Reasons[match.FieldGivenNames].Level, g)
		assert.Equal(t, match.Accept, o.Decision, "%s: %s", g, o)
	}
}

func TestRejectNeedsEvidence(t *testing.T) {
	m := match.New()
	cand := person()
	cand.GivenNames = "Peter"
	t.Run("swapped names with a partial date and an old address: review", func(t *testing.T) {
		reg := cand
		reg.FamilyName, reg.GivenNames = "Ptere", "Mlüler"
		reg.BirthDate = idnr.MustDate(1961, 0, 0)
		reg.BirthPlace = idnr.Place{City: "Bonn"}
		reg.Address = idnr.Address{Street: "Ringstraße", HouseNumber: "3", PostalCode: "10115", City: "Berlin"}
		o := decide(m, reg, cand)
		require.Less(t, o.Score, 0.0, o.String())
		assert.Equal(t, match.Review, o.Decision, o.String())
	})
	t.Run("another birth date: reject", func(t *testing.T) {
		reg := cand
		reg.GivenNames = "Karl"
		reg.BirthDate = idnr.MustDate(1984, 8, 30)
		reg.Address = idnr.Address{Street: "Ringstraße", HouseNumber: "3", PostalCode: "10115", City: "Berlin"}
		o := decide(m, reg, cand)
		assert.Equal(t, match.Reject, o.Decision, o.String())
	})
}

// population yields n synthetic people: one common family name and many
// rare ones.
func population(n int) iter.Seq[idnr.Person] {
	return func(yield func(idnr.Person) bool) {
		p := person()
		for i := range n {
			if i%10 == 0 {
				p.FamilyName = "Müller"
			} else {
				p.FamilyName = "Name" + string(rune('A'+i%26)) + string(rune('A'+i/26%26)) + string(rune('A'+i/676%26))
			}
			if !yield(p) {
				return
			}
		}
	}
}

func TestFrequencies(t *testing.T) {
	f := match.BuildFrequencies(population(20000))
	require.EqualValues(t, 20000, f.People())
	b, err := f.MarshalBinary()
	require.NoError(t, err)
	var g match.Frequencies
	require.NoError(t, g.UnmarshalBinary(b))
	require.ErrorIs(t, g.UnmarshalBinary(b[:len(b)-3]), match.ErrFrequencies)
	require.NoError(t, g.UnmarshalBinary(b))

	plain, tf := match.New(), match.New(match.WithFrequencies(&g))
	cand := person() // Müller: one in ten
	o0, o1 := decide(plain, cand, cand), decide(tf, cand, cand)
	assert.Less(t, o1.Reasons[match.FieldFamilyName].Weight, o0.Reasons[match.FieldFamilyName].Weight, "a common name weighs less")
	assert.GreaterOrEqual(t, o1.Reasons[match.FieldFamilyName].Weight, 10-match.MaxLower)

	rare := cand
	rare.FamilyName = "Eckmüller"
	o0, o1 = decide(plain, rare, rare), decide(tf, rare, rare)
	assert.Greater(t, o1.Reasons[match.FieldFamilyName].Weight, o0.Reasons[match.FieldFamilyName].Weight, "a rare name weighs more")
	assert.LessOrEqual(t, o1.Reasons[match.FieldFamilyName].Weight, 10+match.MaxRaise)

	// the guard: a rare name never lifts a birth-date or sex conflict
	other := rare
	other.BirthDate = idnr.MustDate(1990, 1, 1)
	assert.NotEqual(t, match.Accept, decide(tf, rare, other).Decision)
	other = rare
	other.Sex = idnr.Female
	assert.NotEqual(t, match.Accept, decide(tf, rare, other).Decision)

	// a small table is not used
	small := match.BuildFrequencies(population(100))
	o2 := decide(match.New(match.WithFrequencies(small)), rare, rare)
	assert.Equal(t, o0.Score, o2.Score)
}

func BenchmarkBuildFrequencies(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = match.BuildFrequencies(population(100000))
	}
}

// FuzzComparators feeds arbitrary names to the transliteration key, the
// scanning-error folding (through Decide) and the name-order comparison:
// no panic, and the name comparison is symmetric.
func FuzzComparators(f *testing.F) {
	f.Add("Al-Hassan", "Mohammed", "Muhammad", "El Hasan")
	f.Add("Nguyen", "Van Minh", "Minh", "Nguyen Van")
	f.Add("Hoffrnann", "cl1ii0", "Hoffmann", "dluO")
	f.Add("\xff", "ʿAbd al-Raḥmān", "", "Ḥaddād")
	m := match.New()
	f.Fuzz(func(t *testing.T, fa, ga, fb, gb string) {
		_ = match.TranslitKey(fa, false)
		_ = match.TranslitKey(ga, true)
		a, b := person(), person()
		a.FamilyName, a.GivenNames, a.Nationalities = fa, ga, []string{"SYR"}
		b.FamilyName, b.GivenNames = fb, gb
		pa, pb := m.Prepare(a), m.Prepare(b)
		r1, s1 := m.Compare(&pa, &pb)
		r2, s2 := m.Compare(&pb, &pa)
		if r1[match.FieldFamilyName].Level != r2[match.FieldFamilyName].Level || r1[match.FieldGivenNames].Level != r2[match.FieldGivenNames].Level {
			t.Fatalf("asymmetric: %s / %s", r1.String(), r2.String())
		}
		if s1 != s2 {
			t.Fatalf("asymmetric score %v %v", s1, s2)
		}
	})
}
