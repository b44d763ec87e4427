package ida

import "github.com/regmo/regmo/idnr"

// wireIDNr and wireDate carry an IDNr and a date in the JSON wire format in
// full. idnr.IDNr and idnr.Date marshal masked JSON (so that a log line
// cannot leak them); the wire is where they must leave the program, so
// the wire structs use these types, which marshal through MarshalText.
type (
	wireIDNr idnr.IDNr
	wireDate idnr.Date
)

func (w wireIDNr) MarshalText() ([]byte, error)  { return idnr.IDNr(w).MarshalText() }
func (w *wireIDNr) UnmarshalText(b []byte) error { return (*idnr.IDNr)(w).UnmarshalText(b) }
func (w wireIDNr) IsZero() bool                  { return idnr.IDNr(w).IsZero() }

func (w wireDate) MarshalText() ([]byte, error)  { return idnr.Date(w).MarshalText() }
func (w *wireDate) UnmarshalText(b []byte) error { return (*idnr.Date)(w).UnmarshalText(b) }
func (w wireDate) IsZero() bool                  { return idnr.Date(w).IsZero() }
