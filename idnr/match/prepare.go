package match

import (
	"strings"
	"sync"

	"github.com/regmo/regmo/idnr"
)

// Capacity limits of a prepared record. Longer lists are cut; the cut is
// rare in real data (a sixth former name, a ninth given name) and only
// loses evidence, it never invents agreement.
const (
	maxNames = 5 // family name and up to four former names
	maxParts = 8 // given names
	maxSub   = 6 // parts of one name or place split on spaces and hyphens
	maxNat   = 4 // nationalities
	maxRefs  = 160
)

// nameForm is a name prepared for comparison.
type nameForm struct {
	sf, loose, phon string
	tl              string         // transliteration-blind key (see translit.go)
	sub             [maxSub]string // search forms of the parts split on spaces, hyphens and other separators
	nsub            uint8
}

// Prepared is a record prepared once for many comparisons: search forms,
// diacritic-blind forms, name parts and Kölner Phonetik codes, the unified
// street, the house-number parts. Make it with [Matcher.Prepare] and compare
// it with [Matcher.DecidePrepared]. A Prepared holds personal data in
// normalised form and is not printed by fmt (it has no exported fields);
// it is immutable and may be shared between goroutines.
type Prepared struct {
	id         idnr.IDNr
	fam        [maxNames]nameForm // fam[0] is the current family name if famCurrent
	nfam       uint8
	famCurrent bool

	given      [maxParts]string // search form of each given name (split on spaces)
	givenLoose [maxParts]string
	givenPhon  [maxParts]string
	givenTl    [maxParts]string // transliteration-blind keys
	ngiven     uint8
	givenAll   string // search form of all given names together

	degree string
	birth  idnr.Date
	sex    idnr.Sex

	place      nameForm
	placeCanon string // canonical search form (old names and exonyms resolved)

	street    string // search form with unified suffix (STR → STRASSE, ...)
	house     string // house number parts: digits and letters, '|' between runs
	houseMain string // the leading number
	postal    string // digits of the postcode
	city      string // search form of the town

	nats [maxNat]string
	nnat uint8

	// foreign: a nationality other than German or a birth place abroad;
	// only then may given names agree by transliteration alone (German
	// twins are named Stefan and Steffen, which the key does not part).
	foreign bool

	// famAdj and givAdj are the term-frequency adjustments of the current
	// family name and the first given name (0 without a frequency table;
	// see frequency.go).
	famAdj, givAdj float32
}

// builder collects all forms of a record in one byte buffer and turns it
// into one string at the end, so a Prepare costs one allocation for all
// its text.
type builder struct {
	buf  []byte
	refs [maxRefs]struct {
		dst  *string
		a, b int32
	}
	n int
}

// mark records that buf[a:] (up to the current end) becomes *dst.
func (b *builder) mark(dst *string, a int) {
	if a == len(b.buf) {
		*dst = ""
		return
	}
	if b.n == len(b.refs) {
		*dst = string(b.buf[a:]) // out of refs: allocate separately
		return
	}
	r := &b.refs[b.n]
	r.dst, r.a, r.b = dst, int32(a), int32(len(b.buf))
	b.n++
}

func (b *builder) finish() {
	s := string(b.buf)
	for i := 0; i < b.n; i++ {
		r := &b.refs[i]
		*r.dst = s[r.a:r.b]
	}
}

// searchForm appends the search form of s and marks it as *dst.
func (b *builder) searchForm(dst *string, s string) bool {
	a := len(b.buf)
	b.buf = AppendSearchForm(b.buf, s)
	b.mark(dst, a)
	return len(b.buf) > a
}

// span marks buf[a:e] as *dst.
func (b *builder) span(dst *string, a, e int) {
	if a == e {
		*dst = ""
		return
	}
	if b.n == len(b.refs) {
		*dst = string(b.buf[a:e])
		return
	}
	r := &b.refs[b.n]
	r.dst, r.a, r.b = dst, int32(a), int32(e)
	b.n++
}

// derived marks the loose form and appends the phonetic code of buf[a:e].
func (b *builder) derived(loose, phon *string, a, e int) {
	if hasUmlautSpelling(b.buf[a:e]) {
		l := len(b.buf)
		b.buf = appendLoose(b.buf, b.buf[a:e])
		b.mark(loose, l)
	} else {
		b.span(loose, a, e) // the loose form is the search form itself
	}
	l := len(b.buf)
	b.buf = appendPhonetic(b.buf, b.buf[a:e])
	b.mark(phon, l)
}

