package ida

import (
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

// Text from the server is untrusted: a rejection's free text, a reason
// code, a member name in a malformed answer may hold a name, a birth date
// or an IDNr. None of it reaches an error, a log line or a transport
// event as it came: codes are kept only in the form of a code, free text
// is dropped, and decoder messages that would quote the body are replaced
// by fixed reasons (see jsonReason).

// maxCode bounds a reason code kept from the server.
const maxCode = 64

// maskedCode replaces a reason code that does not have the form of one.
const maskedCode = "masked"

// unlistedCode replaces a reason code that has the form of one but is
// neither one of [ReasonCodes] nor of [Config.ReasonCodes]: a word such as
// "mueller-schmidt" has the form of a code too, so only listed codes are
// passed on.
const unlistedCode = "unlisted"

// ReasonCodes are the reason codes of protocol regmo-ida/1 (answers and
// problem bodies; see the mock's documentation in ida/idatest). The client
// keeps a server's reason code only if it is one of these or one of
// [Config.ReasonCodes]; any other reads "unlisted" (or "masked" if it does
// not even have the form of a code), so that a code can never carry a
// name.
var ReasonCodes = []string{
	"internal", "injected-fault", "invalid-field", "message-id-mismatch",
	"message-id-reused", "method-not-allowed", "missing-evidence", "missing-field",
	"missing-message-id", "missing-sender", "not-entitled", "rate-limited",
	"schema-violation", "sender-mismatch", "shutting-down", "too-large",
	"unknown-endpoint", "unknown-reference", "unsupported-media-type", "unsupported-protocol",
}

// codeSet returns the set of reason codes a client passes on.
func codeSet(extra []string) map[string]bool {
	m := make(map[string]bool, len(ReasonCodes)+len(extra))
	for _, c := range ReasonCodes {
		m[c] = true
	}
	for _, c := range extra {
		if safeCode(c) == c {
			m[c] = true
		}
	}
	return m
}

// code returns the server's reason code as the client may show it: the
// code itself if it is listed, else "unlisted" or "masked".
func (c *Client) code(code string) string {
	if s := safeCode(code); s != code {
		return s
	}
	if c.codes[code] {
		return code
	}
	return unlistedCode
}

// safeCode returns code if it has the form of a reason code (a letter,
// then at most 63 letters A-Z or a-z, digits, '-', '_', '.' or ':', with
// no run of more than three digits), else "masked".
func safeCode(code string) string {
	if code == "" || len(code) > maxCode {
		return maskedCode
	}
	digits := 0
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			digits = 0
		case i > 0 && (c == '-' || c == '_' || c == '.' || c == ':'):
			digits = 0
		case i > 0 && c >= '0' && c <= '9':
			digits++
			if digits > 3 {
				return maskedCode
			}
		default:
			return maskedCode
		}
	}
	return code
}

// rejected builds the *RejectedError for a server's rejection: the code
// made safe, the free text dropped.
func (c *Client) rejected(code string, status int, id uuid.UUID) *RejectedError {
	return &RejectedError{Code: c.code(code), Status: status, MessageID: id}
}

// scrubDetail is the last guard before a transport event is written: it
// makes detail valid UTF-8 within audit.MaxDetail characters and masks
// every digit when it still contains something shaped like an IDNr
// (audit refuses such an event, and with it the whole batch of the
// exchange).
func scrubDetail(detail string) string {
	if !utf8.ValidString(detail) {
		detail = strings.ToValidUTF8(detail, "?")
	}
	if utf8.RuneCountInString(detail) > audit.MaxDetail {
		detail = string([]rune(detail)[:audit.MaxDetail])
	}
	if audit.ContainsIDNr(detail) {
		detail = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '#'
			}
			return r
		}, detail)
	}
	return detail
}
