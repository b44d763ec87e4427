package idnr

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
)

// IDNr is a validated tax identification number (§ 139b AO), the cross-register
// key of the register modernisation.
//
// IDNr is a small comparable value: use it as a map key and compare it with ==.
// The zero value is "no IDNr" (see [IDNr.IsZero]); every non-zero IDNr was
// checked by [Parse] or one of its relatives.
//
// An IDNr is personal data. Printing it with the fmt package (%v, %s, %d, %q,
// %#v, ...) or logging it through log/slog yields the masked form
// ([IDNr.Masked]); the full digits are available only from the explicit
// methods [IDNr.String], [IDNr.Grouped] and the encoding methods.
type IDNr struct {
	// n is the 11 digits as a number, XORed with idnrKey so that a struct
	// holding an IDNr in an unexported field (which fmt prints without
	// calling Format) does not show the digits; 0 means no IDNr.
	n uint64
}

// idnrKey scrambles the stored number. It is not secret and not security:
// it only keeps the plain digits out of accidental raw prints. Every valid
// number is below 2^37, so no number maps to 0.
const idnrKey = 0x9E3779B97F4A7C15

// Sentinel errors, one per rule, so that callers can tell the reason with
// errors.Is. None of them ever carries the number.
var (
	ErrEmpty       = errors.New("idnr: empty")
	ErrLength      = errors.New("idnr: not 11 digits")
	ErrNonDigit    = errors.New("idnr: contains a character that is not a digit or separator")
	ErrLeadingZero = errors.New("idnr: leading zero")
	ErrRepetition  = errors.New("idnr: first ten digits break the repetition rule (exactly one digit must occur twice or three times)")
	ErrThreeInARow = errors.New("idnr: a digit occurs three times in a row")
	ErrCheckDigit  = errors.New("idnr: bad check digit")
)

// Option changes how [Parse], [ParseStrict] and [Validate] check a number.
// Options combine with |.
type Option uint8

const (
	// AllowLeadingZero accepts numbers whose first digit is 0. Such numbers
	// are never issued in production; some tools use them as test numbers.
	AllowLeadingZero Option = 1 << iota

	// StdnumCompatible drops the 2016 rule that a digit occurring three times
	// must not stand three in a row, so that results agree with
	// python-stdnum's de.idnr module. The ELSTER-based validators and the
	// default here check that rule.
	StdnumCompatible
)

func collect(opts []Option) Option {
	var o Option
	for _, x := range opts {
		o |= x
	}
	return o
}

// Parse reads an IDNr, tolerating the usual separators (space, dot, hyphen,
// slash, and tab or no-break space) between the digits, and checks every rule:
// length, digits only, no leading zero, the repetition rule, the three-in-a-row
// rule of 2016 and the check digit (ISO/IEC 7064 MOD 11,10).
//
// The error is one of the sentinel errors of this package (ErrLength,
// ErrCheckDigit, ...) and never contains the input.
func Parse(s string, opts ...Option) (IDNr, error) {
	var d [11]byte
	if len(s) == len(d) { // fast path for the canonical form
		i := 0
		for ; i < len(d); i++ {
			c := s[i] - '0'
			if c > 9 {
				break
			}
			d[i] = c
		}
		if i == len(d) {
			return fromDigits(&d, collect(opts))
		}
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return IDNr{}, ErrLength
			}
			d[n] = c - '0'
			n++
		case c == ' ' || c == '.' || c == '-' || c == '/' || c == '\t':
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0: // U+00A0 no-break space
			i++
		default:
			return IDNr{}, ErrNonDigit
		}
	}
	if n == 0 {
		return IDNr{}, ErrEmpty
	}
	if n != len(d) {
		return IDNr{}, ErrLength
	}
	return fromDigits(&d, collect(opts))
}

