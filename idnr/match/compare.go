package match

import "github.com/regmo/regmo/idnr"

// maxEditLen bounds the strings the edit distance looks at (after common
// prefix and suffix are removed); longer differences are no typo anyway.
const maxEditLen = 24

// typoBudget is the number of edits a name of n letters may carry and
// still count as a typo: one, two from nine letters on.
func typoBudget(n int) int {
	if n >= 9 {
		return 2
	}
	return 1
}

// isTypo reports whether the search forms a and b differ by a small
// Damerau-Levenshtein distance (optimal string alignment: insertions,
// deletions, substitutions, transpositions of neighbours).
func isTypo(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	n := max(len(a), len(b))
	if n < 3 {
		return false
	}
	return withinEdits(a, b, typoBudget(n)) || isOCRTypo(a, b)
}

// withinEdits reports whether the OSA distance of a and b is at most k.
// It does not allocate.
func withinEdits[T ~string | ~[]byte](a, b T, k int) bool {
	// strip the common prefix and suffix
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	la, lb := len(a), len(b)
	if la-lb > k || lb-la > k {
		return false
	}
	if la == 0 || lb == 0 {
		return max(la, lb) <= k
	}
	if la > maxEditLen || lb > maxEditLen {
		return false
	}
	var rows [3][maxEditLen + 1]uint8
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = uint8(j)
	}
	for i := 1; i <= la; i++ {
		cur[0] = uint8(i)
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if int(rowMin) > k {
			return false
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[lb]) <= k
}

// keyboardTypo reports whether the given names x and y (search forms)
// differ by one edit that names do not differ by: two neighbouring letters
// transposed, a consonant for a consonant, or a scanning confusion (rn for
// m, l for I) -- not at the last letter. A vowel changed, a letter added,
// dropped or doubled, or a changed ending, is how twins' names differ
// (Lena, Lina; Martina, Marina; Carolin, Caroline; Stefan, Steffen), and
// is left to a clerk.
func keyboardTypo(x, y string) bool { return nameTypo(x, y, false) }

// laterTypo is keyboardTypo for a later given name when the first given
// names agree: twins and siblings differ in their first given name, so a
// changed vowel and a letter dropped or added count too (Claudia, Clauda);
// a doubled letter and another ending still do not (Stefan, Steffen;
// Marlene, Marlena).
func laterTypo(x, y string) bool { return nameTypo(x, y, true) }

func nameTypo(x, y string, vowels bool) bool {
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	j := 0
	for j < len(x)-i && j < len(y)-i && x[len(x)-1-j] == y[len(y)-1-j] {
		j++
	}
	if j == 0 {
		return false // the ending differs
	}
	dx, dy := x[i:len(x)-j], y[i:len(y)-j]
	consonant := func(c byte) bool { return vowels || (!isVowel(c) && c != 'Y') }
	switch {
	case len(dx) == 1 && len(dy) == 1:
		if (dx[0] == 'I' && dy[0] == 'L') || (dx[0] == 'L' && dy[0] == 'I') {
			return true // l and I look alike on a scanned form
		}
		return consonant(dx[0]) && consonant(dy[0])
	case len(dx) == 2 && len(dy) == 2 && dx[0] == dy[1] && dx[1] == dy[0]:
		return true
	case len(dx)+len(dy) == 1 && vowels:
		// A doubled or undoubled letter is how Stefan and Steffen,
		// Niccolò and Nicolò differ. In a first given name any letter
		// dropped or added is left to a clerk: Martina and Marina,
		// Kristina and Kristin are twins' names.
		long := x
		if len(y) > len(x) {
			long = y
		}
		c := long[i]
		return !(i > 0 && long[i-1] == c) && !(i+1 < len(long) && long[i+1] == c)
	}
	return isOCRTypo(x, y)
}

