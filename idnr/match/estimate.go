package match

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// Estimated weights: the expectation-maximisation (EM) algorithm of
// Fellegi and Sunter (1969), in the form of Winkler (1988), Splink and
// fastLink, over the comparison vectors of candidate pairs. See "Estimated
// weights" in the package documentation.

// MaxEstimateRaise is how far (in bits, log2 units) an estimated weight may
// lie above the default weight of its level, MaxEstimateLower how far
// below. Raising is what could lift another person to Accept, so it is
// bounded tightly. Lowering a level makes Accept rarer for the pairs that
// reach it, but lowering the level a runner-up reaches widens the lead of
// the best candidate in a hit list, and an estimate far below the default
// more often shows the model's independence assumption failing (family
// members in blocked pairs agree in several fields at once) than a fact
// about the register: it is bounded too.
const (
	MaxEstimateRaise = 2
	MaxEstimateLower = 4
)

// Defaults of [EstimateOptions].
const (
	DefaultEstimateIterations = 100
	DefaultEstimateTolerance  = 1e-6
	DefaultEstimateMinCount   = 50
)

// estimateSmoothing is the pseudo-count added to every level of a field
// when m and u are taken from counts, so that a level never seen among the
// matches (or the non-matches) does not get an infinite weight.
const estimateSmoothing = 0.5

// Vector is the comparison of one pair of records: the level every field
// reached. It holds no personal data. [Matcher.Vector] makes it.
type Vector struct {
	Levels [NumFields]Level
	// WeakOK reports whether approximately agreeing given names are long
	// and anchored enough to carry an Accept (see "Decisions" in the
	// package documentation). Only the decision counts of the report use
	// it; false is the safe value.
	WeakOK bool
	// Generation reports birth dates one digit apart in the year's tens,
	// 15 years or more apart: a parent and child born on the same day. It
	// holds an Accept back.
	Generation bool
}

// Vector compares a with b and returns the levels without the weights.
func (m *Matcher) Vector(a, b *Prepared) Vector {
	var rs Reasons
	_, ev := m.score(a, b, &rs)
	v := Vector{WeakOK: ev.weakOK, Generation: ev.generation}
	for f := range rs {
		v.Levels[f] = rs[f].Level
	}
	return v
}

// Vectors prepares and compares every pair: typically each register
// record with the IDA's hit for it, or pairs of records within the
// register that share a blocking key (the same birth date, postcode or
// phonetic family name).
func (m *Matcher) Vectors(pairs iter.Seq2[idnr.Person, idnr.Person]) []Vector {
	var out []Vector
	for a, b := range pairs {
		pa, pb := m.Prepare(a), m.Prepare(b)
		out = append(out, m.Vector(&pa, &pb))
	}
	return out
}

// RandomVectors compares n pairs of two different records of people drawn
// at random (seeded, so reproducible). Almost all random pairs of a
// register are two different people, so their levels give the u
// probabilities directly (Splink's estimate_u_using_random_sampling); pass
// them as [EstimateOptions.RandomPairs]. It returns nil for fewer than two
// people or n <= 0.
func (m *Matcher) RandomVectors(people []idnr.Person, n int, seed uint64) []Vector {
	if len(people) < 2 || n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc909))
	out := make([]Vector, 0, n)
	for range n {
		i := rng.IntN(len(people))
		j := rng.IntN(len(people) - 1)
		if j >= i {
			j++
		}
		pa, pb := m.Prepare(people[i]), m.Prepare(people[j])
		out = append(out, m.Vector(&pa, &pb))
	}
	return out
}

// EstimateOptions configures [Matcher.Estimate]. The zero value means the
// documented defaults.
type EstimateOptions struct {
	// RandomPairs, if not empty, are vectors of random pairs
	// ([Matcher.RandomVectors]): u is taken from them once and held fixed,
	// and EM estimates only m and the match proportion λ. Without them
	// EM estimates u as well, which needs enough non-matches among the
	// pairs.
	RandomPairs []Vector
	// MaxIterations caps the EM iterations (0: DefaultEstimateIterations).
	MaxIterations int
	// Tolerance ends EM when no m, u or λ changed by more than it in an
	// iteration (0: DefaultEstimateTolerance).
	Tolerance float64
	// MinCount is the number of pairs a level must be seen in to be
	// estimated; rarer levels keep their default weight (0:
	// DefaultEstimateMinCount).
	MinCount int
	// KeepConflicts lets EM class pairs with a strong conflict (two IDNrs,
	// m against w, a birth date or all given names in conflict) as it
	// likes. By default they count as two people: spouses, twins,
	// siblings, parent and child agree in everything else and would
	// otherwise pass for a class of matches.
	KeepConflicts bool
}

