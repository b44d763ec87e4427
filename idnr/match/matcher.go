package match

import (
	"math"

	"github.com/regmo/regmo/idnr"
)

// evidence is what the levels alone do not say but the hold rules need.
type evidence struct {
	// weakOK reports whether approximately matching given names are long
	// and anchored enough to carry an automatic decision.
	weakOK bool
	// generation reports a birth date one digit off in the year's tens,
	// 15 years or more apart: a parent and child born on the same day.
	generation bool
}

// score compares a with b, fills rs and returns the total weight and the
// evidence the hold rules need besides the levels.
func (m *Matcher) score(a, b *Prepared, rs *Reasons) (total float64, ev evidence) {
	gl, weakOK := compareGiven(a, b)
	fl := m.compareFamily(a, b)
	if gl != LevelExact && (!strongFamily(fl) || (fl != LevelExact && !strongGiven(gl))) {
		// Given and family name exchanged, or the family name written
		// first. Tried also when the family name agrees with a former
		// name (the birth name a register keeps in its own field while
		// the current names were exchanged), never when it agrees with
		// the current one: twins share that.
		if sg, ok, typoOK := compareNameOrder(a, b); ok {
			fw, gw := &m.sel[FieldFamilyName], &m.sel[FieldGivenNames]
			if fw[LevelNameOrder]+gw[sg] > fw[fl]+gw[gl] {
				fl, gl, weakOK = LevelNameOrder, sg, sg == LevelNameOrder || typoOK
			}
		}
	}
	bl := compareBirth(a.birth, b.birth)
	ev = evidence{weakOK: weakOK, generation: bl == LevelDigitTypo && generationApart(a.birth, b.birth)}
	levels := [NumFields]Level{
		FieldIDNr:           compareIDNr(a.id, b.id),
		FieldFamilyName:     fl,
		FieldGivenNames:     gl,
		FieldBirthDate:      bl,
		FieldSex:            compareSex(a.sex, b.sex),
		FieldBirthPlace:     comparePlace(a, b),
		FieldAddress:        compareAddress(a, b),
		FieldNationality:    compareNationality(a, b),
		FieldDoctoralDegree: compareDegree(a, b),
	}
	for f, l := range levels {
		w := m.w[f][l]
		if l == LevelExact {
			// term frequency: a rare name is stronger evidence than a
			// common one (frequency.go); 0 without a table
			switch Field(f) {
			case FieldFamilyName:
				w += float64(a.famAdj)
			case FieldGivenNames:
				w += float64(a.givAdj)
			}
		}
		rs[f] = Reason{Field: Field(f), Level: l, Weight: w}
		total += w
	}
	return total, ev
}

// strongFamily reports whether a family-name level is strong evidence on
// its own.
func strongFamily(l Level) bool {
	switch l {
	case LevelExact, LevelFormerName, LevelDiacritics, LevelTranslit, LevelHyphenation, LevelSubset:
		return true
	}
	return false
}

// strongGiven reports whether a given-names level is strong evidence on
// its own. A transliteration of a given name is not: it counts as one
// approximation, like a typo.
func strongGiven(l Level) bool {
	switch l {
	case LevelExact, LevelFormerName, LevelDiacritics, LevelHyphenation, LevelSubset:
		return true
	}
	return false
}

// placeWeak reports whether a birth-place level is agreement only in part,
// by sound or by a typo.
func placeWeak(l Level) bool {
	switch l {
	case LevelPartial, LevelPhonetic, LevelTypo:
		return true
	}
	return false
}

// generationApart reports whether two birth dates lie a generation apart:
// 15 years or more between the years (a digit typo in the year's tens
// of two or more, or its last two digits transposed: 1968, 1986). Ten
// years apart is a typo, never a parent and child.
func generationApart(a, b idnr.Date) bool {
	ay, _ := a.Year()
	by, _ := b.Year()
	return ay-by >= minGeneration || by-ay >= minGeneration
}

// minGeneration is the least difference in years between the birth of a
// parent and of a child that the matcher assumes.
const minGeneration = 15

// placeAgrees reports whether a birth-place level is agreement.
func placeAgrees(l Level) bool {
	switch l {
	case LevelExact, LevelDiacritics, LevelPartial, LevelPhonetic, LevelTypo:
		return true
	}
	return false
}