// letterSubstituted reports whether x and y differ in exactly one letter
// substituted for another (l and I, which a scanned form confuses, aside).
func letterSubstituted(x, y string) bool {
	if len(x) != len(y) {
		return false
	}
	at := -1
	for i := 0; i < len(x); i++ {
		if x[i] != y[i] {
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	if at < 0 {
		return false
	}
	c, d := x[at], y[at]
	return !((c == 'I' && d == 'L') || (c == 'L' && d == 'I'))
}

// subsetOf reports whether every non-empty element of a occurs in b.
func subsetOf(a []string, b []string) bool {
	if len(a) == 0 {
		return false
	}
outer:
	for _, x := range a {
		for _, y := range b {
			if x == y {
				continue outer
			}
		}
		return false
	}
	return true
}

// phonMatch reports whether two names (search forms a, b with Kölner
// Phonetik codes pa, pb) sound alike: equal codes of at least two digits
// and the same first letter. Without the first letter too many unrelated
// names meet (Johanna and Hannah both give 06, Ingrid and Annegret 06472).
func phonMatch(a, b, pa, pb string) bool {
	return len(pa) >= 2 && pa == pb && a != "" && b != "" && a[0] == b[0]
}

// joinedSubset reports whether every given name of a equals one name of b
// or several neighbouring names of b written together ("Hans-Georg",
// search form HANSGEORG, against "Hans Georg"), with at least one name of a
// joining several of b. anchored reports whether the first name of a
// starts at the first name of b. A hyphenated name split differently
// ("Anna" against "Anna-Lena") does not count.
func joinedSubset(a, b []string) (ok, anchored bool) {
	joined := false
	for i, x := range a {
		start, n := joinedAt(x, b)
		if start < 0 {
			return false, false
		}
		if n > 1 {
			joined = true
		}
		if i == 0 {
			anchored = start == 0
		}
	}
	return joined, anchored
}

// joinedAt finds x in b as one name or several neighbouring names written
// together; it returns the index of the first of them and how many, or -1.
func joinedAt(x string, b []string) (start, n int) {
	for i := range b {
		rest := x
		for j := i; j < len(b) && len(rest) >= len(b[j]) && rest[:len(b[j])] == b[j]; j++ {
			rest = rest[len(b[j]):]
			if rest == "" {
				return i, j - i + 1
			}
		}
	}
	return -1, 0
}

// compareFamily compares the family names and former names of a and b and
// returns the level of the best agreeing pair.
func (m *Matcher) compareFamily(a, b *Prepared) Level {
	if a.nfam == 0 || b.nfam == 0 {
		return LevelMissing
	}
	w := &m.sel[FieldFamilyName]
	best, bestW := LevelConflict, w[LevelConflict]
	// Transliteration variants come from other scripts; between German
	// names (Meier, Mayr) the key would find variants the register keeps
	// apart.
	foreign := a.foreign || b.foreign
	consider := func(l Level) {
		if w[l] > bestW {
			best, bestW = l, w[l]
		}
	}
	for i := 0; i < int(a.nfam); i++ {
		x := &a.fam[i]
		for j := 0; j < int(b.nfam); j++ {
			y := &b.fam[j]
			current := i == 0 && j == 0 && a.famCurrent && b.famCurrent
			switch {
			case x.sf == y.sf:
				if current {
					return LevelExact
				}
				consider(LevelFormerName)
			case x.loose == y.loose:
				consider(LevelDiacritics)
			case foreign && translitEqual(x.tl, y.tl):
				consider(LevelTranslit)
			case subsetOf(x.sub[:x.nsub], y.sub[:y.nsub]) || subsetOf(y.sub[:y.nsub], x.sub[:x.nsub]):
				consider(LevelSubset)
			case phonMatch(x.sf, y.sf, x.phon, y.phon):
				consider(LevelPhonetic)
			default:
				if w[LevelTypo] > bestW && isTypo(x.sf, y.sf) {
					consider(LevelTypo)
				}
			}
		}
	}
	return best
}

// compareGiven compares the given names. weakOK reports, for the phonetic
// and typo levels, whether every approximately matched name is long enough
// (six letters or more) to be told from a sibling's similar name and the
// first given names are among the names matched; for the subset,
// hyphenation and diacritics levels, whether the agreement is anchored:
// the first given names agree. Siblings often share a middle name ("Anna
// Maria" and "Maria"), rarely the first.
func compareGiven(a, b *Prepared) (l Level, weakOK bool) {
	na, nb := int(a.ngiven), int(b.ngiven)
	if na == 0 || nb == 0 {
		return LevelMissing, false
	}
	ga, gb := a.given[:na], b.given[:nb]
	aInB, bInA := subsetOf(ga, gb), subsetOf(gb, ga)
	anchored := a.givenLoose[0] == b.givenLoose[0]
	switch {
	case aInB && bInA:
		return LevelExact, true
	case aInB || bInA:
		return LevelSubset, anchored
	}
	// Hyphenation carries an Accept only when the first given names are
	// written alike: Anna-Lena and Anna Lena, Hans-Georg Peter and Hans
	// Georg Peter are different names to the register and may be twins.
	sameFirst := ga[0] == gb[0]
	if a.givenAll == b.givenAll {
		return LevelHyphenation, sameFirst
	}
	if ok, anch := joinedSubset(ga, gb); ok {
		return LevelHyphenation, anch && sameFirst
	}
	if ok, anch := joinedSubset(gb, ga); ok {
		return LevelHyphenation, anch && sameFirst
	}
	la, lb := a.givenLoose[:na], b.givenLoose[:nb]
	if subsetOf(la, lb) || subsetOf(lb, la) {
		return LevelDiacritics, anchored
	}
	// Approximate: every name of the side with fewer names must find a
	// partner on the other side. With as many names on both sides, both
	// directions are tried and the weaker result counts, so that the
	// comparison is symmetric.
	switch {
	case na < nb:
		return approxGiven(a, b, a, b)
	case nb < na:
		return approxGiven(b, a, a, b)
	}
	l1, ok1 := approxGiven(a, b, a, b)
	l2, ok2 := approxGiven(b, a, a, b)
	if givenRank(l2) < givenRank(l1) {
		l1 = l2
	}
	return l1, ok1 && ok2
}

// givenRank orders the approximate given-name levels from weak to strong.
func givenRank(l Level) int {
	switch l {
	case LevelDiacritics:
		return 5
	case LevelTranslit:
		return 4
	case LevelPhonetic:
		return 3
	case LevelTypo:
		return 2
	case LevelPartial:
		return 1
	}
	return 0
}

// Ranks of the agreement of one given name with its best partner.
const (
	rankNone     = iota
	rankPhonetic // equal Kölner Phonetik
	rankTranslit // equal transliteration key, nobody foreign
	rankTypo     // a typo or scanning error
	rankForeign  // equal transliteration key, someone foreign: preferred to a typo
	rankStrong   // equal, or equal without umlaut spellings
)

// approxGiven matches every given name of small with a name of large (a
// and b are the two records, for their anchoring and origin).
func approxGiven(small, large, a, b *Prepared) (l Level, weakOK bool) {
	anchored := a.givenLoose[0] == b.givenLoose[0]
	foreign := a.foreign || b.foreign
	var strong, tl, phon, typo, none int
	weakOK = true
	for i := 0; i < int(small.ngiven); i++ {
		x, xl, xp, xt := small.given[i], small.givenLoose[i], small.givenPhon[i], small.givenTl[i]
		found, at := rankNone, -1
		for j := 0; j < int(large.ngiven) && found < rankStrong; j++ {
			y := large.given[j]
			r := rankNone
			switch {
			case x == y || xl == large.givenLoose[j]:
				r = rankStrong
			case foreign && translitEqual(xt, large.givenTl[j]) && translitEdit(x, y):
				// another spelling of a name from another script, even
				// where it is also one edit (Paraskevi, Paraskavi)
				r = rankForeign
			case isTypo(x, y):
				r = rankTypo
			case translitEqual(xt, large.givenTl[j]):
				r = rankTranslit
			case phonMatch(x, y, xp, large.givenPhon[j]):
				r = rankPhonetic
			}
			if r > found {
				found, at = r, j
			}
		}
		short := found != rankNone && (len(x) < 6 || len(large.given[at]) < 6)
		switch {
		case (found == rankForeign || found == rankTranslit) && (len(x) < 5 || len(large.given[at]) < 5):
			weakOK = false // Yusuf and Yousef, not Ali and Aly
		case found == rankTypo && i > 0 && anchored && a.given[0] == b.given[0]:
			// a later given name, the first ones agree: twins and
			// siblings differ in the first (four letters will do:
			// Franz, Fraz)
			if len(x) < 4 || len(large.given[at]) < 4 || !laterTypo(x, large.given[at]) {
				weakOK = false
			}
		case (found == rankTypo || found == rankPhonetic) && short:
			weakOK = false // short names: Anna and Anne may be twins
		case found == rankTypo && i == 0 && letterSubstituted(x, large.given[at]):
			// One letter for another in the first given name is how
			// twins' names differ (Dariusz, Mariusz; Martin, Marvin;
			// Marcin, Marvin), the first letter too.
			weakOK = false
		case found == rankTypo && !keyboardTypo(x, large.given[at]):
			// Twins are named Carolin and Caroline, Marlene and Marlena,
			// Kilian and Kolian: an edit at the end of a name, between
			// vowels or of a vowel is how names differ, not how they are
			// mistyped.
			weakOK = false
		}
		if i == 0 && at != 0 {
			weakOK = false // the first name found its partner elsewhere
		}
		switch found {
		case rankStrong:
			strong++
		case rankTypo:
			typo++
		case rankForeign, rankTranslit:
			tl++
		case rankPhonetic:
			phon++
		default:
			none++
		}
	}
	switch {
	case none == 0 && phon > 0:
		return LevelPhonetic, weakOK
	case none == 0 && typo > 0:
		return LevelTypo, weakOK
	case none == 0 && tl > 0:
		// Transliteration variants come from other scripts: German twins
		// are named Stefan and Steffen, which the key does not part.
		return LevelTranslit, weakOK && foreign
	case none == 0:
		return LevelDiacritics, anchored
	case strong+phon+typo > 0:
		return LevelPartial, false
	}
	return LevelConflict, false
}

// compareBirth compares two birth dates.
func compareBirth(a, b idnr.Date) Level {
	if a.IsZero() || b.IsZero() {
		return LevelMissing
	}
	ay, ayk := a.Year()
	am, amk := a.Month()
	ad, adk := a.Day()
	by, byk := b.Year()
	bm, bmk := b.Month()
	bd, bdk := b.Day()
	if a.IsComplete() && b.IsComplete() {
		switch {
		case a == b:
			return LevelExact
		case ay == by && ad == int(bm) && int(am) == bd:
			return LevelSwapped
		case digitTypo(digits(ad, int(am), ay), digits(bd, int(bm), by)):
			return LevelDigitTypo
		}
		return LevelConflict
	}
	if !a.Compatible(b) {
		return LevelConflict
	}
	switch {
	case ayk && byk && amk && bmk:
		return LevelCompatible
	case (ayk && byk) || (amk && bmk) || (adk && bdk):
		return LevelPartial
	}
	return LevelMissing
}

// digits returns the register form DDMMYYYY as digits.
func digits(d, m, y int) [8]byte {
	return [8]byte{byte(d / 10), byte(d % 10), byte(m / 10), byte(m % 10),
		byte(y / 1000), byte(y / 100 % 10), byte(y / 10 % 10), byte(y % 10)}
}

// digitTypo reports whether two register forms DDMMYYYY differ in exactly
// one digit or by one transposition of neighbouring digits, the year only
// in its last two digits (a century apart is no typo worth trusting).
func digitTypo(a, b [8]byte) bool {
	first, diff := -1, 0
	for i := range a {
		if a[i] != b[i] {
			if first < 0 {
				first = i
			}
			diff++
		}
	}
	switch diff {
	case 1:
		return first < 4 || first >= 6
	case 2:
		i := first
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && (i+1 < 4 || i >= 6)
	}
	return false
}

// compareSex compares the sex: m against w is a conflict; divers or ohne
// Angabe against anything else a mismatch (the entry may have changed
// under § 45b PStG).
func compareSex(a, b idnr.Sex) Level {
	switch {
	case a == idnr.SexUnknown || b == idnr.SexUnknown:
		return LevelMissing
	case a == b:
		return LevelExact
	case (a == idnr.Male && b == idnr.Female) || (a == idnr.Female && b == idnr.Male):
		return LevelConflict
	}
	return LevelMismatch
}

// comparePlace compares the places of birth.
func comparePlace(a, b *Prepared) Level {
	x, y := &a.place, &b.place
	if x.sf == "" || y.sf == "" {
		return LevelMissing
	}
	switch {
	case x.sf == y.sf:
		return LevelExact
	case x.loose == y.loose:
		return LevelDiacritics
	case a.placeCanon == b.placeCanon,
		prefixOf(a.placeCanon, b.placeCanon), prefixOf(b.placeCanon, a.placeCanon),
		abbrevOf(x.sub[:x.nsub], y.sub[:y.nsub]), abbrevOf(y.sub[:y.nsub], x.sub[:x.nsub]):
		return LevelPartial
	case phonMatch(x.sf, y.sf, x.phon, y.phon):
		return LevelPhonetic
	case isTypo(x.sf, y.sf):
		return LevelTypo
	}
	return LevelConflict
}

// abbrevOf reports whether the place parts a are the parts b, some left out
// or abbreviated: the first parts agree and every part of a begins a part
// of b ("Frankfurt a. M." and "Frankfurt am Main", "Berlin" and
// "Berlin-Spandau"; not "Frankfurt (Oder)" and "Frankfurt am Main").
func abbrevOf(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 || len(a) > len(b) || a[0] != b[0] {
		return false
	}
outer:
	for _, x := range a[1:] {
		for _, y := range b[1:] {
			if len(x) <= len(y) && y[:len(x)] == x {
				continue outer
			}
		}
		return false
	}
	return true
}

// prefixOf reports whether p is a prefix of s of at least four letters
// ("FRANKFURT" of "FRANKFURTAMMAIN", "BERLIN" of "BERLINSPANDAU").
func prefixOf(p, s string) bool {
	return len(p) >= 4 && len(p) < len(s) && s[:len(p)] == p
}

// compareAddress compares the current or last known addresses.
func compareAddress(a, b *Prepared) Level {
	hasTown := func(p *Prepared) bool { return p.postal != "" || p.city != "" }
	if (!hasTown(a) && a.street == "") || (!hasTown(b) && b.street == "") {
		return LevelMissing
	}
	townKnown := hasTown(a) && hasTown(b)
	sameTown := (a.postal != "" && a.postal == b.postal) || (a.city != "" && a.city == b.city)
	sameStreet := a.street != "" && b.street != "" && (a.street == b.street || isTypo(a.street, b.street))
	if sameStreet && (sameTown || !townKnown) {
		if a.house != "" && a.house == b.house {
			return LevelExact
		}
		return LevelSameStreet
	}
	if sameTown {
		return LevelSameCity
	}
	if townKnown {
		return LevelConflict
	}
	return LevelMissing
}

// compareNationality reports whether the nationalities share one.
func compareNationality(a, b *Prepared) Level {
	if a.nnat == 0 || b.nnat == 0 {
		return LevelMissing
	}
	for i := 0; i < int(a.nnat); i++ {
		for j := 0; j < int(b.nnat); j++ {
			if a.nats[i] == b.nats[j] {
				return LevelExact
			}
		}
	}
	return LevelMismatch
}

// compareDegree compares the doctoral degrees. A degree on one side only is
// normal (it is acquired later, or a register does not keep it) and counts
// as missing.
func compareDegree(a, b *Prepared) Level {
	switch {
	case a.degree == "" || b.degree == "":
		return LevelMissing
	case a.degree == b.degree:
		return LevelExact
	}
	return LevelMismatch
}

// compareIDNr compares the IDNrs where both sides have one.
func compareIDNr(a, b idnr.IDNr) Level {
	switch {
	case a.IsZero() || b.IsZero():
		return LevelMissing
	case a == b:
		return LevelExact
	}
	return LevelConflict
}
