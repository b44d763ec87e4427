package cockpit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// JSONCodec is the JSON wire format "regmo-dsc/2", described in the package
// documentation ("Wire format"); both halves ([Codec] and [ClientCodec]).
// Decoding a request is strict: one object, known fields only, no field
// twice, no trailing data. The zero value is ready to use.
type JSONCodec struct{}

var (
	_ Codec       = JSONCodec{}
	_ ClientCodec = JSONCodec{}
)

// ContentType returns "application/json".
func (JSONCodec) ContentType() string { return "application/json" }

// maxRequestJSON bounds what DecodeRequest reads when the caller did not.
const maxRequestJSON = 64 << 10

// DecodeRequest reads a request object (see the package documentation).
// version, message_id, session_id, kind and idnr are required; cursor and
// limit belong to kind "list", entry_id to kind "content".
func (JSONCodec) DecodeRequest(r io.Reader) (Request, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRequestJSON+1))
	if err != nil {
		return Request{}, fmt.Errorf("cockpit: reading the request: %w", err)
	}
	if len(data) > maxRequestJSON {
		return Request{}, &RequestError{Reason: "request too large"}
	}
	if err := checkStrictObject(data); err != nil {
		return Request{}, err
	}
	var wr wireRequest
	if err := json.Unmarshal(data, &wr); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return Request{}, &RequestError{Field: ute.Field, Reason: "wrong JSON type (want " + ute.Type.Kind().String() + ")"}
		}
		return Request{}, &RequestError{Reason: "not well-formed JSON"}
	}
	return wr.request()
}

