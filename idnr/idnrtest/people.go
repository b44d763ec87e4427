package idnrtest

// Internals that other files of this package (for example defects*.go) may
// call; all draw from the Generator's own random source g.r, so results
// stay deterministic for a seed:
//
//	g.r                          *rand.Rand (PCG), the source of all draws
//	g.pickOrigin() *origin       a naming tradition, weighted like Germany's population
//	originOf(p) *origin          the tradition of p's family name (German if unknown)
//	g.givenName(o, sex, year)    one given name for the sex and birth year
//	g.givenNames(o, sex, year)   1-3 given names, space-separated, no repeats
//	g.familyName(o, sex)         a family name in the form for the sex (Kowalska, Iwanowa)
//	convertSex(name, sex)        a known family name in the form for another sex
//	g.city() *city               a German municipality weighted by size (name, postcodes, AGS)
//	g.address() idnr.Address     a German address with street, number, postcode, city, AGS
//	g.street() string            a street name ("Hauptstraße", "Lange Straße", "Am Markt")
//	g.houseNumber() string       "12", "12a", "7-9"
//	g.postcode(c) string         a postcode of the city
//	g.birthYear(lo, hi) int      a birth year, older years rarer
//	g.birthDate(year, abroad)    a birth date in the year, partial now and then
//	g.dateIn(lo, hi) idnr.Date   a complete date in the years lo..hi
//	g.birthPlace(o, year)        a birth place and whether it is abroad
//	g.nationalities(o, abroad)   nationality codes (ISO 3166-1 alpha-3)
//	g.percent(p) bool            true with probability p/100 (p may be fractional)
//	g.pick(list) string          a uniformly chosen element

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regmo/regmo/idnr"
)

// Generator draws valid test numbers and synthetic people. The same seed
// gives the same sequence. A Generator is not safe for concurrent use; use
// one per goroutine (with different seeds, or numbers may repeat across
// them).
type Generator struct {
	r   *rand.Rand
	ids idSource
}

// New returns a Generator whose draws are fixed by seed.
func New(seed uint64) *Generator {
	return &Generator{
		r:   rand.New(rand.NewPCG(seed, 0x9E3779B97F4A7C15)),
		ids: newIDSource(rand.New(rand.NewPCG(seed, 0x2545F4914F6CDD1D))),
	}
}

// weighted picks indexes with fixed weights.
type weighted struct {
	cum   []uint32
	total uint32
}

func newWeighted(weights []float64) weighted {
	w := weighted{cum: make([]uint32, len(weights))}
	var sum float64
	for _, x := range weights {
		sum += x
	}
	var acc float64
	for i, x := range weights {
		acc += x
		w.cum[i] = uint32(acc / sum * 1e9)
	}
	w.total = w.cum[len(w.cum)-1]
	return w
}

// zipf weighs the i-th entry 1/(i+offset): the first entries are common,
// the tail is long.
func zipf(n int, offset float64) weighted {
	ws := make([]float64, n)
	for i := range ws {
		ws[i] = 1 / (float64(i) + offset)
	}
	return newWeighted(ws)
}

func (w *weighted) pick(r *rand.Rand) int {
	x := r.Uint32N(w.total)
	return sort.Search(len(w.cum), func(i int) bool { return w.cum[i] > x })
}

// Pickers, built once.
var (
	originPick  weighted
	cityPick    weighted
	germanSur   = zipf(len(germanSurnames), 8)
	germanMaleW [3]weighted
	germanFemW  [3]weighted
	headPick    = zipf(len(surnameHeads), 20)
	pickers     = map[*origin]*[3]weighted{} // surnames, male, female
	surnameOf   = map[string]*origin{}
	surnameForm = map[string]surname{}
)

