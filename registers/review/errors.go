package review

import (
	"errors"

	"github.com/regmo/regmo/registers"
)

var (
	// ErrNotFound: no such case.
	ErrNotFound = errors.New("review: no such case")
	// ErrNotOpen: the case is settled; it takes no more decisions.
	ErrNotOpen = errors.New("review: the case is settled")
	// ErrConflict is wrapped by *ConflictError.
	ErrConflict = errors.New("review: another decision came first")
	// ErrIDNrHeld is wrapped by *IDNrHeldError.
	ErrIDNrHeld = errors.New("review: the IDNr is held by another record")
	// ErrForbidden is wrapped by *ForbiddenError.
	ErrForbidden = errors.New("review: not allowed")
	// ErrInput is wrapped by *InputError.
	ErrInput = errors.New("review: invalid input")
	// ErrUnauthenticated: no clerk for the request.
	ErrUnauthenticated = errors.New("review: no clerk")
)

// ConflictError: two clerks decided the same case at once, or a decision
// was made on a stale page; the case moved to Version.
type ConflictError struct {
	Key     registers.Key
	Version int
}

func (e *ConflictError) Error() string {
	return "review: case " + string(e.Key) + ": another decision came first (now version " + itoa(e.Version) + ")"
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// IDNrHeldError: Accept was refused because another record holds the
// candidate's IDNr (the IDNr itself is not named).
type IDNrHeldError struct {
	Key, Holder registers.Key
}

func (e *IDNrHeldError) Error() string {
	return "review: case " + string(e.Key) + ": the IDNr is held by record " + string(e.Holder)
}

func (e *IDNrHeldError) Unwrap() error { return ErrIDNrHeld }

// ForbiddenError: the clerk's role and purpose do not allow the action.
type ForbiddenError struct {
	Role, Purpose string
	Action        Action
	Reason        string
}

func (e *ForbiddenError) Error() string {
	return "review: role " + e.Role + " may not " + e.Action.String() + " for purpose " + e.Purpose + ": " + e.Reason
}

func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// InputError names the field of a request that is missing or wrong, and
// why (never its value).
type InputError struct {
	Field, Reason string
}

func (e *InputError) Error() string { return "review: " + e.Field + ": " + e.Reason }

func (e *InputError) Unwrap() error { return ErrInput }
