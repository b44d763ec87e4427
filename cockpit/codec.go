package cockpit

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// Codec reads the cockpit's requests and writes the answers in one wire
// format. [JSONCodec] is ours; an official codec can be added behind this
// interface without touching [Handler] or [Service].
type Codec interface {
	// ContentType is the media type of requests and answers, e.g.
	// "application/json".
	ContentType() string
	// DecodeRequest reads one request. A malformed request gives a
	// *RequestError naming the field, never containing its value; errors of
	// r (such as *http.MaxBytesError) are returned wrapped.
	DecodeRequest(r io.Reader) (Request, error)
	// EncodeResponse writes one answer page.
	EncodeResponse(w io.Writer, resp *Response) error
	// EncodeError writes an error answer.
	EncodeError(w io.Writer, e *ErrorAnswer) error
}

// ErrorAnswer is the body of an error answer. It never holds personal data.
type ErrorAnswer struct {
	Code      ErrorCode
	Message   string // fixed English text naming the field or reason
	RequestID string // echoed if the request carried one and it was readable
}

// Version is the version tag of [JSONCodec]'s wire format.
const Version = "regmo-dsc/1"

// JSONCodec is the JSON wire format "regmo-dsc/1", described in the package
// documentation ("Wire format"). Decoding is strict: one object, known
// fields only, no duplicate fields, no trailing data. The zero value is
// ready to use.
type JSONCodec struct{}

var _ Codec = JSONCodec{}

// ContentType returns "application/json".
func (JSONCodec) ContentType() string { return "application/json" }

