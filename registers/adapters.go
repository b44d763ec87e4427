package registers

import (
	"context"
	"errors"
	"strings"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

// FromIDA adapts an IDA client to [Identifier], [Looker] and
// [InaccuracyReporter]. auth is sent with every request (who asks, why,
// which fields: the fields the register keeps). Searches are split into
// messages of at most [ida.MaxBulk].
func FromIDA(c *ida.Client, auth ida.Auth) *IDA { return &IDA{c: c, auth: auth} }

// IDA is the [Identifier], [Looker] and [InaccuracyReporter] over an
// *ida.Client. It is safe for concurrent use.
type IDA struct {
	c    *ida.Client
	auth ida.Auth
}

// Identify implements [Identifier] with [ida.Client.Bulk]. The client
// writes the § 9 protocol record of every transfer before Bulk returns.
func (x *IDA) Identify(ctx context.Context, ss []Search) ([]Answer, error) {
	out := make([]Answer, 0, len(ss))
	req := make([]ida.Search, 0, min(len(ss), ida.MaxBulk))
	for len(ss) > 0 {
		n := min(len(ss), ida.MaxBulk)
		req = req[:0]
		for i := range ss[:n] {
			req = append(req, toIDASearch(&ss[i]))
		}
		as, err := x.c.Bulk(ctx, x.auth, req)
		if err != nil {
			return nil, err
		}
		for i := range as {
			out = append(out, fromIDAAnswer(&as[i]))
		}
		ss = ss[n:]
	}
	return out, nil
}

func toIDASearch(s *Search) ida.Search {
	q := ida.Search{FamilyName: s.FamilyName, BirthDate: s.BirthDate}
	if s.Kind == SearchFallback {
		q.Kind = ida.ByName
		q.GivenNames = s.GivenNames
	} else {
		q.Kind = ida.ByResidence
		q.City, q.PostalCode = s.City, s.PostalCode
	}
	return q
}

func fromIDAAnswer(a *ida.Answer) Answer {
	// The answer's message ID is the one in the § 9 protocol record.
	out := Answer{MessageID: a.MessageID.String()}
	switch a.Outcome {
	case ida.Hit:
		out.Kind, out.Person, out.Fields = AnswerHit, a.Person, a.Fields
	case ida.NotIdentifiable:
		out.Kind = AnswerNotIdentifiable
	case ida.Invalid:
		out.Kind = AnswerInvalid
		out.Reason = "invalid"
		var fe *ida.FieldError
		if errors.As(a.Err, &fe) {
			out.Reason = "invalid:" + fe.Field
		}
		out.MessageID = ""
	default:
		out.Kind = AnswerRejected
		out.Reason = "rejected"
		var re *ida.RejectedError
		var ae *ida.AnswerError
		switch {
		case errors.As(a.Err, &re) && re.Code != "":
			out.Reason = re.Code
		case errors.As(a.Err, &ae):
			// The client refused the answer (another person, fields not
			// asked for, invalid values): nothing of it is used.
			out.Reason = "answer_refused:" + ae.Field
		}
	}
	return out
}

// Lookup implements [Looker] with [ida.Client.Lookup]. "Not identifiable"
// is an answer, not an error.
func (x *IDA) Lookup(ctx context.Context, id idnr.IDNr, birth idnr.Date) (Answer, error) {
	a, err := x.c.Lookup(ctx, x.auth, ida.Lookup{IDNr: id, BirthDate: birth})
	if err != nil && !ida.IsNotIdentifiable(err) && !ida.IsRejected(err) {
		return Answer{}, err
	}
	return fromIDAAnswer(&a), nil
}

// ReportInaccuracy implements [InaccuracyReporter].
func (x *IDA) ReportInaccuracy(ctx context.Context, id idnr.IDNr, fields idnr.Fields, held idnr.Person, reason string) error {
	_, err := x.c.ReportInaccuracy(ctx, x.auth, ida.InaccuracyReport{IDNr: id, Fields: fields, Held: held, Reason: reason})
	return err
}

// IsRetryable is the default [BackfillConfig.Retryable]: a batch is sent
// again unless the context ended or the IDA client says that repeating
// cannot help (policy refusal, invalid request, rejection of the whole
// message).
func IsRetryable(err error) bool {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case ida.IsPolicyDenied(err), ida.IsInvalid(err), ida.IsRejected(err):
		return false
	}
	return true
}

// FromMatch adapts an idnr/match Matcher to [Matcher]. It prepares both
// records and decides with [match.Matcher.DecidePrepared]; the details are
// the matcher's German explanations for a clerk (no personal data), kept
// only for decisions other than Accept.
func FromMatch(m *match.Matcher) Matcher { return matchAdapter{m} }

type matchAdapter struct{ m *match.Matcher }

func (a matchAdapter) Match(register, candidate *idnr.Person) Decision {
	reg := a.m.Prepare(*register)
	cand := [1]match.Prepared{a.m.Prepare(*candidate)}
	o := a.m.DecidePrepared(&reg, cand[:])
	d := Decision{Score: o.Score}
	switch o.Decision {
	case match.Accept:
		d.Outcome = Accepted
		return d
	case match.Review:
		d.Outcome = Review
	default:
		d.Outcome = Rejected
	}
	d.Code = o.Hold.String()
	if o.Hold == match.HoldConflict || o.Hold == match.HoldMissing || o.Hold == match.HoldWeak {
		d.Code += ":" + o.HoldField.String()
	}
	d.Details = strings.Split(o.German(), "\n")
	return d
}