// ParseStrict reads exactly 11 ASCII digits without separators and checks
// every rule, as [Parse] does. Use it for data that must already be in the
// canonical form, such as a database column or a wire message.
func ParseStrict(s string, opts ...Option) (IDNr, error) {
	if len(s) == 0 {
		return IDNr{}, ErrEmpty
	}
	var d [11]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return IDNr{}, ErrNonDigit
		}
		if i == len(d) {
			return IDNr{}, ErrLength
		}
		d[i] = c - '0'
	}
	if len(s) != len(d) {
		return IDNr{}, ErrLength
	}
	return fromDigits(&d, collect(opts))
}

// Validate reports whether s is exactly 11 digits forming a valid IDNr.
// It returns nil or one of the sentinel errors.
func Validate(s string, opts ...Option) error {
	_, err := ParseStrict(s, opts...)
	return err
}

// MustParse is like [Parse] but panics on error. It is meant for constants
// in tests and examples; the panic message does not contain the input.
func MustParse(s string) IDNr {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

func fromDigits(d *[11]byte, o Option) (IDNr, error) {
	if d[0] == 0 && o&AllowLeadingZero == 0 {
		return IDNr{}, ErrLeadingZero
	}
	if err := checkRepetition(d, o&StdnumCompatible != 0); err != nil {
		return IDNr{}, err
	}
	if checkDigit(d) != d[10] {
		return IDNr{}, ErrCheckDigit
	}
	var v uint64
	for _, x := range d {
		v = v*10 + uint64(x)
	}
	return IDNr{n: v ^ idnrKey}, nil
}

// checkRepetition applies the repetition rules to the first ten digits:
// exactly one digit occurs more than once, twice or three times; since 2016 a
// digit occurring three times must not stand three in a row.
func checkRepetition(d *[11]byte, skipAdjacency bool) error {
	var seen, dup uint16
	for _, x := range d[:10] {
		bit := uint16(1) << x
		dup |= seen & bit
		seen |= bit
	}
	switch 10 - bits.OnesCount16(seen) { // occurrences beyond the first
	case 1: // one digit twice
		return nil
	case 2: // one digit three times, or two digits twice
		if dup&(dup-1) != 0 {
			return ErrRepetition
		}
		if !skipAdjacency {
			rep := byte(bits.TrailingZeros16(dup))
			for i := 0; i+2 < 10; i++ {
				if d[i] == rep && d[i+1] == rep && d[i+2] == rep {
					return ErrThreeInARow
				}
			}
		}
		return nil
	}
	return ErrRepetition
}

// mod1110 is two steps of ISO/IEC 7064 MOD 11,10 at once: for the running
// value P (1-10) and two digits a, b it holds at [P][10a+b] the P after both,
// where one step is S = (d + P) mod 10, or 10 if that is 0, and the next
// P = (2·S) mod 11. The table is sized so that a byte index never needs a
// bounds check.
var mod1110 = func() (t [16][256]byte) {
	step := func(p, d int) int {
		s := (d + p) % 10
		if s == 0 {
			s = 10
		}
		return 2 * s % 11
	}
	for p := 1; p <= 10; p++ {
		for ab := 0; ab < 100; ab++ {
			t[p][ab] = byte(step(step(p, ab/10), ab%10))
		}
	}
	return t
}()

// checkDigit computes the ISO/IEC 7064 MOD 11,10 check digit of d[0:10].
func checkDigit(d *[11]byte) byte {
	p := mod1110[10][d[0]*10+d[1]]
	p = mod1110[p&15][d[2]*10+d[3]]
	p = mod1110[p&15][d[4]*10+d[5]]
	p = mod1110[p&15][d[6]*10+d[7]]
	p = mod1110[p&15][d[8]*10+d[9]]
	c := 11 - p
	if c == 10 {
		c = 0
	}
	return c
}

// CheckDigit returns the check digit (0-9) for the first ten digits given
// as a string of ten ASCII digits, or an error if s is not ten digits. It is
// meant for generators of test numbers.
func CheckDigit(first10 string) (byte, error) {
	if len(first10) != 10 {
		return 0, ErrLength
	}
	var d [11]byte
	for i := 0; i < 10; i++ {
		c := first10[i]
		if c < '0' || c > '9' {
			return 0, ErrNonDigit
		}
		d[i] = c - '0'
	}
	return checkDigit(&d), nil
}

// IsZero reports whether id is the zero value, meaning "no IDNr".
func (id IDNr) IsZero() bool { return id.n == 0 }

// digits writes the 11 digits into b.
func (id IDNr) digits(b *[11]byte) {
	v := id.n ^ idnrKey
	for i := 10; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// String returns the canonical form, 11 digits without separators, or "" for
// the zero value. It reveals the whole number: call it only where the number
// must leave the program (a register column, a wire message).
func (id IDNr) String() string {
	if id.n == 0 {
		return ""
	}
	var b [11]byte
	id.digits(&b)
	return string(b[:])
}

// Grouped returns the printed form with groups of three from the right,
// "12 345 678 901", or "" for the zero value. Like [IDNr.String] it reveals
// the whole number.
func (id IDNr) Grouped() string {
	if id.n == 0 {
		return ""
	}
	var b [11]byte
	id.digits(&b)
	var out [14]byte
	j := 0
	for i, c := range b {
		if i == 2 || i == 5 || i == 8 {
			out[j] = ' '
			j++
		}
		out[j] = c
		j++
	}
	return string(out[:])
}

// Masked returns a form safe for logs and error messages: eight asterisks
// followed by the last three digits ("********901"), or "<none>" for the zero
// value. Three digits, one of them the check digit, do not identify a person
// but let an operator tell two log lines apart.
func (id IDNr) Masked() string {
	if id.n == 0 {
		return "<none>"
	}
	var b [11]byte
	id.digits(&b)
	return "********" + string(b[8:])
}

// Format implements fmt.Formatter so that every fmt verb prints the masked
// form. Use [IDNr.String] for the full digits.
func (id IDNr) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", id.Masked())
	default:
		_, _ = f.Write([]byte(id.Masked()))
	}
}

