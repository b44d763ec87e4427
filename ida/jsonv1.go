package ida

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// JSONv1 is the codec of wire format "regmo-ida/1", our own versioned
// JSON-over-HTTPS protocol described in the package documentation. It is
// not XBasisdaten and does not claim conformance to it. The zero value is
// ready to use.
type JSONv1 struct{}

var _ Codec = JSONv1{}

// Media types of wire format v1.
const (
	MediaJSON   = "application/json"
	MediaNDJSON = "application/x-ndjson"
)

// maxLine bounds one NDJSON line (one search or one answer).
const maxLine = 1 << 20

// Name returns "regmo-ida/1".
func (JSONv1) Name() string { return ProtocolV1 }

// Endpoint returns "/v1/<kind>", e.g. "/v1/lookup" or "/v1/bulk".
func (JSONv1) Endpoint(k Kind) string { return "/v1/" + k.String() }

// ContentType is application/x-ndjson for bulk, application/json otherwise.
func (JSONv1) ContentType(k Kind) string {
	if k == KindBulk {
		return MediaNDJSON
	}
	return MediaJSON
}

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
	IDNr   wireIDNr    `json:"idnr"`
	Fields wireFields  `json:"fields"`
	Held   *wirePerson `json:"held,omitempty"`
	Reason string      `json:"reason"`
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
// ["idnr","family_name"]. It encodes and decodes without a string per
// token; an unknown or repeated token is an error.
type wireFields idnr.Fields

var fieldsJSONCache sync.Map // idnr.Fields -> []byte

func (f wireFields) MarshalJSON() ([]byte, error) {
	if b, ok := fieldsJSONCache.Load(idnr.Fields(f)); ok {
		return b.([]byte), nil
	}
	b, err := json.Marshal(idnr.Fields(f).Tokens())
	if err != nil {
		return nil, err
	}
	fieldsJSONCache.Store(idnr.Fields(f), b)
	return b, nil
}

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

func malformed(reason string) error { return &wireError{reason: reason, err: ErrMalformed} }

// wireError carries a reason without personal data; the client turns it
// into a *DecodeError.
type wireError struct {
	reason string
	err    error
}

func (e *wireError) Error() string { return "ida: " + e.reason }
func (e *wireError) Unwrap() error { return e.err }

// jsonReason turns a decoder error into a reason that names the problem
// but not the value.
//
// With nameMember (the server side, decoding our own requests), an unknown
// member whose name has the form of a wire token is named, so that the
// rejection says which field a request may not carry; the client side
// never quotes what the server sent.
func jsonReason(what string, err error, nameMember bool) error {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute):
		return malformed(what + ": wrong type for " + ute.Field)
	case errors.As(err, &se):
		return malformed(fmt.Sprintf("%s: syntax error at offset %d", what, se.Offset))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return malformed(what + ": truncated")
	}
	// The rest are json's unknown-field error, which quotes the member
	// name as the server sent it (a name, a birth date or an IDNr in a
	// hostile answer), and the errors of our own value types. Neither is
	// quoted: the reason is fixed text.
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name, uerr := strconv.Unquote(msg); uerr == nil && nameMember && safeCode(name) == name {
			return malformed(what + ": unknown member " + strconv.Quote(name))
		}
		return malformed(what + ": unknown member")
	}
	for _, known := range knownValueErrors {
		if errors.Is(err, known) {
			return malformed(what + ": " + known.Error())
		}
	}
	return malformed(what + ": invalid value")
}

// knownValueErrors are sentinels of our value types whose text holds no
// value; jsonReason names them (and only their own text, not a wrapper's).
var knownValueErrors = []error{
	errFieldsToken,
	idnr.ErrEmpty, idnr.ErrLength, idnr.ErrNonDigit, idnr.ErrLeadingZero, idnr.ErrRepetition,
	idnr.ErrThreeInARow, idnr.ErrCheckDigit,
	idnr.ErrDateFormat, idnr.ErrDateYear, idnr.ErrDateMonth, idnr.ErrDateDay, idnr.ErrDateDayNoMonth,
	idnr.ErrSex,
}

// decodeStrict decodes one JSON value from data into v, refusing unknown
// fields and trailing data.
func decodeStrict(data []byte, v any, what string, nameMember bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonReason(what, err, nameMember)
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) != 0 {
		return malformed(what + ": trailing data after the message")
	}
	return nil
}

// ---- client side ----

