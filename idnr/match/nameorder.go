package match

// Name order.
//
// Foreign documents and many forms write the family name first, and
// registers receive given and family name exchanged: "Nguyen Van Minh"
// recorded with the family name Minh, or family name Hans and given name
// Müller. [compareNameOrder] pools each side's name parts (the parts of
// the current family name and the given names) and checks that the two
// pools agree although the fields do not: the family name of one side
// appears among the other side's given names, every part of each side's
// family name appears somewhere among the other side's names, and every
// name of the side with fewer parts finds its partner on the other side.
// Former names take no part: a married name among the given names is no
// swap.

// maxPool is the number of name parts pooled per side.
const maxPool = maxSub + maxParts

// nameKeys is one name part with its comparison forms.
type nameKeys struct {
	sf, loose, tl string
}

// Agreement of two name parts in the name-order comparison.
const (
	partNone    = iota
	partTypo    // a typo or scanning error of another kind
	partTypoKey // a keyboard typo or scanning error in names of six letters or more
	partSame    // the same search form, umlaut spelling or transliteration
)

// sameName reports how well two name parts agree: partSame for the same
// search form, the same form without umlaut spellings or (for people of
// foreign nationality or birth, see compareFamily) the same
// transliteration-blind key; partTypoKey for a typo of the kind names do
// not differ by ([keyboardTypo]) in names of six letters or more;
// partTypo for another typo or scanning error; partNone otherwise.
func sameName(x, y *nameKeys, foreign bool) int {
	switch {
	case x.sf == y.sf, x.loose == y.loose, foreign && translitEqual(x.tl, y.tl):
		return partSame
	case isTypo(x.sf, y.sf):
		if len(x.sf) >= 6 && len(y.sf) >= 6 && keyboardTypo(x.sf, y.sf) {
			return partTypoKey
		}
		return partTypo
	}
	return partNone
}

// namePool holds the name parts of one side, family name parts first.
type namePool struct {
	parts   [maxPool]nameKeys
	nfam    int // the first nfam parts are the family name's
	n       int
	foreign bool
}

// pool collects the name parts of p. A family name of one part brings its
// diacritic-blind form and transliteration key; the parts of a longer one
// are compared by their search forms (and typos) only.
func pool(p *Prepared, out *namePool) bool {
	out.n, out.nfam = 0, 0
	if p.nfam == 0 || !p.famCurrent || p.ngiven == 0 {
		return false
	}
	f := &p.fam[0]
	if f.nsub <= 1 {
		out.parts[0] = nameKeys{f.sf, f.loose, f.tl}
		out.n = 1
	} else {
		for i := 0; i < int(f.nsub); i++ {
			out.parts[out.n] = nameKeys{f.sub[i], f.sub[i], ""}
			out.n++
		}
	}
	out.nfam = out.n
	for i := 0; i < int(p.ngiven); i++ {
		out.parts[out.n] = nameKeys{p.given[i], p.givenLoose[i], p.givenTl[i]}
		out.n++
	}
	return true
}

// find returns the best agreement ([sameName]) of x with the parts of p
// in [lo, hi).
func (p *namePool) find(x *nameKeys, lo, hi int) int {
	best := partNone
	for j := lo; j < hi && best < partSame; j++ {
		best = max(best, sameName(x, &p.parts[j], p.foreign))
	}
	return best
}

// concatEqual reports whether a1+a2 == b1+b2 without building either.
func concatEqual(a1, a2, b1, b2 string) bool {
	if len(a1)+len(a2) != len(b1)+len(b2) {
		return false
	}
	if len(a1) <= len(b1) {
		return b1[:len(a1)] == a1 && a2[:len(b1)-len(a1)] == b1[len(a1):] && a2[len(b1)-len(a1):] == b2
	}
	return a1[:len(b1)] == b1 && b2[:len(a1)-len(b1)] == a1[len(b1):] && b2[len(a1)-len(b1):] == a2
}

// compareNameOrder reports whether the names of a and b agree once given
// and family names are exchanged (see above). giv is the level for the
// given names: [LevelNameOrder] when every part found its partner by
// search form, umlaut spelling or transliteration, [LevelTypo] when some
// only by a typo or scanning error. typoOK reports, for [LevelTypo],
// whether every such typo is one names do not differ by ([keyboardTypo])
// in names of six letters or more.
func compareNameOrder(a, b *Prepared) (giv Level, ok, typoOK bool) {
	if a.nfam == 0 || !a.famCurrent || a.ngiven == 0 || b.nfam == 0 || !b.famCurrent || b.ngiven == 0 {
		return LevelMissing, false, false
	}
	// The whole name written the other way round: family name and given
	// names of one side, read together, are the given names and family
	// name of the other ("Karl-Heinz Reiner" and "Reiner Karl-Heinz";
	// "Lê Thị Lan" split as family name Lan).
	if af, bf := a.fam[0].sf, b.fam[0].sf; (af != bf || a.givenAll != b.givenAll) &&
		(concatEqual(af, a.givenAll, b.givenAll, bf) || concatEqual(a.givenAll, af, bf, b.givenAll)) {
		return LevelNameOrder, true, false
	}
	var pa, pb namePool
	if !pool(a, &pa) || !pool(b, &pb) {
		return LevelMissing, false, false
	}
	pa.foreign = a.foreign || b.foreign
	pb.foreign = pa.foreign
	// the family name of one side among the other side's given names
	cross := false
	for i := 0; i < pa.nfam && !cross; i++ {
		cross = pb.find(&pa.parts[i], pb.nfam, pb.n) > partNone
	}
	for i := 0; i < pb.nfam && !cross; i++ {
		cross = pa.find(&pb.parts[i], pa.nfam, pa.n) > partNone
	}
	if !cross {
		return LevelMissing, false, false
	}
	worst := partSame
	// every family name part of each side somewhere on the other side
	for i := 0; i < pa.nfam; i++ {
		worst = min(worst, pb.find(&pa.parts[i], 0, pb.n))
	}
	for i := 0; i < pb.nfam; i++ {
		worst = min(worst, pa.find(&pb.parts[i], 0, pa.n))
	}
	// every part of the smaller side on the other side (both ways when
	// they have as many, so that the comparison is symmetric)
	if pa.n <= pb.n {
		for i := pa.nfam; i < pa.n && worst > partNone; i++ {
			worst = min(worst, pb.find(&pa.parts[i], 0, pb.n))
		}
	}
	if pb.n <= pa.n {
		for i := pb.nfam; i < pb.n && worst > partNone; i++ {
			worst = min(worst, pa.find(&pb.parts[i], 0, pa.n))
		}
	}
	switch worst {
	case partSame:
		return LevelNameOrder, true, false
	case partTypoKey:
		return LevelTypo, true, true
	case partTypo:
		return LevelTypo, true, false
	}
	return LevelMissing, false, false
}
