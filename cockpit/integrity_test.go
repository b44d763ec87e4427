package cockpit_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/cockpit"
)

// TestRefusesMismatchedCopy: a protocol store that refuses a record whose
// stored copy does not match its chained record (audit.ErrCopyMismatch)
// makes the cockpit withhold the answer with a typed error and the status
// answer 500 "integrity", not show anything and not a generic error.
func TestRefusesMismatchedCopy(t *testing.T) {
	src := &memSource{err: fmt.Errorf("audit: query: copy of record 3 refused: %w", audit.ErrCopyMismatch)}
	svc, err := cockpit.New(src, cockpit.Config{InsecureSkipVerifyPerson: true})
	require.NoError(t, err)
	_, err = svc.List(t.Context(), cockpit.Request{SessionID: testSession, IDNr: alice})
	require.ErrorIs(t, err, cockpit.ErrIntegrity)

	e := newEnv(t, src, envOpt{})
	resp, body := e.post(t, e.client(&e.allowed), ask(alice, ""))
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, cockpit.CodeIntegrity, errorCode(t, body))
	assertClean(t, "body", string(body))
	assert.Contains(t, e.logs.String(), "integrity")
}
