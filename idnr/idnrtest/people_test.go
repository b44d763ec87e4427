package idnrtest

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
)

func TestIDSpace(t *testing.T) {
	assert.Equal(t, 112, len(triplePos))
	assert.EqualValues(t, 366_508_800, idSpace)
	// The valid first-ten-digit strings counted by brute force over the
	// repetition rules agree with the constants: checked on the structure
	// of unrank instead, for a sample of indexes of both kinds.
	seen := map[[11]byte]uint64{}
	var g = New(7)
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	for k := 0; k < n; k++ {
		i := g.r.Uint64N(idSpace)
		if k%2 == 0 {
			i = g.r.Uint64N(spaceDouble) // both halves
		}
		d := unrank(i)
		if j, ok := seen[d]; ok && j != i {
			t.Fatalf("unrank(%d) == unrank(%d)", i, j)
		}
		seen[d] = i
		c, err := idnr.CheckDigit(digitString(d))
		require.NoError(t, err)
		d[10] = c
		_, err = idnr.ParseStrict(digitString(d)+string('0'+c), idnr.AllowLeadingZero)
		require.NoError(t, err, "index %d", i)
	}
	// The last indexes of each half are valid too.
	for _, i := range []uint64{0, spaceDouble - 1, spaceDouble, idSpace - 1} {
		d := unrank(i)
		c, _ := idnr.CheckDigit(digitString(d))
		_, err := idnr.ParseStrict(digitString(d)+string('0'+c), idnr.AllowLeadingZero)
		require.NoError(t, err, "index %d", i)
	}
}

func digitString(d [11]byte) string {
	var b [10]byte
	for i := range b {
		b[i] = '0' + d[i]
	}
	return string(b[:])
}

func TestIDNrUniqueAndValid(t *testing.T) {
	g := New(1)
	n := 200_000
	if testing.Short() {
		n = 30_000
	}
	seen := make(map[idnr.IDNr]struct{}, n)
	threes := 0
	for i := 0; i < n; i++ {
		id := g.IDNr()
		_, dup := seen[id]
		require.False(t, dup, "duplicate after %d numbers", i)
		seen[id] = struct{}{}
		s := id.String()
		require.NoError(t, idnr.Validate(s))
		if strings.Count(s[:10], s[:10][strings.IndexFunc(s[:10], func(r rune) bool { return strings.Count(s[:10], string(r)) > 1 }):][:1]) == 3 {
			threes++
		}
	}
	assert.Greater(t, threes, n/4, "numbers with a digit three times (allowed since 2016) occur")
	// Another generator with the same seed repeats the sequence.
	a, b := New(99), New(99)
	for i := 0; i < 100; i++ {
		require.Equal(t, a.IDNr(), b.IDNr())
	}
	assert.NotEqual(t, New(1).IDNr(), New(2).IDNr())
}

func TestDeterministic(t *testing.T) {
	a, b := New(42).Population(500), New(42).Population(500)
	require.Equal(t, a, b)
	c := New(43).Population(500)
	assert.NotEqual(t, a, c)
}

func TestPeopleValidate(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	g := New(2026)
	people := g.Population(n / 2)
	for i := 0; i < n/2; i++ {
		people = append(people, g.Person())
	}
	require.Len(t, people, n)
	for i := range people {
		p := &people[i]
		if err := p.Validate(); err != nil {
			t.Fatalf("person %d: %v", i, err)
		}
		require.False(t, p.IDNr.IsZero())
		require.NotEmpty(t, p.FamilyName)
		require.NotEmpty(t, p.GivenNames)
		require.NotEqual(t, idnr.SexUnknown, p.Sex)
		require.NotEmpty(t, p.Nationalities)
		require.NotEmpty(t, p.Address.City)
		if p.Address.Country == "" {
			require.Len(t, p.Address.MunicipalityKey, 8)
		}
	}
}

