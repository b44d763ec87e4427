package match_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/idnr/match"
)

// estimatePairs is a labelled set of candidate pairs from idnrtest: nTrue
// register copies (the realistic defect mix) against the clean person, and
// one in seven with a harder defect (idnrtest.HardKinds), and nFalse non-matches: half random pairs of two people, half a register
// copy against a hard negative (twins, siblings, namesakes, father and
// son, exchanged names) in one of ten, as blocking within a register
// would produce. The register side carries no IDNr (the backfill's case).
func estimatePairs(seed uint64, nTrue, nFalse int) (pairs [][2]idnr.Person, truth []bool) {
	g := idnrtest.New(seed)
	neg, hard := idnrtest.NegativeKinds(), idnrtest.HardKinds()
	for i := range nTrue + nFalse {
		p := g.Person()
		var pair [2]idnr.Person
		switch {
		case i < nTrue && i%7 == 0:
			// the harder defects: names exchanged, transliterated,
			// misread, two defects
			k := hard[i%len(hard)]
			for !k.Applies(p) {
				p = g.Person()
			}
			pair = [2]idnr.Person{g.ApplyDefect(p, k), p}
		case i < nTrue:
			reg, _ := g.RegisterCopy(p)
			pair = [2]idnr.Person{reg, p}
		case i%10 != 0:
			pair = [2]idnr.Person{p, g.Person()}
		default:
			reg, _ := g.RegisterCopy(p)
			pair = [2]idnr.Person{reg, g.HardNegative(p, neg[i%len(neg)])}
		}
		pair[0].IDNr = idnr.IDNr{}
		pairs = append(pairs, pair)
		truth = append(truth, i < nTrue)
	}
	return pairs, truth
}

func vectorsOf(m *match.Matcher, pairs [][2]idnr.Person) []match.Vector {
	return m.Vectors(func(yield func(idnr.Person, idnr.Person) bool) {
		for _, p := range pairs {
			if !yield(p[0], p[1]) {
				return
			}
		}
	})
}

// estimateSet is the labelled set of the estimate tests and random pairs
// of a generated population for u, made once.
var estimateSet = sync.OnceValues(func() (data, random []match.Vector) {
	m := match.New()
	pairs, truth := estimatePairs(7, 3000, 7000)
	estimateTruth = truth
	return vectorsOf(m, pairs), m.RandomVectors(idnrtest.New(99).Population(20000), 50000, 1)
})

var estimateTruth []bool

// TestEstimateRecoversTruth: on pairs with known truth (3,000 true pairs
// with the register's defects and the harder ones, 7,000 non-matches, one
// in ten a hard negative), EM recovers the match proportion and the m
// probabilities, with u from EM or fixed from random pairs, and orders the
// levels: m and the weight fall from exact over the approximate levels to
// conflict, u rises towards conflict (for the birth place only exact and
// conflict are ordered).
func TestEstimateRecoversTruth(t *testing.T) {
	vs, rv := estimateSet()
	mTrue, uTrue, lambdaTrue := trueRates(vs, estimateTruth)
	for _, tc := range []struct {
		name string
		opts match.EstimateOptions
	}{
		{"em", match.EstimateOptions{}},
		{"random-u", match.EstimateOptions{RandomPairs: rv}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := match.New().Estimate(vs, tc.opts)
			require.NoError(t, err)
			t.Log("\n" + e.String())
			require.True(t, e.Converged)
			assert.Equal(t, len(vs), e.Pairs)
			assert.InDelta(t, lambdaTrue, e.Lambda, 0.04, "λ")
			for _, x := range e.Levels {
				if x.Pairs < 100 {
					continue
				}
				assert.InDelta(t, mTrue[x.Field][x.Level], x.M, 0.06, "m of %s=%s", x.Field, x.Level)
				if len(tc.opts.RandomPairs) == 0 {
					assert.InDelta(t, uTrue[x.Field][x.Level], x.U, 0.06, "u of %s=%s", x.Field, x.Level)
				}
			}
			for _, f := range []match.Field{match.FieldFamilyName, match.FieldGivenNames, match.FieldBirthDate, match.FieldBirthPlace} {
				exact, ok := e.Level(f, match.LevelExact)
				require.True(t, ok)
				conflict, ok := e.Level(f, match.LevelConflict)
				require.True(t, ok)
				assert.Greater(t, exact.Raw, conflict.Raw, "%s", f)
				assert.Less(t, exact.U, conflict.U, "%s", f)
				if f == match.FieldBirthPlace {
					// namesakes born elsewhere (a hard negative no
					// strong conflict marks) pass for matches: the
					// conflict's m is too high to order below partial
					continue
				}
				approx := 0
				for _, x := range e.Levels {
					if x.Field != f || x.Level == match.LevelExact || x.Level == match.LevelConflict || x.Pairs < match.DefaultEstimateMinCount {
						continue
					}
					approx++
					assert.Greater(t, exact.M, x.M, "m %s: exact > %s", f, x.Level)
					assert.Greater(t, x.M, conflict.M, "m %s: %s > conflict", f, x.Level)
					assert.Less(t, x.U, conflict.U, "u %s: %s < conflict", f, x.Level)
					assert.Greater(t, x.Raw, conflict.Raw, "weight %s: %s > conflict", f, x.Level)
				}
				assert.Positive(t, approx, "%s: no approximate level seen", f)
			}
		})
	}
}

// trueRates returns the m and u probabilities of every level, from the
// labels, over the pairs where the field is known on both sides.
func trueRates(vs []match.Vector, truth []bool) (mr, ur [match.NumFields][match.NumLevels]float64, lambda float64) {
	var nm, nu [match.NumFields]float64
	for i, v := range vs {
		if truth[i] {
			lambda++
		}
		for f, l := range v.Levels {
			if l == match.LevelMissing {
				continue
			}
			if truth[i] {
				mr[f][l]++
				nm[f]++
			} else {
				ur[f][l]++
				nu[f]++
			}
		}
	}
	for f := range mr {
		for l := range mr[f] {
			if nm[f] > 0 {
				mr[f][l] /= nm[f]
			}
			if nu[f] > 0 {
				ur[f][l] /= nu[f]
			}
		}
	}
	return mr, ur, lambda / float64(len(vs))
}
