package registers

import (
	"context"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

// Identifier sends searches to the identity-data retrieval in bulk; it is
// what the backfill consumes, and *ida.Client (the BVA) and *melde.Client
// (the Meldebehörde, § 6 Abs. 1 IDNrG; package ida/melde) implement it, so
// the route is the register's configuration. It speaks
// ida's own types: fakes in tests build [ida.Answer]s. Bulk returns exactly
// one answer per search, in order, and only after every transfer has been
// written to the § 9 protocol; an error means the whole message failed and
// nothing of it may be used (the engine retries it if Retryable says so).
// The engine sends at most [ida.MaxBulk] searches per call.
type Identifier interface {
	Bulk(ctx context.Context, auth ida.Auth, searches []ida.Search) ([]ida.Answer, error)
}

// Looker looks up one person by IDNr and birth date (sync); *ida.Client
// and *melde.Client implement it. An answer other than a hit comes with an error that says
// so ([ida.IsNotIdentifiable], [ida.IsRejected], [ida.IsAnswerRefused]);
// Sync makes those outcomes of the record, every other error stops the
// pass.
type Looker interface {
	Lookup(ctx context.Context, auth ida.Auth, q ida.Lookup) (ida.Answer, error)
}

// InaccuracyReporter files a report of suspected inaccuracy (§ 10 Abs. 4
// IDNrG); *ida.Client implements it.
type InaccuracyReporter interface {
	ReportInaccuracy(ctx context.Context, auth ida.Auth, r ida.InaccuracyReport) (ida.Receipt, error)
}

// Matcher decides whether the person the BVA returned is the register's
// person, in idnr/match's own verdict ([match.Outcome]: Accept, Review or
// Reject, with the hold and the reasons). [FromMatch] adapts a
// *match.Matcher; tests may pass a [MatcherFunc]. It must be safe for
// concurrent use.
type Matcher interface {
	Match(register, candidate *idnr.Person) match.Outcome
}

// MatcherFunc adapts a function to [Matcher].
type MatcherFunc func(register, candidate *idnr.Person) match.Outcome

// Match calls f.
func (f MatcherFunc) Match(register, candidate *idnr.Person) match.Outcome {
	return f(register, candidate)
}
