package idnr

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Date is a calendar date whose day, month or year may be unknown, as
// registers keep birth, death, move-in and move-out dates. Registers write
// unknown parts as zeros: 00031998 is March 1998 with the day unknown.
//
// Date is comparable; the zero value is the fully unknown date. A day is
// known only if the month is. There is no silent conversion to time.Time:
// use [Date.Time], which fails unless the date is complete.
//
// A birth date is personal data, so fmt and log/slog print a Date masked
// ("****-**-**", with "00" kept where a part is unknown); [Date.String] and
// [Date.RegisterForm] give the digits.
type Date struct {
	// v packs year<<9 | month<<5 | day, XORed with dateKey so that a Date in
	// an unexported struct field, which fmt prints without calling Format,
	// does not show the date; 0 is the fully unknown date.
	v uint32
}

// dateKey scrambles the packed date. It is no security, only a guard against
// accidental raw prints; its top bit makes every known date non-zero.
const dateKey = 0x8A5C3E1D

func mkDate(year, month, day int) Date {
	p := uint32(uint16(year))<<9 | uint32(month&15)<<5 | uint32(day&31)
	if p == 0 {
		return Date{}
	}
	return Date{v: p ^ dateKey}
}

// parts returns year, month and day, 0 meaning unknown.
func (d Date) parts() (year, month, day int) {
	if d.v == 0 {
		return 0, 0, 0
	}
	p := d.v ^ dateKey
	return int(p >> 9), int(p >> 5 & 15), int(p & 31)
}

// Date errors. They never carry the date itself.
var (
	ErrDateFormat     = errors.New("idnr: date is neither YYYY-MM-DD nor DDMMYYYY")
	ErrDateYear       = errors.New("idnr: date year out of range (0000 for unknown, else 1000-9999)")
	ErrDateMonth      = errors.New("idnr: date month out of range (00 for unknown, else 01-12)")
	ErrDateDay        = errors.New("idnr: date day does not exist in that month")
	ErrDateDayNoMonth = errors.New("idnr: date has a day but no month")
)

// NewDate returns the date with the given parts, 0 meaning unknown. It
// applies the same checks as [ParseDate].
func NewDate(year, month, day int) (Date, error) {
	if year != 0 && (year < 1000 || year > 9999) {
		return Date{}, ErrDateYear
	}
	if month < 0 || month > 12 {
		return Date{}, ErrDateMonth
	}
	if day < 0 || day > 31 {
		return Date{}, ErrDateDay
	}
	if day != 0 {
		if month == 0 {
			return Date{}, ErrDateDayNoMonth
		}
		if day > daysIn(year, month) {
			return Date{}, ErrDateDay
		}
	}
	return mkDate(year, month, day), nil
}

// MustDate is like [NewDate] but panics on error; for tests and examples.
func MustDate(year, month, day int) Date {
	d, err := NewDate(year, month, day)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the complete date of t in t's location. Years outside
// 1000-9999 give a Date that [Person.Validate] reports as impossible.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return mkDate(y, int(m), d)
}

// daysIn returns the days of month m; with the year unknown, February has 29.
func daysIn(year, month int) int {
	switch month {
	case 4, 6, 9, 11:
		return 30
	case 2:
		if year == 0 || (year%4 == 0 && (year%100 != 0 || year%400 == 0)) {
			return 29
		}
		return 28
	}
	return 31
}

// ParseDate reads "YYYY-MM-DD" or the register form "DDMMYYYY", with 00 (or
// 0000) for an unknown part: "1980-05-17", "1980-05-00", "1980-00-00",
// "0000-00-00", "17051980", "00051980", "00001980", "00000000". It rejects
// impossible dates (31 April, 29 February in a common year, month 13) and a
// day without a month. Errors never contain the input.
func ParseDate(s string) (Date, error) {
	var y, m, d int
	switch len(s) {
	case 10:
		if s[4] != '-' || s[7] != '-' {
			return Date{}, ErrDateFormat
		}
		var ok1, ok2, ok3 bool
		y, ok1 = atoi(s[0:4])
		m, ok2 = atoi(s[5:7])
		d, ok3 = atoi(s[8:10])
		if !ok1 || !ok2 || !ok3 {
			return Date{}, ErrDateFormat
		}
	case 8:
		var ok1, ok2, ok3 bool
		d, ok1 = atoi(s[0:2])
		m, ok2 = atoi(s[2:4])
		y, ok3 = atoi(s[4:8])
		if !ok1 || !ok2 || !ok3 {
			return Date{}, ErrDateFormat
		}
	default:
		return Date{}, ErrDateFormat
	}
	return NewDate(y, m, d)
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Year returns the year and whether it is known.
func (d Date) Year() (int, bool) { y, _, _ := d.parts(); return y, y != 0 }

// Month returns the month and whether it is known.
func (d Date) Month() (time.Month, bool) { _, m, _ := d.parts(); return time.Month(m), m != 0 }

// Day returns the day of the month and whether it is known.
func (d Date) Day() (int, bool) { _, _, day := d.parts(); return day, day != 0 }

// IsZero reports whether nothing of the date is known.
func (d Date) IsZero() bool { return d == Date{} }

// IsComplete reports whether year, month and day are all known.
func (d Date) IsComplete() bool { y, m, day := d.parts(); return y != 0 && m != 0 && day != 0 }

// Time returns the complete date as midnight UTC. It fails with
// ErrDateIncomplete unless year, month and day are known.
func (d Date) Time() (time.Time, error) {
	if !d.IsComplete() {
		return time.Time{}, ErrDateIncomplete
	}
	y, m, day := d.parts()
	return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC), nil
}

