package melde

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// ProtocolV1 is the protocol name of [JSONv1], carried in every message
// and in the Regmo-Protocol header.
const ProtocolV1 = "regmo-melde/1"

// JSONv1 is the codec of wire format "regmo-melde/1", this project's own
// versioned JSON-over-HTTPS protocol for the retrieval from a
// Meldebehörde, described in the package documentation. It is not
// OSCI-XMeld and claims no conformance to it. It implements both
// [ida.Codec] (the client half) and [ida.ServerCodec] (the half
// ida/melde/meldetest serves with). The zero value is ready to use; it is
// safe for concurrent use.
type JSONv1 struct{}

var (
	_ ida.Codec       = JSONv1{}
	_ ida.ServerCodec = JSONv1{}
)

// maxText bounds a rejection's code and text as the client reads them.
const maxText = 500

// Name returns "regmo-melde/1".
func (JSONv1) Name() string { return ProtocolV1 }

// Endpoint returns "/melde/v1/<kind>": lookup, search, fallback, batch.
// Reports of inaccuracy and of the last contact are the BVA's (§ 10 Abs. 4,
// § 4 Abs. 4 IDNrG); their paths exist only so that every kind has one,
// and the codec refuses to encode or decode them.
func (JSONv1) Endpoint(k ida.Kind) string {
	if k == ida.KindBulk {
		return "/melde/v1/batch"
	}
	return "/melde/v1/" + k.String()
}

// ContentType is application/json for every kind.
func (JSONv1) ContentType(ida.Kind) string { return ida.MediaJSON }

var errNotOffered = errors.New("melde: the Meldebehörde route offers lookups and searches only; reports go to the BVA")

func wireKind(k ida.Kind) (string, bool) {
	switch k {
	case ida.KindLookup, ida.KindSearch, ida.KindFallback:
		return k.String(), true
	case ida.KindBulk:
		return "batch", true
	}
	return "", false
}

// EncodeRequest writes r as one JSON object.
func (JSONv1) EncodeRequest(w io.Writer, r *ida.Request) error {
	kind, ok := wireKind(r.Kind)
	if !ok {
		return errNotOffered
	}
	wr := wireRequest{
		Protocol: ProtocolV1, MessageID: r.MessageID, Kind: kind,
		Requester: &wireBody{Name: r.Sender.Name, ID: r.Sender.ID}, Sent: r.Sent.UTC(),
		Purpose: r.Purpose, LegalBasis: r.LegalBasis, FileRef: r.FileRef,
		Fields: wireFields(r.Fields & idnr.AllFields),
	}
	switch r.Kind {
	case ida.KindLookup:
		if r.Lookup == nil {
			return errors.New("melde: lookup request without lookup")
		}
		wr.Queries = []wireQuery{lookupToWire(r.Lookup)}
	case ida.KindSearch, ida.KindFallback:
		if len(r.Searches) != 1 {
			return errors.New("melde: search request needs exactly one search")
		}
		wr.Queries = []wireQuery{searchToWire(0, &r.Searches[0])}
	case ida.KindBulk:
		wr.Queries = make([]wireQuery, len(r.Searches))
		for i := range r.Searches {
			wr.Queries[i] = searchToWire(i, &r.Searches[i])
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(&wr)
}

// jsonReason turns a decoder error into a reason that names the problem
// but not the value. With nameMember (the server reading our requests), an
// unknown member whose name is a plain lowercase word is named; the client
// never quotes what the other side sent.
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
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name, uerr := strconv.Unquote(msg); uerr == nil && nameMember && safeMember(name) {
			return malformed(what + ": unknown member " + strconv.Quote(name))
		}
		return malformed(what + ": unknown member")
	}
	for _, known := range knownValueErrors {
		if errors.Is(err, known) {
			return malformed(what + ": " + strings.TrimPrefix(strings.TrimPrefix(known.Error(), "idnr: "), "melde: "))
		}
	}
	return malformed(what + ": invalid value")
}

// knownValueErrors are sentinels of idnr's value types whose text holds no
// value.
var knownValueErrors = []error{
	errFieldToken,
	idnr.ErrEmpty, idnr.ErrLength, idnr.ErrNonDigit, idnr.ErrLeadingZero, idnr.ErrRepetition,
	idnr.ErrThreeInARow, idnr.ErrCheckDigit,
	idnr.ErrDateFormat, idnr.ErrDateYear, idnr.ErrDateMonth, idnr.ErrDateDay, idnr.ErrDateDayNoMonth,
	idnr.ErrSex,
}

// decodeStrict decodes one JSON value from data into v, refusing unknown
// members and trailing data.
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

func readAll(r io.Reader) ([]byte, error) {
	if b, ok := r.(*bytes.Buffer); ok {
		return b.Bytes(), nil
	}
	return io.ReadAll(r)
}

