package ida

import (
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

// Outcome is what an answer to one lookup or search says.
type Outcome uint8

const (
	OutcomeUnknown Outcome = iota
	// Hit is a unique identification: Person carries the IDNr and the
	// delivered fields.
	Hit
	// NotIdentifiable is "no unique identification possible", without data.
	// It is also the answer for a person with an information block after
	// the initial fill: the two cannot be told apart, by design.
	NotIdentifiable
	// Rejected is a rejection by the BVA with a reason code.
	Rejected
	// Invalid is a search of a Bulk request that was not sent because it
	// lacks a minimum field or is malformed (Err is a *FieldError).
	Invalid
	// Refused is an answer the client refused after receiving it: it does
	// not fit the request or carries invalid values (Err is an
	// *AnswerError). Nothing of it is handed out or protocolled as received.
	Refused
)

var outcomeText = [...]string{"unknown", "hit", "not-identifiable", "rejected", "invalid", "refused"}

func (o Outcome) String() string {
	if int(o) < len(outcomeText) {
		return outcomeText[o]
	}
	return "unknown"
}

// Answer is the answer to one lookup or search.
type Answer struct {
	// Index is the position of the search in a Bulk request (0 for single requests).
	Index   int
	Outcome Outcome
	// Person is the delivered basic data for a Hit (Person.IDNr is always
	// set); fields outside Fields are zero. Zero for every other outcome.
	Person idnr.Person
	// Fields are the fields delivered: possibly fewer than asked for, for
	// the BVA may restrict the subset (for example to the IDNr alone).
	Fields idnr.Fields
	// Err is nil for a Hit; it wraps [ErrNotIdentifiable] for
	// NotIdentifiable, is a *[RejectedError] for Rejected, a
	// *[FieldError] for Invalid and an *[AnswerError] for Refused.
	Err error
	// MessageID is the answer message's ID; RequestID the ID of the request
	// message it answers. Both are zero for Invalid.
	MessageID uuid.UUID
	RequestID uuid.UUID
}

// Receipt is the acknowledgement of a report ([Client.ReportInaccuracy],
// [Client.ReportLastContact]).
type Receipt struct {
	MessageID uuid.UUID // the acknowledgement's message ID
	RequestID uuid.UUID // the report's message ID
	Received  time.Time // when the BVA received the report, as it says
}