// hold applies the rules that an Accept needs besides the score (see the
// package documentation, "Decisions").
func hold(rs *Reasons, ev evidence, sexAgrees bool) (Hold, Field) {
	weakOK := ev.weakOK
	for _, f := range [...]Field{FieldIDNr, FieldSex, FieldGivenNames, FieldBirthDate, FieldFamilyName} {
		if rs[f].Level == LevelConflict {
			return HoldConflict, f
		}
	}
	for _, f := range [...]Field{FieldFamilyName, FieldGivenNames, FieldBirthDate} {
		if rs[f].Level == LevelMissing {
			return HoldMissing, f
		}
	}
	fam, giv, birth := rs[FieldFamilyName].Level, rs[FieldGivenNames].Level, rs[FieldBirthDate].Level
	if ev.generation {
		// One digit off in the year's tens, 15 years or more apart, is
		// what a father and son (a mother and daughter) with the same
		// names, born on the same day twenty or thirty years apart and
		// living at the same address, look like: the shared address
		// confirms nothing.
		return HoldWeak, FieldBirthDate
	}
	switch giv {
	case LevelPartial:
		return HoldWeak, FieldGivenNames
	case LevelPhonetic:
		// Names that only sound alike are often different names
		// (Lennart, Leonard; Mahmoud, Mohammad).
		return HoldWeak, FieldGivenNames
	case LevelTypo, LevelTranslit:
		if !weakOK || !sexAgrees {
			return HoldWeak, FieldGivenNames
		}
	case LevelSubset, LevelHyphenation, LevelDiacritics:
		if !weakOK {
			return HoldWeak, FieldGivenNames
		}
	}
	approx := 0
	swapped := fam == LevelNameOrder
	switch {
	case swapped:
		approx++ // the exchange counts once for both names
		if giv != LevelNameOrder {
			approx++
		}
	default:
		if !strongFamily(fam) {
			approx++
		}
		if !strongGiven(giv) {
			approx++
		}
	}
	if birth != LevelExact {
		approx++
	}
	addr, place := rs[FieldAddress].Level, rs[FieldBirthPlace].Level
	sameStreet := addr == LevelExact || addr == LevelSameStreet
	if swapped && approx == 2 && sexAgrees && placeAgrees(place) && sameStreet {
		// Exchanged names with one more defect (a typo of the kind names
		// do not differ by, or a birth date that is partial, swapped or
		// one digit off): birth place and street together confirm them.
		approx = 1
	}
	if approx >= 2 {
		if !strongFamily(fam) && !swapped {
			return HoldWeak, FieldFamilyName
		}
		if birth != LevelExact && (swapped || (strongFamily(fam) && strongGiven(giv))) {
			return HoldWeak, FieldBirthDate
		}
		return HoldWeak, FieldGivenNames
	}
	if place == LevelConflict && addr != LevelExact {
		// A namesake with the same birth date is born elsewhere; a true
		// match with a wrong birth place needs the address to confirm it.
		return HoldCorroboration, FieldBirthPlace
	}
	if placeWeak(place) && !sameStreet {
		// A birth place agreeing only in part, by sound or by a typo may
		// be another place (Frankfurt, Frankfurt (Oder); Kiel, Kiew): with
		// no more than the town of the address in common it does not tell
		// a namesake born the same day in the same town apart.
		return HoldCorroboration, FieldBirthPlace
	}
	if !placeAgrees(place) && addr != LevelExact && addr != LevelSameStreet && addr != LevelSameCity {
		// Names and birth date alone: a namesake born the same day
		// cannot be told apart when the answer lacks address and birth
		// place, or both disagree.
		return HoldCorroboration, FieldAddress
	}
	if swapped && !placeAgrees(place) && !sameStreet {
		// Exchanged names need the birth place or the street to confirm
		// them: people named Paul Thomas and Thomas Paul exist.
		return HoldCorroboration, FieldAddress
	}
	if birth != LevelExact && addr != LevelExact {
		// A namesake born a few days or weeks apart lives elsewhere, or
		// in the same street in another house: an inexact birth date
		// needs the same address, house number included.
		return HoldCorroboration, FieldBirthDate
	}
	return HoldNone, 0
}

