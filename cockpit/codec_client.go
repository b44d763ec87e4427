package cockpit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

// EncodeRequest writes req as a request object; for the cockpit's side,
// tests and the example.
func (JSONCodec) EncodeRequest(w io.Writer, req *Request) error {
	wr := wireRequest{Version: Version, MessageID: req.MessageID.String(), SessionID: req.SessionID.String(),
		Kind: kindNames[req.Kind], IDNr: req.IDNr.String(), Cursor: req.Cursor, EntryID: req.EntryID}
	if req.Limit != 0 {
		wr.Limit = &req.Limit
	}
	if !req.BirthDate.IsZero() {
		wr.BirthDate = req.BirthDate.String()
	}
	if req.ContentKey != nil {
		wr.ContentKey = base64.StdEncoding.EncodeToString(req.ContentKey)
	}
	return encodeJSON(w, &wr)
}

// DecodeEnvelope reads an answer's envelope. A plaintext body is returned
// in Envelope.Plain as its JSON.
func (JSONCodec) DecodeEnvelope(r io.Reader) (Envelope, error) {
	var we struct {
		wireEnvelope
		Body json.RawMessage `json:"body,omitempty"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&we); err != nil {
		return Envelope{}, fmt.Errorf("cockpit: reading the answer: %w", err)
	}
	if we.Version != Version {
		return Envelope{}, errors.New("cockpit: answer has an unsupported version")
	}
	env := Envelope{}
	var err error
	if env.MessageID, err = uuid.Parse(we.MessageID); err != nil {
		return Envelope{}, errors.New("cockpit: answer message_id is not a UUID")
	}
	if we.InReplyTo != "" {
		if env.InReplyTo, err = uuid.Parse(we.InReplyTo); err != nil {
			return Envelope{}, errors.New("cockpit: answer in_reply_to is not a UUID")
		}
	}
	switch {
	case we.Encrypted != nil && we.Body == nil:
		env.Algorithm, env.Sealed = we.Encrypted.Algorithm, we.Encrypted.CipherValue
	case we.Encrypted == nil && we.Body != nil:
		env.Plain = we.Body
	default:
		return Envelope{}, errors.New("cockpit: answer needs exactly one of encrypted and body")
	}
	return env, nil
}

// UnmarshalAnswer reads a body written by [JSONCodec.MarshalAnswer].
func (JSONCodec) UnmarshalAnswer(body []byte) (Answer, error) {
	var b wireBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Answer{}, fmt.Errorf("cockpit: reading the answer body: %w", err)
	}
	var a Answer
	n := 0
	if wl := b.List; wl != nil {
		n++
		l := &ListAnswer{From: wl.Window.From, To: wl.Window.To, Next: wl.Next, Entries: make([]Entry, len(wl.Entries))}
		for i := range wl.Entries {
			e, err := fromWireEntry(&wl.Entries[i])
			if err != nil {
				return Answer{}, fmt.Errorf("cockpit: answer entry %d: %w", i, err)
			}
			l.Entries[i] = e
		}
		for i := range wl.Current {
			l.Current = append(l.Current, fromWireCurrent(&wl.Current[i]))
		}
		a.List = l
	}
	if wc := b.Content; wc != nil {
		n++
		c := &ContentAnswer{EntryID: wc.EntryID, ContentRef: wc.ContentRef, Content: wc.ContentBase64}
		if wc.ContentText != nil {
			c.Content = []byte(*wc.ContentText)
		}
		if wc.Entry != nil {
			e, err := fromWireEntry(wc.Entry)
			if err != nil {
				return Answer{}, fmt.Errorf("cockpit: answer entry: %w", err)
			}
			c.Entry = &e
		}
		if wc.Current != nil {
			cur := fromWireCurrent(wc.Current)
			c.Current = &cur
		}
		a.Content = c
	}
	if ws := b.Status; ws != nil {
		n++
		a.Status = &StatusAnswer{Code: StatusCode(ws.Code), Message: ws.Message}
	}
	if n != 1 {
		return Answer{}, errors.New("cockpit: answer body needs exactly one of list, content and status")
	}
	return a, nil
}

func reverse[K comparable](m map[K]string) map[string]K {
	r := make(map[string]K, len(m))
	for k, v := range m {
		r[v] = k
	}
	return r
}

var (
	directionByCode = reverse(directionCodes)
	resultByCode    = reverse(resultCodes)
)

func fromWireCodes(ws []wireCode) []CategoryText {
	var out []CategoryText
	for _, c := range ws {
		out = append(out, CategoryText{Category: audit.Category(c.Code), Text: c.Text})
	}
	return out
}

func fromWireEntry(we *wireEntry) (Entry, error) {
	mid, err := uuid.Parse(we.MessageID)
	if err != nil {
		return Entry{}, err
	}
	return Entry{
		ID: we.ID, MessageID: mid, Time: we.Time,
		Direction: directionByCode[we.Direction.Code], DirectionText: we.Direction.Text,
		Own: Party(we.Own), Counterpart: Party(we.Counterpart),
		Purpose: we.Purpose.Code, PurposeText: we.Purpose.Text,
		LegalBasis: we.LegalBasis.Code, LegalBasisText: we.LegalBasis.Text,
		Categories: fromWireCodes(we.Categories), HasContent: we.HasContent,
		Result: resultByCode[we.Result.Code], ResultText: we.Result.Text,
		Reason: we.Reason,
	}, nil
}

func fromWireCurrent(wc *wireCurrent) CurrentEntry {
	c := CurrentEntry{ID: wc.ID, Title: wc.Title, Categories: fromWireCodes(wc.Categories)}
	if wc.AsOf != nil {
		c.AsOf = *wc.AsOf
	}
	return c
}
