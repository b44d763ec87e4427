package sqlregister

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/regmo/regmo/idnr"
)

// Format says how the register stores one field, when not as regmo's
// default text. In a mapping file it is a JSON string (Layout) or a JSON
// object (Codes):
//
//	"formats": {"birth_date": "02.01.2006", "sex": {"1": "m", "2": "w"}, "postal_code": "integer"}
//
// Values are read in this format and written back in it.
type Format struct {
	// Layout, for a date field (birth_date, death_date, move_in_date,
	// move_out_date): a Go layout made of "2006", "01", "02" and literal
	// separators ("02.01.2006", "20060102", "2006-01-02"); an unknown part
	// is written as zeros ("00.05.1980"), as idnr.Date keeps it. "date"
	// means a DATE or TIMESTAMP column: read as its date; a date with an
	// unknown part cannot be stored there and becomes a write_failed case.
	// For postal_code or idnr: "integer" (an integer column; a postcode is
	// zero-padded to five digits on read) or "text".
	Layout string
	// Codes, for sex: the register's code for each of regmo's sex codes
	// m, w, d, x ({"1": "m", "2": "w"}). A code not listed reads as
	// unknown and is reported as the defect sex_unknown_code (see
	// registers.Entry.Defects).
	Codes map[string]string
}

// UnmarshalJSON reads a string (Layout) or an object (Codes).
func (f *Format) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = Format{Layout: s}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("sqlregister: format: want a string (layout) or an object of codes")
	}
	*f = Format{Codes: m}
	return nil
}

// MarshalJSON writes the form UnmarshalJSON reads.
func (f Format) MarshalJSON() ([]byte, error) {
	if f.Codes != nil {
		return json.Marshal(f.Codes)
	}
	return json.Marshal(f.Layout)
}

// Formats are the formats by field token ("birth_date", "sex",
// "postal_code", "idnr", ...). Fields not named are kept as text.
type Formats map[string]Format

var dateTokens = map[string]bool{"birth_date": true, "death_date": true, "move_in_date": true, "move_out_date": true}

// dateLayout is a checked date layout: its parts in order.
type dateLayout []string // "2006", "01", "02" or a literal

func parseLayout(l string) (dateLayout, error) {
	var out dateLayout
	var y, m, d int
	for i := 0; i < len(l); {
		switch {
		case strings.HasPrefix(l[i:], "2006"):
			out, i, y = append(out, "2006"), i+4, y+1
		case strings.HasPrefix(l[i:], "01"):
			out, i, m = append(out, "01"), i+2, m+1
		case strings.HasPrefix(l[i:], "02"):
			out, i, d = append(out, "02"), i+2, d+1
		case l[i] >= '0' && l[i] <= '9' || l[i] >= 'A' && l[i] <= 'Z' || l[i] >= 'a' && l[i] <= 'z':
			return nil, fmt.Errorf("unsupported layout element at %q (use 2006, 01, 02 and separators)", l[i:])
		default:
			out, i = append(out, l[i:i+1]), i+1
		}
	}
	if y != 1 || m != 1 || d != 1 {
		return nil, fmt.Errorf("layout %q needs 2006, 01 and 02 exactly once each", l)
	}
	return out, nil
}

// parse reads s in the layout into "YYYY-MM-DD" for idnr.ParseDate.
func (dl dateLayout) parse(s string) (idnr.Date, bool) {
	var y, m, d string
	for _, p := range dl {
		n := len(p)
		if len(s) < n {
			return idnr.Date{}, false
		}
		v := s[:n]
		s = s[n:]
		switch p {
		case "2006", "01", "02":
			for i := 0; i < n; i++ {
				if v[i] < '0' || v[i] > '9' {
					return idnr.Date{}, false
				}
			}
			switch p {
			case "2006":
				y = v
			case "01":
				m = v
			default:
				d = v
			}
		default:
			if v != p {
				return idnr.Date{}, false
			}
		}
	}
	if s != "" {
		return idnr.Date{}, false
	}
	date, err := idnr.ParseDate(y + "-" + m + "-" + d)
	return date, err == nil
}

func (dl dateLayout) format(d idnr.Date) string {
	y, _ := d.Year()
	m, _ := d.Month()
	day, _ := d.Day()
	var b strings.Builder
	for _, p := range dl {
		switch p {
		case "2006":
			fmt.Fprintf(&b, "%04d", y)
		case "01":
			fmt.Fprintf(&b, "%02d", int(m))
		case "02":
			fmt.Fprintf(&b, "%02d", day)
		default:
			b.WriteString(p)
		}
	}
	return b.String()
}