// LogValue implements slog.LogValuer: slog records the masked form.
func (id IDNr) LogValue() slog.Value { return slog.StringValue(id.Masked()) }

// MarshalText implements encoding.TextMarshaler with the canonical 11 digits;
// the zero value marshals as empty text.
func (id IDNr) MarshalText() ([]byte, error) {
	if id.n == 0 {
		return []byte{}, nil
	}
	var b [11]byte
	id.digits(&b)
	return b[:], nil
}

// UnmarshalText implements encoding.TextUnmarshaler. It accepts the canonical
// 11 digits only (see [ParseStrict]); empty text gives the zero value.
func (id *IDNr) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*id = IDNr{}
		return nil
	}
	v, err := ParseStrict(string(text))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Scan implements sql.Scanner. It accepts NULL (the zero value), a string or
// []byte of 11 digits, and an int64.
func (id *IDNr) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = IDNr{}
		return nil
	case string:
		return id.UnmarshalText([]byte(v))
	case []byte:
		return id.UnmarshalText(v)
	case int64:
		if v <= 0 || v > 99999999999 {
			return ErrLength
		}
		var d [11]byte
		for i := 10; i >= 0; i-- {
			d[i] = byte(v % 10)
			v /= 10
		}
		x, err := fromDigits(&d, 0)
		if err != nil {
			return err
		}
		*id = x
		return nil
	default:
		return fmt.Errorf("idnr: cannot scan %T into IDNr", src)
	}
}

// Value implements driver.Valuer: the canonical 11 digits as a string, or
// NULL for the zero value.
func (id IDNr) Value() (driver.Value, error) {
	if id.n == 0 {
		return nil, nil
	}
	return id.String(), nil
}
