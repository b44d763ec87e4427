package melde

// The wire structs of [JSONv1] ("regmo-melde/1") are the one source of its
// format: both halves encode them with encoding/json and decode them
// strictly (unknown members refused), and the package documentation's
// "Wire format" describes them. The members of a person are the field
// tokens of idnr's table (TestWireMembersAreFieldTokens checks), the one
// vocabulary of regmo.

import (
	"bytes"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// Result values of an answer on the wire.
const (
	resultFound    = "found"
	resultNone     = "none"
	resultRejected = "rejected"
)

// Query kinds on the wire ("by").
const (
	byIDNr      = "idnr"
	byResidence = "residence"
	byName      = "name"
)

type wireBody struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// wireQuery is one lookup or search of a request.
type wireQuery struct {
	Seq         *int      `json:"seq"`
	By          string    `json:"by"`
	IDNr        *wireIDNr `json:"idnr,omitempty"`
	FamilyName  string    `json:"family_name,omitempty"`
	GivenNames  string    `json:"given_names,omitempty"`
	BirthDate   wireDate  `json:"birth_date"`
	PostalCode  string    `json:"postal_code,omitempty"`
	City        string    `json:"city,omitempty"`
	Street      string    `json:"street,omitempty"`
	HouseNumber string    `json:"house_number,omitempty"`
	BirthPlace  string    `json:"birth_place,omitempty"`
	Sex         idnr.Sex  `json:"sex,omitzero"`
}

type wireRequest struct {
	Protocol   string      `json:"protocol"`
	MessageID  uuid.UUID   `json:"message_id"`
	Kind       string      `json:"kind"`
	Requester  *wireBody   `json:"requester"`
	Sent       time.Time   `json:"sent"`
	Purpose    string      `json:"purpose"`
	LegalBasis string      `json:"legal_basis"`
	FileRef    string      `json:"file_ref,omitempty"`
	Fields     wireFields  `json:"fields"`
	Queries    []wireQuery `json:"queries"`
}

type wireFormerName struct {
	Name string        `json:"name"`
	Kind idnr.NameKind `json:"kind,omitzero"`
}

type wirePlace struct {
	City    string `json:"city,omitempty"`
	Country string `json:"country,omitempty"`
}

type wireAddress struct {
	Street          string `json:"street,omitempty"`
	HouseNumber     string `json:"house_number,omitempty"`
	Supplement      string `json:"supplement,omitempty"`
	PostalCode      string `json:"postal_code,omitempty"`
	City            string `json:"city,omitempty"`
	MunicipalityKey string `json:"municipality_key,omitempty"`
	Country         string `json:"country,omitempty"`
}

// wirePerson's members are idnr's field tokens.
type wirePerson struct {
	IDNr              *wireIDNr               `json:"idnr,omitempty"`
	FamilyName        string                  `json:"family_name,omitempty"`
	FormerNames       []wireFormerName        `json:"former_names,omitempty"`
	GivenNames        string                  `json:"given_names,omitempty"`
	DoctoralDegree    string                  `json:"doctoral_degree,omitempty"`
	BirthDate         wireDate                `json:"birth_date,omitzero"`
	BirthPlace        *wirePlace              `json:"birth_place,omitempty"`
	Sex               idnr.Sex                `json:"sex,omitzero"`
	Nationalities     []string                `json:"nationalities,omitempty"`
	Address           *wireAddress            `json:"address,omitempty"`
	DeathDate         wireDate                `json:"death_date,omitzero"`
	MoveInDate        wireDate                `json:"move_in_date,omitzero"`
	MoveOutDate       wireDate                `json:"move_out_date,omitzero"`
	InformationBlocks []idnr.InformationBlock `json:"information_blocks,omitempty"`
	LastContact       idnr.MonthYear          `json:"last_contact,omitzero"`
}

// wireAnswerItem is the answer to one query.
type wireAnswerItem struct {
	Seq    *int        `json:"seq"`
	Result string      `json:"result"`
	Fields wireFields  `json:"fields,omitempty"`
	Person *wirePerson `json:"person,omitempty"`
	Code   string      `json:"code,omitempty"`
	Text   string      `json:"text,omitempty"`
}

// wireAnswer is the answer message as the server writes it. The client
// reads it member by member in one pass (JSONv1.DecodeResponse), so that
// each answer keeps its bytes as transmitted; answerMembers lists the
// members it accepts, which TestAnswerMembers checks against these tags.
type wireAnswer struct {
	Protocol  string           `json:"protocol"`
	MessageID uuid.UUID        `json:"message_id"`
	RequestID uuid.UUID        `json:"request_id"`
	Kind      string           `json:"kind"`
	Count     *int             `json:"count"`
	Answers   []wireAnswerItem `json:"answers"`
}

var answerMembers = []string{"protocol", "message_id", "request_id", "kind", "count", "answers"}

type wireProblem struct {
	Protocol  string    `json:"protocol"`
	RequestID uuid.UUID `json:"request_id"`
	Code      string    `json:"code"`
	Text      string    `json:"text,omitempty"`
}

// wireIDNr and wireDate carry an IDNr and a date on the wire in full:
// idnr.IDNr and idnr.Date marshal masked JSON (so that a log line cannot
// leak them), as ida's wire types do.
type (
	wireIDNr idnr.IDNr
	wireDate idnr.Date
)

func (w wireIDNr) MarshalText() ([]byte, error)  { return idnr.IDNr(w).MarshalText() }
func (w *wireIDNr) UnmarshalText(b []byte) error { return (*idnr.IDNr)(w).UnmarshalText(b) }
func (w wireDate) MarshalText() ([]byte, error)  { return idnr.Date(w).MarshalText() }
func (w *wireDate) UnmarshalText(b []byte) error { return (*idnr.Date)(w).UnmarshalText(b) }
func (w wireDate) IsZero() bool                  { return idnr.Date(w).IsZero() }

// ---- conversions ----

// wireFields is a field set on the wire: a JSON array of idnr's field
// tokens, ["idnr","family_name"]. Decoding refuses an unknown or repeated
// token and any escape inside one (valid tokens need none) and allocates
// no string per token. With []string, and each answer decoded a second
// time from a json.RawMessage, BenchmarkDecodeBatch1000 took 10.1 ms and
// 39.1k allocations per 1,000-item answer; with this type and the one-pass
// decoder 5.4 ms and 13.2k, as ida.JSONv1 (5.4 ms, 12.4k) in the same run
// (-benchtime 20x -count 3, on a shared and loaded 2-core machine).
type wireFields idnr.Fields

// fieldTokens[i] is the token of the field 1<<i, from idnr's table.
var fieldTokens = idnr.AllFields.Tokens()

var errFieldToken = errors.New("melde: fields: unknown or repeated field")

// MarshalJSON writes the tokens in the table's order.
func (f wireFields) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+16*idnr.Fields(f).Len())
	b = append(b, '[')
	for i, t := range fieldTokens {
		if f&(1<<i) != 0 {
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = append(append(append(b, '"'), t...), '"')
		}
	}
	return append(b, ']'), nil
}