// unstorable is a value no driver accepts: a field the register's format
// cannot hold (a date with an unknown part for a DATE column). Its write
// fails and the record becomes a write_failed case naming the column.
type unstorable struct{}

// withFormat returns the column c read and written in format f.
func withFormat(c column, f Format) (column, error) {
	bad := func(why string) (column, error) {
		return c, fmt.Errorf("sqlregister: config: Formats[%q]: %s", c.token, why)
	}
	switch {
	case dateTokens[c.token]:
		defect := c.token + "_invalid"
		ptr := datePtr(c.token)
		if f.Layout == "date" {
			c.set = func(p *idnr.Person, s string) string {
				if len(s) >= 10 {
					s = s[:10]
				}
				return setDate(ptr(p), s, defect)
			}
			c.get = func(p *idnr.Person) any {
				d := *ptr(p)
				if d.IsZero() {
					return nil
				}
				y, ok1 := d.Year()
				m, ok2 := d.Month()
				day, ok3 := d.Day()
				if !ok1 || !ok2 || !ok3 {
					return unstorable{}
				}
				return time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
			}
			return c, nil
		}
		dl, err := parseLayout(f.Layout)
		if err != nil {
			return bad(err.Error())
		}
		c.set = func(p *idnr.Person, s string) string {
			d, ok := dl.parse(s)
			if !ok {
				return defect
			}
			*ptr(p) = d
			return ""
		}
		c.get = func(p *idnr.Person) any {
			if d := *ptr(p); !d.IsZero() {
				return dl.format(d)
			}
			return nil
		}
		return c, nil
	case c.token == "postal_code":
		switch f.Layout {
		case "text", "":
			return c, nil
		case "integer":
		default:
			return bad(`want "integer" or "text"`)
		}
		c.set = func(p *idnr.Person, s string) string {
			if _, err := strconv.ParseUint(s, 10, 32); err == nil && len(s) < 5 {
				s = strings.Repeat("0", 5-len(s)) + s
			}
			p.Address.PostalCode = s
			return ""
		}
		c.get = func(p *idnr.Person) any {
			if p.Address.PostalCode == "" {
				return nil
			}
			n, err := strconv.ParseInt(p.Address.PostalCode, 10, 64)
			if err != nil {
				return unstorable{}
			}
			return n
		}
		return c, nil
	case c.token == "sex":
		if len(f.Codes) == 0 {
			return bad("want an object of the register's codes, e.g. {\"1\": \"m\", \"2\": \"w\"}")
		}
		toReg := map[idnr.Sex]string{}
		fromReg := map[string]idnr.Sex{}
		for code, v := range f.Codes {
			s, err := idnr.ParseSex(v)
			if err != nil {
				return bad(fmt.Sprintf("code %q: %q is not one of m, w, d, x", code, v))
			}
			if _, dup := toReg[s]; dup {
				return bad(fmt.Sprintf("two codes for %q", v))
			}
			toReg[s], fromReg[code] = code, s
		}
		c.set = func(p *idnr.Person, s string) string {
			v, ok := fromReg[s]
			if !ok {
				return "sex_unknown_code"
			}
			p.Sex = v
			return ""
		}
		c.get = func(p *idnr.Person) any {
			if code, ok := toReg[p.Sex]; ok {
				return code
			}
			return nil
		}
		return c, nil
	}
	return bad("this field has no formats")
}

func datePtr(token string) func(p *idnr.Person) *idnr.Date {
	switch token {
	case "birth_date":
		return func(p *idnr.Person) *idnr.Date { return &p.BirthDate }
	case "death_date":
		return func(p *idnr.Person) *idnr.Date { return &p.DeathDate }
	case "move_in_date":
		return func(p *idnr.Person) *idnr.Date { return &p.MoveInDate }
	}
	return func(p *idnr.Person) *idnr.Date { return &p.MoveOutDate }
}

// idnrInteger reports whether the IDNr column is an integer column.
func (c *Config) idnrInteger() (bool, error) {
	f, ok := c.Formats["idnr"]
	if !ok {
		return false, nil
	}
	switch f.Layout {
	case "integer":
		return true, nil
	case "text", "":
		return false, nil
	}
	return false, fmt.Errorf("sqlregister: config: Formats[\"idnr\"]: want \"integer\" or \"text\"")
}

// idnrArg binds an IDNr as the IDNr column's type.
func (r *Register) idnrArg(id idnr.IDNr) any {
	if r.idnrInt {
		n, _ := strconv.ParseInt(id.String(), 10, 64)
		return n
	}
	return id.String()
}