// EncodeRequest writes r: one JSON object, or for bulk a header line
// followed by one line per search.
func (JSONv1) EncodeRequest(w io.Writer, r *Request) error {
	h := wireRequest{
		Protocol: ProtocolV1, MessageID: r.MessageID, Kind: r.Kind.String(),
		Sender: &wireBody{Name: r.Sender.Name, ID: r.Sender.ID}, Sent: r.Sent.UTC(),
		Purpose: r.Purpose, LegalBasis: r.LegalBasis, FileRef: r.FileRef,
		Fields: wireFields(r.Fields),
	}
	switch r.Kind {
	case KindLookup:
		if r.Lookup == nil {
			return errors.New("ida: lookup request without lookup")
		}
		h.Lookup = &wireLookup{IDNr: wireIDNr(r.Lookup.IDNr), BirthDate: wireDate(r.Lookup.BirthDate)}
	case KindSearch, KindFallback:
		if len(r.Searches) != 1 {
			return errors.New("ida: search request needs exactly one search")
		}
		h.Search = searchToWire(&r.Searches[0])
	case KindInaccuracy:
		x := r.Inaccuracy
		if x == nil {
			return errors.New("ida: inaccuracy request without report")
		}
		wi := &wireInaccuracy{IDNr: wireIDNr(x.IDNr), Fields: wireFields(x.Fields), Reason: x.Reason}
		if held := x.Fields &^ idnr.FieldIDNr; held != 0 {
			wp := personToWire(&x.Held, held)
			if _, present := personFromWire(wp); present != 0 {
				wi.Held = wp
			}
		}
		h.Inaccuracy = wi
	case KindLastContact:
		if r.LastContact == nil {
			return errors.New("ida: last-contact request without report")
		}
		h.LastContact = &wireLastContact{IDNr: wireIDNr(r.LastContact.IDNr), Date: r.LastContact.Date}
	case KindBulk:
		h.Count = len(r.Searches)
		bw := bufio.NewWriterSize(w, 64<<10)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&h); err != nil {
			return err
		}
		for i := range r.Searches {
			seq := i
			if err := enc.Encode(&wireBulkItem{Seq: &seq, Search: searchToWire(&r.Searches[i])}); err != nil {
				return err
			}
		}
		return bw.Flush()
	default:
		return errors.New("ida: unknown request kind")
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(&h)
}

func checkHeader(a *wireAnswer, req *Request) error {
	if a.Protocol != ProtocolV1 {
		return malformed("protocol: not " + ProtocolV1)
	}
	if a.MessageID == uuid.Nil {
		return malformed("message_id: missing")
	}
	if a.RequestID != req.MessageID {
		return &wireError{reason: "request_id does not match the message sent", err: ErrMessageMismatch}
	}
	if a.Kind != req.Kind.String() {
		return malformed("kind: does not match the request")
	}
	return nil
}

// item validates one answer item (single answer or bulk line) and fills it.
func decodeItem(result string, fields wireFields, person *wirePerson, code, text string, it *Item) error {
	switch result {
	case "hit":
		it.Outcome = Hit
		if person == nil {
			return malformed("hit: person missing")
		}
		f := idnr.Fields(fields)
		if f&idnr.FieldIDNr == 0 {
			return malformed("hit: fields lack idnr")
		}
		p, present := personFromWire(person)
		if present&^f != 0 {
			return malformed("hit: person carries fields not listed (" + (present &^ f).String() + ")")
		}
		if p.IDNr.IsZero() {
			return malformed("hit: person.idnr missing")
		}
		if code != "" || text != "" {
			return malformed("hit: carries a reason code")
		}
		it.Person, it.Fields = p, f
	case "not_identifiable":
		it.Outcome = NotIdentifiable
		if person != nil || fields != 0 || code != "" || text != "" {
			return malformed("not_identifiable: carries data")
		}
	case "rejected":
		it.Outcome = Rejected
		if person != nil || fields != 0 {
			return malformed("rejected: carries data")
		}
		if code == "" {
			return malformed("rejected: code missing")
		}
		if textProblem(code, MaxText) != "" || textProblem(text, 500) != "" {
			return malformed("rejected: bad code or text")
		}
		it.Code, it.Text = code, text
	case "":
		return malformed("result: missing")
	default:
		return malformed("result: unknown")
	}
	return nil
}

