package registers

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

// ResultOf turns the IDA's answer a to the search for the register's
// record (key, person) into the record's Result, with the rules and reason
// codes of the backfill: a hit is decided by m (Accept, Review or Reject
// with the matcher's hold code and German explanations), a hit without an
// IDNr is Rejected, and the other outcomes take their reason from the
// answer. Clerks' searches (registers/review) use it too, so that a case
// settles exactly as the backfill would have settled it.
func ResultOf(m Matcher, key Key, person *idnr.Person, a *ida.Answer) Result {
	res := Result{Key: key, MessageID: messageID(a)}
	switch a.Outcome {
	case ida.Hit:
		o := m.Match(person, &a.Person)
		res.Score = o.Score
		res.Fields = a.Fields | idnr.FieldIDNr
		res.Person = a.Person
		switch o.Decision {
		case match.Accept:
			res.Outcome = Accepted
		case match.Review:
			res.Outcome, res.Reason = Review, ReasonMatchReview
		default:
			res.Outcome, res.Reason = Rejected, ReasonMatchReject
		}
		if res.Outcome != Accepted {
			// The matcher's German explanations for a clerk (no
			// personal data), kept for the decisions a clerk sees.
			res.Details = strings.Split(o.German(), "\n")
			if code := o.HoldCode(); code != "" {
				res.Reason += ":" + code
			}
		}
		if a.Person.IDNr.IsZero() {
			res.Outcome, res.Reason = Rejected, ReasonNoDataTransferred
		}
	case ida.NotIdentifiable:
		res.Outcome, res.Reason = NotIdentifiable, ReasonNotIdentifiable
	case ida.Invalid:
		res.Outcome, res.Reason = NoSearch, answerReason(a)
	default:
		res.Outcome, res.Reason = Rejected, answerReason(a)
	}
	return res
}

// answerReason is the reason code of an IDA answer that is not a hit: the
// BVA's reason code for a rejection, "answer_refused:<field>" for an answer
// the client refused (another person, fields not asked for, invalid
// values; nothing of it is used), "invalid:<field>" for a search the client
// did not send, "rejected" otherwise.
func answerReason(a *ida.Answer) string {
	var re *ida.RejectedError
	var ae *ida.AnswerError
	var fe *ida.FieldError
	switch {
	case a.Outcome == ida.Invalid:
		if errors.As(a.Err, &fe) {
			return "invalid:" + fe.Field
		}
		return "invalid"
	case errors.As(a.Err, &re) && re.Code != "":
		return re.Code
	case errors.As(a.Err, &ae):
		return "answer_refused:" + ae.Field
	}
	return "rejected"
}

// messageID is the answer's message ID as the register keeps it (the one
// in the § 9 protocol record), "" for a search that was not sent.
func messageID(a *ida.Answer) string {
	if a.MessageID == uuid.Nil {
		return ""
	}
	return a.MessageID.String()
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

// FromMatch adapts an idnr/match Matcher to [Matcher]: it prepares both
// records and decides with [match.Matcher.DecidePrepared].
func FromMatch(m *match.Matcher) Matcher { return matchAdapter{m} }

type matchAdapter struct{ m *match.Matcher }

func (a matchAdapter) Match(register, candidate *idnr.Person) match.Outcome {
	reg := a.m.Prepare(*register)
	cand := [1]match.Prepared{a.m.Prepare(*candidate)}
	return a.m.DecidePrepared(&reg, cand[:])
}