// EstimateError reports bad input to [Matcher.Estimate]: Field names the
// option or the pair (by index and compared field), Reason what is wrong.
// It holds no personal data.
type EstimateError struct {
	Field  string
	Reason string
}

func (e *EstimateError) Error() string {
	return "match: estimate: " + e.Field + ": " + e.Reason
}

// Guard says why the weight used for a level is not its raw estimate.
type Guard uint8

const (
	// GuardNone: the estimate is used as it is.
	GuardNone Guard = iota
	// GuardFew: the level was seen in fewer than MinCount pairs; the
	// default weight stays.
	GuardFew
	// GuardZero: the default weight is 0 (the level counts nothing by
	// design, such as a doctoral degree on one side only); it stays 0.
	GuardZero
	// GuardConflict: a strong conflict (IDNr, family name, given names,
	// birth date, sex m/w) keeps its default weight, as it keeps holding
	// an Accept back.
	GuardConflict
	// GuardRaise: the estimate lay more than MaxEstimateRaise above the
	// default and was cut to default + MaxEstimateRaise.
	GuardRaise
	// GuardSign: the estimate had the other sign than the default: a
	// disagreement may not become positive evidence nor an agreement
	// negative evidence; cut to 0.
	GuardSign
	// GuardLower: the estimate lay more than MaxEstimateLower below the
	// default and was cut to default - MaxEstimateLower.
	GuardLower
)

var guardTokens = [...]string{"", "few", "zero", "conflict", "raise", "sign", "lower"}

// String returns a stable token such as "raise", or "" for GuardNone.
func (g Guard) String() string {
	if int(g) < len(guardTokens) {
		return guardTokens[g]
	}
	return "guard(" + strconv.Itoa(int(g)) + ")"
}

// MarshalText implements encoding.TextMarshaler with [Guard.String].
func (g Guard) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// LevelEstimate is the estimate for one level of one field.
type LevelEstimate struct {
	Field Field
	Level Level
	// Pairs is the number of pairs at this level; RandomPairs the number
	// of random pairs (0 without them).
	Pairs, RandomPairs int
	// M and U are the estimated probabilities of the level for two
	// records of one person and of two people; Raw is log2(M/U).
	M, U, Raw float64
	// Default is the weight of the matcher the estimate was made with,
	// Weight the weight an estimated matcher uses, after Guard.
	Default, Weight float64
	Guard           Guard
}

// DecisionChanges counts the pairs by their decision with the default
// weights (first index) and with the estimated weights (second index),
// both indexed by [Decision]. Each pair is decided on its own, as a
// unique hit, without name frequencies.
type DecisionChanges [3][3]int

// Changed returns the number of pairs whose decision changes.
func (c *DecisionChanges) Changed() int {
	n := 0
	for i := range c {
		for j := range c[i] {
			if i != j {
				n += c[i][j]
			}
		}
	}
	return n
}

// Estimate is the result of [Matcher.Estimate]: what EM estimated, the
// weights an estimated matcher would use, and how that would change the
// decisions. It holds counts and probabilities only, no personal data.
// Use it with [WithEstimate].
type Estimate struct {
	Pairs, Patterns, RandomPairs int
	// Iterations is the number of EM iterations run; Converged whether the
	// last one changed nothing by more than the tolerance.
	Iterations int
	Converged  bool
	// Lambda is the estimated proportion of matches among the pairs.
	Lambda float64
	// Levels lists every level seen among the pairs, by field and level.
	Levels []LevelEstimate
	// Changes counts the decisions with the default and the estimated
	// weights.
	Changes DecisionChanges

	base, weights Weights
}