// DecodeResponse reads the answer to req strictly.
func (JSONv1) DecodeResponse(r io.Reader, req *Request) (*Response, error) {
	if req.Kind == KindBulk {
		return decodeBulkResponse(r, req)
	}
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	var a wireAnswer
	if err := decodeStrict(data, &a, "answer", false); err != nil {
		return nil, err
	}
	if err := checkHeader(&a, req); err != nil {
		return nil, err
	}
	if a.Count != nil {
		return nil, malformed("count: only in bulk answers")
	}
	resp := &Response{MessageID: a.MessageID, RequestID: a.RequestID, Kind: req.Kind}
	switch req.Kind {
	case KindInaccuracy, KindLastContact:
		if a.Result != "received" {
			if a.Result == "rejected" {
				it := Item{}
				if err := decodeItem(a.Result, a.Fields, a.Person, a.Code, a.Text, &it); err != nil {
					return nil, err
				}
				resp.Items = []Item{it}
				return resp, nil
			}
			return nil, malformed("result: not received")
		}
		if a.Received == nil || a.Received.IsZero() {
			return nil, malformed("received: missing")
		}
		if a.Person != nil || a.Fields != 0 || a.Code != "" {
			return nil, malformed("receipt: carries data")
		}
		resp.Received = a.Received.UTC()
		return resp, nil
	}
	if a.Received != nil {
		return nil, malformed("received: only in receipts")
	}
	it := Item{Raw: data}
	if err := decodeItem(a.Result, a.Fields, a.Person, a.Code, a.Text, &it); err != nil {
		return nil, err
	}
	resp.Items = []Item{it}
	return resp, nil
}

// readAll returns the bytes of r without copying when r is a *bytes.Buffer.
func readAll(r io.Reader) ([]byte, error) {
	if b, ok := r.(*bytes.Buffer); ok {
		return b.Bytes(), nil
	}
	return io.ReadAll(r)
}

// valueStream decodes the NDJSON values of data one by one with a single
// strict decoder, and returns each value's bytes as transmitted.
type valueStream struct {
	data       []byte
	dec        *json.Decoder
	off        int
	nameMember bool // see jsonReason
}

