package ida

// The client half of [JSONv1]: requests out, answers and problems in.

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

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
		wi := &wireInaccuracy{IDNr: wireIDNr(x.IDNr), Fields: wireFields(x.Fields), Reason: x.Reason,
			Evidence: evidenceToWire(x.Evidence)}
		if held := x.Fields &^ idnr.FieldIDNr; held != 0 {
			wp := personToWire(&x.Held, held)
			if _, present := personFromWire(wp); present != 0 {
				wi.Held = wp
			}
		}
		h.Inaccuracy = wi
	case KindClarifications:
		h.Clarifications = &wireFetch{Since: r.Since}
	case KindClarificationReply:
		x := r.Reply
		if x == nil {
			return errors.New("ida: clarification reply without reply")
		}
		wr := &wireReply{Reference: x.Reference, IDNr: wireIDNr(x.IDNr), Answer: x.Answer, Fields: wireFields(x.Fields),
			Evidence: evidenceToWire(x.Evidence), Reason: x.Reason}
		if held := x.Fields &^ idnr.FieldIDNr; held != 0 {
			wp := personToWire(&x.Held, held)
			if _, present := personFromWire(wp); present != 0 {
				wr.Held = wp
			}
		}
		h.ClarificationReply = wr
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
	if req.Kind != KindClarifications && (a.Requests != nil || a.Next != "") {
		return malformed("requests: only in the answer to a fetch of clarification requests")
	}
	return nil
}

// item validates one answer item (single answer or bulk line) and fills it.
func decodeItem(result string, fields wireFields, person *wirePerson, code, text string, it *Item) error {
	switch result {
	case resultHit:
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
	case resultNotIdentifiable:
		it.Outcome = NotIdentifiable
		if person != nil || fields != 0 || code != "" || text != "" {
			return malformed("not_identifiable: carries data")
		}
	case resultRejected:
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
	case KindClarifications:
		return decodeClarifications(&a, resp)
	case KindInaccuracy, KindLastContact, KindClarificationReply:
		if a.Result != resultReceived {
			if a.Result == resultRejected {
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

// decodeClarifications reads the answer to a fetch: the envelope strictly
// (a malformed envelope fails the whole answer), each request on its own
// (a request that does not decode is that item's Err, the others stand).
func decodeClarifications(a *wireAnswer, resp *Response) (*Response, error) {
	if a.Result != resultClarifications {
		return nil, malformed("result: not clarifications")
	}
	if a.Received != nil || a.Person != nil || a.Fields != 0 || a.Code != "" || a.Text != "" {
		return nil, malformed("clarifications: carries other data")
	}
	if len(a.Requests) > MaxClarificationPage {
		return nil, malformed("requests: more than the limit")
	}
	if a.Next != "" && referenceProblem(a.Next) != "" {
		return nil, malformed("next: not a cursor")
	}
	resp.Next = a.Next
	resp.Clarifications = make([]ClarificationItem, len(a.Requests))
	for i, raw := range a.Requests {
		it := &resp.Clarifications[i]
		it.Raw = raw
		var w wireClarification
		if err := decodeStrict(raw, &w, "request", false); err != nil {
			it.Err = err
			continue
		}
		it.Request = ClarificationRequest{Reference: w.Reference, IDNr: idnr.IDNr(w.IDNr), Fields: idnr.Fields(w.Fields),
			Reason: w.Reason, Issued: w.Issued.UTC()}
	}
	return resp, nil
}