func init() {
	var ow []float64
	for _, o := range origins {
		ow = append(ow, float64(o.weight))
		if o.key == "de" {
			continue
		}
		pickers[o] = &[3]weighted{zipf(len(o.surnames), 4), zipf(len(o.male), 6), zipf(len(o.female), 6)}
		for _, s := range o.surnames {
			surnameOf[s.m] = o
			surnameForm[s.m] = s
			if s.f != "" {
				surnameOf[s.f] = o
				surnameForm[s.f] = s
			}
		}
	}
	originPick = newWeighted(ow)
	var cw []float64
	for _, c := range cities {
		cw = append(cw, float64(c.thousand))
	}
	cityPick = newWeighted(cw)
	for e := 0; e < 3; e++ {
		germanMaleW[e] = zipf(len(germanMale[e]), 5)
		germanFemW[e] = zipf(len(germanFemale[e]), 5)
	}
	de := origins[0]
	for _, s := range germanSurnames {
		surnameOf[s.m] = de
	}
	for _, s := range prefixedSurnames {
		surnameForm[s.m] = s
		if s.f != "" {
			surnameForm[s.f] = s
		}
	}
}

func (g *Generator) percent(p float64) bool { return g.r.Float64()*100 < p }

func (g *Generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *Generator) pickOrigin() *origin { return origins[originPick.pick(g.r)] }

// originOf returns the naming tradition of p's family name: of the whole
// name, else of its first part; German when unknown.
func originOf(p idnr.Person) *origin {
	name := p.FamilyName
	if o, ok := surnameOf[name]; ok {
		return o
	}
	if i := strings.IndexAny(name, " -"); i > 0 {
		if o, ok := surnameOf[name[:i]]; ok {
			return o
		}
	}
	for _, n := range p.Nationalities {
		for _, o := range origins[1:] {
			if slices.Contains(o.nationality, n) {
				return o
			}
		}
	}
	return origins[0]
}

// convertSex returns the family name in its form for sex when the name is
// one of the tables' gendered names (Kowalski/Kowalska, Graf/Gräfin von
// ...); other names, and parts of double names, are returned as they are
// or converted part by part.
func convertSex(name string, sex idnr.Sex) string {
	if s, ok := surnameForm[name]; ok {
		return s.forSex(sex)
	}
	for _, sep := range []string{"-", " "} {
		if strings.Contains(name, sep) {
			parts := strings.Split(name, sep)
			changed := false
			for i, p := range parts {
				if s, ok := surnameForm[p]; ok {
					parts[i] = s.forSex(sex)
					changed = true
				}
			}
			if changed {
				return strings.Join(parts, sep)
			}
		}
	}
	return name
}

func era(year int) int {
	switch {
	case year < 1955:
		return 0
	case year < 1985:
		return 1
	}
	return 2
}

// givenName returns one given name for the sex (for Diverse and
// Unspecified from either list) and birth year.
func (g *Generator) givenName(o *origin, sex idnr.Sex, year int) string {
	female := sex == idnr.Female || ((sex == idnr.Diverse || sex == idnr.Unspecified || sex == idnr.SexUnknown) && g.r.IntN(2) == 0)
	if o.key == "de" {
		e := era(year)
		if g.percent(15) { // names cross eras
			e = min(2, max(0, e+g.r.IntN(3)-1))
		}
		if female {
			return germanFemale[e][germanFemW[e].pick(g.r)]
		}
		return germanMale[e][germanMaleW[e].pick(g.r)]
	}
	pk := pickers[o]
	if female {
		return o.female[pk[2].pick(g.r)]
	}
	return o.male[pk[1].pick(g.r)]
}

// givenNames returns 1-3 distinct given names separated by single spaces.
func (g *Generator) givenNames(o *origin, sex idnr.Sex, year int) string {
	n := 1
	switch x := g.r.IntN(100); {
	case o.key == "vn":
	case o.key == "de" && x < 12:
		n = 3
	case o.key == "de" && x < 50, o.key != "de" && x < 25:
		n = 2
	}
	names := make([]string, 0, n)
	for tries := 0; len(names) < n && tries < 8; tries++ {
		cand := g.givenName(o, sex, year)
		dup := false
		for _, x := range names {
			if x == cand || strings.Contains(x, cand) || strings.Contains(cand, x) {
				dup = true
			}
		}
		if !dup {
			names = append(names, cand)
		}
	}
	return strings.Join(names, " ")
}