// DecodeResponse reads the answer to req strictly: the protocol, the
// request ID (wrapping [ida.ErrMessageMismatch] if it is another), the
// kind, a count equal to the number of queries sent, and every seq
// answered exactly once. Each item keeps its bytes as transmitted (Raw),
// the content of its § 9 record. It reads the answer in one pass with one
// decoder, member by member; a member that is unknown or repeated is an
// error, as is anything after the object.
func (JSONv1) DecodeResponse(r io.Reader, req *ida.Request) (*ida.Response, error) {
	kind, ok := wireKind(req.Kind)
	if !ok {
		return nil, errNotOffered
	}
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	n := 1
	if req.Kind == ida.KindBulk {
		n = len(req.Searches)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := delim(dec, '{', "answer"); err != nil {
		return nil, err
	}
	var a wireAnswer
	resp := &ida.Response{Items: make([]ida.Item, n)}
	seen := make([]bool, n)
	var members uint
	got := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonReason("answer", err, false)
		}
		key, _ := tok.(string)
		bit := -1
		for i, m := range answerMembers {
			if m == key {
				bit = i
			}
		}
		if bit < 0 {
			return nil, malformed("answer: unknown member")
		}
		if members&(1<<bit) != 0 {
			return nil, malformed("answer: repeated member")
		}
		members |= 1 << bit
		var derr error
		switch key {
		case "protocol":
			derr = dec.Decode(&a.Protocol)
		case "message_id":
			derr = dec.Decode(&a.MessageID)
		case "request_id":
			derr = dec.Decode(&a.RequestID)
		case "kind":
			derr = dec.Decode(&a.Kind)
		case "count":
			derr = dec.Decode(&a.Count)
		case "answers":
			if err := delim(dec, '[', "answers"); err != nil {
				return nil, err
			}
			for dec.More() {
				start := dec.InputOffset()
				var w wireAnswerItem
				if err := dec.Decode(&w); err != nil {
					return nil, jsonReason("answer item", err, false)
				}
				if w.Seq == nil {
					return nil, malformed("answer item: seq missing")
				}
				seq := *w.Seq
				if seq < 0 || seq >= n {
					return nil, malformed("answer item: seq out of range")
				}
				if seen[seq] {
					return nil, malformed("answer item: seq answered twice")
				}
				seen[seq] = true
				got++
				it := &resp.Items[seq]
				it.Seq = seq
				it.Raw = bytes.TrimLeft(data[start:dec.InputOffset()], " \t\r\n,")
				if err := decodeItem(&w, it); err != nil {
					return nil, err
				}
			}
			derr = delim(dec, ']', "answers")
		}
		if derr != nil {
			return nil, jsonReason("answer", derr, false)
		}
	}
	if err := delim(dec, '}', "answer"); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed("answer: trailing data after the message")
	}
	if a.Protocol != ProtocolV1 {
		return nil, malformed("protocol: not " + ProtocolV1)
	}
	if a.MessageID == uuid.Nil {
		return nil, malformed("message_id: missing")
	}
	if a.RequestID != req.MessageID {
		return nil, &wireError{reason: "request_id does not match the message sent", err: ida.ErrMessageMismatch}
	}
	if a.Kind != kind {
		return nil, malformed("kind: does not match the request")
	}
	if a.Count == nil || *a.Count != n || got != n {
		return nil, malformed("count: does not match the request")
	}
	resp.MessageID, resp.RequestID, resp.Kind = a.MessageID, a.RequestID, req.Kind
	return resp, nil
}

// delim reads the delimiter d or fails.
func delim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return malformed(what + ": truncated")
		}
		if _, ok := err.(*wireError); ok {
			return err
		}
		return jsonReason(what, err, false)
	}
	if tok != d {
		return malformed(what + ": not " + d.String())
	}
	return nil
}

// decodeItem validates one answer item and fills it.
func decodeItem(w *wireAnswerItem, it *ida.Item) error {
	f := idnr.Fields(w.Fields)
	switch w.Result {
	case resultFound:
		it.Outcome = ida.Hit
		if w.Person == nil {
			return malformed("found: person missing")
		}
		if f&idnr.FieldIDNr == 0 {
			return malformed("found: fields lack idnr")
		}
		p, present := personFromWire(w.Person)
		if present&^f != 0 {
			return malformed("found: person carries fields not listed (" + (present &^ f).String() + ")")
		}
		if p.IDNr.IsZero() {
			return malformed("found: person.idnr missing")
		}
		if w.Code != "" || w.Text != "" {
			return malformed("found: carries a reason code")
		}
		it.Person, it.Fields = p, f
	case resultNone:
		it.Outcome = ida.NotIdentifiable
		if w.Person != nil || w.Fields != 0 || w.Code != "" || w.Text != "" {
			return malformed("none: carries data")
		}
	case resultRejected:
		it.Outcome = ida.Rejected
		if w.Person != nil || w.Fields != 0 {
			return malformed("rejected: carries data")
		}
		if w.Code == "" {
			return malformed("rejected: code missing")
		}
		if len(w.Code) > ida.MaxText || len(w.Text) > maxText {
			return malformed("rejected: code or text too long")
		}
		it.Code, it.Text = w.Code, w.Text
	case "":
		return malformed("result: missing")
	default:
		return malformed("result: unknown")
	}
	return nil
}

