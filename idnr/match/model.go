package match

import "math"

// Weights are the log-likelihood weights of the scoring model, indexed by
// field and level: roughly log2(m/u), where m is the probability of the
// level for two records of the same person and u for two records of
// different people. Unlisted combinations are 0. See the package
// documentation for the defaults and their reasoning.
type Weights [NumFields][NumLevels]float64

// DefaultWeights returns the default weights (see the table in the package
// documentation).
func DefaultWeights() Weights {
	var w Weights
	set := func(f Field, pairs ...any) {
		for i := 0; i < len(pairs); i += 2 {
			w[f][pairs[i].(Level)] = float64(pairs[i+1].(int))
		}
	}
	set(FieldIDNr, LevelExact, 14, LevelConflict, -30)
	set(FieldFamilyName, LevelExact, 10, LevelFormerName, 8, LevelDiacritics, 8, LevelTranslit, 7, LevelSubset, 6,
		LevelNameOrder, 7, LevelPhonetic, 5, LevelTypo, 4, LevelConflict, -6)
	set(FieldGivenNames, LevelExact, 10, LevelDiacritics, 8, LevelSubset, 7, LevelHyphenation, 7,
		LevelNameOrder, 7, LevelTranslit, 5, LevelPhonetic, 4, LevelTypo, 3, LevelPartial, -4, LevelConflict, -16)
	set(FieldBirthDate, LevelExact, 12, LevelCompatible, 7, LevelSwapped, 6, LevelPartial, 4,
		LevelDigitTypo, 4, LevelConflict, -16)
	set(FieldSex, LevelExact, 1, LevelMismatch, -2, LevelConflict, -12)
	set(FieldBirthPlace, LevelExact, 5, LevelDiacritics, 4, LevelPartial, 3, LevelPhonetic, 3,
		LevelTypo, 3, LevelConflict, -6)
	set(FieldAddress, LevelExact, 6, LevelSameStreet, 4, LevelSameCity, 2, LevelConflict, -2)
	set(FieldNationality, LevelExact, 1, LevelMismatch, -2)
	set(FieldDoctoralDegree, LevelExact, 1)
	return w
}

// Default thresholds.
const (
	DefaultAcceptThreshold = 30
	DefaultMargin          = 6
	DefaultRejectBelow     = 0
)

// Option configures a [Matcher].
type Option func(*config)

type config struct {
	freq        *Frequencies
	weights     Weights
	sel         *Weights // level selection table; nil: weights (see WithEstimate)
	accept      float64
	margin      float64
	rejectBelow float64
}

// WithWeights replaces the whole weight table.
func WithWeights(w Weights) Option { return func(c *config) { c.weights = w } }

// WithWeight sets the weight of one field at one level.
func WithWeight(f Field, l Level, weight float64) Option {
	return func(c *config) {
		if f < NumFields && l < NumLevels && !math.IsNaN(weight) {
			c.weights[f][l] = weight
		}
	}
}

// WithAcceptThreshold sets the score a candidate needs for Accept
// (default [DefaultAcceptThreshold]).
func WithAcceptThreshold(score float64) Option { return func(c *config) { c.accept = score } }

// WithMargin sets how far the best candidate must score above the second
// best for Accept (default [DefaultMargin]).
func WithMargin(margin float64) Option { return func(c *config) { c.margin = margin } }

// WithRejectBelow sets the score under which the best candidate is
// rejected rather than sent to review (default [DefaultRejectBelow]).
func WithRejectBelow(score float64) Option { return func(c *config) { c.rejectBelow = score } }

// Matcher decides whether candidate records belong to the person of a
// register record. It is immutable after [New] and safe for concurrent use.
type Matcher struct {
	freq *Frequencies
	w    Weights
	// sel chooses the level where a field could reach several (family
	// and former names, name order); it is w except with WithEstimate,
	// where it is the table the estimate was made with, so estimated
	// weights change what a level weighs, never which level a field
	// reaches.
	sel         Weights
	accept      float64
	margin      float64
	rejectBelow float64
}

// New returns a Matcher with the default weights and thresholds, changed by
// opts.
func New(opts ...Option) *Matcher {
	c := config{weights: DefaultWeights(), accept: DefaultAcceptThreshold, margin: DefaultMargin, rejectBelow: DefaultRejectBelow}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	sel := c.weights
	if c.sel != nil {
		sel = *c.sel
	}
	return &Matcher{freq: c.freq, w: c.weights, sel: sel, accept: c.accept, margin: c.margin, rejectBelow: c.rejectBelow}
}

// Weights returns the matcher's weight table (a copy).
func (m *Matcher) Weights() Weights { return m.w }