// UnmarshalJSON reads an array of tokens (or null, the empty set).
func (f *wireFields) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*f = 0
		return nil
	}
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return errFieldToken
	}
	var out idnr.Fields
	rest := bytes.TrimSpace(b[1 : len(b)-1])
	for len(rest) > 0 {
		if rest[0] != '"' {
			return errFieldToken
		}
		end := bytes.IndexAny(rest[1:], "\\\"")
		if end < 0 || rest[1+end] != '"' {
			return errFieldToken
		}
		x := fieldOf(rest[1 : 1+end])
		if x == 0 || out&x != 0 {
			return errFieldToken
		}
		out |= x
		rest = bytes.TrimSpace(rest[2+end:])
		if len(rest) > 0 {
			if rest[0] != ',' {
				return errFieldToken
			}
			rest = bytes.TrimSpace(rest[1:])
			if len(rest) == 0 {
				return errFieldToken
			}
		}
	}
	*f = wireFields(out)
	return nil
}

func fieldOf(tok []byte) idnr.Fields {
	for i, t := range fieldTokens {
		if t == string(tok) {
			return 1 << i
		}
	}
	return 0
}

func searchToWire(seq int, s *ida.Search) wireQuery {
	q := wireQuery{Seq: &seq, By: byResidence, FamilyName: s.FamilyName, GivenNames: s.GivenNames,
		BirthDate: wireDate(s.BirthDate), PostalCode: s.PostalCode, City: s.City, Street: s.Street,
		HouseNumber: s.HouseNumber, BirthPlace: s.BirthPlace, Sex: s.Sex}
	if s.Kind == ida.ByName {
		q.By = byName
	}
	return q
}

