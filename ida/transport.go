package ida

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/regmo/regmo/audit"
	"github.com/sony/gobreaker/v2"
)

// exchange is one message on its way through the transport chain, with its
// transport events.
type exchange struct {
	c      *Client
	req    *Request
	actor  string
	events []audit.TransportEvent

	attempts   int
	lastStatus int
	lastCode   string
	retryAfter time.Duration
	// retryAfterOK: the last retryable answer carried a valid Retry-After
	// (retryAfter, possibly 0); otherwise the default backoff applies.
	retryAfterOK bool
	lastErr      error // last transport or decode error
	resp         *Response
	rejected     *RejectedError
	refused      []error // per answer item: nil or the *AnswerError refusing it (see vet)
}

// refusedAt returns the *AnswerError refusing item j, or nil.
func (x *exchange) refusedAt(j int) *AnswerError {
	if j < len(x.refused) {
		if ae, ok := x.refused[j].(*AnswerError); ok {
			return ae
		}
	}
	return nil
}

func (x *exchange) event(kind, detail string) {
	x.events = append(x.events, audit.TransportEvent{
		Time: x.c.clock().UTC(), MessageID: x.req.MessageID, Kind: kind, Actor: x.actor, Detail: scrubDetail(detail),
	})
}

// roundTrip sends req through breaker, retries, codec and HTTP. It returns
// the decoded answer or a typed error; x.events holds what happened.
func (c *Client) roundTrip(ctx context.Context, x *exchange, body []byte) (*Response, error) {
	send := func() (*Response, error) { return c.send(ctx, x, body) }
	var resp *Response
	var err error
	if c.breaker != nil {
		resp, err = c.breaker.Execute(send)
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			state := "open"
			if errors.Is(err, gobreaker.ErrTooManyRequests) {
				state = "half-open"
			}
			x.event("breaker", "circuit "+state+", not sent")
			return nil, &BreakerOpenError{State: state}
		}
	} else {
		resp, err = send()
	}
	return resp, err
}

func (c *Client) send(ctx context.Context, x *exchange, body []byte) (*Response, error) {
	c.stats.messages.Add(1)
	rreq, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.endpoints[x.req.Kind], body)
	if err != nil {
		return nil, err
	}
	h := rreq.Header
	h.Set("Content-Type", c.codec.ContentType(x.req.Kind))
	h.Set("Accept", c.codec.ContentType(x.req.Kind))
	h.Set(HeaderProtocol, c.codec.Name())
	h.Set(HeaderMessageID, x.req.MessageID.String())
	h.Set(HeaderSender, c.sender.ID)
	rreq.SetResponseHandler(x.handle)
	rc := &retryablehttp.Client{
		HTTPClient:     c.hc,
		RetryWaitMin:   c.retry.WaitMin,
		RetryWaitMax:   c.retry.WaitMax,
		RetryMax:       c.retry.Max,
		RequestLogHook: x.logRequest,
		CheckRetry:     x.checkRetry,
		Backoff:        x.backoff,
		ErrorHandler:   x.giveUp,
	}
	resp, err := rc.Do(rreq)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err == nil && x.rejected == nil && x.resp != nil {
		return x.resp, nil
	}
	if x.rejected != nil {
		return nil, x.rejected
	}
	return nil, x.finalError(ctx, err)
}

func (x *exchange) logRequest(_ retryablehttp.Logger, _ *http.Request, attempt int) {
	x.attempts = attempt + 1
	x.c.stats.attempts.Add(1)
	if attempt > 0 {
		x.c.stats.retries.Add(1)
	}
	x.event("sent", "kind="+x.req.Kind.String()+" attempt="+strconv.Itoa(attempt+1)+" searches="+strconv.Itoa(len(x.req.Searches)))
}