// DecodeProblem reads a problem body strictly.
func (JSONv1) DecodeProblem(r io.Reader) (*ida.Problem, error) {
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
	return &ida.Problem{RequestID: p.RequestID, Code: p.Code, Text: p.Text}, nil
}

// ---- the server half ----

// DecodeRequest reads a request of kind k strictly. It checks the
// structure; the minimum fields of a search are the receiver's to check.
func (JSONv1) DecodeRequest(r io.Reader, k ida.Kind) (*ida.Request, error) {
	kind, ok := wireKind(k)
	if !ok {
		return nil, errNotOffered
	}
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	var w wireRequest
	if err := decodeStrict(data, &w, "request", true); err != nil {
		return nil, err
	}
	if w.Protocol != ProtocolV1 {
		return nil, malformed("protocol: not " + ProtocolV1)
	}
	if w.MessageID == uuid.Nil {
		return nil, malformed("message_id: missing")
	}
	if w.Kind != kind {
		return nil, malformed("kind: does not match the endpoint")
	}
	if w.Requester == nil || w.Requester.ID == "" {
		return nil, malformed("requester: missing")
	}
	if w.Sent.IsZero() || w.Purpose == "" || w.LegalBasis == "" {
		return nil, malformed("sent, purpose or legal_basis: missing")
	}
	f := idnr.Fields(w.Fields)
	req := &ida.Request{
		MessageID: w.MessageID, Kind: k, Sender: auditBody(w.Requester), Sent: w.Sent.UTC(),
		Purpose: w.Purpose, LegalBasis: w.LegalBasis, FileRef: w.FileRef, Fields: f | idnr.FieldIDNr,
	}
	if len(w.Queries) == 0 || (k != ida.KindBulk && len(w.Queries) != 1) || len(w.Queries) > ida.MaxBulk {
		return nil, malformed("queries: wrong number for the kind")
	}
	for i := range w.Queries {
		q := &w.Queries[i]
		if q.Seq == nil || *q.Seq != i {
			return nil, malformed("queries: seq missing or out of order")
		}
	}
	switch k {
	case ida.KindLookup:
		l, err := lookupFromWire(&w.Queries[0])
		if err != nil {
			return nil, err
		}
		req.Lookup = &l
	default:
		req.Searches = make([]ida.Search, len(w.Queries))
		for i := range w.Queries {
			s, err := searchFromWire(&w.Queries[i])
			if err != nil {
				return nil, err
			}
			if k != ida.KindBulk && s.Kind.Kind() != k {
				return nil, malformed("query.by: does not match the endpoint")
			}
			req.Searches[i] = s
		}
	}
	return req, nil
}

// EncodeResponse writes resp as one JSON object with one answer per query.
func (JSONv1) EncodeResponse(w io.Writer, resp *ida.Response) error {
	kind, ok := wireKind(resp.Kind)
	if !ok {
		return errNotOffered
	}
	n := len(resp.Items)
	a := wireAnswer{Protocol: ProtocolV1, MessageID: resp.MessageID, RequestID: resp.RequestID,
		Kind: kind, Count: &n, Answers: make([]wireAnswerItem, n)}
	for i := range resp.Items {
		it := &resp.Items[i]
		seq := it.Seq
		wi := wireAnswerItem{Seq: &seq}
		switch it.Outcome {
		case ida.Hit:
			f := it.Fields | idnr.FieldIDNr
			wi.Result, wi.Fields, wi.Person = resultFound, wireFields(f&idnr.AllFields), personToWire(&it.Person, f)
		case ida.NotIdentifiable:
			wi.Result = resultNone
		case ida.Rejected:
			wi.Result, wi.Code, wi.Text = resultRejected, it.Code, it.Text
		default:
			return errors.New("melde: cannot encode outcome " + it.Outcome.String())
		}
		a.Answers[i] = wi
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(&a)
}

// EncodeProblem writes a problem body.
func (JSONv1) EncodeProblem(w io.Writer, p *ida.Problem) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(&wireProblem{Protocol: ProtocolV1, RequestID: p.RequestID, Code: p.Code, Text: p.Text})
}