func lookupToWire(l *ida.Lookup) wireQuery {
	seq, id := 0, wireIDNr(l.IDNr)
	return wireQuery{Seq: &seq, By: byIDNr, IDNr: &id, BirthDate: wireDate(l.BirthDate)}
}

func searchFromWire(q *wireQuery) (ida.Search, error) {
	s := ida.Search{FamilyName: q.FamilyName, GivenNames: q.GivenNames, BirthDate: idnr.Date(q.BirthDate),
		PostalCode: q.PostalCode, City: q.City, Street: q.Street, HouseNumber: q.HouseNumber,
		BirthPlace: q.BirthPlace, Sex: q.Sex}
	if q.IDNr != nil {
		return s, malformed("query: a search carries an idnr")
	}
	switch q.By {
	case byResidence:
		s.Kind = ida.ByResidence
	case byName:
		s.Kind = ida.ByName
	default:
		return s, malformed("query.by: not a search")
	}
	return s, nil
}

func lookupFromWire(q *wireQuery) (ida.Lookup, error) {
	if q.By != byIDNr {
		return ida.Lookup{}, malformed("query.by: not idnr")
	}
	if q.IDNr == nil {
		return ida.Lookup{}, malformed("query.idnr: missing")
	}
	if q.FamilyName != "" || q.GivenNames != "" || q.PostalCode != "" || q.City != "" || q.Street != "" ||
		q.HouseNumber != "" || q.BirthPlace != "" || q.Sex != idnr.SexUnknown {
		return ida.Lookup{}, malformed("query: a lookup carries more than idnr and birth_date")
	}
	return ida.Lookup{IDNr: idnr.IDNr(*q.IDNr), BirthDate: idnr.Date(q.BirthDate)}, nil
}

// personToWire encodes the fields f of p.
func personToWire(p *idnr.Person, f idnr.Fields) *wirePerson {
	w := &wirePerson{}
	if f&idnr.FieldIDNr != 0 && !p.IDNr.IsZero() {
		id := wireIDNr(p.IDNr)
		w.IDNr = &id
	}
	if f&idnr.FieldFamilyName != 0 {
		w.FamilyName = p.FamilyName
	}
	if f&idnr.FieldFormerNames != 0 && len(p.FormerNames) > 0 {
		w.FormerNames = make([]wireFormerName, len(p.FormerNames))
		for i, n := range p.FormerNames {
			w.FormerNames[i] = wireFormerName{Name: n, Kind: p.FormerNameKind(i)}
		}
	}
	if f&idnr.FieldGivenNames != 0 {
		w.GivenNames = p.GivenNames
	}
	if f&idnr.FieldDoctoralDegree != 0 {
		w.DoctoralDegree = p.DoctoralDegree
	}
	if f&idnr.FieldBirthDate != 0 {
		w.BirthDate = wireDate(p.BirthDate)
	}
	if f&idnr.FieldBirthPlace != 0 && p.BirthPlace != (idnr.Place{}) {
		w.BirthPlace = &wirePlace{City: p.BirthPlace.City, Country: p.BirthPlace.Country}
	}
	if f&idnr.FieldSex != 0 {
		w.Sex = p.Sex
	}
	if f&idnr.FieldNationalities != 0 && len(p.Nationalities) > 0 {
		w.Nationalities = p.Nationalities
	}
	if f&idnr.FieldAddress != 0 && !p.Address.IsZero() {
		a := p.Address
		w.Address = &wireAddress{Street: a.Street, HouseNumber: a.HouseNumber, Supplement: a.Supplement,
			PostalCode: a.PostalCode, City: a.City, MunicipalityKey: a.MunicipalityKey, Country: a.Country}
	}
	if f&idnr.FieldDeathDate != 0 {
		w.DeathDate = wireDate(p.DeathDate)
	}
	if f&idnr.FieldMoveInDate != 0 {
		w.MoveInDate = wireDate(p.MoveInDate)
	}
	if f&idnr.FieldMoveOutDate != 0 {
		w.MoveOutDate = wireDate(p.MoveOutDate)
	}
	if f&idnr.FieldInformationBlocks != 0 {
		for _, b := range p.InformationBlocks {
			if b != idnr.BlockNone {
				w.InformationBlocks = append(w.InformationBlocks, b)
			}
		}
	}
	if f&idnr.FieldLastContact != 0 {
		w.LastContact = p.LastContact
	}
	return w
}

