package ida

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// The BVA's requests to help clarify an error in the basic data (§ 10 Abs.
// 5 IDNrG) reach a register asynchronously, as XTA 2 delivers messages: the
// register fetches what is waiting ([Client.Clarifications], polled with a
// cursor) and answers each request on its own ([Client.ReplyClarification]).

// ClarificationReasons are the reason codes of a clarification request in
// protocol regmo-ida/1. A request's code that is not listed reads
// "unlisted" (or "masked" when it does not even have the form of a code).
var ClarificationReasons = []string{
	"deviation-reported",  // another body reported an inaccuracy of these fields
	"data-conflict",       // the BZSt's data of these fields are contradictory
	"duplicate-suspected", // the person may have a second IDNr
	"death-unconfirmed",   // a death was reported without the date being confirmed
	"identity-unclear",    // the person's identity is in question
}

// MaxClarificationPage is the most requests one fetch returns.
const MaxClarificationPage = 100

// maxClarificationRef bounds a reference or a cursor.
const maxClarificationRef = 64

// ClarificationRequest is one request of the BVA to help clarify an error
// in a person's basic data (§ 10 Abs. 5 IDNrG): which person, which fields,
// why. It carries no free text: everything in it is checked on receipt.
type ClarificationRequest struct {
	// Reference is the BVA's reference of the request (its Aktenzeichen):
	// a letter or digit, then up to 63 letters, digits, '-', '_', '.',
	// ':' or '/', holding nothing shaped like an IDNr. A reply names it.
	Reference string
	IDNr      idnr.IDNr
	// Fields are the fields in question (not empty, not the IDNr alone).
	Fields idnr.Fields
	// Reason is one of [ClarificationReasons], or "unlisted"/"masked".
	Reason string
	// Issued is when the BVA issued the request.
	Issued time.Time
}

// ClarificationPage is the result of one fetch.
type ClarificationPage struct {
	// Requests are the acceptable requests, in the BVA's order; each was
	// written to the protocol as received before the call returned.
	Requests []ClarificationRequest
	// Refused are the requests of the answer that were not acceptable (a
	// malformed or invalid IDNr, an overlong or control-character
	// reference, unknown fields): Index is the position in the answer,
	// Field and Reason say what, never the value. Nothing of them is
	// handed out or protocolled as a § 9 transfer (the transport log has
	// an event per refused request).
	Refused []*FieldError
	// Next is the cursor to pass as since on the next fetch; it moves past
	// refused requests too, so that one bad request cannot block the
	// queue. Equal to the since given when nothing was waiting.
	Next string
	// MessageID is the answer's message ID.
	MessageID uuid.UUID
}

// ReplyKind is how a register answers a clarification request.
type ReplyKind uint8

// The kinds of replies.
const (
	// ReplyEvidence answers with the register's values of the fields and
	// the evidence that backs them (required, as for reports).
	ReplyEvidence ReplyKind = iota + 1
	// ReplyDeclined says the register cannot help, with a reason.
	ReplyDeclined
	// ReplyNotHeld says the register holds no record of the person.
	ReplyNotHeld
	numReplyKinds
)

var replyTokens = [numReplyKinds]string{"", "evidence", "declined", "not_held"}
var replyGerman = [numReplyKinds]string{"", "Antwort mit Nachweis", "Abgelehnt mit Begründung", "Person nicht im Register"}

// String returns the wire token: "evidence", "declined", "not_held".
func (k ReplyKind) String() string {
	if k > 0 && k < numReplyKinds {
		return replyTokens[k]
	}
	return "reply(" + strconv.Itoa(int(k)) + ")"
}

// German returns the German name for the clerk.
func (k ReplyKind) German() string {
	if k > 0 && k < numReplyKinds {
		return replyGerman[k]
	}
	return k.String()
}

// MarshalText writes the token; an unknown kind is an error.
func (k ReplyKind) MarshalText() ([]byte, error) {
	if k == 0 || k >= numReplyKinds {
		return nil, errReplyKind
	}
	return []byte(replyTokens[k]), nil
}