// Weights returns the weights an estimated matcher uses (a copy).
func (e *Estimate) Weights() Weights { return e.weights }

// Level returns the estimate for field f at level l, or false if the level
// was not seen among the pairs.
func (e *Estimate) Level(f Field, l Level) (LevelEstimate, bool) {
	for _, x := range e.Levels {
		if x.Field == f && x.Level == l {
			return x, true
		}
	}
	return LevelEstimate{}, false
}

// WithEstimate makes the matcher score with the estimated weights of e
// (after its guards), keeping everything else: the levels a field reaches
// are still chosen by the weights e was estimated with, and the accept
// threshold, the margin and every hold rule (strong conflicts on birth
// date, sex, IDNr and names, corroboration) stay as they are. A nil e
// changes nothing. Options after it that set weights change the estimated
// table.
func WithEstimate(e *Estimate) Option {
	return func(c *config) {
		if e == nil {
			return
		}
		base := e.base
		c.weights, c.sel = e.weights, &base
	}
}

// strongConflict reports whether level l of field f holds an Accept back
// (see hold).
func strongConflict(f Field, l Level) bool {
	if l != LevelConflict {
		return false
	}
	switch f {
	case FieldIDNr, FieldFamilyName, FieldGivenNames, FieldBirthDate, FieldSex:
		return true
	}
	return false
}

// pattern is one distinct vector and how many pairs share it.
type pattern struct {
	v Vector
	n int
	p float64 // posterior probability of a match
	// other: a strong conflict, counted as two people (see
	// EstimateOptions.KeepConflicts)
	other bool
}