// familyName returns a family name of the tradition in the form for sex.
func (g *Generator) familyName(o *origin, sex idnr.Sex) string {
	if o.key != "de" {
		pk := pickers[o]
		name := o.surnames[pk[0].pick(g.r)].forSex(sex)
		if o.twoSurnames > 0 && g.percent(float64(o.twoSurnames)) {
			second := o.surnames[pk[0].pick(g.r)].forSex(sex)
			if second != name {
				name += " " + second
			}
		}
		return name
	}
	switch x := g.r.IntN(1000); {
	case x < 6:
		return prefixedSurnames[g.r.IntN(len(prefixedSurnames))].forSex(sex)
	case x < 30: // double name
		a := germanSurnames[germanSur.pick(g.r)].m
		b := g.germanTail()
		if a != b {
			return a + "-" + b
		}
		return a
	case x < 420:
		return germanSurnames[germanSur.pick(g.r)].m
	}
	return g.germanTail()
}

// germanTail returns a synthetic compound family name of the long tail.
func (g *Generator) germanTail() string {
	h := surnameHeads[headPick.pick(g.r)]
	t := surnameTails[g.r.IntN(len(surnameTails))]
	if strings.HasSuffix(h, t[:1]) { // no "Steinner"
		t = surnameTails[0]
	}
	return h + t
}

func (g *Generator) city() *city { return &cities[cityPick.pick(g.r)] }

func (g *Generator) postcode(c *city) string {
	return pad5(c.plzLo + g.r.IntN(c.plzHi-c.plzLo+1))
}

func pad5(n int) string {
	s := strconv.Itoa(n)
	return "00000"[:5-len(s)] + s
}

func (g *Generator) street() string {
	switch x := g.r.IntN(100); {
	case x < 60:
		return g.pick(streetStems) + g.pick(streetSuffixes)
	case x < 72:
		return g.pick(streetWordPrefix) + " " + g.pick(streetPersonWords)
	case x < 90:
		return g.pick(streetPersons) + g.pick(streetPersonWords)
	}
	return g.pick(streetFixed)
}

func (g *Generator) houseNumber() string {
	n := 1 + int(g.r.ExpFloat64()*25)
	if n > 250 {
		n = 1 + g.r.IntN(250)
	}
	s := strconv.Itoa(n)
	switch x := g.r.IntN(100); {
	case x < 8:
		s += string(rune('a' + g.r.IntN(4)))
	case x < 10:
		s += "-" + strconv.Itoa(n+2)
	}
	return s
}

// address returns a German address; the municipality key belongs to the city.
func (g *Generator) address() idnr.Address {
	c := g.city()
	a := idnr.Address{
		Street:          g.street(),
		HouseNumber:     g.houseNumber(),
		PostalCode:      g.postcode(c),
		City:            c.name,
		MunicipalityKey: c.ags,
	}
	if g.percent(2) {
		a.Supplement = g.pick(supplements)
	}
	return a
}

// birthYear draws a year in lo..hi; years before 1950 get rarer with age.
func (g *Generator) birthYear(lo, hi int) int {
	for {
		y := lo + g.r.IntN(hi-lo+1)
		if y >= 1950 || g.r.Float64() < 0.1+0.9*float64(y-1925)/25 {
			return y
		}
	}
}

// dateIn returns a complete date in the years lo..hi.
func (g *Generator) dateIn(lo, hi int) idnr.Date {
	y := lo + g.r.IntN(hi-lo+1)
	m := 1 + g.r.IntN(12)
	return idnr.MustDate(y, m, 1+g.r.IntN(daysIn(y, m)))
}

