package ida

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// JSONv1 is the codec of wire format "regmo-ida/1", our own versioned
// JSON-over-HTTPS protocol described in the package documentation. It is
// not XBasisdaten and does not claim conformance to it. The zero value is
// ready to use.
type JSONv1 struct{}

var (
	_ Codec       = JSONv1{}
	_ ServerCodec = JSONv1{}
)

// Media types of wire format v1.
const (
	MediaJSON   = "application/json"
	MediaNDJSON = "application/x-ndjson"
)

// maxLine bounds one NDJSON line (one search or one answer).
const maxLine = 1 << 20

// Name returns "regmo-ida/1".
func (JSONv1) Name() string { return ProtocolV1 }

// Endpoint returns "/v1/<kind>", e.g. "/v1/lookup" or "/v1/bulk".
func (JSONv1) Endpoint(k Kind) string { return "/v1/" + k.String() }

// ContentType is application/x-ndjson for bulk, application/json otherwise.
func (JSONv1) ContentType(k Kind) string {
	if k == KindBulk {
		return MediaNDJSON
	}
	return MediaJSON
}

func malformed(reason string) error { return &wireError{reason: reason, err: ErrMalformed} }

// wireError carries a reason without personal data; the client turns it
// into a *DecodeError.
type wireError struct {
	reason string
	err    error
}

func (e *wireError) Error() string { return "ida: " + e.reason }
func (e *wireError) Unwrap() error { return e.err }

// jsonReason turns a decoder error into a reason that names the problem
// but not the value.
//
// With nameMember (the server side, decoding our own requests), an unknown
// member whose name has the form of a wire token is named, so that the
// rejection says which field a request may not carry; the client side
// never quotes what the server sent.
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
	// The rest are json's unknown-field error, which quotes the member
	// name as the server sent it (a name, a birth date or an IDNr in a
	// hostile answer), and the errors of our own value types. Neither is
	// quoted: the reason is fixed text.
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name, uerr := strconv.Unquote(msg); uerr == nil && nameMember && safeCode(name) == name {
			return malformed(what + ": unknown member " + strconv.Quote(name))
		}
		return malformed(what + ": unknown member")
	}
	for _, known := range knownValueErrors {
		if errors.Is(err, known) {
			return malformed(what + ": " + known.Error())
		}
	}
	return malformed(what + ": invalid value")
}

// knownValueErrors are sentinels of our value types whose text holds no
// value; jsonReason names them (and only their own text, not a wrapper's).
var knownValueErrors = []error{
	errFieldsToken, errDocKind,
	idnr.ErrEmpty, idnr.ErrLength, idnr.ErrNonDigit, idnr.ErrLeadingZero, idnr.ErrRepetition,
	idnr.ErrThreeInARow, idnr.ErrCheckDigit,
	idnr.ErrDateFormat, idnr.ErrDateYear, idnr.ErrDateMonth, idnr.ErrDateDay, idnr.ErrDateDayNoMonth,
	idnr.ErrSex,
}

// decodeStrict decodes one JSON value from data into v, refusing unknown
// fields and trailing data.
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

// readAll returns the bytes of r without copying when r is a *bytes.Buffer.
func readAll(r io.Reader) ([]byte, error) {
	if b, ok := r.(*bytes.Buffer); ok {
		return b.Bytes(), nil
	}
	return io.ReadAll(r)
}

// valueStream decodes the NDJSON values of data one by one with a single
// strict decoder, and returns each value's bytes as transmitted.
type valueStream struct {
	data       []byte
	dec        *json.Decoder
	off        int
	nameMember bool // see jsonReason
}

func newValueStream(r io.Reader) (*valueStream, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return &valueStream{data: data, dec: dec}, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// next decodes the next line into v and returns its bytes, or io.EOF when
// only whitespace is left. Each value must be followed by a newline.
func (s *valueStream) next(v any, what string) ([]byte, error) {
	start := s.off
	for start < len(s.data) && isSpace(s.data[start]) {
		start++
	}
	if start == len(s.data) {
		return nil, io.EOF
	}
	if err := s.dec.Decode(v); err != nil {
		return nil, jsonReason(what, err, s.nameMember)
	}
	end := int(s.dec.InputOffset())
	if end-start > maxLine {
		return nil, malformed(what + ": line longer than the limit")
	}
	i := end
	for i < len(s.data) && (s.data[i] == ' ' || s.data[i] == '\t' || s.data[i] == '\r') {
		i++
	}
	if i == len(s.data) {
		return nil, malformed(what + ": truncated, no newline after the last line")
	}
	if s.data[i] != '\n' {
		return nil, malformed(what + ": two values on one line")
	}
	s.off = i + 1
	return s.data[start:end], nil
}