// wireRequest is the request object. Only used for encoding (the client
// side); decoding walks the tokens to be strict.
type wireRequest struct {
	Version   string `json:"version"`
	RequestID string `json:"request_id,omitempty"`
	IDNr      string `json:"idnr"`
	BirthDate string `json:"birth_date,omitempty"`
	Cursor    string `json:"cursor,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

type wireCode struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

type wireParty struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireEntry struct {
	ID            string     `json:"id"`
	MessageID     string     `json:"message_id"`
	Time          time.Time  `json:"time"`
	Direction     wireCode   `json:"direction"`
	Own           wireParty  `json:"own"`
	Counterpart   wireParty  `json:"counterpart"`
	Purpose       wireCode   `json:"purpose"`
	LegalBasis    wireCode   `json:"legal_basis"`
	Categories    []wireCode `json:"categories"`
	ContentText   *string    `json:"content_text,omitempty"`
	ContentBase64 *string    `json:"content_base64,omitempty"`
	ContentRef    string     `json:"content_ref,omitempty"`
	Result        wireCode   `json:"result"`
	Reason        string     `json:"reason,omitempty"`
}

type wireWindow struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type wireResponse struct {
	Version   string      `json:"version"`
	RequestID string      `json:"request_id,omitempty"`
	Window    *wireWindow `json:"window,omitempty"`
	Entries   []wireEntry `json:"entries,omitempty"`
	Next      string      `json:"next,omitempty"`
	Error     *wireError  `json:"error,omitempty"`
}

// DecodeRequest reads a request object:
//
//	{"version":"regmo-dsc/1","request_id":"<uuid>","idnr":"<11 digits>",
//	 "birth_date":"YYYY-MM-DD","cursor":"...","limit":50}
//
// version and idnr are required. The birth date may be partial
// ("1980-05-00"). Every field is a string except limit, an integer 1..1000.
func (JSONCodec) DecodeRequest(r io.Reader) (Request, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var req Request
	malformed := func(field, reason string, err error) (Request, error) {
		return Request{}, &RequestError{Field: field, Reason: reason, Err: err}
	}
	tok, err := dec.Token()
	if err != nil {
		return readErr(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return malformed("", "not a JSON object", nil)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return readErr(err)
		}
		key, _ := tok.(string)
		if !knownField(key) {
			return malformed("", "unknown field", nil)
		}
		if seen[key] {
			return malformed(key, "given twice", nil)
		}
		seen[key] = true
		tok, err = dec.Token()
		if err != nil {
			return readErr(err)
		}
		if key == "limit" {
			n, ok := tok.(json.Number)
			if !ok {
				return malformed(key, "not a number", nil)
			}
			v, err := strconv.Atoi(n.String())
			if err != nil || v < 1 || v > MaxPageSizeLimit {
				return malformed(key, "not an integer 1..1000", nil)
			}
			req.Limit = v
			continue
		}
		s, ok := tok.(string)
		if !ok {
			return malformed(key, "not a string", nil)
		}
		switch key {
		case "version":
			if s != Version {
				return malformed(key, "unsupported version (want "+Version+")", nil)
			}
		case "request_id":
			u, err := uuid.Parse(s)
			if err != nil || len(s) != 36 {
				return malformed(key, "not a UUID", nil)
			}
			req.RequestID = u.String()
		case "idnr":
			id, err := idnr.ParseStrict(s)
			if err != nil {
				return malformed(key, "not a valid IDNr ("+err.Error()+")", err)
			}
			req.IDNr = id
		case "birth_date":
			if len(s) != 10 {
				return malformed(key, "not YYYY-MM-DD", idnr.ErrDateFormat)
			}
			d, err := idnr.ParseDate(s)
			if err != nil {
				return malformed(key, "not a valid date ("+err.Error()+")", err)
			}
			req.BirthDate = d
		case "cursor":
			if err := checkCursor(s); err != nil {
				return Request{}, err
			}
			req.Cursor = s
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return readErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil && !isSyntaxErr(err) {
			return readErr(err)
		}
		return malformed("", "data after the request object", nil)
	}
	if !seen["version"] {
		return malformed("version", "missing", nil)
	}
	if !seen["idnr"] {
		return malformed("idnr", "missing", nil)
	}
	return req, nil
}

func knownField(k string) bool {
	switch k {
	case "version", "request_id", "idnr", "birth_date", "cursor", "limit":
		return true
	}
	return false
}

func isSyntaxErr(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF)
}

// readErr turns a decoder error into a RequestError for syntax errors and
// keeps reader errors (size limit, broken connection) recognisable. The
// json package's syntax errors quote at most one character of the input.
func readErr(err error) (Request, error) {
	if err == io.EOF {
		return Request{}, &RequestError{Reason: "empty body"}
	}
	if isSyntaxErr(err) {
		return Request{}, &RequestError{Reason: "not well-formed JSON", Err: err}
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return Request{}, &RequestError{Reason: "not well-formed JSON", Err: err}
	}
	return Request{}, fmt.Errorf("cockpit: reading the request: %w", err)
}

// EncodeRequest writes req as a request object; for clients and tests.
func (JSONCodec) EncodeRequest(w io.Writer, req *Request) error {
	wr := wireRequest{Version: Version, RequestID: req.RequestID, IDNr: req.IDNr.String(),
		Cursor: req.Cursor, Limit: req.Limit}
	if !req.BirthDate.IsZero() {
		wr.BirthDate = req.BirthDate.String()
	}
	return json.NewEncoder(w).Encode(&wr)
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

// EncodeResponse writes one answer page. The bytes are those
// encoding/json would write for the wire types above (a test checks this);
// they are built by hand because the answer's latency matters and
// reflection costs a third of it.
func (JSONCodec) EncodeResponse(w io.Writer, resp *Response) error {
	// As encoding/json: RFC 3339 has four-digit years only.
	if !jsonYear(resp.From) || !jsonYear(resp.To) {
		return errors.New("cockpit: answer window outside the years 0000..9999")
	}
	for i := range resp.Entries {
		if !jsonYear(resp.Entries[i].Time) {
			return fmt.Errorf("cockpit: entry %d: time outside the years 0000..9999", i)
		}
	}
	if bb, ok := w.(*bytes.Buffer); ok {
		bb.Grow(256 + 640*len(resp.Entries))
		b := appendResponse(bb.AvailableBuffer(), resp)
		_, err := bb.Write(b)
		return err
	}
	_, err := w.Write(appendResponse(make([]byte, 0, 256+640*len(resp.Entries)), resp))
	return err
}

func appendResponse(b []byte, resp *Response) []byte {
	b = append(b, `{"version":`...)
	b = appendJSONString(b, Version)
	if resp.RequestID != "" {
		b = append(b, `,"request_id":`...)
		b = appendJSONString(b, resp.RequestID)
	}
	b = append(b, `,"window":{"from":`...)
	b = appendJSONTime(b, resp.From)
	b = append(b, `,"to":`...)
	b = appendJSONTime(b, resp.To)
	b = append(b, '}')
	if len(resp.Entries) > 0 {
		b = append(b, `,"entries":[`...)
		for i := range resp.Entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendEntry(b, &resp.Entries[i])
		}
		b = append(b, ']')
	}
	if resp.Next != "" {
		b = append(b, `,"next":`...)
		b = appendJSONString(b, resp.Next)
	}
	return append(b, "}\n"...)
}

func appendEntry(b []byte, e *Entry) []byte {
	b = append(b, `{"id":"`...)
	b = appendUUID(b, e.ID)
	b = append(b, `","message_id":"`...)
	b = appendUUID(b, e.MessageID)
	b = append(b, `","time":`...)
	b = appendJSONTime(b, e.Time)
	b = append(b, `,"direction":`...)
	b = appendCode(b, codeOf(directionCodes, e.Direction), e.DirectionText)
	b = append(b, `,"own":`...)
	b = appendParty(b, e.Own)
	b = append(b, `,"counterpart":`...)
	b = appendParty(b, e.Counterpart)
	b = append(b, `,"purpose":`...)
	b = appendCode(b, e.Purpose, e.PurposeText)
	b = append(b, `,"legal_basis":`...)
	b = appendCode(b, e.LegalBasis, e.LegalBasisText)
	b = append(b, `,"categories":`...)
	if e.Categories == nil {
		b = append(b, "[]"...) // encoding/json writes the wire type's made slice as []
	} else {
		b = append(b, '[')
		for j, c := range e.Categories {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendCode(b, string(c.Category), c.Text)
		}
		b = append(b, ']')
	}
	if len(e.Content) > 0 {
		if utf8.Valid(e.Content) {
			b = append(b, `,"content_text":`...)
			// A view of the bytes as a string, without a copy; it is not kept.
			b = appendJSONString(b, unsafe.String(unsafe.SliceData(e.Content), len(e.Content)))
		} else {
			b = append(b, `,"content_base64":"`...)
			b = base64.StdEncoding.AppendEncode(b, e.Content)
			b = append(b, '"')
		}
	}
	if e.ContentRef != "" {
		b = append(b, `,"content_ref":`...)
		b = appendJSONString(b, e.ContentRef)
	}
	b = append(b, `,"result":`...)
	b = appendCode(b, codeOf(resultCodes, e.Result), e.ResultText)
	if e.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, e.Reason)
	}
	return append(b, '}')
}

func appendCode(b []byte, code, text string) []byte {
	b = append(b, `{"code":`...)
	b = appendJSONString(b, code)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, text)
	return append(b, '}')
}

func appendParty(b []byte, p Party) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, p.ID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, p.Name)
	return append(b, '}')
}