func daysIn(y, m int) int {
	switch m {
	case 4, 6, 9, 11:
		return 30
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// birthDate returns a date in the year; as in real registers a few are
// partial, more often for people born abroad (who also get 1 January as a
// stand-in now and then).
func (g *Generator) birthDate(year int, abroad bool) idnr.Date {
	x := g.r.Float64() * 100
	if abroad {
		switch {
		case x < 3:
			return idnr.MustDate(year, 0, 0)
		case x < 4:
			return idnr.MustDate(year, 1+g.r.IntN(12), 0)
		case x < 8:
			return idnr.MustDate(year, 1, 1)
		}
	} else {
		switch {
		case x < 0.1:
			return idnr.MustDate(year, 0, 0)
		case x < 0.4:
			return idnr.MustDate(year, 1+g.r.IntN(12), 0)
		}
	}
	return g.dateIn(year, year)
}

// birthPlace returns a birth place and whether it is abroad.
func (g *Generator) birthPlace(o *origin, year int) (idnr.Place, bool) {
	abroadShare := 3.0
	if o.key != "de" {
		abroadShare = 30
		if year < 1995 {
			abroadShare = 75
		}
	}
	if g.percent(abroadShare) {
		if o.key == "de" {
			if year < 1946 {
				return oldBirthPlaces[g.r.IntN(len(oldBirthPlaces))], true
			}
			all := origins[1+g.r.IntN(len(origins)-1)].places
			return all[g.r.IntN(len(all))], true
		}
		return o.places[g.r.IntN(len(o.places))], true
	}
	if g.percent(25) {
		return idnr.Place{City: g.pick(birthTowns)}, false
	}
	return idnr.Place{City: g.city().name}, false
}

// nationalities returns the nationality codes for the tradition.
func (g *Generator) nationalities(o *origin, abroad bool) []string {
	if o.key == "de" {
		if g.percent(1) {
			return []string{"DEU", g.pick([]string{"AUT", "CHE", "USA", "NLD", "POL"})}
		}
		return []string{"DEU"}
	}
	own := g.pick(o.nationality)
	x := g.r.IntN(100)
	if abroad {
		switch {
		case x < 60:
			return []string{own}
		case x < 85:
			return []string{"DEU"}
		}
		return []string{"DEU", own}
	}
	switch {
	case x < 50:
		return []string{"DEU"}
	case x < 75:
		return []string{own}
	}
	return []string{"DEU", own}
}

// spec fixes parts of a person to draw; zero fields are drawn.
type spec struct {
	o       *origin
	sex     idnr.Sex
	year    int       // birth year
	birth   idnr.Date // exact birth date
	family  string    // family name (already in the form for sex)
	place   *idnr.Place
	abroad  bool
	addr    *idnr.Address
	nat     []string
	unwed   bool // no marriage names (children living with their parents)
	moveIn  idnr.Date
	yearMin int
	yearMax int
}

// Person returns a synthetic person with a new IDNr who passes
// [idnr.Person.Validate]: German or foreign names with diacritics, weighted
// so that common names repeat, 1-3 given names fitting the sex, now and
// then a doctoral degree, former names (birth names of married people),
// names of nobility, partial birth dates, birth places abroad, and an
// address with postcode and municipality key.
func (g *Generator) Person() idnr.Person {
	return g.build(spec{})
}

func (g *Generator) sex() idnr.Sex {
	switch x := g.r.IntN(1000); {
	case x < 3:
		return idnr.Diverse
	case x < 4:
		return idnr.Unspecified
	case x < 496:
		return idnr.Male
	}
	return idnr.Female
}

func (g *Generator) build(s spec) idnr.Person {
	if s.o == nil {
		s.o = g.pickOrigin()
	}
	if s.sex == idnr.SexUnknown {
		s.sex = g.sex()
	}
	if s.year == 0 {
		if y, ok := s.birth.Year(); ok {
			s.year = y
		} else {
			lo, hi := 1925, 2024
			if s.yearMin != 0 {
				lo = s.yearMin
			}
			if s.yearMax != 0 {
				hi = s.yearMax
			}
			s.year = g.birthYear(lo, hi)
		}
	}
	p := idnr.Person{IDNr: g.IDNr(), Sex: s.sex}
	if s.place != nil {
		p.BirthPlace = *s.place
	} else {
		p.BirthPlace, s.abroad = g.birthPlace(s.o, s.year)
	}
	if s.birth.IsZero() {
		s.birth = g.birthDate(s.year, s.abroad)
	}
	p.BirthDate = s.birth
	p.GivenNames = g.givenNames(s.o, s.sex, s.year)
	if s.family != "" {
		p.FamilyName = s.family
	} else {
		p.FamilyName = g.familyName(s.o, s.sex)
	}
	age := 2025 - s.year
	if !s.unwed && age >= 22 {
		g.marry(&p, s.o, age)
	}
	if age >= 28 && g.percent(2.5) {
		p.DoctoralDegree = g.pick(doctoralDegrees)
	}
	if g.percent(0.03) {
		p.FormerNames = append(p.FormerNames, g.pick(religiousNames))
		p.FormerNameKinds = append(p.FormerNameKinds, idnr.ReligiousName)
	} else if g.percent(0.05) {
		p.FormerNames = append(p.FormerNames, g.pick(artistNames))
		p.FormerNameKinds = append(p.FormerNameKinds, idnr.ArtistName)
	}
	if len(p.FormerNameKinds) > 0 && g.percent(4) {
		p.FormerNameKinds = p.FormerNameKinds[:len(p.FormerNameKinds)-1] // kind not recorded
	}
	if s.nat != nil {
		p.Nationalities = slices.Clone(s.nat)
	} else {
		p.Nationalities = g.nationalities(s.o, s.abroad)
	}
	if s.addr != nil {
		p.Address = *s.addr
	} else {
		p.Address = g.address()
	}

	// Moving in: at birth for some, else a later year.
	switch {
	case !s.moveIn.IsZero() && !s.moveIn.Before(p.BirthDate):
		p.MoveInDate = s.moveIn
	case g.percent(4): // not recorded
	case s.year >= 2024 || g.percent(10):
		if p.BirthDate.IsComplete() {
			p.MoveInDate = p.BirthDate
		} else {
			p.MoveInDate = idnr.MustDate(s.year, 12, 31)
		}
	default:
		p.MoveInDate = g.dateIn(max(s.year+1, 1960), 2025)
	}
	if y, ok := p.MoveInDate.Year(); ok && y < 2025 && s.addr == nil && g.percent(3) {
		p.MoveOutDate = g.dateIn(y+1, 2025)
		if g.percent(30) {
			p.Address = foreignAddresses[g.r.IntN(len(foreignAddresses))]
			p.Address.HouseNumber = g.houseNumber()
		}
	}
	if s.year <= 2020 && g.percent(0.6) {
		p.DeathDate = g.dateIn(s.year+1, 2025)
		if y, ok := p.MoveOutDate.Year(); ok {
			p.DeathDate = g.dateIn(y, 2025)
			if p.DeathDate.Before(p.MoveOutDate) {
				p.DeathDate = p.MoveOutDate
			}
		}
	}
	switch x := g.r.IntN(1000); {
	case x < 4:
		p.InformationBlocks = []idnr.InformationBlock{idnr.BlockRisk}
	case x < 6:
		p.InformationBlocks = []idnr.InformationBlock{idnr.BlockConditional}
	}
	if g.percent(50) {
		p.LastContact = idnr.MonthYear{Year: max(s.year, 2015+g.r.IntN(11)), Month: time.Month(1 + g.r.IntN(12))}
	}
	return p
}

// marry gives an adult the names of a marriage now and then: most married
// women and a few men carry the spouse's name with the birth name among the
// former names; some were married twice; some carry a double name.
func (g *Generator) marry(p *idnr.Person, o *origin, age int) {
	share := 6.0
	if p.Sex == idnr.Female {
		share = 55
		if age < 30 {
			share = 30
		}
	}
	if !g.percent(share) {
		return
	}
	birth := p.FamilyName
	so := o
	if g.percent(25) {
		so = g.pickOrigin()
	}
	married := g.familyName(so, p.Sex)
	if married == birth {
		return
	}
	p.FormerNames = []string{birth}
	p.FormerNameKinds = []idnr.NameKind{idnr.BirthName}
	if age >= 35 && g.percent(10) {
		first := g.familyName(o, p.Sex)
		if first != married && first != birth {
			p.FormerNames = append(p.FormerNames, first)
			p.FormerNameKinds = append(p.FormerNameKinds, idnr.NameBeforeChange)
		}
	}
	if g.percent(8) && !strings.ContainsAny(married+birth, " -") {
		married += "-" + birth
	}
	p.FamilyName = married
}

// Population returns n people living in households as registers hold them:
// single people, couples sharing family name and address, and families
// with children (siblings, now and then twins).
func (g *Generator) Population(n int) []idnr.Person {
	out := make([]idnr.Person, 0, n)
	for len(out) < n {
		switch x := g.r.IntN(100); {
		case x < 45:
			out = append(out, g.Person())
		case x < 70:
			p := g.build(spec{sex: g.headSex(), yearMin: 1935, yearMax: 2000})
			out = append(out, p, g.Spouse(p))
		default:
			p := g.build(spec{sex: g.headSex(), yearMin: 1960, yearMax: 1995})
			out = append(out, p)
			if g.percent(70) {
				out = append(out, g.Spouse(p))
			}
			k := 1 + g.r.IntN(3)
			var first idnr.Person
			for i := 0; i < k; i++ {
				var c idnr.Person
				if i == 0 {
					c = g.Child(p)
					first = c
				} else if g.percent(3) {
					c = g.Twin(first)
				} else {
					c = g.Sibling(first)
				}
				out = append(out, c)
			}
		}
	}
	return out[:n]
}

// headSex is the sex of the person a household is built around; mostly the
// man, so that the wife usually takes his name as most couples do.
func (g *Generator) headSex() idnr.Sex {
	if g.percent(75) {
		return idnr.Male
	}
	return idnr.Female
}

func birthYearOf(p idnr.Person) int {
	if y, ok := p.BirthDate.Year(); ok {
		return y
	}
	return 1970
}

// Sibling returns a brother or sister of p: the same family name (in the
// form for the sibling's sex), birth place, nationalities and address, other
// given names and a birth date one to eight years apart; a new IDNr.
func (g *Generator) Sibling(p idnr.Person) idnr.Person {
	o := originOf(p)
	sex := g.sex()
	y := birthYearOf(p)
	for {
		d := 1 + g.r.IntN(8)
		if g.r.IntN(2) == 0 {
			d = -d
		}
		if y+d >= 1925 && y+d <= 2024 {
			y += d
			break
		}
	}
	place, addr := p.BirthPlace, p.Address
	q := g.build(spec{o: o, sex: sex, year: y, family: convertSex(p.FamilyName, sex), place: &place,
		abroad: place.Country != "", addr: &addr, nat: p.Nationalities, unwed: true, moveIn: p.MoveInDate})
	g.otherGivenNames(&q, p, o, y)
	return q
}

// Twin returns a twin of p: the same family name, birth date, birth place,
// nationalities and address, other given names; a new IDNr.
func (g *Generator) Twin(p idnr.Person) idnr.Person {
	o := originOf(p)
	sex := p.Sex
	if g.r.IntN(2) == 0 {
		sex = g.sex()
	}
	y := birthYearOf(p)
	place, addr := p.BirthPlace, p.Address
	q := g.build(spec{o: o, sex: sex, year: y, birth: p.BirthDate, family: convertSex(p.FamilyName, sex),
		place: &place, abroad: place.Country != "", addr: &addr, nat: p.Nationalities, unwed: true, moveIn: p.MoveInDate})
	g.otherGivenNames(&q, p, o, y)
	return q
}

// Child returns a child of p: p's family name (in the form for the child's
// sex), address and nationalities, born 20 to 42 years after p (but not
// after 2024), mostly in p's city; a son of a father (or daughter of a
// mother) now and then carries the parent's first given name. A new IDNr.
func (g *Generator) Child(p idnr.Person) idnr.Person {
	o := originOf(p)
	sex := g.sex()
	y := min(2024, birthYearOf(p)+20+g.r.IntN(23))
	place := idnr.Place{City: p.Address.City}
	if p.Address.Country != "" || place.City == "" || g.percent(20) {
		place, _ = g.birthPlace(o, y)
	}
	addr := p.Address
	q := g.build(spec{o: o, sex: sex, year: y, family: convertSex(p.FamilyName, sex), place: &place,
		abroad: place.Country != "", addr: &addr, nat: p.Nationalities, unwed: true})
	if sex == p.Sex && g.percent(15) {
		first, _, _ := strings.Cut(p.GivenNames, " ")
		rest := strings.Fields(q.GivenNames)
		names := []string{first}
		for _, r := range rest[1:] {
			if r != first {
				names = append(names, r)
			}
		}
		q.GivenNames = strings.Join(names, " ")
	}
	return q
}

// Spouse returns a spouse of p of the other sex living at p's address and
// carrying p's family name (with the own birth name among the former names
// now and then); a new IDNr.
func (g *Generator) Spouse(p idnr.Person) idnr.Person {
	o := originOf(p)
	sex := idnr.Female
	if p.Sex == idnr.Female {
		sex = idnr.Male
	}
	y := min(2003, max(1925, birthYearOf(p)+g.r.IntN(13)-6))
	addr := p.Address
	q := g.build(spec{o: o, sex: sex, year: y, addr: &addr, unwed: true, moveIn: p.MoveInDate})
	family := convertSex(p.FamilyName, sex)
	if p.FormerNameKind(0) == idnr.BirthName {
		// p took the spouse's name: the spouse kept the own birth name.
		q.FamilyName = family
		return q
	}
	if p.Sex == idnr.Female && g.percent(50) {
		// Both kept their names, as German law allows.
		return q
	}
	if q.FamilyName != family {
		q.FormerNames = append([]string{q.FamilyName}, q.FormerNames...)
		q.FormerNameKinds = append([]idnr.NameKind{idnr.BirthName}, q.FormerNameKinds...)
		q.FamilyName = family
	}
	return q
}

// otherGivenNames redraws q's given names until the first differs from
// p's, preferably also without diacritics and hyphens (not Maria and
// María, Anna-Lena and Anna Lena; see defectSharesFirstName).
func (g *Generator) otherGivenNames(q *idnr.Person, p idnr.Person, o *origin, year int) {
	pf, _, _ := strings.Cut(p.GivenNames, " ")
	fallback := ""
	for i := 0; i < 50; i++ { // Vietnamese women's names mostly begin with Thị
		qf, _, _ := strings.Cut(q.GivenNames, " ")
		if qf != pf && q.GivenNames != p.GivenNames {
			if !defectSharesFirstName(p.GivenNames, q.GivenNames) {
				return
			}
			if fallback == "" {
				fallback = q.GivenNames
			}
		}
		q.GivenNames = g.givenNames(o, q.Sex, year)
	}
	if qf, _, _ := strings.Cut(q.GivenNames, " "); fallback != "" && (qf == pf || q.GivenNames == p.GivenNames || defectSharesFirstName(p.GivenNames, q.GivenNames)) {
		q.GivenNames = fallback
	}
}
