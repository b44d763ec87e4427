package ida

import (
	"bytes"
	"context"
	"strconv"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// Lookup asks for the basic data of the person with q.IDNr (§ 6 Abs. 3 Nr.
// 3 IDNrG). The request carries an IDNr, so it is protocolled as sent before
// it leaves; a hit is protocolled as received before Lookup returns.
//
// A hit returns the Answer and nil. "Not identifiable" (also: birth date
// does not fit, or an information block) returns the Answer and an error
// wrapping [ErrNotIdentifiable]; a rejection a *[RejectedError]; a hit for
// another IDNr, with fields not asked for or with invalid values an
// *[AnswerError] (Outcome [Refused], nothing handed out or protocolled as
// received); other errors are typed as described in the package
// documentation.
func (c *Client) Lookup(ctx context.Context, auth Auth, q Lookup) (Answer, error) {
	if err := q.Validate(); err != nil {
		return Answer{}, err
	}
	req, err := c.prepare(ctx, auth, KindLookup, q.IDNr, idnr.FieldIDNr|idnr.FieldBirthDate)
	if err != nil {
		return Answer{}, err
	}
	req.Lookup = &q
	return c.single(ctx, auth, req, q.IDNr, idnr.FieldIDNr|idnr.FieldBirthDate)
}

// Search runs one search by basic data: by residence (§ 6 Abs. 3 Nr. 1
// IDNrG) or, with s.Kind == ByName, the fallback search (Nr. 2). Answers
// and errors are as for [Client.Lookup].
func (c *Client) Search(ctx context.Context, auth Auth, s Search) (Answer, error) {
	s.normalize()
	if err := s.validate(-1); err != nil {
		return Answer{}, err
	}
	req, err := c.prepare(ctx, auth, s.Kind.Kind(), idnr.IDNr{}, 0)
	if err != nil {
		return Answer{}, err
	}
	req.Searches = []Search{s}
	return c.single(ctx, auth, req, idnr.IDNr{}, 0)
}

// FallbackSearch runs the fallback search by family name, given names and
// birth date (§ 6 Abs. 3 Nr. 2 IDNrG); it is [Client.Search] with Kind ByName.
func (c *Client) FallbackSearch(ctx context.Context, auth Auth, s Search) (Answer, error) {
	s.Kind = ByName
	return c.Search(ctx, auth, s)
}

// Bulk sends many searches in one message, as the initial fill does, and
// returns one Answer per search, in the order of searches (Answer.Index is
// the position). Searches of both kinds may be mixed.
//
// A search that lacks a minimum field is not sent; its Answer has Outcome
// Invalid and a *[FieldError]. A hit that does not fit its search or
// carries invalid values has Outcome Refused and an *[AnswerError]; the
// other answers stand. Every accepted hit is protocolled (one record per
// person) before Bulk returns. The error is non-nil only when the message
// as a whole failed (policy, breaker, transport, rejection of the whole
// message, protocol failure); then no answer is returned. At most
// [MaxBulk] searches per call.
func (c *Client) Bulk(ctx context.Context, auth Auth, searches []Search) ([]Answer, error) {
	if len(searches) > MaxBulk {
		return nil, &FieldError{Index: -1, Field: "searches", Reason: "more than " + strconv.Itoa(MaxBulk) + " in one Bulk call"}
	}
	if len(searches) == 0 {
		return nil, nil
	}
	answers := make([]Answer, len(searches))
	valid := make([]Search, 0, len(searches))
	index := make([]int, 0, len(searches))
	for i := range searches {
		answers[i].Index = i
		s := searches[i]
		s.normalize()
		if err := s.validate(i); err != nil {
			answers[i].Outcome, answers[i].Err = Invalid, err
			continue
		}
		valid = append(valid, s)
		index = append(index, i)
	}
	req, err := c.prepare(ctx, auth, KindBulk, idnr.IDNr{}, 0)
	if err != nil {
		return nil, err
	}
	if len(valid) == 0 {
		return answers, nil
	}
	req.Searches = valid
	resp, x, err := c.do(ctx, auth, req, idnr.IDNr{}, 0)
	if err != nil {
		return nil, err
	}
	for j := range resp.Items {
		answers[index[j]] = c.answer(x, resp, j, index[j])
	}
	if err := c.finish(ctx, auth, x, resp); err != nil {
		return nil, err
	}
	return answers, nil
}

// ReportInaccuracy reports concrete signs that the BZSt's basic data of a
// person are wrong (§ 10 Abs. 4 IDNrG), with the evidence for every
// reported field (a report without proof for a field is refused with a
// *[FieldError] before anything is sent). The report carries an IDNr and is
// protocolled as sent: the § 9 record's content is the message as
// transmitted, evidence included.
func (c *Client) ReportInaccuracy(ctx context.Context, auth Auth, r InaccuracyReport) (Receipt, error) {
	if err := r.ValidateAt(c.clock()); err != nil {
		return Receipt{}, err
	}
	sent := (r.Fields | idnr.FieldIDNr) & idnr.AllFields
	req, err := c.prepare(ctx, auth, KindInaccuracy, r.IDNr, sent)
	if err != nil {
		return Receipt{}, err
	}
	req.Inaccuracy = &r
	return c.report(ctx, auth, req, r.IDNr, sent)
}

// ReportLastContact reports the month and year of the last administrative
// contact with the person (§ 4 Abs. 3 and 4 IDNrG). The report carries an
// IDNr and is protocolled as sent.
func (c *Client) ReportLastContact(ctx context.Context, auth Auth, l LastContact) (Receipt, error) {
	if err := l.Validate(); err != nil {
		return Receipt{}, err
	}
	sent := idnr.FieldIDNr | idnr.FieldLastContact
	req, err := c.prepare(ctx, auth, KindLastContact, l.IDNr, sent)
	if err != nil {
		return Receipt{}, err
	}
	req.LastContact = &l
	return c.report(ctx, auth, req, l.IDNr, sent)
}

func (c *Client) report(ctx context.Context, auth Auth, req *Request, id idnr.IDNr, sent idnr.Fields) (Receipt, error) {
	resp, x, err := c.do(ctx, auth, req, id, sent)
	if err != nil {
		return Receipt{}, err
	}
	if err := c.finish(ctx, auth, x, resp); err != nil {
		return Receipt{}, err
	}
	if len(resp.Items) == 1 && resp.Items[0].Outcome == Rejected {
		return Receipt{}, c.rejected(resp.Items[0].Code, 0, req.MessageID)
	}
	return Receipt{MessageID: resp.MessageID, RequestID: resp.RequestID, Received: resp.Received}, nil
}

// prepare checks the context, the client, auth and the policy, and builds
// the request envelope. A refusal by the policy is protocolled.
func (c *Client) prepare(ctx context.Context, auth Auth, k Kind, id idnr.IDNr, sent idnr.Fields) (*Request, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := auth.validate(); err != nil {
		return nil, err
	}
	req := &Request{
		MessageID: c.newID(), Kind: k, Sender: c.sender, Sent: c.clock().UTC(),
		Purpose: auth.Purpose, LegalBasis: auth.LegalBasis, FileRef: auth.FileRef,
		Fields: (auth.Fields | idnr.FieldIDNr) & idnr.AllFields,
	}
	if perr := c.policy.Check(auth, k); perr != nil {
		pe := perr.(*PolicyError)
		ev := audit.TransportEvent{
			Time: req.Sent, MessageID: req.MessageID, Kind: "policy-refused", Actor: auth.Actor,
			Detail: "kind=" + k.String() + " role=" + auth.Role + " reason=" + pe.Reason,
		}
		if pe.Denied != 0 {
			ev.Detail += " denied=" + pe.Denied.String()
		}
		if err := c.proto.AppendTransport(ctx, ev); err != nil {
			return nil, &ProtocolError{MessageID: req.MessageID, Err: err}
		}
		if !id.IsZero() {
			rec := c.record(auth, req, audit.Sent, id, sent, nil)
			rec.Result = audit.Rejected
			rec.Reason = truncate("policy: "+pe.Reason, MaxText)
			if err := c.proto.Append(ctx, rec); err != nil {
				return nil, &ProtocolError{MessageID: req.MessageID, Err: err}
			}
		}
		return nil, perr
	}
	return req, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func (c *Client) record(auth Auth, req *Request, dir audit.Direction, id idnr.IDNr, f idnr.Fields, content []byte) audit.Record {
	return audit.Record{
		MessageID: req.MessageID, Time: c.clock().UTC(), Direction: dir,
		Own: c.sender, Counterpart: c.other,
		Purpose: auth.Purpose, LegalBasis: auth.LegalBasis, FileRef: auth.FileRef, Actor: auth.Actor,
		IDNr: id, Categories: audit.CategoriesOf(f), Content: content, Result: audit.Delivered,
	}
}

// Note: Categories slices of received records may be shared between the
// records of one message; Protocol implementations must not modify them.

// do protocols a request that carries an IDNr, then sends it. On failure
// it writes the transport events and returns the error.
func (c *Client) do(ctx context.Context, auth Auth, req *Request, id idnr.IDNr, sent idnr.Fields) (*Response, *exchange, error) {
	x := &exchange{c: c, req: req, actor: auth.Actor}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			bufPool.Put(buf)
		}
	}()
	if err := c.codec.EncodeRequest(buf, req); err != nil {
		return nil, nil, err
	}
	body := buf.Bytes()
	if !id.IsZero() {
		// Write-ahead: the record, with the message as its content, exists
		// before the IDNr leaves, so a crash after sending cannot leave a
		// transfer without its record. A failed send thus still has its
		// record, which over-reports and never under-reports.
		var content []byte
		if len(body) <= audit.MaxContent {
			content = bytes.Clone(body)
		}
		if err := c.proto.Append(ctx, c.record(auth, req, audit.Sent, id, sent, content)); err != nil {
			return nil, nil, &ProtocolError{MessageID: req.MessageID, Err: err}
		}
	}
	resp, err := c.roundTrip(ctx, x, body)
	if err != nil {
		if perr := c.proto.AppendTransport(context.WithoutCancel(ctx), x.events...); perr != nil {
			c.log.Warn("ida: transport log write failed", "error", perr.Error())
		}
		return nil, nil, err
	}
	// Every answer is checked against its request here, the one path of
	// lookups, searches and bulk, before finish protocols anything and
	// before answer hands anything out.
	x.refused = vet(req, resp)
	for j, e := range x.refused {
		if ae, ok := e.(*AnswerError); ok {
			x.event("answer-refused", "seq="+strconv.Itoa(j)+" field="+ae.Field+" reason="+ae.Reason+
				" ("+ae.Err.Error()+")")
		}
	}
	return resp, x, nil
}