// handle reads and decodes a final answer (success or rejection). An error
// here goes back to checkRetry.
func (x *exchange) handle(resp *http.Response) error {
	defer resp.Body.Close()
	x.lastStatus = resp.StatusCode
	data, err := readBoundedSized(resp.Body, x.c.maxResp, resp.ContentLength)
	if err != nil {
		x.event("error", "reading answer: "+safeErr(err))
		x.lastErr = err
		return err
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		r, err := x.c.codec.DecodeResponse(bytes.NewBuffer(data), x.req)
		if err != nil {
			err = codecError(err)
			x.event("schema-check", "failed: "+safeErr(err))
			x.lastErr = err
			return err
		}
		x.event("schema-check", "ok")
		x.resp = r
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		// A retryable status whose retries ended (or whose Retry-After is too
		// long): finalError makes it a *ResponseError.
		if p, err := x.c.codec.DecodeProblem(bytes.NewReader(data)); err == nil {
			x.lastCode = x.c.code(p.Code)
		}
		x.lastErr = nil
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		p, err := x.c.codec.DecodeProblem(bytes.NewReader(data))
		if err != nil {
			x.event("schema-check", "problem body failed: "+safeErr(err))
			x.lastErr = err
			return err
		}
		if p.RequestID != uuid.Nil && p.RequestID != x.req.MessageID {
			err := &wireError{reason: "problem request_id does not match the message sent", err: ErrMessageMismatch}
			x.event("schema-check", "failed: "+err.reason)
			x.lastErr = err
			return err
		}
		x.event("schema-check", "ok: rejected "+x.c.code(p.Code))
		x.rejected = x.c.rejected(p.Code, resp.StatusCode, x.req.MessageID)
		return nil
	default:
		x.event("error", "unexpected status "+strconv.Itoa(resp.StatusCode))
		x.lastErr = nil
		return errUnexpectedStatus
	}
}

var errUnexpectedStatus = errors.New("ida: unexpected HTTP status")

// codecError makes the decoding error of a codec outside this package that
// wraps [ErrMalformed], [ErrMessageMismatch] or [ErrTooLarge] a wire error,
// as JSONv1's are: retried as the same message and, at the end, a
// *[DecodeError] wrapping it (so errors.Is still finds the sentinel). Its
// text becomes the reason; such a codec must not quote values in it (see
// [Codec]).
func codecError(err error) error {
	var we *wireError
	if errors.As(err, &we) {
		return err
	}
	if errors.Is(err, ErrMalformed) || errors.Is(err, ErrMessageMismatch) || errors.Is(err, ErrTooLarge) {
		return &wireError{reason: strings.TrimPrefix(safeErr(err), "ida: "), err: err}
	}
	return err
}

func readBounded(r io.Reader, max int64) ([]byte, error) { return readBoundedSized(r, max, -1) }

// readBoundedSized reads at most max bytes, preallocating size if known.
func readBoundedSized(r io.Reader, max, size int64) ([]byte, error) {
	if size > max {
		return nil, &wireError{reason: "answer larger than " + strconv.FormatInt(max, 10) + " bytes", err: ErrTooLarge}
	}
	var data []byte
	var err error
	if size >= 0 {
		data = make([]byte, size)
		_, err = io.ReadFull(r, data)
	} else {
		data, err = io.ReadAll(io.LimitReader(r, max+1))
	}
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &wireError{reason: "answer larger than " + strconv.FormatInt(max, 10) + " bytes", err: ErrTooLarge}
	}
	return data, nil
}

// safeErr renders an error for the transport log. Our own decode errors
// never hold values; others (net errors) hold addresses, not personal data.
func safeErr(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func (x *exchange) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, errUnexpectedStatus) {
			return false, nil
		}
		var we *wireError
		if errors.As(err, &we) {
			return true, nil // malformed, truncated or not ours: the same message again is safe
		}
		x.lastErr = err
		if resp == nil {
			x.event("error", "transport: "+safeErr(err))
		}
		var ce *tls.CertificateVerificationError
		var ue x509.UnknownAuthorityError
		var he x509.HostnameError
		if errors.As(err, &ce) || errors.As(err, &ue) || errors.As(err, &he) {
			return false, nil
		}
		return true, nil
	}
	x.lastStatus = resp.StatusCode
	x.retryAfter, x.retryAfterOK = 0, false
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || (s >= 500 && s != http.StatusNotImplemented && s != http.StatusHTTPVersionNotSupported):
		x.lastErr = nil
		v := resp.Header.Get("Retry-After")
		d, ok := parseRetryAfter(v, x.c.clock())
		detail := "status=" + strconv.Itoa(s)
		if ok {
			x.retryAfter, x.retryAfterOK = d, true
			detail += " retry-after=" + d.String()
		} else if v != "" {
			detail += " retry-after=invalid (default backoff)"
		}
		x.event("received", detail)
		if ok && d > x.c.retry.MaxRetryAfter {
			return false, nil
		}
		return true, nil
	default:
		x.event("received", "status="+strconv.Itoa(s))
		return false, nil
	}
}

