package sqlregister

import (
	"strings"

	"github.com/regmo/regmo/idnr"
)

// column is one row of the column table: a column token of [Columns], the
// field of the basic data it belongs to, where its name is configured, and
// how its text is written from and read into an idnr.Person. A field kept
// in one column has its token (from idnr's field table); the birth place
// and the address are split into several columns of the same field.
type column struct {
	token string
	field idnr.Fields // 0: not basic data (the verified mark and the evidence, read only)
	name  func(c *Columns) *string
	// get returns the column value of p: a string, or nil when empty.
	get func(p *idnr.Person) any
	// set stores the column text s (trimmed, not empty) in p; it returns a
	// defect code for a value it cannot read ("<token>_invalid",
	// "sex_unknown_code"), leaving p's field as it was.
	set func(p *idnr.Person, s string) (defect string)
	// part and parts: the column is the part-th (0-based) of parts columns
	// that keep one field (given names in several columns; parts is 0
	// otherwise). See givennames.go.
	part, parts int
}

// tokenVerified is the column of the fields a register verified against a
// primary document (for sync's evidence rule).
const tokenVerified = "verified_fields"

// tokenEvidence is the column of the evidence details behind the verified
// fields (registers.ParseEvidence).
const tokenEvidence = "verified_evidence"

// str, date and list are the text forms of the columns.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func date(d idnr.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// setDate reads a date column: "YYYY-MM-DD" or "DDMMYYYY", 00 for unknown
// parts. A PostgreSQL DATE column arrives as a time.Time, which
// database/sql formats as RFC 3339 at midnight UTC.
func setDate(d *idnr.Date, s, defect string) string {
	v, err := idnr.ParseDate(strings.TrimSuffix(s, "T00:00:00Z"))
	if err != nil {
		return defect
	}
	*d = v
	return ""
}

