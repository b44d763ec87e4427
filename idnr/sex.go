package idnr

import "errors"

// Sex is the Geschlecht of the basic data, with the German register codes.
// The zero value is unknown (not given).
type Sex uint8

const (
	SexUnknown  Sex = iota
	Male            // "m", männlich
	Female          // "w", weiblich
	Diverse         // "d", divers
	Unspecified     // "x", ohne Angabe (§ 22 Abs. 3 PStG)
)

// ErrSex is returned by [ParseSex] for anything but m, w, d, x.
var ErrSex = errors.New("idnr: sex is not one of the register codes m, w, d, x")

// ParseSex reads the register codes m, w, d and x, in either case.
func ParseSex(s string) (Sex, error) {
	if len(s) == 1 {
		switch s[0] | 0x20 {
		case 'm':
			return Male, nil
		case 'w':
			return Female, nil
		case 'd':
			return Diverse, nil
		case 'x':
			return Unspecified, nil
		}
	}
	return SexUnknown, ErrSex
}

// String returns the register code ("m", "w", "d", "x"), or "" when unknown.
func (s Sex) String() string {
	switch s {
	case Male:
		return "m"
	case Female:
		return "w"
	case Diverse:
		return "d"
	case Unspecified:
		return "x"
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler with the register code.
func (s Sex) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is unknown.
func (s *Sex) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*s = SexUnknown
		return nil
	}
	v, err := ParseSex(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