func appendUUID(b []byte, u uuid.UUID) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u[10:])
	return append(b, buf[:]...)
}

func jsonYear(t time.Time) bool { y := t.UTC().Year(); return y >= 0 && y <= 9999 }

// appendJSONTime writes t in UTC as encoding/json does (RFC 3339 with
// nanoseconds, trailing zeros dropped).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONString writes s as a JSON string exactly as encoding/json does
// with HTML escaping off: quote, backslash and control characters escaped
// (\b \f \n \r \t short), invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// EncodeError writes an error answer:
//
//	{"version":"regmo-dsc/1","request_id":"...","error":{"code":"...","message":"..."}}
func (JSONCodec) EncodeError(w io.Writer, e *ErrorAnswer) error {
	return encodeJSON(w, &wireResponse{Version: Version, RequestID: e.RequestID,
		Error: &wireError{Code: string(e.Code), Message: e.Message}})
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// ResponseError is an error answer decoded by [JSONCodec.DecodeResponse].
type ResponseError struct {
	Code      ErrorCode
	Message   string
	RequestID string
}

func (e *ResponseError) Error() string {
	return "cockpit: error answer " + string(e.Code) + ": " + e.Message
}

// DecodeResponse reads an answer written by [JSONCodec.EncodeResponse] or
// [JSONCodec.EncodeError]; for clients and tests. An error answer is
// returned as *ResponseError.
func (JSONCodec) DecodeResponse(r io.Reader) (Response, error) {
	var wr wireResponse
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wr); err != nil {
		return Response{}, fmt.Errorf("cockpit: reading the answer: %w", err)
	}
	if wr.Version != Version {
		return Response{}, errors.New("cockpit: answer has an unsupported version")
	}
	if wr.Error != nil {
		return Response{}, &ResponseError{Code: ErrorCode(wr.Error.Code), Message: wr.Error.Message, RequestID: wr.RequestID}
	}
	resp := Response{RequestID: wr.RequestID, Next: wr.Next, Entries: make([]Entry, len(wr.Entries))}
	if wr.Window != nil {
		resp.From, resp.To = wr.Window.From, wr.Window.To
	}
	for i, we := range wr.Entries {
		id, err1 := uuid.Parse(we.ID)
		mid, err2 := uuid.Parse(we.MessageID)
		if err := errors.Join(err1, err2); err != nil {
			return Response{}, fmt.Errorf("cockpit: answer entry %d: %w", i, err)
		}
		e := Entry{
			ID: id, MessageID: mid, Time: we.Time,
			Direction: directionByCode[we.Direction.Code], DirectionText: we.Direction.Text,
			Own: Party(we.Own), Counterpart: Party(we.Counterpart),
			Purpose: we.Purpose.Code, PurposeText: we.Purpose.Text,
			LegalBasis: we.LegalBasis.Code, LegalBasisText: we.LegalBasis.Text,
			ContentRef: we.ContentRef,
			Result:     resultByCode[we.Result.Code], ResultText: we.Result.Text,
			Reason: we.Reason,
		}
		for _, c := range we.Categories {
			e.Categories = append(e.Categories, CategoryText{Category: audit.Category(c.Code), Text: c.Text})
		}
		switch {
		case we.ContentText != nil:
			e.Content = []byte(*we.ContentText)
		case we.ContentBase64 != nil:
			b, err := base64.StdEncoding.DecodeString(*we.ContentBase64)
			if err != nil {
				return Response{}, fmt.Errorf("cockpit: answer entry %d: content_base64: %w", i, err)
			}
			e.Content = b
		}
		resp.Entries[i] = e
	}
	return resp, nil
}

// marshalError is a fallback error body when a codec fails.
func marshalError(code ErrorCode, msg string) []byte {
	var b bytes.Buffer
	_ = JSONCodec{}.EncodeError(&b, &ErrorAnswer{Code: code, Message: msg})
	return b.Bytes()
}