// Estimate estimates the m and u probabilities of every level from the
// comparison vectors of candidate pairs with EM, assuming conditional
// independence of the fields, and returns them with the weights an
// estimated matcher would use (guarded, see [Guard]) and how the decisions
// on these pairs would change. The matcher's weights are the defaults the
// estimate starts from and is bounded by. See "Estimated weights" in the
// package documentation.
func (m *Matcher) Estimate(pairs []Vector, opts EstimateOptions) (*Estimate, error) {
	if len(pairs) == 0 {
		return nil, &EstimateError{Field: "pairs", Reason: "none given"}
	}
	if err := checkVectors("pairs", pairs); err != nil {
		return nil, err
	}
	if err := checkVectors("random-pairs", opts.RandomPairs); err != nil {
		return nil, err
	}
	maxIter, tol, minCount := opts.MaxIterations, opts.Tolerance, opts.MinCount
	switch {
	case maxIter < 0:
		return nil, &EstimateError{Field: "MaxIterations", Reason: "negative"}
	case math.IsNaN(tol) || math.IsInf(tol, 0) || tol < 0:
		return nil, &EstimateError{Field: "Tolerance", Reason: "not a finite number >= 0"}
	case minCount < 0:
		return nil, &EstimateError{Field: "MinCount", Reason: "negative"}
	}
	if maxIter == 0 {
		maxIter = DefaultEstimateIterations
	}
	if tol == 0 {
		tol = DefaultEstimateTolerance
	}
	if minCount == 0 {
		minCount = DefaultEstimateMinCount
	}

	// Distinct vectors: a register's pairs fall into a few thousand
	// patterns at most, so an iteration costs patterns, not pairs.
	idx := make(map[Vector]int)
	var pats []pattern
	var counts, rcounts [NumFields][NumLevels]int
	for i := range pairs {
		v := pairs[i]
		k, ok := idx[v]
		if !ok {
			k = len(pats)
			idx[v] = k
			pats = append(pats, pattern{v: v, other: !opts.KeepConflicts && anchoredOther(&v)})
		}
		pats[k].n++
		for f, l := range v.Levels {
			counts[f][l]++
		}
	}
	for _, v := range opts.RandomPairs {
		for f, l := range v.Levels {
			rcounts[f][l]++
		}
	}
	// The levels each field takes part with: those seen among the pairs
	// or the random pairs (LevelMissing never: it counts nothing).
	var seen [NumFields][NumLevels]bool
	for f := range seen {
		for l := LevelExact; l < NumLevels; l++ {
			seen[f][l] = counts[f][l] > 0 || rcounts[f][l] > 0
		}
	}

	var mp, up [NumFields][NumLevels]float64
	fixedU := len(opts.RandomPairs) > 0
	if fixedU {
		var rc [NumFields][NumLevels]float64
		for f := range rc {
			for l := range rc[f] {
				rc[f][l] = float64(rcounts[f][l])
			}
		}
		up = probabilities(&seen, &rc)
	}
	// Start from the posterior the matcher's own weights give, with even
	// prior odds: the score is the log2 likelihood ratio.
	for k := range pats {
		s := 0.0
		for f, l := range pats[k].v.Levels {
			if l != LevelMissing {
				s += m.w[f][l]
			}
		}
		pats[k].p = posterior(s, pats[k].other)
	}
	lambda := 0.0
	e := &Estimate{Pairs: len(pairs), Patterns: len(pats), RandomPairs: len(opts.RandomPairs), base: m.w}
	for it := 1; ; it++ {
		// M step
		var sumM, sumU [NumFields][NumLevels]float64
		lambdaNew := 0.0
		for k := range pats {
			pm := pats[k].p * float64(pats[k].n)
			pu := float64(pats[k].n) - pm
			lambdaNew += pm
			for f, l := range pats[k].v.Levels {
				sumM[f][l] += pm
				sumU[f][l] += pu
			}
		}
		lambdaNew = min(max(lambdaNew/float64(len(pairs)), 1e-9), 1-1e-9)
		mNew := probabilities(&seen, &sumM)
		uNew := up
		if !fixedU {
			uNew = probabilities(&seen, &sumU)
		}
		delta := math.Abs(lambdaNew - lambda)
		for f := range mNew {
			for l := range mNew[f] {
				delta = max(delta, math.Abs(mNew[f][l]-mp[f][l]), math.Abs(uNew[f][l]-up[f][l]))
			}
		}
		mp, up, lambda = mNew, uNew, lambdaNew
		e.Iterations = it
		if delta <= tol {
			e.Converged = true
			break
		}
		if it >= maxIter {
			break
		}
		// E step
		logOdds := math.Log2(lambda / (1 - lambda))
		for k := range pats {
			s := logOdds
			for f, l := range pats[k].v.Levels {
				if l != LevelMissing {
					s += math.Log2(mp[f][l] / up[f][l])
				}
			}
			pats[k].p = posterior(s, pats[k].other)
		}
	}
	e.Lambda = lambda

	// The weights, guarded.
	e.weights = m.w
	for f := range NumFields {
		for l := LevelExact; l < NumLevels; l++ {
			if counts[f][l] == 0 {
				continue
			}
			x := LevelEstimate{Field: f, Level: l, Pairs: counts[f][l], RandomPairs: rcounts[f][l],
				M: mp[f][l], U: up[f][l], Default: m.w[f][l]}
			x.Raw = math.Log2(x.M / x.U)
			x.Weight, x.Guard = guardWeight(f, l, x.Raw, x.Default, x.Pairs, minCount)
			e.weights[f][l] = x.Weight
			e.Levels = append(e.Levels, x)
		}
	}

	// How the decisions on these pairs would change.
	for k := range pats {
		from := m.decideVector(&m.w, &pats[k].v)
		to := m.decideVector(&e.weights, &pats[k].v)
		e.Changes[from][to] += pats[k].n
	}
	return e, nil
}

// posterior turns log2 odds into a probability; 0 for a pair counted as
// two people.
func posterior(log2Odds float64, other bool) float64 {
	if other {
		return 0
	}
	return 1 / (1 + math.Exp2(-log2Odds))
}

// anchoredOther reports whether v holds a strong conflict that EM counts
// as two people (see EstimateOptions.KeepConflicts).
func anchoredOther(v *Vector) bool {
	for _, f := range [...]Field{FieldIDNr, FieldSex, FieldBirthDate, FieldGivenNames} {
		if v.Levels[f] == LevelConflict {
			return true
		}
	}
	return false
}