// UnmarshalText reads a token.
func (k *ReplyKind) UnmarshalText(b []byte) error {
	for i := 1; i < int(numReplyKinds); i++ {
		if replyTokens[i] == string(b) {
			*k = ReplyKind(i)
			return nil
		}
	}
	return errReplyKind
}

var errReplyKind = errors.New("ida: unknown kind of reply")

// ClarificationReply is a register's answer to one clarification request.
type ClarificationReply struct {
	Reference string    // the request's reference (required)
	IDNr      idnr.IDNr // the request's IDNr (required)
	Answer    ReplyKind // required
	// Fields are the fields answered (ReplyEvidence: required, each proved
	// by Evidence; otherwise empty).
	Fields idnr.Fields
	// Held are the register's values; only Fields are sent.
	Held idnr.Person
	// Evidence backs Fields (ReplyEvidence only), as in a report.
	Evidence []Evidence
	// Reason is required for ReplyDeclined and ReplyNotHeld: at most 120
	// characters, no control characters, nothing shaped like an IDNr.
	Reason string
}

// ValidateAt checks the reply (document dates not after now). The error
// is a *[FieldError] naming the field, never the value.
func (r *ClarificationReply) ValidateAt(now time.Time) error {
	fe := func(field, reason string) error {
		return &FieldError{Index: -1, Field: "ClarificationReply." + field, Reason: reason}
	}
	if p := referenceProblem(r.Reference); p != "" {
		return fe("Reference", p)
	}
	if r.IDNr.IsZero() {
		return fe("IDNr", "required")
	}
	switch r.Answer {
	case ReplyEvidence:
		if r.Fields&idnr.AllFields == 0 || r.Fields&^idnr.AllFields != 0 || r.Fields == idnr.FieldIDNr {
			return fe("Fields", "required: the fields answered")
		}
		if r.Reason != "" {
			return fe("Reason", "only for declined or not_held")
		}
		return validateEvidence("ClarificationReply.Evidence", r.Evidence, r.Fields, now)
	case ReplyDeclined, ReplyNotHeld:
		if r.Fields != 0 || len(r.Evidence) > 0 {
			return fe("Fields", "only for an answer with evidence")
		}
		if r.Reason == "" {
			return fe("Reason", "required")
		}
		if p := textProblem(r.Reason, MaxText); p != "" {
			return fe("Reason", p)
		}
		if audit.ContainsIDNr(r.Reason) {
			return fe("Reason", "must not contain an IDNr")
		}
		return nil
	}
	return fe("Answer", "unknown kind of reply")
}

// referenceProblem says why s is not a reference (or cursor), or "".
func referenceProblem(s string) string {
	if s == "" {
		return "required"
	}
	if len(s) > maxClarificationRef {
		return "longer than " + strconv.Itoa(maxClarificationRef) + " characters"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '-' || c == '_' || c == '.' || c == ':' || c == '/'):
		default:
			return "not of the form of a reference"
		}
	}
	if audit.ContainsIDNr(s) {
		return "holds something shaped like an IDNr"
	}
	return ""
}

// check validates a received request; the error names the field only.
func (q *ClarificationRequest) check(i int) *FieldError {
	fe := func(field, reason string) *FieldError {
		return &FieldError{Index: i, Field: "ClarificationRequest." + field, Reason: reason}
	}
	if p := referenceProblem(q.Reference); p != "" {
		return fe("Reference", p)
	}
	if q.IDNr.IsZero() {
		return fe("IDNr", "required")
	}
	if q.Fields&idnr.AllFields == 0 || q.Fields == idnr.FieldIDNr {
		return fe("Fields", "required: the fields in question")
	}
	if q.Issued.IsZero() {
		return fe("Issued", "required")
	}
	return nil
}