// RetryAfterCap is the largest Retry-After the client reads: a longer one,
// in seconds or as an HTTP date, counts as RetryAfterCap (and, being longer
// than Retry.MaxRetryAfter, ends the call with a *[ResponseError] whose
// RetryAfter is RetryAfterCap).
const RetryAfterCap = 24 * time.Hour

// parseRetryAfter reads delay-seconds (1*DIGIT) or an HTTP date, capped at
// RetryAfterCap; a date in the past is 0. It reports false for an empty,
// negative or unparseable value, for which the default backoff applies.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		// A run of digits is delay-seconds, however long: past 19 digits
		// ParseInt overflows, which must not read as "no value".
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(RetryAfterCap/time.Second) {
			return RetryAfterCap, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return min(d, RetryAfterCap), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// backoff honours Retry-After; otherwise exponential from WaitMin with
// "equal jitter" (half fixed, half random), capped at WaitMax.
func (x *exchange) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	var wait time.Duration
	if resp != nil && x.retryAfterOK {
		wait = x.retryAfter // possibly 0: "Retry-After: 0" or a past date
	} else {
		d := minWait
		for i := 0; i < attempt && d < maxWait; i++ {
			d *= 2
		}
		d = min(d, maxWait)
		wait = d/2 + time.Duration(x.c.rnd()*float64(d/2))
	}
	x.event("retry", "attempt="+strconv.Itoa(attempt+2)+" wait="+wait.String())
	return wait
}

func (x *exchange) giveUp(resp *http.Response, err error, tries int) (*http.Response, error) {
	if resp != nil && resp.Body != nil {
		if x.lastCode == "" && err == nil {
			if data, rerr := readBounded(resp.Body, 64<<10); rerr == nil {
				if p, perr := x.c.codec.DecodeProblem(bytes.NewReader(data)); perr == nil {
					x.lastCode = x.c.code(p.Code)
				}
			}
		}
		resp.Body.Close()
	}
	x.attempts = tries
	return nil, err
}

// finalError turns the state at the end of the retries into a typed error.
func (x *exchange) finalError(ctx context.Context, err error) error {
	id := x.req.MessageID
	if ctxErr := ctx.Err(); ctxErr != nil {
		x.event("error", "context: "+ctxErr.Error())
		return ctxErr
	}
	var we *wireError
	if errors.As(err, &we) || errors.As(x.lastErr, &we) {
		x.event("error", "giving up: "+we.reason)
		return &DecodeError{MessageID: id, Attempts: x.attempts, Reason: we.reason, Err: we.err}
	}
	if x.lastErr != nil {
		x.event("error", "giving up: transport")
		return &TransportError{MessageID: id, Attempts: x.attempts, Err: x.lastErr}
	}
	if x.lastStatus != 0 && x.lastStatus != http.StatusOK {
		x.event("error", "giving up: status "+strconv.Itoa(x.lastStatus))
		return &ResponseError{Status: x.lastStatus, Code: x.lastCode, MessageID: id, RetryAfter: x.retryAfter, Attempts: x.attempts}
	}
	if err == nil {
		err = errors.New("no answer")
	}
	x.event("error", "giving up: "+safeErr(err))
	return &TransportError{MessageID: id, Attempts: x.attempts, Err: err}
}
