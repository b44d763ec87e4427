package match_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/idnr/match"
)

var update = flag.Bool("update", false, "regenerate testdata/eval.jsonl.gz")

const (
	evalFile     = "testdata/eval.jsonl.gz"
	evalSeed     = 1      // the committed set; the defaults were tuned on it (and on seeds 2026, 20261124)
	checkSeed    = 424242 // sets generated in the test, never looked at while tuning (20261124 was used once for a check)
	filePerKind  = 1000
	checkPerKind = 2000
)

// genCases generates perKind cases of every kind around the
// people of idnrtest.Generator (names of many origins, nobility, partial
// birth dates, people born abroad).
func genCases(seed uint64, perKind int) []idnrtest.Case {
	g := idnrtest.New(seed)
	var out []idnrtest.Case
	for _, k := range allKinds() {
		for range perKind {
			out = append(out, g.Case(k))
		}
	}
	return out
}

// genSimpleCases generates perKind cases of every defect kind around the
// simpler population of idnrtest.EvalPerson (common German names).
func genSimpleCases(seed uint64, perKind int) []idnrtest.Case {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	person := func() idnr.Person { return idnrtest.EvalPerson(rng) }
	var out []idnrtest.Case
	for _, k := range allKinds() {
		for range perKind {
			out = append(out, idnrtest.MakeCase(rng, k, person))
		}
	}
	return out
}

// allKinds lists the ordinary, the harder and the negative kinds.
func allKinds() []idnrtest.DefectKind {
	return append(append(idnrtest.PositiveKinds(), idnrtest.HardKinds()...), idnrtest.NegativeKinds()...)
}