// translit appends the transliteration-blind key of buf[a:e] and marks it.
func (b *builder) translit(tl *string, a, e int, given bool) {
	l := len(b.buf)
	b.buf = appendTranslit(b.buf, b.buf[a:e], given)
	b.mark(tl, l)
}

// hasUmlautSpelling reports whether sf contains AE, OE or UE.
func hasUmlautSpelling(sf []byte) bool {
	for i := 1; i < len(sf); i++ {
		if sf[i] == 'E' && (sf[i-1] == 'A' || sf[i-1] == 'O' || sf[i-1] == 'U') {
			return true
		}
	}
	return false
}

// isSep reports whether c separates the parts of a name or place.
func isSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '-', '/', ',', '(', ')', '.', '_', '+', '&', ';', ':':
		return true
	}
	return false
}

// nameForm fills f with the forms of s: the search form, made of the
// search forms of its parts (split on spaces, hyphens and other ASCII
// separators, which the search form drops anyway), the loose form and the
// phonetic code. It reports whether s has any letter.
func (b *builder) nameForm(f *nameForm, s string) bool {
	a := len(b.buf)
	f.nsub = 0
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isSep(s[i]) {
			continue
		}
		if i > start {
			c := len(b.buf)
			b.buf = appendNameSearchForm(b.buf, s[start:i])
			if len(b.buf) > c && int(f.nsub) < maxSub {
				b.span(&f.sub[f.nsub], c, len(b.buf))
				f.nsub++
			}
		}
		start = i + 1
	}
	e := len(b.buf)
	if e == a {
		return false
	}
	b.span(&f.sf, a, e)
	b.derived(&f.loose, &f.phon, a, e)
	b.translit(&f.tl, a, e, false)
	return true
}

// Prepare normalises p for comparison. It never fails: characters outside
// DIN 91379 are dropped by the search form, unparseable parts count as
// missing.
func (m *Matcher) Prepare(p idnr.Person) Prepared {
	s := scratchPool.Get().(*scratch)
	prepareInto(&s.reg, &p, s)
	m.setAdjustments(&s.reg)
	out := s.reg
	s.release()
	return out
}

// scratch is reusable working memory for Prepare and Decide, so that the
// large Prepared values and the builder do not go to the heap each time.
type scratch struct {
	reg  Prepared
	cand [1]Prepared
	b    builder
}

var scratchPool = sync.Pool{New: func() any { return &scratch{b: builder{buf: make([]byte, 0, 1024)}} }}

// release clears the references to personal data and returns s to the pool.
func (s *scratch) release() {
	s.reg, s.cand = Prepared{}, [1]Prepared{}
	clear(s.b.refs[:s.b.n])
	s.b.n = 0
	if cap(s.b.buf) > 1<<16 {
		s.b.buf = make([]byte, 0, 1024)
	}
	scratchPool.Put(s)
}

