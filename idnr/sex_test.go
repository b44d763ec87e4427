package idnr_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
)

func TestParseSex(t *testing.T) {
	for in, want := range map[string]idnr.Sex{
		"m": idnr.Male, "M": idnr.Male, "w": idnr.Female, "W": idnr.Female,
		"d": idnr.Diverse, "D": idnr.Diverse, "x": idnr.Unspecified, "X": idnr.Unspecified,
	} {
		got, err := idnr.ParseSex(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		back, err := idnr.ParseSex(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, back)
	}
	for _, in := range []string{"", "f", "male", "mw", " m", "1", "0", "u", "\x4d\x00"} {
		got, err := idnr.ParseSex(in)
		assert.ErrorIs(t, err, idnr.ErrSex, "%q", in)
		assert.Equal(t, idnr.SexUnknown, got)
	}
	assert.Equal(t, "", idnr.SexUnknown.String())
	var s idnr.Sex
	require.NoError(t, s.UnmarshalText(nil))
	assert.Equal(t, idnr.SexUnknown, s)
}
