package registers

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

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

// matchCode is the reason code of a match outcome other than Accept, for
// reports (for example "conflict:birth-date"); "" when the matcher gives no
// hold.
func matchCode(o *match.Outcome) string {
	if o.Hold == match.HoldNone {
		return ""
	}
	code := o.Hold.String()
	if o.Hold == match.HoldConflict || o.Hold == match.HoldMissing || o.Hold == match.HoldWeak {
		code += ":" + o.HoldField.String()
	}
	return code
}
