package ida

// The wire structs of [JSONv1] ("regmo-ida/1") are the single source of its
// format: both halves encode them with encoding/json and decode them with
// encoding/json (unknown members refused), the conversions to and from the
// package's types live beside them, and the package documentation's
// "Wire format v1" describes these structs. The only hand-written JSON is
// wireFields (a field set as an array of tokens); see its comment for what
// it saves.

import (
	"encoding/json"
	"errors"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

// Result values of an answer item on the wire.
const (
	resultHit             = "hit"
	resultNotIdentifiable = "not_identifiable"
	resultRejected        = "rejected"
	resultReceived        = "received"
	resultClarifications  = "clarifications"
)

type wireBody struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

type wireSearch struct {
	Kind        string   `json:"kind"`
	FamilyName  string   `json:"family_name"`
	GivenNames  string   `json:"given_names,omitempty"`
	BirthDate   wireDate `json:"birth_date"`
	PostalCode  string   `json:"postal_code,omitempty"`
	City        string   `json:"city,omitempty"`
	Street      string   `json:"street,omitempty"`
	HouseNumber string   `json:"house_number,omitempty"`
	BirthPlace  string   `json:"birth_place,omitempty"`
	Sex         idnr.Sex `json:"sex,omitzero"`
}

type wireLookup struct {
	IDNr      wireIDNr `json:"idnr"`
	BirthDate wireDate `json:"birth_date"`
}

type wireInaccuracy struct {
	IDNr     wireIDNr       `json:"idnr"`
	Fields   wireFields     `json:"fields"`
	Held     *wirePerson    `json:"held,omitempty"`
	Reason   string         `json:"reason"`
	Evidence []wireEvidence `json:"evidence,omitempty"`
}

// wireEvidence is one item of evidence (wire format 1.1).
type wireEvidence struct {
	Fields    wireFields   `json:"fields"`
	Kind      DocumentKind `json:"kind"`
	KindText  string       `json:"kind_text,omitempty"`
	Reference string       `json:"reference"`
	Date      wireDate     `json:"date"`
	Authority string       `json:"authority"`
}

func evidenceToWire(ev []Evidence) []wireEvidence {
	if len(ev) == 0 {
		return nil
	}
	out := make([]wireEvidence, len(ev))
	for i, e := range ev {
		out[i] = wireEvidence{Fields: wireFields(e.Fields), Kind: e.Kind, KindText: e.KindText,
			Reference: e.Reference, Date: wireDate(e.Date), Authority: e.Authority}
	}
	return out
}

// evidenceFromWire converts; the receiver validates (Validate).
func evidenceFromWire(ev []wireEvidence) ([]Evidence, error) {
	if len(ev) > MaxEvidence {
		return nil, malformed("evidence: more items than the limit")
	}
	if len(ev) == 0 {
		return nil, nil
	}
	out := make([]Evidence, len(ev))
	for i, e := range ev {
		out[i] = Evidence{Fields: idnr.Fields(e.Fields), Kind: e.Kind, KindText: e.KindText,
			Reference: e.Reference, Date: idnr.Date(e.Date), Authority: e.Authority}
	}
	return out, nil
}

type wireLastContact struct {
	IDNr wireIDNr       `json:"idnr"`
	Date idnr.MonthYear `json:"date"`
}

type wireRequest struct {
	Protocol    string           `json:"protocol"`
	MessageID   uuid.UUID        `json:"message_id"`
	Kind        string           `json:"kind"`
	Sender      *wireBody        `json:"sender"`
	Sent        time.Time        `json:"sent"`
	Purpose     string           `json:"purpose"`
	LegalBasis  string           `json:"legal_basis"`
	FileRef     string           `json:"file_ref,omitempty"`
	Fields      wireFields       `json:"fields"`
	Count       int              `json:"count,omitempty"`
	Lookup      *wireLookup      `json:"lookup,omitempty"`
	Search      *wireSearch      `json:"search,omitempty"`
	Inaccuracy  *wireInaccuracy  `json:"inaccuracy,omitempty"`
	LastContact *wireLastContact `json:"last_contact,omitempty"`
	// Since 1.1: the fetch of clarification requests and a reply.
	Clarifications     *wireFetch `json:"clarifications,omitempty"`
	ClarificationReply *wireReply `json:"clarification_reply,omitempty"`
}

type wireFetch struct {
	Since string `json:"since"`
}

type wireReply struct {
	Reference string         `json:"reference"`
	IDNr      wireIDNr       `json:"idnr"`
	Answer    ReplyKind      `json:"answer"`
	Fields    wireFields     `json:"fields,omitempty"`
	Held      *wirePerson    `json:"held,omitempty"`
	Evidence  []wireEvidence `json:"evidence,omitempty"`
	Reason    string         `json:"reason,omitempty"`
}

// wireClarification is one request in the answer to a fetch.
type wireClarification struct {
	Reference string     `json:"reference"`
	IDNr      wireIDNr   `json:"idnr"`
	Fields    wireFields `json:"fields"`
	Reason    string     `json:"reason"`
	Issued    time.Time  `json:"issued"`
}

type wireBulkItem struct {
	Seq    *int        `json:"seq"`
	Search *wireSearch `json:"search"`
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

type wirePerson struct {
	IDNr              wireIDNr                `json:"idnr,omitzero"`
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

// wireAnswer is a single answer, the header line of a bulk answer, a
// receipt, and (with End) the trailer line of a bulk answer.
type wireAnswer struct {
	Protocol  string      `json:"protocol"`
	MessageID uuid.UUID   `json:"message_id"`
	RequestID uuid.UUID   `json:"request_id"`
	Kind      string      `json:"kind"`
	Count     *int        `json:"count,omitempty"`
	Received  *time.Time  `json:"received,omitempty"`
	Result    string      `json:"result,omitempty"`
	Fields    wireFields  `json:"fields,omitempty"`
	Person    *wirePerson `json:"person,omitempty"`
	Code      string      `json:"code,omitempty"`
	Text      string      `json:"text,omitempty"`
	// Since 1.1: the answer to a fetch of clarification requests.
	Requests []json.RawMessage `json:"requests,omitempty"`
	Next     string            `json:"next,omitempty"`
}

// wireLine is one line of a bulk answer after the header: an item or the trailer.
type wireLine struct {
	Seq    *int        `json:"seq,omitempty"`
	Result string      `json:"result,omitempty"`
	Fields wireFields  `json:"fields,omitempty"`
	Person *wirePerson `json:"person,omitempty"`
	Code   string      `json:"code,omitempty"`
	Text   string      `json:"text,omitempty"`
	End    bool        `json:"end,omitempty"`
	Count  *int        `json:"count,omitempty"`
}

type wireProblem struct {
	Protocol  string    `json:"protocol"`
	RequestID uuid.UUID `json:"request_id"`
	Code      string    `json:"code"`
	Text      string    `json:"text,omitempty"`
}

// ---- conversions ----

func searchToWire(s *Search) *wireSearch {
	return &wireSearch{
		Kind: s.Kind.Kind().String(), FamilyName: s.FamilyName, GivenNames: s.GivenNames,
		BirthDate: wireDate(s.BirthDate), PostalCode: s.PostalCode, City: s.City, Street: s.Street,
		HouseNumber: s.HouseNumber, BirthPlace: s.BirthPlace, Sex: s.Sex,
	}
}

func searchFromWire(w *wireSearch) (Search, error) {
	s := Search{
		FamilyName: w.FamilyName, GivenNames: w.GivenNames, BirthDate: idnr.Date(w.BirthDate),
		PostalCode: w.PostalCode, City: w.City, Street: w.Street, HouseNumber: w.HouseNumber,
		BirthPlace: w.BirthPlace, Sex: w.Sex,
	}
	switch w.Kind {
	case "search":
		s.Kind = ByResidence
	case "fallback":
		s.Kind = ByName
	default:
		return s, malformed("search.kind: unknown")
	}
	return s, nil
}

// wireFields is a field set on the wire: a JSON array of tokens such as
// ["idnr","family_name"]; an unknown or repeated token is an error, and so
// is an escape inside a token (valid tokens never need one).
//
// UnmarshalJSON is the one hand-written JSON path of the codec, kept
// because a benchmark shows it matters to the client: decoding the array
// through []string costs a string per token, and on a hit with all fields
// BenchmarkDecodeResponse took 52 µs and 60 allocations instead of 24 µs
// and 37, BenchmarkBulk1000 91.6k allocations instead of 66.0k and 18%
// fewer records per CPU-second. MarshalJSON keeps the encoded arrays of a
// bounded number of field sets (an unbounded cache could grow with every
// set a server was asked for).
type wireFields idnr.Fields

// MarshalJSON writes the tokens in field order. They are lowercase ASCII
// words from idnr's field table (TestWireStructsAreTheFormat checks), so
// they need no escaping. The arrays of the first maxFieldsJSON field sets
// are kept (a server writes the same few sets on every line of a bulk
// answer); a peer asking for ever other sets cannot grow the cache.
func (f wireFields) MarshalJSON() ([]byte, error) {
	if b, ok := fieldsJSON.Load(f); ok {
		return b.([]byte), nil
	}
	b := make([]byte, 0, 16*bits.OnesCount64(uint64(f))+2)
	b = append(b, '[')
	for i, t := range wireTokens {
		if f&(1<<i) != 0 {
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, t...)
			b = append(b, '"')
		}
	}
	b = append(b, ']')
	if fieldsJSONLen.Add(1) <= maxFieldsJSON {
		fieldsJSON.Store(f, b)
	}
	return b, nil
}

const maxFieldsJSON = 256

var (
	fieldsJSON    sync.Map // wireFields -> []byte, at most maxFieldsJSON entries
	fieldsJSONLen atomic.Int32
)

var errFieldsToken = errors.New("ida: fields: unknown or repeated field")

func (f *wireFields) UnmarshalJSON(b []byte) error {
	var out idnr.Fields
	i := 0
	skip := func() {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
	}
	skip()
	if i < len(b) && b[i] == 'n' && string(b[i:]) == "null" {
		*f = 0
		return nil
	}
	if i >= len(b) || b[i] != '[' {
		return errors.New("ida: fields: not an array")
	}
	i++
	skip()
	if i < len(b) && b[i] == ']' {
		*f = 0
		return nil
	}
	for {
		skip()
		if i >= len(b) || b[i] != '"' {
			return errors.New("ida: fields: not an array of strings")
		}
		j := i + 1
		for j < len(b) && b[j] != '"' && b[j] != '\\' {
			j++
		}
		if j >= len(b) || b[j] != '"' {
			return errFieldsToken // escapes never occur in valid tokens
		}
		x, ok := fieldOfBytes(b[i+1 : j])
		if !ok || out&x != 0 {
			return errFieldsToken
		}
		out |= x
		i = j + 1
		skip()
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		if i < len(b) && b[i] == ']' {
			*f = wireFields(out)
			return nil
		}
		return errors.New("ida: fields: not an array of strings")
	}
}

// wireTokens are the wire tokens of the fields, derived from idnr's field
// table once: wireTokens[i] is the token of the field 1<<i.
var wireTokens = idnr.AllFields.Tokens()

func fieldOfBytes(b []byte) (idnr.Fields, bool) {
	for i, t := range wireTokens {
		if t == string(b) {
			return 1 << i, true
		}
	}
	return 0, false
}

// personToWire encodes the fields f of p.
func personToWire(p *idnr.Person, f idnr.Fields) *wirePerson {
	w := &wirePerson{}
	if f&idnr.FieldIDNr != 0 {
		w.IDNr = wireIDNr(p.IDNr)
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
	if !w.IDNr.IsZero() {
		p.IDNr, f = idnr.IDNr(w.IDNr), f|idnr.FieldIDNr
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
