package audit

import (
	"errors"
	"fmt"
)

// Sentinel errors. None of them, and no error of this package, ever carries
// an IDNr or a name.
var (
	// ErrInvalid is wrapped by every [*FieldError]: the input was refused.
	ErrInvalid = errors.New("audit: invalid input")
	// ErrUnlawfulPurpose is wrapped by the [*FieldError] of a Query whose
	// Access.Purpose is not one of the lawful purposes.
	ErrUnlawfulPurpose = errors.New("audit: reading the protocol needs a lawful purpose")
	// ErrClosed is returned by calls on a closed Log.
	ErrClosed = errors.New("audit: log closed")
	// ErrTampered is wrapped by the error of [Log.Verify] and
	// [Log.VerifyAgainst] when they found tampering; the [Report] names it.
	ErrTampered = errors.New("audit: tampering found")
	// ErrBadCheckpoint is returned for a checkpoint that does not decode, has
	// a bad signature or belongs to another log.
	ErrBadCheckpoint = errors.New("audit: bad checkpoint")
	// ErrOutcomeUnknown is wrapped when an Append's context ended after its
	// records were handed to the committer: they may or may not be durable.
	ErrOutcomeUnknown = errors.New("audit: append outcome unknown")
	// ErrDuplicateID is wrapped by the [*FieldError] of an Append whose
	// record has the ID of a stored record with different content. (A
	// record stored before with the same content is acknowledged without a
	// second copy, so a retry after ErrOutcomeUnknown is safe.)
	ErrDuplicateID = errors.New("audit: record ID already stored with different content")
	// ErrNoSigningKey is wrapped by the [*FieldError] of New when
	// Options.SigningKey is nil and Options.EphemeralKey is not set: a
	// throw-away key would make the anchors of this run unverifiable
	// after a restart.
	ErrNoSigningKey = errors.New("audit: no signing key")
	// ErrNoCapability is wrapped by the error of a call that needs an
	// optional capability the store lacks ([AccessLogStore],
	// [TransportLogStore], [HoldStore]); it also wraps
	// errors.ErrUnsupported.
	ErrNoCapability = fmt.Errorf("audit: the store lacks a capability: %w", errors.ErrUnsupported)
)

// noCapability is the error of a call that needs capability what.
func noCapability(what string) error {
	return fmt.Errorf("%w (%s)", ErrNoCapability, what)
}

// FieldError names the field of a record, event, access or query that was
// refused and why. It never contains the field's value. ida.FieldError has
// the same shape for a refused request; the two stay apart so that each
// names the layer that refused.
type FieldError struct {
	Index  int    // position of the record or event in the call, 0-based; -1 for a single value
	Field  string // e.g. "Purpose", "Own.Name", "Access.Purpose"
	Reason string // e.g. "required", "longer than 120 characters"
	Err    error  // optional more specific cause (never holding personal data)
}

func (e *FieldError) Error() string {
	s := "audit: "
	if e.Index >= 0 {
		s += fmt.Sprintf("item %d: ", e.Index)
	}
	s += e.Field + ": " + e.Reason
	return s
}

// Unwrap returns ErrInvalid and the more specific cause, if any.
func (e *FieldError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}
