package idatest

import (
	"strconv"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// clarifyQueue holds the clarification requests the mock issues (§ 10 Abs.
// 5 IDNrG) and the replies it received. Guarded by Server.mu.
type clarifyQueue struct {
	items   []clarifyItem
	issued  map[string]idnr.IDNr // reference -> IDNr of the requests issued by AddClarification
	replies []ida.Request
}

type clarifyItem struct {
	sender string // "" for every sender
	item   ida.ClarificationItem
}

// AddClarification queues a clarification request of the BVA for the
// sender with the given ID ("" for every sender); the next fetch delivers
// it. The mock accepts a reply only to a reference it issued, for the same
// IDNr.
func (s *Server) AddClarification(sender string, q ida.ClarificationRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clarify.issued == nil {
		s.clarify.issued = map[string]idnr.IDNr{}
	}
	s.clarify.issued[q.Reference] = q.IDNr
	s.clarify.items = append(s.clarify.items, clarifyItem{sender: sender, item: ida.ClarificationItem{Request: q}})
}

// AddRawClarification queues one request as raw JSON, exactly as given (a
// hostile or malformed request, for tests of the client's checks).
func (s *Server) AddRawClarification(sender string, raw []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clarify.items = append(s.clarify.items, clarifyItem{sender: sender, item: ida.ClarificationItem{Raw: append([]byte(nil), raw...)}})
}

// ClarificationReplies returns the replies received, in order.
func (s *Server) ClarificationReplies() []ida.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ida.Request(nil), s.clarify.replies...)
}

// fetchClarifications returns the sender's requests after the cursor (the
// position in the queue, as decimal text), at most a page, and the new
// cursor.
func (s *Server) fetchClarifications(sender, since string) ([]ida.ClarificationItem, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := 0
	if since != "" {
		n, err := strconv.Atoi(since)
		if err != nil || n < 0 {
			return nil, since
		}
		from = n
	}
	var out []ida.ClarificationItem
	next := since
	for i := from; i < len(s.clarify.items) && len(out) < ida.MaxClarificationPage; i++ {
		it := s.clarify.items[i]
		next = strconv.Itoa(i + 1)
		if it.sender == "" || it.sender == sender {
			out = append(out, it.item)
		}
	}
	return out, next
}

// reply checks and stores a reply; a reply it refuses gets a rejection.
func (s *Server) reply(sender string, req *ida.Request) (ida.Item, bool) {
	r := req.Reply
	if err := r.ValidateAt(s.cfg.clock()); err != nil {
		return rejectField(err), false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.clarify.issued[r.Reference]; !ok || id != r.IDNr {
		return ida.Item{Outcome: ida.Rejected, Code: "unknown-reference", Text: "no clarification request with this reference for this person"}, false
	}
	s.clarify.replies = append(s.clarify.replies, *req)
	return ida.Item{}, true
}