func prepareInto(out *Prepared, p *idnr.Person, s *scratch) {
	*out = Prepared{}
	b := &s.b
	b.buf, b.n = b.buf[:0], 0
	out.id = p.IDNr
	out.birth = p.BirthDate
	out.sex = p.Sex

	if b.nameForm(&out.fam[0], p.FamilyName) {
		out.nfam, out.famCurrent = 1, true
	}
	for _, fn := range p.FormerNames {
		if int(out.nfam) == maxNames {
			break
		}
		if b.nameForm(&out.fam[out.nfam], fn) {
			out.nfam++
		}
	}

	// Given names: parts on spaces, never on hyphens ("Hans-Georg" is one
	// name). Their search forms lie side by side, so together they are the
	// search form of all given names.
	given := p.GivenNames
	var spans [maxParts][2]int
	ga := len(b.buf)
	start := 0
	for i := 0; i <= len(given); i++ {
		if i < len(given) && given[i] != ' ' && given[i] != '\t' {
			continue
		}
		if i > start {
			c := len(b.buf)
			b.buf = appendNameSearchForm(b.buf, given[start:i])
			if e := len(b.buf); e > c {
				if int(out.ngiven) < maxParts {
					spans[out.ngiven] = [2]int{c, e}
					b.span(&out.given[out.ngiven], c, e)
					out.ngiven++
				}
			}
		}
		start = i + 1
	}
	b.span(&out.givenAll, ga, len(b.buf))
	for k := 0; k < int(out.ngiven); k++ {
		b.derived(&out.givenLoose[k], &out.givenPhon[k], spans[k][0], spans[k][1])
		b.translit(&out.givenTl[k], spans[k][0], spans[k][1], true)
	}
	b.searchForm(&out.degree, p.DoctoralDegree)

	if b.nameForm(&out.place, p.BirthPlace.City) {
		out.placeCanon = "" // set after finish
	}

	// Address.
	a := len(b.buf)
	b.buf = unifyStreet(AppendSearchForm(b.buf, p.Address.Street), a)
	b.mark(&out.street, a)
	a = len(b.buf)
	b.buf = appendHouseNumber(b.buf, p.Address.HouseNumber)
	b.mark(&out.house, a)
	a = len(b.buf)
	for i := 0; i < len(p.Address.HouseNumber); i++ {
		c := p.Address.HouseNumber[i]
		if c >= '0' && c <= '9' {
			b.buf = append(b.buf, c)
		} else if len(b.buf) > a {
			break
		}
	}
	b.mark(&out.houseMain, a)
	a = len(b.buf)
	for i := 0; i < len(p.Address.PostalCode); i++ {
		if c := p.Address.PostalCode[i]; c >= '0' && c <= '9' {
			b.buf = append(b.buf, c)
		}
	}
	b.mark(&out.postal, a)
	b.searchForm(&out.city, p.Address.City)

	for _, n := range p.Nationalities {
		if int(out.nnat) == maxNat {
			break
		}
		if b.searchForm(&out.nats[out.nnat], n) {
			out.nnat++
		}
	}
	b.finish()
	out.placeCanon = canonicalPlace(out.place.sf)
	out.foreign = isForeign(p)
}

// isForeign reports whether p has a nationality other than German or was
// born abroad (a country other than Germany given for the birth place).
func isForeign(p *idnr.Person) bool {
	if c := p.BirthPlace.Country; c != "" && !isGermany(c) {
		return true
	}
	for _, n := range p.Nationalities {
		if n != "" && !isGermany(n) {
			return true
		}
	}
	return false
}

func isGermany(c string) bool {
	for _, g := range [...]string{"DEU", "DE", "D", "000", "Deutschland", "Germany", "deutsch"} {
		if strings.EqualFold(c, g) {
			return true
		}
	}
	return false
}

// unifyStreet unifies the street suffix of the search form in buf[a:], as
// the BMeldDAV does after normalisation: STR → STRASSE, PL → PLATZ,
// WEGLE → WEG, GAESSLE → GASSE.
func unifyStreet(buf []byte, a int) []byte {
	s := buf[a:]
	switch {
	case hasSuffix(s, "GAESSLE"):
		return append(buf[:len(buf)-len("GAESSLE")], "GASSE"...)
	case hasSuffix(s, "WEGLE"):
		return buf[:len(buf)-2]
	case hasSuffix(s, "STR"):
		return append(buf, "ASSE"...)
	case hasSuffix(s, "PL"):
		return append(buf, "ATZ"...)
	}
	return buf
}

func hasSuffix(s []byte, suf string) bool {
	return len(s) >= len(suf) && string(s[len(s)-len(suf):]) == suf
}

// appendHouseNumber appends the parts of a house number, runs of digits
// and of letters, upper-cased and separated by '|': "12a" and "12 A" give
// "12|A", "7-9" gives "7|9".
func appendHouseNumber(dst []byte, s string) []byte {
	start := len(dst)
	var kind byte // 0 none, 'd' digit, 'l' letter
	for i := 0; i < len(s); i++ {
		c := s[i]
		var k byte
		switch {
		case c >= '0' && c <= '9':
			k = 'd'
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
			k = 'l'
		case c >= 'A' && c <= 'Z':
			k = 'l'
		default:
			kind = 0
			continue
		}
		if k != kind && len(dst) > start {
			dst = append(dst, '|')
		}
		kind = k
		dst = append(dst, c)
	}
	return dst
}
