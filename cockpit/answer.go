package cockpit

import (
	"context"
	"errors"
	"log/slog"

	"github.com/google/uuid"
)

// StatusCode is the machine-readable code of a status answer
// (antwortStatus).
type StatusCode string

// ErrorCode is the former name of [StatusCode].
type ErrorCode = StatusCode

// The status codes, with the HTTP status [Handler] answers them with.
const (
	// Answers of the service (sealed when the request carried a key).
	CodeNothingFound   StatusCode = "nothing_found"   // 200: no entries and no current data for the person
	CodeLookupMismatch StatusCode = "lookup_mismatch" // 422: lookup data do not fit the person
	CodeEntryUnknown   StatusCode = "entry_unknown"   // 404: the entry ID opens nothing for this person and session
	CodeEntryExpired   StatusCode = "entry_expired"   // 410: the entry ID's lifetime has passed; list again

	// Refusals of the request.
	CodeCertificateRequired  StatusCode = "certificate_required"   // 403: no verified client certificate
	CodeNotAllowed           StatusCode = "not_allowed"            // 403: certificate not on the allow-list
	CodeRateLimited          StatusCode = "rate_limited"           // 429, with Retry-After
	CodeMethodNotAllowed     StatusCode = "method_not_allowed"     // 405: only POST
	CodeUnsupportedMediaType StatusCode = "unsupported_media_type" // 415
	CodeRequestTooLarge      StatusCode = "request_too_large"      // 413
	CodeMalformedRequest     StatusCode = "malformed_request"      // 400, message names the field
	CodeKeyRequired          StatusCode = "key_required"           // 400: no content key and plaintext not allowed

	// Errors.
	CodeTimeout  StatusCode = "timeout"  // 503, with Retry-After
	CodeInternal StatusCode = "internal" // 500
)

// StatusAnswer is antwortStatus: nothing found, a refusal or an error. It
// never holds personal data: a code and a fixed English message.
type StatusAnswer struct {
	Code    StatusCode
	Message string
}

// Answer is one answer to one request: exactly one of List (stage 1),
// Content (stage 2) and Status is set.
type Answer struct {
	MessageID uuid.UUID // the answer's own, fresh
	InReplyTo uuid.UUID // the request's MessageID
	List      *ListAnswer
	Content   *ContentAnswer
	Status    *StatusAnswer
}

// Answer answers one request of either stage, as the handler does: a
// refusal, "nothing found" and every error become a status answer. A
// request without [Request.ContentKey] is refused with [CodeKeyRequired]
// unless [Config.AllowPlaintext]; a key that is not 32 bytes is a malformed
// request. The answer is not sealed yet: the transport seals it with the
// request's key ([Seal]).
func (s *Service) Answer(ctx context.Context, req Request) Answer {
	a := Answer{MessageID: uuid.New(), InReplyTo: req.MessageID}
	status := func(c StatusCode, msg string) Answer {
		a.Status = &StatusAnswer{Code: c, Message: msg}
		return a
	}
	switch {
	case req.MessageID == uuid.Nil:
		return status(CodeMalformedRequest, (&RequestError{Field: "message_id", Reason: "missing"}).Error())
	case req.ContentKey == nil && !s.allowPlaintext:
		return status(CodeKeyRequired, "a content key is required: answers are encrypted")
	case req.ContentKey != nil && len(req.ContentKey) != ContentKeySize:
		return status(CodeMalformedRequest, (&RequestError{Field: "content_key", Reason: "not 32 bytes"}).Error())
	}
	var err error
	switch req.Kind {
	case KindList:
		a.List, err = s.List(ctx, req)
		if err == nil && req.Cursor == "" && len(a.List.Entries) == 0 && len(a.List.Current) == 0 && a.List.Next == "" {
			a.List = nil
			return status(CodeNothingFound, "no transfers and no data of the person in the window")
		}
	case KindContent:
		a.Content, err = s.Content(ctx, req)
	default:
		return status(CodeMalformedRequest, (&RequestError{Field: "kind", Reason: "missing or unknown"}).Error())
	}
	if err == nil {
		return a
	}
	a.List, a.Content = nil, nil
	code, msg := statusOf(err)
	if code == CodeInternal {
		s.log.ErrorContext(ctx, "cockpit: answer failed", slog.String("err", redact(err.Error())))
	}
	return status(code, msg)
}

// statusOf maps an error of the service to its status.
func statusOf(err error) (StatusCode, string) {
	var re *RequestError
	switch {
	case errors.As(err, &re):
		return CodeMalformedRequest, re.Error()
	case errors.Is(err, ErrLookupMismatch):
		return CodeLookupMismatch, "the lookup data do not match the person"
	case errors.Is(err, ErrEntryUnknown):
		return CodeEntryUnknown, "no such entry for this person and session"
	case errors.Is(err, ErrEntryExpired):
		return CodeEntryExpired, "the entry ID has expired; list again"
	case errors.Is(err, ErrIntegrity):
		return CodeIntegrity, "the protocol failed its integrity check; answer withheld"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return CodeTimeout, "no answer within the deadline"
	}
	return CodeInternal, "internal error"
}

// httpStatus is the HTTP status of a status answer.
func httpStatus(c StatusCode) int {
	switch c {
	case CodeNothingFound:
		return 200
	case CodeLookupMismatch:
		return 422
	case CodeEntryUnknown:
		return 404
	case CodeEntryExpired:
		return 410
	case CodeCertificateRequired, CodeNotAllowed:
		return 403
	case CodeRateLimited:
		return 429
	case CodeMethodNotAllowed:
		return 405
	case CodeUnsupportedMediaType:
		return 415
	case CodeRequestTooLarge:
		return 413
	case CodeMalformedRequest, CodeKeyRequired:
		return 400
	case CodeTimeout:
		return 503
	}
	return 500
}
