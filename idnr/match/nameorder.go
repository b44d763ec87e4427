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

// sameName reports how well two name parts agree: 2 for the same search
// form, the same form without umlaut spellings or (for people of foreign
// nationality or birth, see compareFamily) the same transliteration-blind
// key; 1 for a typo or scanning error; 0 otherwise.
func sameName(x, y *nameKeys, foreign bool) int {
	switch {
	case x.sf == y.sf, x.loose == y.loose, foreign && x.tl != "" && x.tl == y.tl:
		return 2
	case isTypo(x.sf, y.sf):
		return 1
	}
	return 0
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

// find returns the best agreement (2, 1 or 0) of x with the parts of p in
// [lo, hi).
func (p *namePool) find(x *nameKeys, lo, hi int) int {
	best := 0
	for j := lo; j < hi && best < 2; j++ {
		best = max(best, sameName(x, &p.parts[j], p.foreign))
	}
	return best
}

// compareNameOrder reports whether the names of a and b agree once given
// and family names are exchanged (see above). giv is the level for the
// given names: [LevelNameOrder] when every part found its partner by
// search form, umlaut spelling or transliteration, [LevelTypo] when some
// only by a typo or scanning error.
func compareNameOrder(a, b *Prepared) (giv Level, ok bool) {
	var pa, pb namePool
	if !pool(a, &pa) || !pool(b, &pb) {
		return LevelMissing, false
	}
	pa.foreign = a.foreign || b.foreign
	pb.foreign = pa.foreign
	// the family name of one side among the other side's given names
	cross := false
	for i := 0; i < pa.nfam && !cross; i++ {
		cross = pb.find(&pa.parts[i], pb.nfam, pb.n) > 0
	}
	for i := 0; i < pb.nfam && !cross; i++ {
		cross = pa.find(&pb.parts[i], pa.nfam, pa.n) > 0
	}
	if !cross {
		return LevelMissing, false
	}
	worst := 2
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
		for i := pa.nfam; i < pa.n && worst > 0; i++ {
			worst = min(worst, pb.find(&pa.parts[i], 0, pb.n))
		}
	}
	if pb.n <= pa.n {
		for i := pb.nfam; i < pb.n && worst > 0; i++ {
			worst = min(worst, pa.find(&pb.parts[i], 0, pa.n))
		}
	}
	switch worst {
	case 2:
		return LevelNameOrder, true
	case 1:
		return LevelTypo, true
	}
	return LevelMissing, false
}