func writeCases(t *testing.T, path string, cases []idnrtest.Case) {
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	enc := json.NewEncoder(zw)
	for i := range cases {
		require.NoError(t, enc.Encode(&cases[i]))
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func readCases(t *testing.T, path string) []idnrtest.Case {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []idnrtest.Case
	for sc.Scan() {
		var c idnrtest.Case
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		out = append(out, c)
	}
	require.NoError(t, sc.Err())
	return out
}

type tally struct {
	n, accept, review, reject int
	rightAccept, wrongAccept  int
}

// evaluate decides every case and tallies the outcomes per kind.
func evaluate(m *match.Matcher, cases []idnrtest.Case) (map[idnrtest.DefectKind]*tally, []string) {
	res := map[idnrtest.DefectKind]*tally{}
	var wrong []string
	for i, c := range cases {
		tl := res[c.Kind]
		if tl == nil {
			tl = &tally{}
			res[c.Kind] = tl
		}
		tl.n++
		o := m.Decide(c.Register, c.Candidates)
		switch o.Decision {
		case match.Accept:
			tl.accept++
			if o.Candidate == c.Truth {
				tl.rightAccept++
			} else {
				tl.wrongAccept++
				wrong = append(wrong, fmt.Sprintf("case %d kind %s truth %d: %s", i, c.Kind, c.Truth, o))
			}
		case match.Review:
			tl.review++
		case match.Reject:
			tl.reject++
		}
	}
	return res, wrong
}

// report logs the per-kind table and checks the quality bar of issues 3
// and 16: no wrong accept at all, at least 95% of the true matches with
// ordinary defects accepted, and none of the true matches of the harder
// kinds rejected for lack of evidence alone (see otherPerson in
// matcher.go): at most 1 in 200 rejected.
//
// minAccept, if given, replaces the 95% bar (a matcher with name
// frequencies weighs common names less and accepts fewer: that is its
// purpose, so only the wrong accepts and the rejects are its bar).
func report(t *testing.T, name string, res map[idnrtest.DefectKind]*tally, wrong []string, minAccept ...float64) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n%-26s %6s %8s %8s %8s %9s %9s %6s\n", name, "kind", "cases", "accept%", "review%", "reject%", "precision", "recall", "wrong")
	var all, pos, hard tally
	for _, k := range allKinds() {
		tl := res[k]
		if tl == nil {
			continue
		}
		pct := func(x int) float64 { return 100 * float64(x) / float64(tl.n) }
		prec, rec := "-", "-"
		if tl.accept > 0 {
			prec = fmt.Sprintf("%.4f", float64(tl.rightAccept)/float64(tl.accept))
		}
		if !k.IsNegative() {
			rec = fmt.Sprintf("%.4f", float64(tl.rightAccept)/float64(tl.n))
			sum := &pos
			if k.IsHard() {
				sum = &hard
			}
			sum.n += tl.n
			sum.rightAccept += tl.rightAccept
			sum.reject += tl.reject
		}
		fmt.Fprintf(&b, "%-26s %6d %8.2f %8.2f %8.2f %9s %9s %6d\n", k, tl.n, pct(tl.accept), pct(tl.review), pct(tl.reject), prec, rec, tl.wrongAccept)
		all.n += tl.n
		all.accept += tl.accept
		all.rightAccept += tl.rightAccept
		all.wrongAccept += tl.wrongAccept
	}
	acceptRate := float64(pos.rightAccept) / float64(max(pos.n, 1))
	fmt.Fprintf(&b, "overall: %d cases, %d wrong accepts (bar: 0), accept rate on true matches: ordinary defects %.2f%% (bar: 95%%)",
		all.n, all.wrongAccept, 100*acceptRate)
	if hard.n > 0 {
		fmt.Fprintf(&b, ", harder defects %.2f%% (%.2f%% rejected)", 100*float64(hard.rightAccept)/float64(hard.n), 100*float64(hard.reject)/float64(hard.n))
	}
	fmt.Fprintf(&b, ", precision %.5f\n", float64(all.rightAccept)/float64(max(all.accept, 1)))
	t.Log(b.String())
	for i, w := range wrong {
		if i == 20 {
			break
		}
		t.Log("wrong accept: " + w)
	}
	if all.wrongAccept > 0 {
		t.Errorf("%s: %d wrong accepts in %d cases", name, all.wrongAccept, all.n)
	}
	bar := 0.95
	if len(minAccept) > 0 {
		bar = minAccept[0]
	}
	if acceptRate < bar {
		t.Errorf("%s: accept rate on true matches %.2f%% < %.0f%%", name, 100*acceptRate, 100*bar)
	}
	if hard.n > 0 && hard.reject*200 > hard.n {
		t.Errorf("%s: %d of %d true matches of the harder kinds rejected", name, hard.reject, hard.n)
	}
}

// TestEvaluation measures the matcher on the committed evaluation set
// (seed 1, on which the defaults were tuned) and on a set generated here
// from another seed. It fails if wrong accepts exceed 1 in 2,000 cases or
// the accept rate on true matches is below 95%.
func TestEvaluation(t *testing.T) {
	if *update {
		writeCases(t, evalFile, genCases(evalSeed, filePerKind))
	}
	m := match.New()
	perKind, committed := checkPerKind, readCases(t, evalFile)
	if raceEnabled {
		// about tenfold slower: every fourth committed case, smaller fresh sets
		perKind = checkPerKind / 8
		var sub []idnrtest.Case
		for i := 0; i < len(committed); i += 4 {
			sub = append(sub, committed[i])
		}
		committed = sub
	}
	t.Run("committed", func(t *testing.T) {
		res, wrong := evaluate(m, committed)
		report(t, evalFile+" (idnrtest.Generator, seed 1)", res, wrong)
	})
	t.Run("fresh", func(t *testing.T) {
		res, wrong := evaluate(m, genCases(checkSeed, perKind))
		report(t, fmt.Sprintf("generated in the test: idnrtest.Generator, seed %d", checkSeed), res, wrong)
	})
	t.Run("register-mix", func(t *testing.T) {
		// What the backfill sees: every register record a RegisterCopy
		// (realistic mix of defects) against the person's clean data.
		g := idnrtest.New(checkSeed + 1)
		var cases []idnrtest.Case
		for range perKind * 5 {
			p := g.Person()
			reg, k := g.RegisterCopy(p)
			cases = append(cases, idnrtest.Case{Kind: k, Register: reg, Candidates: []idnr.Person{p}, Truth: 0})
		}
		res, wrong := evaluate(m, cases)
		report(t, fmt.Sprintf("register copies with the realistic defect mix, seed %d", checkSeed+1), res, wrong)
	})
	t.Run("fresh-with-frequencies", func(t *testing.T) {
		// The same fresh cases with a name-frequency table of the
		// generator's population: rare names weigh up to 3 more, which
		// must never lift another person to Accept.
		g := idnrtest.New(checkSeed + 2)
		tf := match.New(match.WithFrequencies(match.BuildFrequencies(func(yield func(idnr.Person) bool) {
			for range 20000 {
				if !yield(g.Person()) {
					return
				}
			}
		})))
		res, wrong := evaluate(tf, genCases(checkSeed, perKind))
		report(t, fmt.Sprintf("generated in the test: idnrtest.Generator, seed %d, with name frequencies of 20,000 people", checkSeed), res, wrong, 0.90)
	})
	t.Run("fresh-simple", func(t *testing.T) {
		n := perKind / 2
		if raceEnabled {
			// 125 cases per kind are too few for the 95% bar, which the
			// rules against father and son (issue 16 sweep) leave a thin
			// margin: 95.2% on 500 per kind, 94.6% on 125
			n = perKind
		}
		res, wrong := evaluate(m, genSimpleCases(checkSeed, n))
		report(t, fmt.Sprintf("generated in the test: idnrtest.EvalPerson, seed %d", checkSeed), res, wrong)
	})
}