// checkStrictObject checks that data is exactly one JSON object whose keys
// are wireRequest's, each at most once. It names a repeated field, never an
// unknown one (a key may be anything, personal data included).
func checkStrictObject(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	malformed := func(field, reason string) error { return &RequestError{Field: field, Reason: reason} }
	tok, err := dec.Token()
	if err == io.EOF {
		return malformed("", "empty body")
	}
	if err != nil {
		return malformed("", "not well-formed JSON")
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return malformed("", "not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return malformed("", "not well-formed JSON")
		}
		key, _ := tok.(string)
		if !requestFields[key] {
			return malformed("", "unknown field")
		}
		if seen[key] {
			return malformed(key, "given twice")
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return malformed(key, "not well-formed JSON")
		}
	}
	if _, err := dec.Token(); err != nil {
		return malformed("", "not well-formed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("", "data after the request object")
	}
	return nil
}

func (wr *wireRequest) request() (Request, error) {
	malformed := func(field, reason string, err error) (Request, error) {
		return Request{}, &RequestError{Field: field, Reason: reason, Err: err}
	}
	var req Request
	if wr.Version != Version {
		if wr.Version == "" {
			return malformed("version", "missing", nil)
		}
		return malformed("version", "unsupported version (want "+Version+")", nil)
	}
	for _, f := range []struct {
		name string
		val  string
		dst  *uuid.UUID
	}{{"message_id", wr.MessageID, &req.MessageID}, {"session_id", wr.SessionID, &req.SessionID}} {
		if f.val == "" {
			return malformed(f.name, "missing", nil)
		}
		u, err := uuid.Parse(f.val)
		if err != nil || len(f.val) != 36 || u == uuid.Nil {
			return malformed(f.name, "not a UUID", nil)
		}
		*f.dst = u
	}
	switch wr.Kind {
	case "list":
		req.Kind = KindList
		if wr.EntryID != "" {
			return malformed("entry_id", "not allowed with kind list", nil)
		}
	case "content":
		req.Kind = KindContent
		if wr.EntryID == "" {
			return malformed("entry_id", "missing", nil)
		}
		if wr.Cursor != "" || wr.Limit != nil {
			return malformed("cursor", "not allowed with kind content", nil)
		}
	case "":
		return malformed("kind", "missing", nil)
	default:
		return malformed("kind", "not list or content", nil)
	}
	if wr.IDNr == "" {
		return malformed("idnr", "missing", nil)
	}
	id, err := idnr.ParseStrict(wr.IDNr)
	if err != nil {
		return malformed("idnr", "not a valid IDNr ("+err.Error()+")", err)
	}
	req.IDNr = id
	if wr.BirthDate != "" {
		if len(wr.BirthDate) != 10 {
			return malformed("birth_date", "not YYYY-MM-DD", idnr.ErrDateFormat)
		}
		d, err := idnr.ParseDate(wr.BirthDate)
		if err != nil {
			return malformed("birth_date", "not a valid date ("+err.Error()+")", err)
		}
		req.BirthDate = d
	}
	if wr.ContentKey != "" {
		k, err := base64.StdEncoding.DecodeString(wr.ContentKey)
		if err != nil || len(k) != ContentKeySize {
			return malformed("content_key", "not the standard base64 of 32 bytes", nil)
		}
		req.ContentKey = k
	}
	if err := checkCursor(wr.Cursor); err != nil {
		return Request{}, err
	}
	req.Cursor = wr.Cursor
	if wr.Limit != nil {
		if *wr.Limit < 1 || *wr.Limit > MaxPageSizeLimit {
			return malformed("limit", "not an integer 1..1000", nil)
		}
		req.Limit = *wr.Limit
	}
	if len(wr.EntryID) > maxEntryIDLen {
		return malformed("entry_id", "too long", nil)
	}
	req.EntryID = wr.EntryID
	return req, nil
}

var directionCodes = map[audit.Direction]string{
	audit.DirectionUnknown: "unknown", audit.Sent: "sent", audit.Received: "received",
}

var resultCodes = map[audit.Result]string{
	audit.ResultUnknown: "unknown", audit.Delivered: "delivered",
	audit.NotIdentifiable: "not_identifiable", audit.Rejected: "rejected",
}

func codeOf[K comparable](m map[K]string, k K) string {
	if s, ok := m[k]; ok {
		return s
	}
	return "unknown"
}

func toWireEntry(e *Entry) wireEntry {
	we := wireEntry{
		ID: e.ID, MessageID: e.MessageID.String(), Time: e.Time.UTC(),
		Direction:   wireCode{codeOf(directionCodes, e.Direction), e.DirectionText},
		Own:         wireParty(e.Own),
		Counterpart: wireParty(e.Counterpart),
		Purpose:     wireCode{e.Purpose, e.PurposeText},
		LegalBasis:  wireCode{e.LegalBasis, e.LegalBasisText},
		Categories:  toWireCodes(e.Categories),
		HasContent:  e.HasContent,
		Result:      wireCode{codeOf(resultCodes, e.Result), e.ResultText},
		Reason:      e.Reason,
	}
	return we
}

func toWireCodes(cs []CategoryText) []wireCode {
	out := make([]wireCode, len(cs))
	for i, c := range cs {
		out[i] = wireCode{string(c.Category), c.Text}
	}
	return out
}

func toWireCurrent(c *CurrentEntry) wireCurrent {
	wc := wireCurrent{ID: c.ID, Title: c.Title, Categories: toWireCodes(c.Categories)}
	if !c.AsOf.IsZero() {
		t := c.AsOf.UTC()
		wc.AsOf = &t
	}
	return wc
}

func toWireBody(a *Answer) (*wireBody, error) {
	var b wireBody
	n := 0
	if l := a.List; l != nil {
		n++
		wl := &wireList{Window: wireWindow{From: l.From.UTC(), To: l.To.UTC()},
			Entries: make([]wireEntry, len(l.Entries)), Next: l.Next}
		for i := range l.Entries {
			wl.Entries[i] = toWireEntry(&l.Entries[i])
		}
		for i := range l.Current {
			wl.Current = append(wl.Current, toWireCurrent(&l.Current[i]))
		}
		b.List = wl
	}
	if c := a.Content; c != nil {
		n++
		wc := &wireContent{EntryID: c.EntryID, ContentRef: c.ContentRef}
		if c.Entry != nil {
			we := toWireEntry(c.Entry)
			wc.Entry = &we
		}
		if c.Current != nil {
			cur := toWireCurrent(c.Current)
			wc.Current = &cur
		}
		if len(c.Content) > 0 {
			if utf8.Valid(c.Content) {
				s := string(c.Content)
				wc.ContentText = &s
			} else {
				wc.ContentBase64 = c.Content
			}
		}
		b.Content = wc
	}
	if s := a.Status; s != nil {
		n++
		b.Status = &wireStatus{Code: string(s.Code), Message: s.Message}
	}
	if n != 1 {
		return nil, errors.New("cockpit: an answer needs exactly one of List, Content and Status")
	}
	return &b, nil
}

// MarshalAnswer writes the body: {"list":{...}}, {"content":{...}} or
// {"status":{...}}.
func (JSONCodec) MarshalAnswer(a *Answer) ([]byte, error) {
	b, err := toWireBody(a)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, b); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// EncodeEnvelope writes the answer: the sealed body as "encrypted", or the
// plaintext body as "body".
func (JSONCodec) EncodeEnvelope(w io.Writer, env *Envelope) error {
	we := wireEnvelope{Version: Version, MessageID: env.MessageID.String()}
	if env.InReplyTo != uuid.Nil {
		we.InReplyTo = env.InReplyTo.String()
	}
	switch {
	case env.Algorithm != "":
		we.Encrypted = &wireEncrypted{Algorithm: env.Algorithm, CipherValue: env.Sealed}
	default:
		var b wireBody
		if err := json.Unmarshal(env.Plain, &b); err != nil {
			return fmt.Errorf("cockpit: plaintext body is not this codec's: %w", err)
		}
		we.Body = &b
	}
	return encodeJSON(w, &we)
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
