package idnr_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
)

var dateVectors = []struct {
	in      string
	y, m, d int
	err     error
}{
	{"1980-05-17", 1980, 5, 17, nil},
	{"1980-05-00", 1980, 5, 0, nil},
	{"1980-00-00", 1980, 0, 0, nil},
	{"0000-00-00", 0, 0, 0, nil},
	{"17051980", 1980, 5, 17, nil},
	{"00051980", 1980, 5, 0, nil},
	{"00001980", 1980, 0, 0, nil},
	{"00000000", 0, 0, 0, nil},
	{"00031998", 1998, 3, 0, nil},
	{"2000-02-29", 2000, 2, 29, nil}, // divisible by 400: leap
	{"29022024", 2024, 2, 29, nil},
	{"1980-04-31", 0, 0, 0, idnr.ErrDateDay},
	{"31041980", 0, 0, 0, idnr.ErrDateDay},
	{"1981-02-29", 0, 0, 0, idnr.ErrDateDay},
	{"1900-02-29", 0, 0, 0, idnr.ErrDateDay}, // divisible by 100: common year
	{"29021981", 0, 0, 0, idnr.ErrDateDay},
	{"1980-13-01", 0, 0, 0, idnr.ErrDateMonth},
	{"01131980", 0, 0, 0, idnr.ErrDateMonth},
	{"1980-01-32", 0, 0, 0, idnr.ErrDateDay},
	{"1980-00-17", 0, 0, 0, idnr.ErrDateDayNoMonth},
	{"17001980", 0, 0, 0, idnr.ErrDateDayNoMonth},
	{"0999-01-01", 0, 0, 0, idnr.ErrDateYear},
	{"1980/05/17", 0, 0, 0, idnr.ErrDateFormat},
	{"1980-5-17", 0, 0, 0, idnr.ErrDateFormat},
	{"17.05.1980", 0, 0, 0, idnr.ErrDateFormat},
	{"", 0, 0, 0, idnr.ErrDateFormat},
	{"1980-05-1a", 0, 0, 0, idnr.ErrDateFormat},
	{"+1980-5-17", 0, 0, 0, idnr.ErrDateFormat},
	{"1705198O", 0, 0, 0, idnr.ErrDateFormat},
}

func TestParseDate(t *testing.T) {
	for _, tc := range dateVectors {
		t.Run(tc.in, func(t *testing.T) {
			d, err := idnr.ParseDate(tc.in)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.True(t, d.IsZero())
				if len(tc.in) >= 8 {
					assert.NotContains(t, err.Error(), tc.in)
				}
				return
			}
			require.NoError(t, err)
			y, yok := d.Year()
			m, mok := d.Month()
			dd, dok := d.Day()
			assert.Equal(t, tc.y, y)
			assert.Equal(t, tc.y != 0, yok)
			assert.Equal(t, time.Month(tc.m), m)
			assert.Equal(t, tc.m != 0, mok)
			assert.Equal(t, tc.d, dd)
			assert.Equal(t, tc.d != 0, dok)
			assert.Equal(t, tc.y != 0 && tc.m != 0 && tc.d != 0, d.IsComplete())
			assert.Equal(t, tc.y == 0 && tc.m == 0 && tc.d == 0, d.IsZero())
			assert.Equal(t, idnr.MustDate(tc.y, tc.m, tc.d), d)
			back, err := idnr.ParseDate(d.String())
			require.NoError(t, err)
			assert.Equal(t, d, back)
			back, err = idnr.ParseDate(d.RegisterForm())
			require.NoError(t, err)
			assert.Equal(t, d, back)
		})
	}
}

func TestDateTimeIsExplicit(t *testing.T) {
	_, err := idnr.MustDate(1980, 5, 0).Time()
	assert.ErrorIs(t, err, idnr.ErrDateIncomplete)
	tm, err := idnr.MustDate(1980, 5, 17).Time()
	require.NoError(t, err)
	assert.Equal(t, time.Date(1980, 5, 17, 0, 0, 0, 0, time.UTC), tm)
	assert.Equal(t, idnr.MustDate(1980, 5, 17), idnr.DateOf(tm))
}

