package registers

import (
	"context"

	"github.com/regmo/regmo/idnr"
)

// Identifier sends searches to the identity-data retrieval in bulk. It is
// what the backfill consumes; [FromIDA] adapts an *ida.Client. Identify
// returns exactly one answer per search, in order, and only after every
// transfer has been written to the § 9 protocol. An error means the whole
// batch failed and nothing of it may be used; the engine retries it if
// Retryable says so.
type Identifier interface {
	Identify(ctx context.Context, searches []Search) ([]Answer, error)
}

// Looker looks up one person by IDNr and birth date (sync mode).
type Looker interface {
	Lookup(ctx context.Context, id idnr.IDNr, birth idnr.Date) (Answer, error)
}

// InaccuracyReporter files a report of suspected inaccuracy (§ 10 Abs. 4
// IDNrG) about the named fields of the person with the IDNr.
type InaccuracyReporter interface {
	// held are the register's values (only the named fields are sent);
	// reason is a short code without personal data.
	ReportInaccuracy(ctx context.Context, id idnr.IDNr, fields idnr.Fields, held idnr.Person, reason string) error
}

// AnswerKind is the kind of an IDA answer.
type AnswerKind uint8

const (
	// AnswerHit: a unique hit with the IDNr and (a subset of) the basic data.
	AnswerHit AnswerKind = iota + 1
	// AnswerNotIdentifiable: no unique identification; no data. After the
	// initial fill this is also the answer for a person with an
	// information block.
	AnswerNotIdentifiable
	// AnswerRejected: the BVA rejected the request (Reason holds its code).
	AnswerRejected
	// AnswerInvalid: the search was not sent because the client found a
	// minimum field missing or malformed (Reason names the field).
	AnswerInvalid
)

// Answer is the IDA's answer for one search.
type Answer struct {
	Kind   AnswerKind
	Person idnr.Person // AnswerHit: IDNr and the basic data transferred
	Fields idnr.Fields // AnswerHit: which fields were transferred
	Reason string      // AnswerRejected: the reason code
	// MessageID identifies the transfer (and its protocol record).
	MessageID string
}

// Decision is the matcher's verdict on a unique hit.
type Decision struct {
	Outcome Outcome // Accepted, Review or Rejected
	// Code is a short stable reason code for reports when not Accepted
	// (for example "conflict:birth-date"); empty means "match_review" or
	// "match_reject".
	Code    string
	Score   float64
	Details []string // readable by a clerk, no personal data
}

// Matcher decides whether the person the BVA returned is the register's
// person. [FromMatch] adapts an *match.Matcher. It must be safe for
// concurrent use.
type Matcher interface {
	Match(register, candidate *idnr.Person) Decision
}

// MatcherFunc adapts a function to [Matcher].
type MatcherFunc func(register, candidate *idnr.Person) Decision

// Match calls f.
func (f MatcherFunc) Match(register, candidate *idnr.Person) Decision { return f(register, candidate) }
