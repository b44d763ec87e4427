// Package peoplefile reads and writes a population of synthetic people as
// NDJSON, one person per line: the format `mockbva -dump-people` writes
// and `mockbva -load` / `backfill -mock-people` read, so that a register
// vendor can test with synthetic people of its own.
//
// A line's fields: idnr (11 digits, required), family_name, given_names
// and birth_date (required; "YYYY-MM-DD" with 00 for unknown parts),
// former_names, doctoral_degree, birth_place, sex (m, w, d, x),
// nationalities, street, house_number, postal_code, city,
// information_blocks ("bmg51", "bmg52"). Unknown fields are refused.
// Errors name the line and the field, never a value.
package peoplefile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// Person is one line.
type Person struct {
	IDNr              string   `json:"idnr"`
	FamilyName        string   `json:"family_name"`
	FormerNames       []string `json:"former_names,omitempty"`
	GivenNames        string   `json:"given_names"`
	DoctoralDegree    string   `json:"doctoral_degree,omitempty"`
	BirthDate         string   `json:"birth_date"`
	BirthPlace        string   `json:"birth_place,omitempty"`
	Sex               string   `json:"sex,omitempty"`
	Nationalities     []string `json:"nationalities,omitempty"`
	Street            string   `json:"street,omitempty"`
	HouseNumber       string   `json:"house_number,omitempty"`
	PostalCode        string   `json:"postal_code,omitempty"`
	City              string   `json:"city,omitempty"`
	InformationBlocks []string `json:"information_blocks,omitempty"`
}

// From is the line of p.
func From(p idnr.Person) Person {
	d := Person{
		IDNr: p.IDNr.String(), FamilyName: p.FamilyName, FormerNames: p.FormerNames, GivenNames: p.GivenNames,
		DoctoralDegree: p.DoctoralDegree, BirthDate: p.BirthDate.String(), BirthPlace: p.BirthPlace.City,
		Sex: p.Sex.String(), Nationalities: p.Nationalities, Street: p.Address.Street,
		HouseNumber: p.Address.HouseNumber, PostalCode: p.Address.PostalCode, City: p.Address.City,
	}
	for _, b := range p.InformationBlocks {
		d.InformationBlocks = append(d.InformationBlocks, b.String())
	}
	return d
}

// ErrInvalid is wrapped by every *LineError.
var ErrInvalid = errors.New("peoplefile: invalid line")

// LineError names the line (1-based) and the field that was refused.
type LineError struct {
	Line   int
	Field  string
	Reason string
}

func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("peoplefile: line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("peoplefile: line %d: %s: %s", e.Line, e.Field, e.Reason)
}

func (e *LineError) Unwrap() error { return ErrInvalid }

// Person converts the line to an idnr.Person; line numbers the error.
func (d Person) Person(line int) (idnr.Person, error) {
	bad := func(field, reason string) (idnr.Person, error) {
		return idnr.Person{}, &LineError{Line: line, Field: field, Reason: reason}
	}
	id, err := idnr.Parse(d.IDNr)
	if err != nil {
		return bad("idnr", "not a valid IDNr")
	}
	if strings.TrimSpace(d.FamilyName) == "" {
		return bad("family_name", "required")
	}
	bd, err := idnr.ParseDate(d.BirthDate)
	if err != nil {
		return bad("birth_date", "not a date (YYYY-MM-DD, 00 for unknown parts)")
	}
	p := idnr.Person{IDNr: id, FamilyName: d.FamilyName, FormerNames: d.FormerNames, GivenNames: d.GivenNames,
		DoctoralDegree: d.DoctoralDegree, BirthDate: bd, BirthPlace: idnr.Place{City: d.BirthPlace},
		Nationalities: d.Nationalities,
		Address:       idnr.Address{Street: d.Street, HouseNumber: d.HouseNumber, PostalCode: d.PostalCode, City: d.City}}
	if d.Sex != "" {
		if err := p.Sex.UnmarshalText([]byte(d.Sex)); err != nil {
			return bad("sex", "want m, w, d or x")
		}
	}
	for _, b := range d.InformationBlocks {
		var ib idnr.InformationBlock
		if err := ib.UnmarshalText([]byte(b)); err != nil {
			return bad("information_blocks", "want bmg51 or bmg52")
		}
		p.InformationBlocks = append(p.InformationBlocks, ib)
	}
	return p, nil
}

// Write writes people as NDJSON.
func Write(w io.Writer, people []idnr.Person) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, p := range people {
		if err := enc.Encode(From(p)); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Read reads NDJSON people. Blank lines are skipped; an IDNr that occurs
// twice is refused (the BVA holds each number once).
func Read(r io.Reader) ([]idnr.Person, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []idnr.Person
	seen := map[idnr.IDNr]int{}
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var d Person
		if err := dec.Decode(&d); err != nil {
			reason := "not a JSON object of the people format"
			var ue *json.UnmarshalTypeError
			if errors.As(err, &ue) {
				return nil, &LineError{Line: n, Field: ue.Field, Reason: "wrong JSON type"}
			}
			if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				return nil, &LineError{Line: n, Field: strings.Trim(f, `"`), Reason: "unknown field"}
			}
			return nil, &LineError{Line: n, Reason: reason}
		}
		if dec.More() {
			return nil, &LineError{Line: n, Reason: "more than one JSON value on the line"}
		}
		p, err := d.Person(n)
		if err != nil {
			return nil, err
		}
		if first, ok := seen[p.IDNr]; ok {
			return nil, &LineError{Line: n, Field: "idnr", Reason: fmt.Sprintf("the same IDNr as line %d", first)}
		}
		seen[p.IDNr] = n
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("peoplefile: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("peoplefile: no people")
	}
	return out, nil
}
