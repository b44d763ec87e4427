package ida_test

import (
	"errors"
	"testing"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFieldErrorShape: ida's field error has audit.FieldError's shape
// (Index, Field, Reason, Err; it wraps the package's ErrInvalid and the
// cause), and stays a type of its own, so that ida.IsInvalid does not take
// the protocol's refusal of a record for an invalid request.
func TestFieldErrorShape(t *testing.T) {
	s := ida.Search{Kind: ida.ByName, FamilyName: "Mül\u200eler", GivenNames: "Anna", BirthDate: idnr.MustDate(1980, 3, 15)}
	err := s.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, ida.ErrInvalid)
	var fe *ida.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Search.FamilyName", fe.Field)
	var cause *idnr.FieldError
	require.ErrorAs(t, err, &cause, "the DIN 91379 check's own error is the cause")
	assert.Equal(t, []rune{0x200e}, cause.CodePoints)
	assert.NotContains(t, err.Error(), "Mül")
	assert.Equal(t, "ida: Search.FamilyName: "+fe.Reason, err.Error())

	required := (&ida.Search{Kind: ida.ByResidence}).Validate()
	assert.ErrorIs(t, required, ida.ErrInvalid)
	assert.NoError(t, errors.Unwrap(required), "no cause beyond ErrInvalid") // Unwrap() []error: errors.Unwrap gives nil

	auditRefusal := &audit.FieldError{Index: 0, Field: "Purpose", Reason: "required"}
	assert.False(t, ida.IsInvalid(auditRefusal))
	assert.NotErrorIs(t, auditRefusal, ida.ErrInvalid)
}