func newValueStream(r io.Reader) (*valueStream, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return &valueStream{data: data, dec: dec}, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// next decodes the next line into v and returns its bytes, or io.EOF when
// only whitespace is left. Each value must be followed by a newline.
func (s *valueStream) next(v any, what string) ([]byte, error) {
	start := s.off
	for start < len(s.data) && isSpace(s.data[start]) {
		start++
	}
	if start == len(s.data) {
		return nil, io.EOF
	}
	if err := s.dec.Decode(v); err != nil {
		return nil, jsonReason(what, err, s.nameMember)
	}
	end := int(s.dec.InputOffset())
	if end-start > maxLine {
		return nil, malformed(what + ": line longer than the limit")
	}
	i := end
	for i < len(s.data) && (s.data[i] == ' ' || s.data[i] == '\t' || s.data[i] == '\r') {
		i++
	}
	if i == len(s.data) {
		return nil, malformed(what + ": truncated, no newline after the last line")
	}
	if s.data[i] != '\n' {
		return nil, malformed(what + ": two values on one line")
	}
	s.off = i + 1
	return s.data[start:end], nil
}

func decodeBulkResponse(r io.Reader, req *Request) (*Response, error) {
	vs, err := newValueStream(r)
	if err != nil {
		return nil, err
	}
	var h wireAnswer
	if _, err := vs.next(&h, "bulk header"); err != nil {
		if err == io.EOF {
			return nil, malformed("bulk: empty answer")
		}
		return nil, err
	}
	if err := checkHeader(&h, req); err != nil {
		return nil, err
	}
	if h.Count == nil || *h.Count != len(req.Searches) {
		return nil, malformed("bulk header: count does not match the request")
	}
	if h.Result != "" || h.Person != nil || h.Received != nil || h.Fields != 0 || h.Code != "" {
		return nil, malformed("bulk header: carries an answer")
	}
	n := len(req.Searches)
	resp := &Response{MessageID: h.MessageID, RequestID: h.RequestID, Kind: KindBulk, Items: make([]Item, n)}
	seen := make([]bool, n)
	got := 0
	for {
		var l wireLine
		raw, err := vs.next(&l, "bulk line")
		if err == io.EOF {
			return nil, malformed("bulk: truncated, trailer missing")
		}
		if err != nil {
			return nil, err
		}
		if l.End {
			if l.Seq != nil || l.Result != "" || l.Person != nil {
				return nil, malformed("bulk trailer: carries an answer")
			}
			if l.Count == nil || *l.Count != n || got != n {
				return nil, malformed("bulk trailer: count does not match")
			}
			var extra wireLine
			if _, err := vs.next(&extra, "bulk"); err != io.EOF {
				return nil, malformed("bulk: data after the trailer")
			}
			return resp, nil
		}
		if l.Seq == nil {
			return nil, malformed("bulk line: seq missing")
		}
		if l.Count != nil {
			return nil, malformed("bulk line: count in an item")
		}
		seq := *l.Seq
		if seq < 0 || seq >= n {
			return nil, malformed("bulk line: seq out of range")
		}
		if seen[seq] {
			return nil, malformed("bulk line: seq answered twice")
		}
		seen[seq] = true
		got++
		it := &resp.Items[seq]
		it.Seq = seq
		it.Raw = raw
		if err := decodeItem(l.Result, l.Fields, l.Person, l.Code, l.Text, it); err != nil {
			return nil, err
		}
	}
}

// EncodeProblem writes p as a JSON object.
func (JSONv1) EncodeProblem(w io.Writer, p *Problem) error {
	return json.NewEncoder(w).Encode(&wireProblem{Protocol: ProtocolV1, RequestID: p.RequestID, Code: p.Code, Text: p.Text})
}

// DecodeProblem reads a problem body strictly.
func (JSONv1) DecodeProblem(r io.Reader) (*Problem, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var p wireProblem
	if err := decodeStrict(data, &p, "problem", false); err != nil {
		return nil, err
	}
	if p.Protocol != ProtocolV1 || p.Code == "" {
		return nil, malformed("problem: protocol or code missing")
	}
	return &Problem{RequestID: p.RequestID, Code: p.Code, Text: p.Text}, nil
}

// ---- server side ----

// DecodeRequest reads a request of kind k (from the endpoint) strictly. It
// checks the structure only; the minimum fields of searches are for the
// receiver to check (so that it can answer with a reason code per search).
func (JSONv1) DecodeRequest(r io.Reader, k Kind) (*Request, error) {
	var h wireRequest
	var vs *valueStream
	if k == KindBulk {
		var err error
		if vs, err = newValueStream(r); err != nil {
			return nil, err
		}
		vs.nameMember = true
		if _, err := vs.next(&h, "bulk header"); err != nil {
			if err == io.EOF {
				return nil, malformed("bulk: empty request")
			}
			return nil, err
		}
	} else {
		data, err := readAll(r)
		if err != nil {
			return nil, err
		}
		if err := decodeStrict(data, &h, "request", true); err != nil {
			return nil, err
		}
	}
	if h.Protocol != ProtocolV1 {
		return nil, malformed("protocol: not " + ProtocolV1)
	}
	if h.MessageID == uuid.Nil {
		return nil, malformed("message_id: missing")
	}
	if h.Kind != k.String() {
		return nil, malformed("kind: does not match the endpoint")
	}
	if h.Sender == nil || h.Sender.ID == "" {
		return nil, malformed("sender: missing")
	}
	if h.Sent.IsZero() {
		return nil, malformed("sent: missing")
	}
	if h.Purpose == "" || h.LegalBasis == "" {
		return nil, malformed("purpose or legal_basis: missing")
	}
	f := idnr.Fields(h.Fields)
	if f == 0 {
		return nil, malformed("fields: missing")
	}
	req := &Request{
		MessageID: h.MessageID, Kind: k, Sender: audit.Body{Name: h.Sender.Name, ID: h.Sender.ID},
		Sent: h.Sent, Purpose: h.Purpose, LegalBasis: h.LegalBasis, FileRef: h.FileRef, Fields: f,
	}
	payloads := 0
	for _, p := range []bool{h.Lookup != nil, h.Search != nil, h.Inaccuracy != nil, h.LastContact != nil} {
		if p {
			payloads++
		}
	}
	switch k {
	case KindLookup:
		if h.Lookup == nil || payloads != 1 {
			return nil, malformed("lookup: payload missing or more than one")
		}
		req.Lookup = &Lookup{IDNr: idnr.IDNr(h.Lookup.IDNr), BirthDate: idnr.Date(h.Lookup.BirthDate)}
	case KindSearch, KindFallback:
		if h.Search == nil || payloads != 1 {
			return nil, malformed("search: payload missing or more than one")
		}
		s, err := searchFromWire(h.Search)
		if err != nil {
			return nil, err
		}
		if s.Kind.Kind() != k {
			return nil, malformed("search.kind: does not match the endpoint")
		}
		req.Searches = []Search{s}
	case KindInaccuracy:
		if h.Inaccuracy == nil || payloads != 1 {
			return nil, malformed("inaccuracy: payload missing or more than one")
		}
		rf := idnr.Fields(h.Inaccuracy.Fields)
		x := &InaccuracyReport{IDNr: idnr.IDNr(h.Inaccuracy.IDNr), Fields: rf, Reason: h.Inaccuracy.Reason}
		if h.Inaccuracy.Held != nil {
			p, present := personFromWire(h.Inaccuracy.Held)
			if present&^rf != 0 {
				return nil, malformed("inaccuracy.held: carries fields not reported")
			}
			x.Held = p
		}
		req.Inaccuracy = x
	case KindLastContact:
		if h.LastContact == nil || payloads != 1 {
			return nil, malformed("last_contact: payload missing or more than one")
		}
		req.LastContact = &LastContact{IDNr: idnr.IDNr(h.LastContact.IDNr), Date: h.LastContact.Date}
	case KindBulk:
		if payloads != 0 {
			return nil, malformed("bulk header: carries a payload")
		}
		if h.Count <= 0 {
			return nil, malformed("bulk header: count missing")
		}
		if h.Count > MaxBulk {
			return nil, malformed("bulk header: count above the limit")
		}
		req.Searches = make([]Search, h.Count)
		for i := 0; ; i++ {
			var it wireBulkItem
			_, err := vs.next(&it, "bulk search")
			if err == io.EOF {
				if i != h.Count {
					return nil, malformed("bulk: fewer searches than count")
				}
				return req, nil
			}
			if err != nil {
				return nil, err
			}
			if i >= h.Count {
				return nil, malformed("bulk: more searches than count")
			}
			if it.Seq == nil || *it.Seq != i || it.Search == nil {
				return nil, malformed("bulk search: seq or search missing or out of order")
			}
			s, err := searchFromWire(it.Search)
			if err != nil {
				return nil, err
			}
			req.Searches[i] = s
		}
	default:
		return nil, malformed("kind: unknown")
	}
	return req, nil
}

func itemToWire(it *Item) wireLine {
	seq := it.Seq
	l := wireLine{Seq: &seq}
	switch it.Outcome {
	case Hit:
		l.Result = "hit"
		f := it.Fields | idnr.FieldIDNr
		l.Fields = wireFields(f)
		l.Person = personToWire(&it.Person, f)
	case NotIdentifiable:
		l.Result = "not_identifiable"
	case Rejected:
		l.Result, l.Code, l.Text = "rejected", it.Code, it.Text
	}
	return l
}

// EncodeResponse writes resp: one JSON object, or for bulk a header line,
// one line per item in Seq order and a trailer line.
func (JSONv1) EncodeResponse(w io.Writer, resp *Response) error {
	h := wireAnswer{Protocol: ProtocolV1, MessageID: resp.MessageID, RequestID: resp.RequestID, Kind: resp.Kind.String()}
	switch resp.Kind {
	case KindBulk:
		n := len(resp.Items)
		h.Count = &n
		bw := bufio.NewWriterSize(w, 64<<10)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&h); err != nil {
			return err
		}
		for i := range resp.Items {
			l := itemToWire(&resp.Items[i])
			if err := enc.Encode(&l); err != nil {
				return err
			}
		}
		if err := enc.Encode(&wireLine{End: true, Count: &n}); err != nil {
			return err
		}
		return bw.Flush()
	case KindInaccuracy, KindLastContact:
		if len(resp.Items) == 1 && resp.Items[0].Outcome == Rejected {
			h.Result, h.Code, h.Text = "rejected", resp.Items[0].Code, resp.Items[0].Text
		} else {
			t := resp.Received.UTC()
			h.Result, h.Received = "received", &t
		}
	default:
		if len(resp.Items) != 1 {
			return errors.New("ida: single answer needs exactly one item")
		}
		l := itemToWire(&resp.Items[0])
		h.Result, h.Fields, h.Person, h.Code, h.Text = l.Result, l.Fields, l.Person, l.Code, l.Text
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(&h)
}