func splitList(s, sep string) []string {
	var out []string
	for _, n := range strings.Split(s, sep) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// one is the column of a field kept in a single text column: its token is
// the field's.
func one(f idnr.Fields, name func(c *Columns) *string, get func(p *idnr.Person) any, set func(p *idnr.Person, s string) string) column {
	return column{token: f.Token(), field: f, name: name, get: get, set: set}
}

// part is a column that holds one part of a field (birth place, address).
func part(token string, f idnr.Fields, name func(c *Columns) *string, ptr func(p *idnr.Person) *string) column {
	return column{token: token, field: f, name: name,
		get: func(p *idnr.Person) any { return str(*ptr(p)) },
		set: func(p *idnr.Person, s string) string { *ptr(p) = s; return "" }}
}

// columns is the column table, in the order of [Columns]. It is the only
// place that knows how a field is kept as text.
var columns = [...]column{
	one(idnr.FieldFamilyName, func(c *Columns) *string { return &c.FamilyName },
		func(p *idnr.Person) any { return str(p.FamilyName) },
		func(p *idnr.Person, s string) string { p.FamilyName = s; return "" }),
	one(idnr.FieldFormerNames, func(c *Columns) *string { return &c.FormerNames },
		func(p *idnr.Person) any { return str(strings.Join(p.FormerNames, ";")) },
		func(p *idnr.Person, s string) string {
			p.FormerNames = append(p.FormerNames, splitList(s, ";")...)
			return ""
		}),
	one(idnr.FieldGivenNames, func(c *Columns) *string { return &c.GivenNames },
		func(p *idnr.Person) any { return str(p.GivenNames) },
		func(p *idnr.Person, s string) string { p.GivenNames = s; return "" }),
	one(idnr.FieldDoctoralDegree, func(c *Columns) *string { return &c.DoctoralDegree },
		func(p *idnr.Person) any { return str(p.DoctoralDegree) },
		func(p *idnr.Person, s string) string { p.DoctoralDegree = s; return "" }),
	one(idnr.FieldBirthDate, func(c *Columns) *string { return &c.BirthDate },
		func(p *idnr.Person) any { return date(p.BirthDate) },
		func(p *idnr.Person, s string) string { return setDate(&p.BirthDate, s, "birth_date_invalid") }),
	part("birth_place", idnr.FieldBirthPlace, func(c *Columns) *string { return &c.BirthPlace },
		func(p *idnr.Person) *string { return &p.BirthPlace.City }),
	part("birth_country", idnr.FieldBirthPlace, func(c *Columns) *string { return &c.BirthCountry },
		func(p *idnr.Person) *string { return &p.BirthPlace.Country }),
	one(idnr.FieldSex, func(c *Columns) *string { return &c.Sex },
		func(p *idnr.Person) any { return str(p.Sex.String()) },
		func(p *idnr.Person, s string) string {
			v, err := idnr.ParseSex(s)
			if err != nil {
				return "sex_invalid"
			}
			p.Sex = v
			return ""
		}),
	one(idnr.FieldNationalities, func(c *Columns) *string { return &c.Nationalities },
		func(p *idnr.Person) any { return str(strings.Join(p.Nationalities, ",")) },
		func(p *idnr.Person, s string) string {
			p.Nationalities = append(p.Nationalities, splitList(s, ",")...)
			return ""
		}),
	part("street", idnr.FieldAddress, func(c *Columns) *string { return &c.Street },
		func(p *idnr.Person) *string { return &p.Address.Street }),
	part("house_number", idnr.FieldAddress, func(c *Columns) *string { return &c.HouseNumber },
		func(p *idnr.Person) *string { return &p.Address.HouseNumber }),
	part("address_supplement", idnr.FieldAddress, func(c *Columns) *string { return &c.Supplement },
		func(p *idnr.Person) *string { return &p.Address.Supplement }),
	part("postal_code", idnr.FieldAddress, func(c *Columns) *string { return &c.PostalCode },
		func(p *idnr.Person) *string { return &p.Address.PostalCode }),
	part("city", idnr.FieldAddress, func(c *Columns) *string { return &c.City },
		func(p *idnr.Person) *string { return &p.Address.City }),
	part("municipality_key", idnr.FieldAddress, func(c *Columns) *string { return &c.MunicipalityKey },
		func(p *idnr.Person) *string { return &p.Address.MunicipalityKey }),
	part("country", idnr.FieldAddress, func(c *Columns) *string { return &c.Country },
		func(p *idnr.Person) *string { return &p.Address.Country }),
	one(idnr.FieldDeathDate, func(c *Columns) *string { return &c.DeathDate },
		func(p *idnr.Person) any { return date(p.DeathDate) },
		func(p *idnr.Person, s string) string { return setDate(&p.DeathDate, s, "death_date_invalid") }),
	one(idnr.FieldMoveInDate, func(c *Columns) *string { return &c.MoveInDate },
		func(p *idnr.Person) any { return date(p.MoveInDate) },
		func(p *idnr.Person, s string) string { return setDate(&p.MoveInDate, s, "move_in_date_invalid") }),
	one(idnr.FieldMoveOutDate, func(c *Columns) *string { return &c.MoveOutDate },
		func(p *idnr.Person) any { return date(p.MoveOutDate) },
		func(p *idnr.Person, s string) string { return setDate(&p.MoveOutDate, s, "move_out_date_invalid") }),
	{token: tokenVerified, name: func(c *Columns) *string { return &c.Verified },
		get: func(*idnr.Person) any { return nil },
		set: func(*idnr.Person, string) string { return "" }},
	{token: tokenEvidence, name: func(c *Columns) *string { return &c.Evidence },
		get: func(*idnr.Person) any { return nil },
		set: func(*idnr.Person, string) string { return "" }},
}

// columnOf returns the column with the token, or nil.
func columnOf(token string) *column {
	for i := range columns {
		if columns[i].token == token {
			return &columns[i]
		}
	}
	return nil
}

// parseVerified reads the verified mark: field tokens separated by "+",
// ",", "|" or spaces; unknown tokens are ignored.
func parseVerified(s string) idnr.Fields {
	var f idnr.Fields
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == '+' || r == ',' || r == '|' || r == ' ' }) {
		if x, ok := idnr.ParseField(t); ok {
			f |= x
		}
	}
	return f
}