// guardWeight returns the weight an estimated matcher uses for a level
// with the raw estimate raw, the default weight def, seen in n pairs: raw
// within [def-MaxEstimateLower, def+MaxEstimateRaise], and with the sign of
// def.
func guardWeight(f Field, l Level, raw, def float64, n, minCount int) (float64, Guard) {
	switch {
	case n < minCount:
		return def, GuardFew
	case def == 0:
		return 0, GuardZero
	case strongConflict(f, l):
		return def, GuardConflict
	}
	w, g := raw, GuardNone
	switch {
	case w > def+MaxEstimateRaise:
		w, g = def+MaxEstimateRaise, GuardRaise
	case w < def-MaxEstimateLower:
		w, g = def-MaxEstimateLower, GuardLower
	}
	switch {
	case def < 0 && w > 0, def > 0 && w < 0:
		w, g = 0, GuardSign
	}
	return w, g
}

// probabilities turns counts per field and level into probabilities per
// field, over the levels the field takes part with, smoothed.
func probabilities(seen *[NumFields][NumLevels]bool, count *[NumFields][NumLevels]float64) [NumFields][NumLevels]float64 {
	var out [NumFields][NumLevels]float64
	for f := range out {
		total := 0.0
		for l := LevelExact; l < NumLevels; l++ {
			if seen[f][l] {
				out[f][l] = count[f][l] + estimateSmoothing
				total += out[f][l]
			}
		}
		for l := range out[f] {
			if total > 0 {
				out[f][l] /= total
			}
		}
	}
	return out
}

// checkVectors reports the first vector with a level out of range.
func checkVectors(name string, vs []Vector) error {
	for i := range vs {
		for f, l := range vs[i].Levels {
			if l >= NumLevels {
				return &EstimateError{Field: name + "[" + strconv.Itoa(i) + "]." + Field(f).String(),
					Reason: "level " + strconv.Itoa(int(l)) + " out of range"}
			}
		}
	}
	return nil
}

// decideVector decides a pair from its vector alone, as [Matcher.Decide]
// does for a unique hit without name frequencies, with the weights w.
func (m *Matcher) decideVector(w *Weights, v *Vector) Decision {
	var rs Reasons
	total := 0.0
	for f, l := range v.Levels {
		rs[f] = Reason{Field: Field(f), Level: l, Weight: w[f][l]}
		total += w[f][l]
	}
	h, _ := hold(&rs, evidence{weakOK: v.WeakOK, generation: v.Generation}, v.Levels[FieldSex] == LevelExact)
	switch {
	case h == HoldNone && total >= m.accept:
		return Accept
	case total >= m.rejectBelow || !otherPerson(&rs):
		return Review
	}
	return Reject
}

// String returns the report: per field and level the number of pairs, the
// estimated m and u, the default, the raw estimate and the weight used
// with its guard, then the decision counts. It holds no personal data.
func (e *Estimate) String() string {
	var b strings.Builder
	u := "estimated by EM"
	if e.RandomPairs > 0 {
		u = "fixed from " + strconv.Itoa(e.RandomPairs) + " random pairs"
	}
	conv := "converged"
	if !e.Converged {
		conv = "not converged"
	}
	fmt.Fprintf(&b, "EM estimate: %d pairs (%d patterns), u %s; %d iterations, %s; match proportion λ = %.4f\n",
		e.Pairs, e.Patterns, u, e.Iterations, conv, e.Lambda)
	fmt.Fprintf(&b, "%-16s %-18s %8s %9s %9s %8s %8s %8s %s\n", "field", "level", "pairs", "m", "u", "default", "raw", "used", "guard")
	for _, x := range e.Levels {
		fmt.Fprintf(&b, "%-16s %-18s %8d %9.6f %9.6f %8.1f %8.1f %8.1f %s\n",
			x.Field, x.Level, x.Pairs, x.M, x.U, x.Default, x.Raw, x.Weight, x.Guard)
	}
	fmt.Fprintf(&b, "decisions (rows: default weights, columns: estimated weights), %d of %d pairs change:\n", e.Changes.Changed(), e.Pairs)
	fmt.Fprintf(&b, "%-8s %8s %8s %8s\n", "", Reject, Review, Accept)
	for from := Reject; from <= Accept; from++ {
		fmt.Fprintf(&b, "%-8s %8d %8d %8d\n", from, e.Changes[from][Reject], e.Changes[from][Review], e.Changes[from][Accept])
	}
	return b.String()
}