// personFromWire returns the person and the fields present in w.
func personFromWire(w *wirePerson) (idnr.Person, idnr.Fields) {
	var p idnr.Person
	var f idnr.Fields
	if w.IDNr != nil {
		p.IDNr, f = idnr.IDNr(*w.IDNr), f|idnr.FieldIDNr
	}
	if w.FamilyName != "" {
		p.FamilyName, f = w.FamilyName, f|idnr.FieldFamilyName
	}
	if len(w.FormerNames) > 0 {
		f |= idnr.FieldFormerNames
		p.FormerNames = make([]string, len(w.FormerNames))
		kinds := false
		for i, n := range w.FormerNames {
			p.FormerNames[i] = n.Name
			kinds = kinds || n.Kind != idnr.NameKindUnknown
		}
		if kinds {
			p.FormerNameKinds = make([]idnr.NameKind, len(w.FormerNames))
			for i, n := range w.FormerNames {
				p.FormerNameKinds[i] = n.Kind
			}
		}
	}
	if w.GivenNames != "" {
		p.GivenNames, f = w.GivenNames, f|idnr.FieldGivenNames
	}
	if w.DoctoralDegree != "" {
		p.DoctoralDegree, f = w.DoctoralDegree, f|idnr.FieldDoctoralDegree
	}
	if !w.BirthDate.IsZero() {
		p.BirthDate, f = idnr.Date(w.BirthDate), f|idnr.FieldBirthDate
	}
	if w.BirthPlace != nil {
		p.BirthPlace, f = idnr.Place{City: w.BirthPlace.City, Country: w.BirthPlace.Country}, f|idnr.FieldBirthPlace
	}
	if w.Sex != idnr.SexUnknown {
		p.Sex, f = w.Sex, f|idnr.FieldSex
	}
	if len(w.Nationalities) > 0 {
		p.Nationalities, f = w.Nationalities, f|idnr.FieldNationalities
	}
	if w.Address != nil {
		a := w.Address
		p.Address = idnr.Address{Street: a.Street, HouseNumber: a.HouseNumber, Supplement: a.Supplement,
			PostalCode: a.PostalCode, City: a.City, MunicipalityKey: a.MunicipalityKey, Country: a.Country}
		f |= idnr.FieldAddress
	}
	if !w.DeathDate.IsZero() {
		p.DeathDate, f = idnr.Date(w.DeathDate), f|idnr.FieldDeathDate
	}
	if !w.MoveInDate.IsZero() {
		p.MoveInDate, f = idnr.Date(w.MoveInDate), f|idnr.FieldMoveInDate
	}
	if !w.MoveOutDate.IsZero() {
		p.MoveOutDate, f = idnr.Date(w.MoveOutDate), f|idnr.FieldMoveOutDate
	}
	if len(w.InformationBlocks) > 0 {
		p.InformationBlocks, f = w.InformationBlocks, f|idnr.FieldInformationBlocks
	}
	if !w.LastContact.IsZero() {
		p.LastContact, f = w.LastContact, f|idnr.FieldLastContact
	}
	return p, f
}

// wireError is a decoding error without personal data: the reason names
// the problem, never a value. It wraps ida's sentinel, so the ida client
// retries it and reports a *ida.DecodeError.
type wireError struct {
	reason string
	err    error
}

func (e *wireError) Error() string { return "melde: " + e.reason }
func (e *wireError) Unwrap() error { return e.err }

func malformed(reason string) error { return &wireError{reason: reason, err: ida.ErrMalformed} }

// safeMember reports whether an unknown member's name may be quoted in a
// server's rejection: lowercase ASCII words only (a member named after a
// person's data is not).
func safeMember(name string) bool {
	if name == "" || len(name) > 40 {
		return false
	}
	return strings.Trim(name, "abcdefghijklmnopqrstuvwxyz_") == ""
}