// single handles a lookup or one search.
func (c *Client) single(ctx context.Context, auth Auth, req *Request, id idnr.IDNr, sent idnr.Fields) (Answer, error) {
	resp, x, err := c.do(ctx, auth, req, id, sent)
	if err != nil {
		return Answer{}, err
	}
	if len(resp.Items) != 1 {
		return Answer{}, &DecodeError{MessageID: req.MessageID, Attempts: x.attempts, Reason: "not one answer", Err: ErrMalformed}
	}
	a := c.answer(x, resp, 0, 0)
	if err := c.finish(ctx, auth, x, resp); err != nil {
		return Answer{}, err
	}
	return a, a.Err
}

// answer builds the Answer to item j of resp, the search at index of the
// caller's request. A refused item hands out nothing but the error.
func (c *Client) answer(x *exchange, resp *Response, j, index int) Answer {
	it := &resp.Items[j]
	a := Answer{Index: index, Outcome: it.Outcome, MessageID: resp.MessageID, RequestID: resp.RequestID}
	if err := x.refusedAt(j); err != nil {
		ae := *err
		ae.Index = index
		a.Outcome, a.Err = Refused, &ae
		return a
	}
	switch it.Outcome {
	case Hit:
		a.Person, a.Fields = it.Person, it.Fields
	case NotIdentifiable:
		a.Err = ErrNotIdentifiable
	case Rejected:
		a.Err = c.rejected(it.Code, 0, resp.RequestID)
	}
	return a
}

