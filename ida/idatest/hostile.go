package idatest

import (
	"bytes"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// hostile rewrites a processed answer body for one of the hostile faults
// (FaultOtherPerson ... FaultUnknownField). body is the cached true answer;
// it is not modified.
func (s *Server) hostile(f Fault, id uuid.UUID, e *entry, body []byte) []byte {
	kind := e.kind
	switch f {
	case FaultUnknownField:
		i := bytes.IndexByte(body, '{')
		if i < 0 {
			return body
		}
		member := []byte(`"` + s.personalText() + `":1,`)
		out := make([]byte, 0, len(body)+len(member))
		out = append(out, body[:i+1]...)
		out = append(out, member...)
		return append(out, body[i+1:]...)
	case FaultBadUTF8:
		body = s.alterItems(id, kind, e.searches, body, func(it *ida.Item) {
			if it.Outcome == ida.Hit && it.Fields&idnr.FieldFamilyName != 0 {
				it.Person.FamilyName = "\uE000" + it.Person.FamilyName // marker, replaced below
			}
		})
		// The JSON encoder would write U+FFFD for invalid bytes, so the
		// bytes go in after encoding.
		return bytes.ReplaceAll(body, []byte("\uE000"), []byte{0xff, 0xfe})
	}
	return s.alterItems(id, kind, e.searches, body, func(it *ida.Item) { s.alterItem(f, it) })
}

func (s *Server) alterItem(f Fault, it *ida.Item) {
	if f == FaultPersonalCode {
		p := s.someone(it)
		*it = ida.Item{Seq: it.Seq, Outcome: ida.Rejected, Code: "person-" + p.IDNr.String(),
			Text: p.GivenNames + " " + p.FamilyName + ", " + p.BirthDate.String() + ": " + p.IDNr.String()}
		return
	}
	if it.Outcome != ida.Hit {
		return
	}
	p := &it.Person
	switch f {
	case FaultOtherPerson:
		i, ok := s.byIDNr[p.IDNr]
		if !ok {
			return
		}
		for k := 1; k < len(s.people); k++ {
			o := &s.people[(int(i)+k)%len(s.people)]
			if o.IDNr != p.IDNr && searchForm(o.FamilyName) != searchForm(p.FamilyName) && o.BirthDate != p.BirthDate &&
				!o.HasInformationBlock() {
				*p = *o
				return
			}
		}
	case FaultUnrequested:
		it.Fields |= idnr.FieldNationalities | idnr.FieldAddress
		if len(p.Nationalities) == 0 {
			p.Nationalities = []string{"DEU"}
		}
		if p.Address.IsZero() {
			p.Address = idnr.Address{Street: "Hauptstraße", HouseNumber: "1", PostalCode: "10115", City: "Berlin"}
		}
	case FaultBadChars:
		if it.Fields&idnr.FieldFamilyName != 0 && p.FamilyName != "" {
			p.FamilyName = p.FamilyName[:1] + "\u202E" + p.FamilyName[1:]
		}
		if it.Fields&idnr.FieldGivenNames != 0 && p.GivenNames != "" {
			p.GivenNames += "\x1b[2J"
		}
		if it.Fields&idnr.FieldAddress != 0 && p.Address.Street != "" {
			p.Address.Street += "\x00"
		}
	}
}

// someone returns the person of a hit, or the first of the population.
func (s *Server) someone(it *ida.Item) idnr.Person {
	if it.Outcome == ida.Hit {
		if i, ok := s.byIDNr[it.Person.IDNr]; ok {
			return s.people[i]
		}
	}
	if len(s.people) > 0 {
		return s.people[0]
	}
	return idnr.Person{FamilyName: "Mustermann", GivenNames: "Erika", BirthDate: idnr.MustDate(1964, 8, 12)}
}

// personalText is a rejection text holding a person's name, birth date and
// IDNr, as a careless server might send.
func (s *Server) personalText() string {
	p := s.someone(&ida.Item{})
	return "Antrag zu " + p.GivenNames + " " + p.FamilyName + " geb. " + p.BirthDate.String() + " IDNr " + p.IDNr.String() + " abgelehnt"
}

// alterItems decodes the answer body, applies alter to every item and
// encodes it again.
func (s *Server) alterItems(id uuid.UUID, kind ida.Kind, searches int, body []byte, alter func(*ida.Item)) []byte {
	req := &ida.Request{MessageID: id, Kind: kind, Searches: make([]ida.Search, searches)}
	resp, err := s.codec.DecodeResponse(bytes.NewReader(body), req)
	if err != nil || len(resp.Items) == 0 {
		return body
	}
	for i := range resp.Items {
		alter(&resp.Items[i])
	}
	var out bytes.Buffer
	if err := s.server.EncodeResponse(&out, resp); err != nil {
		return body
	}
	return out.Bytes()
}