// ErrDateIncomplete is returned by [Date.Time] for a partial date.
var ErrDateIncomplete = errors.New("idnr: date is partial")

// Compatible reports whether d and o can be the same day: every part known on
// both sides agrees. The fully unknown date is compatible with every date.
func (d Date) Compatible(o Date) bool {
	dy, dm, dd := d.parts()
	oy, om, od := o.parts()
	if dy != 0 && oy != 0 && dy != oy {
		return false
	}
	if dm != 0 && om != 0 && dm != om {
		return false
	}
	if dd != 0 && od != 0 && dd != od {
		return false
	}
	return true
}

// Before reports whether d is certainly before o: only complete dates are
// ordered, partial dates compare by their known leading parts.
func (d Date) Before(o Date) bool {
	dy, dm, dd := d.parts()
	oy, om, od := o.parts()
	if dy != oy {
		return dy != 0 && oy != 0 && dy < oy
	}
	if dm != om {
		return dm != 0 && om != 0 && dm < om
	}
	return dd != 0 && od != 0 && dd < od
}

// String returns "YYYY-MM-DD" with zeros for unknown parts. It reveals the
// date; fmt and slog print the masked form instead.
func (d Date) String() string {
	y, m, day := d.parts()
	var b [10]byte
	put(b[0:4], y)
	b[4] = '-'
	put(b[5:7], m)
	b[7] = '-'
	put(b[8:10], day)
	return string(b[:])
}

// RegisterForm returns the register form "DDMMYYYY" with zeros for unknown parts.
func (d Date) RegisterForm() string {
	y, m, day := d.parts()
	var b [8]byte
	put(b[0:2], day)
	put(b[2:4], m)
	put(b[4:8], y)
	return string(b[:])
}

func put(b []byte, n int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
}

// Masked returns "****-**-**" with "0000"/"00" for unknown parts, so logs show
// how complete a date is without revealing it.
func (d Date) Masked() string {
	y, m, day := d.parts()
	b := []byte("****-**-**")
	if y == 0 {
		copy(b[0:4], "0000")
	}
	if m == 0 {
		copy(b[5:7], "00")
	}
	if day == 0 {
		copy(b[8:10], "00")
	}
	return string(b)
}

// Format implements fmt.Formatter: every verb prints [Date.Masked].
func (d Date) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", d.Masked())
		return
	}
	_, _ = f.Write([]byte(d.Masked()))
}

// LogValue implements slog.LogValuer with the masked form.
func (d Date) LogValue() slog.Value { return slog.StringValue(d.Masked()) }

// MarshalText implements encoding.TextMarshaler as "YYYY-MM-DD" with zeros
// for unknown parts.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with [ParseDate].
func (d *Date) UnmarshalText(text []byte) error {
	v, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Scan implements sql.Scanner: NULL is the unknown date; strings and []byte
// go through [ParseDate]; a time.Time gives its (complete) date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case time.Time:
		if y := v.Year(); y < 1000 || y > 9999 {
			return ErrDateYear
		}
		*d = DateOf(v)
		return nil
	default:
		return fmt.Errorf("idnr: cannot scan %T into Date", src)
	}
}

// Value implements driver.Valuer as the "YYYY-MM-DD" text (zeros for unknown
// parts), which keeps partial dates intact in any SQL column type that holds text.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// MonthYear is a month and year, as § 4 Abs. 3 IDNrG keeps the date of the
// last administrative contact. The zero value is unknown.
type MonthYear struct {
	Year  int
	Month time.Month
}

// IsZero reports whether the value is unknown.
func (my MonthYear) IsZero() bool { return my.Year == 0 && my.Month == 0 }

// String returns "YYYY-MM".
func (my MonthYear) String() string {
	var b [7]byte
	put(b[0:4], my.Year)
	b[4] = '-'
	put(b[5:7], int(my.Month))
	return string(b[:])
}

// ParseMonthYear reads "YYYY-MM".
func ParseMonthYear(s string) (MonthYear, error) {
	if len(s) != 7 || s[4] != '-' {
		return MonthYear{}, ErrDateFormat
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	if !ok1 || !ok2 {
		return MonthYear{}, ErrDateFormat
	}
	if y < 1000 {
		return MonthYear{}, ErrDateYear
	}
	if m < 1 || m > 12 {
		return MonthYear{}, ErrDateMonth
	}
	return MonthYear{Year: y, Month: time.Month(m)}, nil
}

// MarshalText implements encoding.TextMarshaler as "YYYY-MM"; the zero value
// marshals as empty text.
func (my MonthYear) MarshalText() ([]byte, error) {
	if my.IsZero() {
		return []byte{}, nil
	}
	if my.Year < 1000 || my.Year > 9999 || my.Month < 1 || my.Month > 12 {
		return nil, ErrDateMonth
	}
	return []byte(my.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero value.
func (my *MonthYear) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*my = MonthYear{}
		return nil
	}
	v, err := ParseMonthYear(string(text))
	if err != nil {
		return err
	}
	*my = v
	return nil
}
