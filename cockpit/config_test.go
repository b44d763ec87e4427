package cockpit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNewRequiresPersonCheckChoice: a cockpit that checks no birth date
// answers any IDNr with the person's transfers. That must be a deliberate
// choice (InsecureSkipVerifyPerson), not what a Config that forgot
// VerifyPerson does.
func TestNewRequiresPersonCheckChoice(t *testing.T) {
	verify := func(context.Context, idnr.IDNr, idnr.Date) error { return nil }
	for _, tc := range []struct {
		name string
		cfg  cockpit.Config
		err  error
	}{
		{"neither", cockpit.Config{}, cockpit.ErrNoVerifyPerson},
		{"both", cockpit.Config{VerifyPerson: verify, InsecureSkipVerifyPerson: true}, cockpit.ErrVerifyPersonConflict},
		{"verify", cockpit.Config{VerifyPerson: verify}, nil},
		{"skip", cockpit.Config{InsecureSkipVerifyPerson: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := cockpit.New(&memSource{}, tc.cfg)
			if tc.err == nil {
				require.NoError(t, err)
				require.NotNil(t, svc)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.err), "%v", err)
			var ce *cockpit.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "VerifyPerson", ce.Field)
			assert.Nil(t, svc)
		})
	}
}