// TestRealism checks the shares that make the data register-like.
func TestRealism(t *testing.T) {
	n := 50_000
	if testing.Short() {
		n = 20_000
	}
	people := New(5).Population(n)
	count := func(f func(p *idnr.Person) bool) int {
		c := 0
		for i := range people {
			if f(&people[i]) {
				c++
			}
		}
		return c
	}
	share := func(c int) float64 { return float64(c) / float64(n) * 100 }

	families := map[string]int{}
	fullNames := map[string]int{}
	for i := range people {
		families[people[i].FamilyName]++
		fullNames[people[i].FamilyName+"|"+people[i].GivenNames]++
	}
	assert.Greater(t, share(families["Müller"]), 0.5, "Müller is common")
	for _, name := range []string{"Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Yılmaz", "Nowak"} {
		assert.Greater(t, families[name], n/2000, name)
	}
	namesakes := 0
	for _, c := range fullNames {
		if c > 1 {
			namesakes += c
		}
	}
	assert.Greater(t, namesakes, n/100, "namesakes (same family and given names) occur")

	nonASCII := count(func(p *idnr.Person) bool { return hasNonASCII(p.FamilyName + p.GivenNames) })
	assert.Greater(t, share(nonASCII), 15.0)
	all := &strings.Builder{}
	for i := range people {
		all.WriteString(people[i].FamilyName)
		all.WriteString(people[i].GivenNames)
		all.WriteString(people[i].BirthPlace.City)
	}
	for _, r := range "öüäßłçğşøåéñıİđễ" {
		assert.True(t, strings.ContainsRune(all.String(), r), "%c occurs", r)
	}

	degree := share(count(func(p *idnr.Person) bool { return p.DoctoralDegree != "" }))
	assert.InDelta(t, 2.0, degree, 1.2)
	married := count(func(p *idnr.Person) bool { return p.FormerNameKind(0) == idnr.BirthName })
	assert.Greater(t, share(married), 10.0)
	assert.Greater(t, count(func(p *idnr.Person) bool { return len(p.FormerNames) > 1 }), 0)
	assert.Greater(t, count(func(p *idnr.Person) bool {
		return strings.HasPrefix(p.FamilyName, "von ") || strings.Contains(p.FamilyName, " von ")
	}), 0)
	assert.Greater(t, count(func(p *idnr.Person) bool { return strings.Contains(p.GivenNames, "-") }), n/100)
	assert.Greater(t, count(func(p *idnr.Person) bool { return strings.Count(p.GivenNames, " ") >= 2 }), n/50)
	partial := share(count(func(p *idnr.Person) bool { return !p.BirthDate.IsComplete() }))
	assert.Greater(t, partial, 0.2)
	assert.Less(t, partial, 5.0)
	abroad := share(count(func(p *idnr.Person) bool { return p.BirthPlace.Country != "" }))
	assert.Greater(t, abroad, 5.0)
	assert.Less(t, abroad, 40.0)
	assert.Greater(t, count(func(p *idnr.Person) bool { return len(p.InformationBlocks) > 0 }), 0)
	assert.Less(t, share(count(func(p *idnr.Person) bool { return !p.DeathDate.IsZero() })), 2.0)
	assert.Greater(t, count(func(p *idnr.Person) bool { return p.Address.Country != "" }), 0)
	assert.Greater(t, count(func(p *idnr.Person) bool { return len(p.Nationalities) > 1 }), 0)
	streets := map[string]bool{}
	for i := range people {
		s := people[i].Address.Street
		for _, suf := range []string{"straße", "Straße", "weg", "platz", "Platz", "allee", "Allee", "gasse"} {
			if strings.HasSuffix(s, suf) {
				streets[suf] = true
			}
		}
	}
	assert.Len(t, streets, 8, "all street suffixes occur")
	assert.Greater(t, count(func(p *idnr.Person) bool {
		h := p.Address.HouseNumber
		return h != "" && h[len(h)-1] >= 'a' && h[len(h)-1] <= 'd'
	}), 0)
	years := map[int]bool{}
	for i := range people {
		if y, ok := people[i].BirthDate.Year(); ok {
			require.GreaterOrEqual(t, y, 1925)
			require.LessOrEqual(t, y, 2024)
			years[y/10] = true
		}
	}
	assert.Len(t, years, 11, "every decade 1920-2020")
}

// TestSexMatchesGivenNames: men carry male given names, women female ones.
func TestSexMatchesGivenNames(t *testing.T) {
	male, female := map[string]bool{}, map[string]bool{}
	for e := 0; e < 3; e++ {
		for _, n := range germanMale[e] {
			male[n] = true
		}
		for _, n := range germanFemale[e] {
			female[n] = true
		}
	}
	for _, o := range origins[1:] {
		for _, n := range o.male {
			male[n] = true
		}
		for _, n := range o.female {
			female[n] = true
		}
	}
	isName := func(set map[string]bool, given string) bool {
		if set[given] {
			return true
		}
		for n := range set { // Vietnamese given names hold two words
			if strings.Contains(" "+n+" ", " "+given+" ") {
				return true
			}
		}
		return false
	}
	g := New(11)
	for i := 0; i < 5000; i++ {
		p := g.Person()
		for _, given := range strings.Fields(p.GivenNames) {
			switch p.Sex {
			case idnr.Male:
				require.True(t, isName(male, given), "male %q", given)
			case idnr.Female:
				require.True(t, isName(female, given), "female %q", given)
			}
		}
	}
}