// Clarifications fetches the clarification requests the BVA has issued to
// this body after the cursor since ("" for the first), at most
// [MaxClarificationPage]. Each acceptable request is written to the
// protocol (Direction Received, the IDNr, the fields in question as
// categories, the request as transmitted as content) before it is handed
// out; a request that fails the checks (see [ClarificationPage].Refused)
// is a transport event only. Poll until Next equals since.
func (c *Client) Clarifications(ctx context.Context, auth Auth, since string) (ClarificationPage, error) {
	if since != "" {
		if p := referenceProblem(since); p != "" {
			return ClarificationPage{}, &FieldError{Index: -1, Field: "since", Reason: p}
		}
	}
	req, err := c.prepare(ctx, auth, KindClarifications, idnr.IDNr{}, 0)
	if err != nil {
		return ClarificationPage{}, err
	}
	req.Since = since
	resp, x, err := c.do(ctx, auth, req, idnr.IDNr{}, 0)
	if err != nil {
		return ClarificationPage{}, err
	}
	page := ClarificationPage{Next: resp.Next, MessageID: resp.MessageID}
	if page.Next == "" {
		page.Next = since
	}
	var recs []audit.Record
	now := c.clock().UTC()
	for i := range resp.Clarifications {
		it := &resp.Clarifications[i]
		var fe *FieldError
		if it.Err != nil {
			fe = &FieldError{Index: i, Field: "ClarificationRequest", Reason: wireReason(it.Err)}
		} else {
			q := it.Request
			q.Reason = c.clarificationCode(q.Reason)
			if fe = q.check(i); fe == nil {
				page.Requests = append(page.Requests, q)
				r := c.record(auth, req, audit.Received, q.IDNr, q.Fields|idnr.FieldIDNr, it.Raw)
				r.Time = now
				r.MessageID, r.RequestID = resp.MessageID, resp.RequestID
				recs = append(recs, r)
				continue
			}
		}
		page.Refused = append(page.Refused, fe)
		x.event("clarification-refused", "seq="+strconv.Itoa(i)+" field="+fe.Field+" reason="+fe.Reason)
	}
	pctx := context.WithoutCancel(ctx)
	if len(recs) > 0 {
		if err := c.proto.Append(pctx, recs...); err != nil {
			x.event("error", "protocol write failed")
			_ = c.proto.AppendTransport(pctx, x.events...)
			return ClarificationPage{}, &ProtocolError{MessageID: req.MessageID, Err: err}
		}
	}
	x.event("answered", "kind="+req.Kind.String()+" requests="+strconv.Itoa(len(page.Requests))+
		" refused="+strconv.Itoa(len(page.Refused))+" attempts="+strconv.Itoa(x.attempts))
	if err := c.proto.AppendTransport(pctx, x.events...); err != nil {
		return ClarificationPage{}, &ProtocolError{MessageID: req.MessageID, Err: err}
	}
	return page, nil
}

// clarificationCode keeps a listed reason code, else "unlisted" or "masked".
func (c *Client) clarificationCode(code string) string {
	if s := safeCode(code); s != code {
		return s
	}
	if slices.Contains(ClarificationReasons, code) {
		return code
	}
	return unlistedCode
}

// wireReason is the reason of a decoder error, without the "ida: " prefix.
func wireReason(err error) string {
	var we *wireError
	if errors.As(err, &we) {
		return we.reason
	}
	return "invalid"
}

// ReplyClarification answers one clarification request (§ 10 Abs. 5
// IDNrG). The reply carries an IDNr and is protocolled as sent before it
// leaves (the content is the message as transmitted, evidence included).
// A reply that fails [ClarificationReply.ValidateAt] is refused with a
// *[FieldError] before anything is sent; a rejection by the BVA (an
// unknown reference, say) is a *[RejectedError].
func (c *Client) ReplyClarification(ctx context.Context, auth Auth, r ClarificationReply) (Receipt, error) {
	if err := r.ValidateAt(c.clock()); err != nil {
		return Receipt{}, err
	}
	sent := (r.Fields | idnr.FieldIDNr) & idnr.AllFields
	req, err := c.prepare(ctx, auth, KindClarificationReply, r.IDNr, sent)
	if err != nil {
		return Receipt{}, err
	}
	req.Reply = &r
	return c.report(ctx, auth, req, r.IDNr, sent)
}