// finish writes one protocol record per person delivered, then the
// transport events, before any answer reaches the caller.
func (c *Client) finish(ctx context.Context, auth Auth, x *exchange, resp *Response) error {
	var recs []audit.Record
	hits, none, rejected, refused := 0, 0, 0, 0
	var lastFields idnr.Fields
	var lastCats []audit.Category
	now := c.clock().UTC()
	for i := range resp.Items {
		it := &resp.Items[i]
		if x.refusedAt(i) != nil {
			refused++
			continue
		}
		switch it.Outcome {
		case Hit:
			hits++
			if recs == nil {
				recs = make([]audit.Record, 0, len(resp.Items))
			}
			r := c.record(auth, x.req, audit.Received, it.Person.IDNr, 0, it.Raw)
			r.Time = now
			// Answers of one message usually deliver the same fields: share
			// the (read-only) category slice.
			if lastCats == nil || it.Fields != lastFields {
				lastFields, lastCats = it.Fields, audit.CategoriesOf(it.Fields)
			}
			r.Categories = lastCats
			r.MessageID, r.RequestID = resp.MessageID, resp.RequestID
			recs = append(recs, r)
		case NotIdentifiable:
			none++
		case Rejected:
			rejected++
		}
	}
	pctx := context.WithoutCancel(ctx)
	if len(recs) > 0 {
		if err := c.proto.Append(pctx, recs...); err != nil {
			x.event("error", "protocol write failed")
			_ = c.proto.AppendTransport(pctx, x.events...)
			return &ProtocolError{MessageID: x.req.MessageID, Err: err}
		}
	}
	x.event("answered", "kind="+x.req.Kind.String()+" hits="+strconv.Itoa(hits)+
		" not_identifiable="+strconv.Itoa(none)+" rejected="+strconv.Itoa(rejected)+" refused="+strconv.Itoa(refused)+
		" attempts="+strconv.Itoa(x.attempts))
	if err := c.proto.AppendTransport(pctx, x.events...); err != nil {
		return &ProtocolError{MessageID: x.req.MessageID, Err: err}
	}
	return nil
}