func TestRelatives(t *testing.T) {
	g := New(3)
	for i := 0; i < 3000; i++ {
		p := g.Person()
		firstOf := func(q idnr.Person) string { f, _, _ := strings.Cut(q.GivenNames, " "); return f }

		tw := g.Twin(p)
		require.NoError(t, tw.Validate())
		assert.NotEqual(t, p.IDNr, tw.IDNr)
		assert.Equal(t, p.BirthDate, tw.BirthDate)
		assert.Equal(t, p.BirthPlace, tw.BirthPlace)
		assert.Equal(t, p.Address, tw.Address)
		assert.Equal(t, convertSex(p.FamilyName, tw.Sex), tw.FamilyName)
		assert.NotEqual(t, firstOf(p), firstOf(tw))

		s := g.Sibling(p)
		require.NoError(t, s.Validate())
		assert.NotEqual(t, p.IDNr, s.IDNr)
		assert.Equal(t, p.Address, s.Address)
		assert.Equal(t, convertSex(p.FamilyName, s.Sex), s.FamilyName)
		assert.NotEqual(t, p.BirthDate, s.BirthDate)
		assert.NotEqual(t, firstOf(p), firstOf(s))

		c := g.Child(p)
		require.NoError(t, c.Validate())
		assert.Equal(t, p.Address, c.Address)
		assert.Equal(t, convertSex(p.FamilyName, c.Sex), c.FamilyName)
		py, _ := p.BirthDate.Year()
		cy, _ := c.BirthDate.Year()
		if py <= 2004 {
			assert.GreaterOrEqual(t, cy-py, 20)
		}

		sp := g.Spouse(p)
		require.NoError(t, sp.Validate())
		assert.Equal(t, p.Address, sp.Address)
		if p.Sex != idnr.Female || p.FormerNameKind(0) == idnr.BirthName {
			assert.Equal(t, convertSex(p.FamilyName, sp.Sex), sp.FamilyName)
		}
	}
	// Gendered family names follow the sex.
	assert.Equal(t, "Kowalska", convertSex("Kowalski", idnr.Female))
	assert.Equal(t, "Kowalski", convertSex("Kowalska", idnr.Male))
	assert.Equal(t, "Gräfin von Neuenwalde", convertSex("Graf von Neuenwalde", idnr.Female))
	assert.Equal(t, "Iwanowa-Schmidt", convertSex("Iwanow-Schmidt", idnr.Female))
	assert.Equal(t, "Müller", convertSex("Müller", idnr.Female))
}

func TestTablesAreClean(t *testing.T) {
	check := func(s string, dt idnr.DataType) {
		require.NoError(t, idnr.CheckName(s, dt), "%q", s)
		require.Equal(t, s, idnr.NormalizeName(s), "%q not NFC", s)
		require.True(t, utf8.ValidString(s))
	}
	var lists [][]string
	lists = append(lists, germanMale[:]...)
	lists = append(lists, germanFemale[:]...)
	lists = append(lists, surnameHeads, surnameTails, doctoralDegrees, religiousNames, artistNames)
	for _, o := range origins {
		lists = append(lists, o.male, o.female)
		for _, s := range o.surnames {
			check(s.m, idnr.DataTypeA)
			if s.f != "" {
				check(s.f, idnr.DataTypeA)
			}
		}
		for _, p := range o.places {
			check(p.City, idnr.DataTypeB)
		}
	}
	for _, s := range germanSurnames {
		check(s.m, idnr.DataTypeA)
	}
	for _, l := range lists {
		for _, s := range l {
			check(s, idnr.DataTypeA)
		}
	}
	for _, l := range [][]string{streetStems, streetFixed, supplements, birthTowns, streetWordPrefix} {
		for _, s := range l {
			check(s, idnr.DataTypeB)
		}
	}
	for _, c := range cities {
		check(c.name, idnr.DataTypeB)
		require.Len(t, c.ags, 8)
		require.LessOrEqual(t, c.plzLo, c.plzHi)
	}
	assert.True(t, slices.IsSortedFunc(cities[:3], func(a, b city) int { return b.thousand - a.thousand }))
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func BenchmarkIDNr(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = g.IDNr()
	}
}

func BenchmarkPerson(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Person()
	}
}

// BenchmarkPopulation100k generates 100,000 people in households per op.
func BenchmarkPopulation100k(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Population(100_000)
	}
}

// BenchmarkPeople2M draws 2,000,000 people per op without keeping them
// (memory stays small), to show a city-sized register is feasible.
func BenchmarkPeople2M(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < 2_000_000; i++ {
			_ = g.Person()
		}
	}
}
