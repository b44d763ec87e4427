package ida

// The server half of [JSONv1] ([ServerCodec]): requests in, answers and
// problems out; what a mock (ida/idatest) or a gateway uses.

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// EncodeProblem writes p as a JSON object.
func (JSONv1) EncodeProblem(w io.Writer, p *Problem) error {
	return json.NewEncoder(w).Encode(&wireProblem{Protocol: ProtocolV1, RequestID: p.RequestID, Code: p.Code, Text: p.Text})
}

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
	for _, p := range []bool{h.Lookup != nil, h.Search != nil, h.Inaccuracy != nil, h.LastContact != nil,
		h.Clarifications != nil, h.ClarificationReply != nil} {
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
		ev, err := evidenceFromWire(h.Inaccuracy.Evidence)
		if err != nil {
			return nil, err
		}
		x := &InaccuracyReport{IDNr: idnr.IDNr(h.Inaccuracy.IDNr), Fields: rf, Reason: h.Inaccuracy.Reason, Evidence: ev}
		if h.Inaccuracy.Held != nil {
			p, present := personFromWire(h.Inaccuracy.Held)
			if present&^rf != 0 {
				return nil, malformed("inaccuracy.held: carries fields not reported")
			}
			x.Held = p
		}
		req.Inaccuracy = x
	case KindClarifications:
		if h.Clarifications == nil || payloads != 1 {
			return nil, malformed("clarifications: payload missing or more than one")
		}
		req.Since = h.Clarifications.Since
	case KindClarificationReply:
		w := h.ClarificationReply
		if w == nil || payloads != 1 {
			return nil, malformed("clarification_reply: payload missing or more than one")
		}
		ev, err := evidenceFromWire(w.Evidence)
		if err != nil {
			return nil, err
		}
		rf := idnr.Fields(w.Fields)
		x := &ClarificationReply{Reference: w.Reference, IDNr: idnr.IDNr(w.IDNr), Answer: w.Answer, Fields: rf, Evidence: ev, Reason: w.Reason}
		if w.Held != nil {
			p, present := personFromWire(w.Held)
			if present&^rf != 0 {
				return nil, malformed("clarification_reply.held: carries fields not answered")
			}
			x.Held = p
		}
		req.Reply = x
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
		l.Result = resultHit
		f := it.Fields | idnr.FieldIDNr
		l.Fields = wireFields(f)
		l.Person = personToWire(&it.Person, f)
	case NotIdentifiable:
		l.Result = resultNotIdentifiable
	case Rejected:
		l.Result, l.Code, l.Text = resultRejected, it.Code, it.Text
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
	case KindClarifications:
		h.Result, h.Next = resultClarifications, resp.Next
		if n := len(resp.Clarifications); n > 0 {
			h.Requests = make([]json.RawMessage, n)
			for i, it := range resp.Clarifications {
				if it.Raw != nil {
					h.Requests[i] = it.Raw
					continue
				}
				q := &it.Request
				b, err := json.Marshal(&wireClarification{Reference: q.Reference, IDNr: wireIDNr(q.IDNr), Fields: wireFields(q.Fields),
					Reason: q.Reason, Issued: q.Issued.UTC()})
				if err != nil {
					return err
				}
				h.Requests[i] = b
			}
		}
	case KindInaccuracy, KindLastContact, KindClarificationReply:
		if len(resp.Items) == 1 && resp.Items[0].Outcome == Rejected {
			h.Result, h.Code, h.Text = resultRejected, resp.Items[0].Code, resp.Items[0].Text
		} else {
			t := resp.Received.UTC()
			h.Result, h.Received = resultReceived, &t
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
