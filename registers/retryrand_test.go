package registers_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flaky fails its first Bulk call with a retryable error.
type flaky struct {
	bva
	calls atomic.Int32
}

func (f *flaky) Bulk(ctx context.Context, a ida.Auth, ss []ida.Search) ([]ida.Answer, error) {
	if f.calls.Add(1) == 1 {
		return nil, fmt.Errorf("first call: %w", ida.ErrCircuitOpen)
	}
	return f.bva.Bulk(ctx, a, ss)
}

// TestBackfillRetryJitterFromConfig: the pause before a batch is sent again
// draws its jitter from BackfillConfig.Rand, not from the global source.
func TestBackfillRetryJitterFromConfig(t *testing.T) {
	reg := &memRegister{settled: map[registers.Key]registers.Result{}}
	reg.people = []registers.Entry{{Key: "1", Person: idnr.Person{FamilyName: "Beispiel", GivenNames: "Max",
		BirthDate: idnr.MustDate(1980, 1, 2), Address: idnr.Address{PostalCode: "51147", City: "Köln"}}}}
	var draws atomic.Int32
	fake := &flaky{}
	bf, err := registers.NewBackfill(registers.BackfillConfig{
		Register: reg, IDA: fake,
		Auth:    ida.Auth{Role: "r", Actor: "a", Purpose: "p", LegalBasis: "b", Fields: idnr.AllFields},
		Matcher: registers.FromMatch(match.New()),
		Backoff: time.Millisecond, MaxAttempts: 3,
		Rand: func() float64 { draws.Add(1); return 0.5 },
	})
	require.NoError(t, err)
	_, err = bf.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(2), fake.calls.Load())
	assert.Equal(t, int32(1), draws.Load(), "one pause, one draw from the configured source")
}
