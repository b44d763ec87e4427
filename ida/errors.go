package ida

import (
	"context"
	"errors"
	"github.com/regmo/regmo/idnr"
	"net"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Sentinel errors. Typed errors below wrap them where it helps errors.Is.
var (
	// ErrInvalid is wrapped by every [*FieldError]: the request was refused
	// before anything was sent.
	ErrInvalid = errors.New("ida: invalid request")
	// ErrNotIdentifiable is the answer "no unique identification possible":
	// no person, several persons, or (after the initial fill) a person with
	// an information block. The answer carries no data.
	ErrNotIdentifiable = errors.New("ida: not uniquely identifiable")
	// ErrCircuitOpen is returned, wrapped in *[BreakerOpenError], while the
	// circuit breaker is open.
	ErrCircuitOpen = errors.New("ida: circuit breaker open")
	// ErrMalformed marks an answer that does not decode or breaks the schema.
	ErrMalformed = errors.New("ida: malformed answer")
	// ErrMessageMismatch marks an answer whose request ID is not the ID of
	// the message sent.
	ErrMessageMismatch = errors.New("ida: answer does not belong to the request")
	// ErrTooLarge marks an answer larger than Config.MaxResponseBytes.
	ErrTooLarge = errors.New("ida: answer too large")
	// ErrClosed is returned by calls on a closed Client.
	ErrClosed = errors.New("ida: client closed")
	// ErrAnswerMismatch marks an answer, wrapped in *[AnswerError], that
	// does not fit its request: a lookup's hit for another IDNr, a search's
	// hit whose family name or birth date disagrees with the search, or a
	// hit carrying fields the request did not ask for.
	ErrAnswerMismatch = errors.New("ida: answer does not fit the request")
	// ErrAnswerInvalid marks an answer, wrapped in *[AnswerError], with a
	// value the register must not take: a name outside DIN 91379 data type
	// A, a place or street outside type B (control characters, bidi
	// overrides, invalid UTF-8 included), an impossible date or code.
	ErrAnswerInvalid = errors.New("ida: answer carries an invalid value")
)

// FieldError reports a request field that is missing or malformed. It is
// returned before anything is sent. It never contains the field's value.
//
// It has the shape of [audit.FieldError] (Index, Field, Reason, an optional
// cause Err; it wraps [ErrInvalid] and the cause) but is a type of its own:
// which layer refused matters, and [IsInvalid] must not take the
// protocol's refusal of a record for an invalid request.
type FieldError struct {
	Index  int    // position in a Bulk request, or -1
	Field  string // e.g. "Search.PostalCode" or "Auth.Purpose"
	Reason string
	Err    error // optional more specific cause, e.g. an *idnr.FieldError with the code points; never a value
}

func (e *FieldError) Error() string {
	s := "ida: "
	if e.Index >= 0 {
		s += "search " + strconv.Itoa(e.Index) + ": "
	}
	return s + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalid and the more specific cause, if any.
func (e *FieldError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}

// PolicyError is the refusal of a request by the [Policy], before anything
// was sent. The refusal is also written to the protocol (see the package
// documentation, "Authorisation").
type PolicyError struct {
	Role    string
	Purpose string
	Kind    Kind
	// Denied are the fields asked for that the role may not receive for
	// this purpose (0 when the role, purpose or kind itself is refused).
	Denied idnr.Fields
	Reason string
}

func (e *PolicyError) Error() string {
	s := "ida: policy refuses " + e.Kind.String() + " for role " + strconv.Quote(e.Role) +
		", purpose " + strconv.Quote(e.Purpose) + ": " + e.Reason
	if e.Denied != 0 {
		s += " (" + e.Denied.String() + ")"
	}
	return s
}

// RejectedError is a rejection by the BVA with its reason code: a request
// that breaks the schema or a rule, a sender that is not entitled, and so on.
// For a single request it is the error; in a Bulk answer it is the
// [Answer.Err] of the rejected search (or the error of the whole call when
// the message as a whole was rejected).
//
// The server's free text that came with the rejection is untrusted (it may
// name the person) and is dropped; Code is the server's reason code if it
// has the form of one (see the package documentation, "Text from the
// server"), else "masked".
type RejectedError struct {
	Code      string    // reason code, e.g. "missing-field", "not-entitled"
	Status    int       // HTTP status when the whole message was rejected, else 0
	MessageID uuid.UUID // the request's message ID
}

func (e *RejectedError) Error() string {
	s := "ida: rejected: " + e.Code
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	return s
}

// ResponseError is an HTTP answer that is neither a success nor a rejection
// with a reason (for example 500, 503 or 429), after the retries ran out.
type ResponseError struct {
	Status     int
	Code       string        // reason code from the body, if any
	MessageID  uuid.UUID     // the request's message ID
	RetryAfter time.Duration // from Retry-After, if the server sent one
	Attempts   int
}

func (e *ResponseError) Error() string {
	s := "ida: HTTP " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	s += " after " + strconv.Itoa(e.Attempts) + " attempt(s)"
	if e.RetryAfter > 0 {
		s += ", retry after " + e.RetryAfter.String()
	}
	return s
}

// TransportError is a failure to exchange the message at all (connection
// refused or dropped, TLS failure, timeout) after the retries ran out.
type TransportError struct {
	MessageID uuid.UUID
	Attempts  int
	Err       error
}

func (e *TransportError) Error() string {
	return "ida: transport failed after " + strconv.Itoa(e.Attempts) + " attempt(s): " + e.Err.Error()
}

func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is an answer that could not be used: malformed, truncated,
// too large, or not belonging to the request. Err is one of ErrMalformed,
// ErrMessageMismatch, ErrTooLarge, possibly wrapping a decoder error.
type DecodeError struct {
	MessageID uuid.UUID
	Attempts  int
	Reason    string // no personal data
	Err       error
}

func (e *DecodeError) Error() string {
	return "ida: bad answer after " + strconv.Itoa(e.Attempts) + " attempt(s): " + e.Reason
}

func (e *DecodeError) Unwrap() error { return e.Err }

// BreakerOpenError is returned without sending while the circuit breaker is
// open (or half-open and already probing). It wraps [ErrCircuitOpen].
type BreakerOpenError struct {
	State string // "open" or "half-open"
}

func (e *BreakerOpenError) Error() string { return "ida: circuit breaker " + e.State + ", not sent" }
func (e *BreakerOpenError) Unwrap() error { return ErrCircuitOpen }

// ProtocolError is a failure to write the § 9 protocol record of a transfer
// or the transport log. The answer is withheld: data that cannot be
// protocolled are not handed out. The message was transferred; a retry with
// the same message (the BVA de-duplicates) is safe, but the client does not
// retry it by itself.
type ProtocolError struct {
	MessageID uuid.UUID
	Err       error
}

func (e *ProtocolError) Error() string { return "ida: protocol write failed: " + e.Err.Error() }
func (e *ProtocolError) Unwrap() error { return e.Err }

// IsNotIdentifiable reports whether err is the answer "not uniquely
// identifiable" (which is also the answer for an information block).
func IsNotIdentifiable(err error) bool { return errors.Is(err, ErrNotIdentifiable) }

// IsRejected reports whether the BVA rejected the request with a reason code.
func IsRejected(err error) bool {
	var r *RejectedError
	return errors.As(err, &r)
}

// IsPolicyDenied reports whether the client's own policy refused the request.
func IsPolicyDenied(err error) bool {
	var p *PolicyError
	return errors.As(err, &p)
}

// IsInvalid reports whether the request was refused before sending because
// a field was missing or malformed.
func IsInvalid(err error) bool {
	var f *FieldError
	return errors.As(err, &f)
}

// IsCircuitOpen reports whether the call failed fast because the circuit
// breaker is open.
func IsCircuitOpen(err error) bool { return errors.Is(err, ErrCircuitOpen) }

// IsRetryable reports whether repeating the call later may succeed: the
// breaker was open, the server was overloaded or failing (429, 5xx), the
// transport failed or timed out, or the answer was unusable. Rejections,
// refusals, invalid requests, "not identifiable" and a cancelled context
// are not retryable.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var (
		re *ResponseError
		te *TransportError
		de *DecodeError
	)
	switch {
	case errors.Is(err, ErrCircuitOpen):
		return true
	case errors.As(err, &re):
		return re.Status == 429 || re.Status >= 500
	case errors.As(err, &te):
		return true
	case errors.As(err, &de):
		return !errors.Is(de.Err, ErrTooLarge)
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}

// IsTimeout reports whether err is a timeout (the context deadline or a
// network timeout).
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