func TestDateCompare(t *testing.T) {
	full := idnr.MustDate(1980, 5, 17)
	assert.True(t, full.Compatible(idnr.MustDate(1980, 5, 0)))
	assert.True(t, full.Compatible(idnr.MustDate(0, 0, 0)))
	assert.False(t, full.Compatible(idnr.MustDate(1980, 6, 0)))
	assert.False(t, full.Compatible(idnr.MustDate(1981, 0, 0)))
	assert.True(t, idnr.MustDate(1980, 0, 0).Before(idnr.MustDate(1981, 1, 1)))
	assert.False(t, idnr.MustDate(1980, 0, 0).Before(idnr.MustDate(1980, 5, 1)), "not certain")
	assert.False(t, idnr.Date{}.Before(full))
	assert.True(t, full.Before(idnr.MustDate(1980, 5, 18)))
}

func TestDateMasked(t *testing.T) {
	d := idnr.MustDate(1980, 5, 17)
	assert.Equal(t, "****-**-**", d.Masked())
	assert.Equal(t, "****-**-00", idnr.MustDate(1980, 5, 0).Masked())
	assert.Equal(t, "****-00-00", idnr.MustDate(1980, 0, 0).Masked())
	assert.Equal(t, "0000-00-00", idnr.Date{}.Masked())
	type record struct {
		birth idnr.Date // unexported: fmt prints it without calling Format
		Death idnr.Date
	}
	r := record{birth: d, Death: d}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "birth", d, "record", r)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "birth", d)
	for _, out := range []string{fmt.Sprintf("%v %s %d %q %#v %+v", d, d, d, d, d, &d), fmt.Sprintf("%v %+v %#v", r, r, r), buf.String()} {
		for _, secret := range []string{"1980", "17051980", "05-17", " 5 17", "{1980"} {
			assert.NotContains(t, out, secret)
		}
	}
}

func TestDateSQL(t *testing.T) {
	d := idnr.MustDate(1980, 5, 0)
	v, err := d.Value()
	require.NoError(t, err)
	assert.Equal(t, "1980-05-00", v)
	for _, src := range []any{"1980-05-00", []byte("00051980")} {
		var got idnr.Date
		require.NoError(t, got.Scan(src))
		assert.Equal(t, d, got)
	}
	var got idnr.Date
	require.NoError(t, got.Scan(time.Date(1980, 5, 17, 23, 0, 0, 0, time.UTC)))
	assert.Equal(t, idnr.MustDate(1980, 5, 17), got)
	require.NoError(t, got.Scan(nil))
	assert.True(t, got.IsZero())
	assert.Error(t, got.Scan(42))
	assert.ErrorIs(t, got.Scan(time.Time{}), idnr.ErrDateYear)
	assert.ErrorIs(t, got.Scan("1980-02-30"), idnr.ErrDateDay)
}

func TestMonthYear(t *testing.T) {
	my, err := idnr.ParseMonthYear("2025-11")
	require.NoError(t, err)
	assert.Equal(t, idnr.MonthYear{Year: 2025, Month: time.November}, my)
	assert.Equal(t, "2025-11", my.String())
	for _, bad := range []string{"2025-13", "2025-00", "0999-01", "2025/11", "25-11"} {
		_, err := idnr.ParseMonthYear(bad)
		assert.Error(t, err, bad)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, tc := range dateVectors {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := idnr.ParseDate(s)
		if err != nil {
			if !d.IsZero() {
				t.Fatal("error with a non-zero date")
			}
			return
		}
		for _, form := range []string{d.String(), d.RegisterForm()} {
			back, err := idnr.ParseDate(form)
			if err != nil || back != d {
				t.Fatalf("round trip via %q: %v, %v", form, back, err)
			}
		}
		if _, ok := d.Day(); ok {
			if _, ok := d.Month(); !ok {
				t.Fatal("day without month")
			}
		}
		if d.IsComplete() {
			tm, err := d.Time()
			if err != nil || idnr.DateOf(tm) != d {
				t.Fatalf("Time round trip: %v", err)
			}
		}
	})
}

func BenchmarkParseDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = idnr.ParseDate("17051980")
	}
}
