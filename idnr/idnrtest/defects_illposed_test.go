package idnrtest

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCasesNotIllPosed: no case's register record carries another
// candidate's identity through its defect (a typo that makes Lena of the
// twin Lina), and no twin is named as p without diacritics or hyphens or
// carries one of p's names as the first. Such cases were found by the
// sweep of idnr/match (TestSweep): no matcher could tell them.
func TestCasesNotIllPosed(t *testing.T) {
	g := New(99)
	for _, k := range append(append(PositiveKinds(), HardKinds()...), NegativeKinds()...) {
		for range 400 {
			// positive cases: the true person is among the candidates
			if c := g.Case(k); c.Truth >= 0 {
				assert.False(t, defectTurnsInto(c.Candidates[c.Truth], c.Register, c.Candidates, c.Truth), "kind %s", k)
			}
		}
	}
	for range 3000 {
		p := g.Person()
		if !p.BirthDate.IsComplete() {
			continue
		}
		tw := g.HardNegative(p, Twin)
		assert.False(t, defectSharesFirstName(p.GivenNames, tw.GivenNames), "twin")
		sim := g.HardNegative(p, TwinSimilarName)
		assert.False(t, slices.Contains(defectNameKeys(p.GivenNames), defectNameKeys(sim.GivenNames)[0]), "twin with a similar name")
	}
}
