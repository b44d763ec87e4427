package idatest

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// process decodes and answers one message. It runs once per message ID.
func (s *Server) process(id uuid.UUID, kind ida.Kind, sender string, body []byte) (int, []byte, int) {
	var out bytes.Buffer
	problem := func(status int, code, text string) (int, []byte, int) {
		out.Reset()
		_ = s.server.EncodeProblem(&out, &ida.Problem{RequestID: id, Code: code, Text: text})
		return status, out.Bytes(), 0
	}
	req, err := s.server.DecodeRequest(bytes.NewBuffer(body), kind)
	if err != nil {
		return problem(http.StatusBadRequest, "schema-violation", strings.TrimPrefix(err.Error(), "ida: "))
	}
	if req.MessageID != id {
		return problem(http.StatusBadRequest, "message-id-mismatch", "header and body message IDs differ")
	}
	if req.Sender.ID != sender {
		return problem(http.StatusBadRequest, "sender-mismatch", "header and body sender differ")
	}
	fields := req.Fields | idnr.FieldIDNr
	if ent, ok := s.cfg.entitled[sender]; ok {
		fields &= ent | idnr.FieldIDNr
	}
	resp := &ida.Response{MessageID: uuid.New(), RequestID: id, Kind: kind}
	switch kind {
	case ida.KindLookup:
		resp.Items = []ida.Item{s.lookup(req.Lookup, fields)}
	case ida.KindSearch, ida.KindFallback:
		resp.Items = []ida.Item{s.search(sender, &req.Searches[0], fields, false)}
	case ida.KindBulk:
		resp.Items = make([]ida.Item, len(req.Searches))
		for i := range req.Searches {
			resp.Items[i] = s.search(sender, &req.Searches[i], fields, true)
			resp.Items[i].Seq = i
		}
	case ida.KindClarifications:
		resp.Clarifications, resp.Next = s.fetchClarifications(sender, req.Since)
	case ida.KindClarificationReply:
		if it, ok := s.reply(sender, req); !ok {
			resp.Items = []ida.Item{it}
		} else {
			resp.Received = s.cfg.clock().UTC()
		}
	case ida.KindInaccuracy, ida.KindLastContact:
		var verr error
		if kind == ida.KindInaccuracy {
			verr = req.Inaccuracy.ValidateAt(s.cfg.clock())
		} else {
			verr = req.LastContact.Validate()
		}
		if verr != nil {
			resp.Items = []ida.Item{rejectField(verr)}
		} else {
			resp.Received = s.cfg.clock().UTC()
			s.mu.Lock()
			s.reports = append(s.reports, *req)
			s.mu.Unlock()
		}
	}
	out.Reset()
	out.Grow(256 + 700*len(resp.Items))
	if err := s.server.EncodeResponse(&out, resp); err != nil {
		return problem(http.StatusInternalServerError, "internal", "could not encode the answer")
	}
	return http.StatusOK, out.Bytes(), len(req.Searches)
}

func rejectField(err error) ida.Item {
	var fe *ida.FieldError
	code := "invalid-field"
	text := "invalid request"
	if errors.As(err, &fe) {
		switch {
		case fe.Reason == "required":
			code = "missing-field"
		case strings.HasPrefix(fe.Reason, "no evidence for "):
			code = "missing-evidence"
		}
		text = fe.Field + ": " + fe.Reason
	}
	return ida.Item{Outcome: ida.Rejected, Code: code, Text: text}
}

func (s *Server) lookup(q *ida.Lookup, fields idnr.Fields) ida.Item {
	if err := q.Validate(); err != nil {
		return rejectField(err)
	}
	i, ok := s.byIDNr[q.IDNr]
	if !ok {
		return ida.Item{Outcome: ida.NotIdentifiable}
	}
	p := &s.people[i]
	if p.BirthDate != q.BirthDate || p.HasInformationBlock() {
		return ida.Item{Outcome: ida.NotIdentifiable}
	}
	return ida.Item{Outcome: ida.Hit, Person: *p, Fields: fields}
}

// search finds the unique person for q. A person with an information block
// is delivered once to each sender, in its initial fill (bulk); after that,
// and in single searches, the answer is "not identifiable", exactly as if
// no person had been found.
func (s *Server) search(sender string, q *ida.Search, fields idnr.Fields, bulk bool) ida.Item {
	if err := q.Validate(); err != nil {
		return rejectField(err)
	}
	key := searchForm(q.FamilyName) + "|" + q.BirthDate.String()
	cands := s.byName[key]
	var given []string
	if q.GivenNames != "" {
		given = nameParts(q.GivenNames)
	}
	found := int32(-1)
	for _, c := range cands {
		p := &s.people[c]
		if !s.fits(p, q, given) {
			continue
		}
		if found >= 0 && found != c {
			return ida.Item{Outcome: ida.NotIdentifiable} // several: no hit lists at the IDA
		}
		found = c
	}
	if found < 0 {
		return ida.Item{Outcome: ida.NotIdentifiable}
	}
	p := &s.people[found]
	if p.HasInformationBlock() {
		if !bulk {
			return ida.Item{Outcome: ida.NotIdentifiable}
		}
		k := sender + "|" + p.IDNr.String()
		s.mu.Lock()
		first := !s.delivered[k]
		s.delivered[k] = true
		s.mu.Unlock()
		if !first {
			return ida.Item{Outcome: ida.NotIdentifiable}
		}
	}
	return ida.Item{Outcome: ida.Hit, Person: *p, Fields: fields}
}

func (s *Server) fits(p *idnr.Person, q *ida.Search, given []string) bool {
	a := &p.Address
	if q.PostalCode != "" && a.PostalCode != q.PostalCode {
		return false
	}
	if q.City != "" && searchForm(a.City) != searchForm(q.City) {
		return false
	}
	if len(given) > 0 {
		have := nameParts(p.GivenNames)
		for _, g := range given {
			ok := false
			for _, h := range have {
				if g == h {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
	}
	if q.Street != "" && searchForm(a.Street) != searchForm(q.Street) {
		return false
	}
	if q.HouseNumber != "" && !strings.EqualFold(strings.TrimSpace(a.HouseNumber), strings.TrimSpace(q.HouseNumber)) {
		return false
	}
	if q.Sex != idnr.SexUnknown && p.Sex != idnr.SexUnknown && q.Sex != p.Sex {
		return false
	}
	if q.BirthPlace != "" && p.BirthPlace.City != "" && searchForm(q.BirthPlace) != searchForm(p.BirthPlace.City) {
		return false
	}
	return true
}