// otherPerson reports whether the reasons hold positive evidence of a
// different person, which a Reject needs: two IDNrs, a birth date that is
// no typo, partial or swapped date, m against w, or given names that
// conflict while the family name agrees (twins, siblings). Exchanged,
// transliterated or misread names, partial dates and a low score alone
// are no such evidence: they go to review.
func otherPerson(rs *Reasons) bool {
	switch {
	case rs[FieldIDNr].Level == LevelConflict,
		rs[FieldBirthDate].Level == LevelConflict,
		rs[FieldSex].Level == LevelConflict:
		return true
	}
	fam := rs[FieldFamilyName].Level
	return rs[FieldGivenNames].Level == LevelConflict && fam != LevelConflict && fam != LevelMissing
}

// DecidePrepared decides which of the prepared candidates, if any, is the
// person of the prepared register record. It is [Matcher.Decide] without
// the preparation, for hit lists and repeated comparisons; it does not
// allocate.
func (m *Matcher) DecidePrepared(reg *Prepared, cands []Prepared) Outcome {
	if reg == nil {
		return Outcome{Decision: Reject, Candidate: -1, Hold: HoldNoCandidate}
	}
	return m.decide(reg, len(cands), func(i int) *Prepared { return &cands[i] })
}

// decide scores n candidates, got one at a time from cand, and decides.
func (m *Matcher) decide(reg *Prepared, n int, cand func(int) *Prepared) Outcome {
	if n == 0 {
		return Outcome{Decision: Reject, Candidate: -1, Hold: HoldNoCandidate}
	}
	o := Outcome{Candidate: -1}
	best, runner := math.Inf(-1), math.Inf(-1)
	var cur Reasons
	var bestEv evidence
	for i := 0; i < n; i++ {
		s, ev := m.score(reg, cand(i), &cur)
		if s > best {
			runner = best
			best, o.Candidate, o.Reasons, bestEv = s, i, cur, ev
		} else if s > runner {
			runner = s
		}
	}
	o.Score = best
	if n > 1 {
		o.Runner = runner
	}
	sexAgrees := o.Reasons[FieldSex].Level == LevelExact
	o.Hold, o.HoldField = hold(&o.Reasons, bestEv, sexAgrees)
	if o.Hold == HoldNone && o.Score < m.accept {
		o.Hold = HoldScore
	}
	if o.Hold == HoldNone && n > 1 && o.Score-o.Runner < m.margin {
		o.Hold = HoldAmbiguous
	}
	switch {
	case o.Hold == HoldNone:
		o.Decision = Accept
	case o.Score >= m.rejectBelow || !otherPerson(&o.Reasons):
		o.Decision = Review
	default:
		o.Decision = Reject
		o.Candidate = -1
	}
	return o
}

// Decide decides whether one of candidates is the person of the register
// record. Typical use: the backfill passes the one unique hit the IDA
// returned (Decide(record, []idnr.Person{hit})); a Melde retrieval passes
// its hit list (up to 1,000).
//
// Accept names the candidate whose IDNr may be stored: its score reaches
// the accept threshold, it leads the second best by the margin, and none of
// the rules in the package documentation holds it back (a strong conflict,
// family name, given names or birth date missing on either side, weak
// agreement). Review sends the best candidate to a clerk with the reasons;
// Reject says none is the person (Candidate -1). Missing evidence alone
// never gives Accept: an answer carrying only the IDNr is Review.
func (m *Matcher) Decide(register idnr.Person, candidates []idnr.Person) Outcome {
	s := scratchPool.Get().(*scratch)
	defer s.release()
	prepareInto(&s.reg, &register, s)
	m.setAdjustments(&s.reg)
	// Candidates are prepared one at a time into the same scratch, so a
	// hit list of 1,000 needs no more memory than a single hit.
	return m.decide(&s.reg, len(candidates), func(i int) *Prepared {
		prepareInto(&s.cand[0], &candidates[i], s)
		return &s.cand[0]
	})
}

// Compare returns the reasons and the score of one pair without deciding;
// useful for duplicate searches that rank many pairs.
func (m *Matcher) Compare(a, b *Prepared) (Reasons, float64) {
	var rs Reasons
	s, _ := m.score(a, b, &rs)
	return rs, s
}
