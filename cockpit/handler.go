package cockpit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/regmo/regmo/audit"
)

// Handler defaults; see [HandlerConfig].
const (
	DefaultTimeout         = 400 * time.Millisecond
	MaxTimeout             = 499 * time.Millisecond
	DefaultMaxRequestBytes = 4 << 10
	DefaultRatePerSecond   = 100
)

// AllowedClient is one entry of the allow-list of client certificates. A
// verified client certificate is allowed when it matches every non-empty
// field of an entry: its subject DN and/or the SHA-256 pin of its public key.
type AllowedClient struct {
	// Name identifies the client in the read-access log, in logs and for
	// rate limiting, e.g. "dsc-prod"; required, at most 64 bytes, no
	// personal data.
	Name string
	// SubjectDN is the certificate's subject as crypto/x509/pkix.Name.String
	// prints it (RFC 2253 order), e.g. "CN=dsc.example,O=BVA,C=DE".
	SubjectDN string
	// SPKISHA256 is the hex SHA-256 of the certificate's
	// SubjectPublicKeyInfo (see [SPKIPin]).
	SPKISHA256 string
}

// SPKIPin returns the hex SHA-256 of cert's SubjectPublicKeyInfo, the pin
// [AllowedClient.SPKISHA256] compares with. The same pin is printed by
//
//	openssl x509 -in c.pem -pubkey -noout | openssl pkey -pubin -outform der | sha256sum
func SPKIPin(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}

// HandlerConfig configures a [Handler]. The zero value of each field means
// the documented default, except Clients, which is required.
type HandlerConfig struct {
	// Clients is the allow-list (required, at least one entry).
	Clients []AllowedClient
	// Codec is the wire format; default JSONCodec.
	Codec Codec
	// Timeout bounds each request from its arrival to the answer; default
	// DefaultTimeout (400 ms), at most MaxTimeout (the cockpit expects an
	// answer within 500 ms). When it passes, the answer is 503 "timeout".
	Timeout time.Duration
	// MaxRequestBytes bounds the request body; default
	// DefaultMaxRequestBytes. Larger requests get 413 "request_too_large".
	MaxRequestBytes int64
	// RatePerSecond and Burst are the token bucket of each allow-list entry;
	// defaults DefaultRatePerSecond and twice the rate.
	RatePerSecond float64
	Burst         int
	// Logger receives one line per refused or failed request, without
	// personal data; default: discard.
	Logger *slog.Logger
}

// Handler is the http.Handler the Datenschutzcockpit talks to. It must be
// served over TLS with client certificates verified (see [ServerTLSConfig]);
// requests without a verified client certificate are refused. It is safe
// for concurrent use.
type Handler struct {
	svc      *Service
	codec    Codec
	timeout  time.Duration
	maxBytes int64
	clients  []allowed
	log      *slog.Logger

	inflight sync.WaitGroup
}

type allowed struct {
	name    string
	dn      string
	pin     []byte
	limiter *rate.Limiter
}

// NewHandler returns the HTTP handler answering with svc. The rate limiters
// are one per allow-list entry, so their number is bounded by the list.
func NewHandler(svc *Service, cfg HandlerConfig) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("cockpit: NewHandler needs a Service")
	}
	h := &Handler{svc: svc, codec: cfg.Codec, timeout: cfg.Timeout, maxBytes: cfg.MaxRequestBytes, log: cfg.Logger}
	if h.codec == nil {
		h.codec = JSONCodec{}
	}
	if h.timeout == 0 {
		h.timeout = DefaultTimeout
	}
	if h.timeout < 0 || h.timeout > MaxTimeout {
		return nil, errors.New("cockpit: HandlerConfig.Timeout must be between 0 and 499ms")
	}
	if h.maxBytes == 0 {
		h.maxBytes = DefaultMaxRequestBytes
	}
	if h.maxBytes < 0 {
		return nil, errors.New("cockpit: HandlerConfig.MaxRequestBytes is negative")
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	rps := cfg.RatePerSecond
	if rps == 0 {
		rps = DefaultRatePerSecond
	}
	if rps < 0 {
		return nil, errors.New("cockpit: HandlerConfig.RatePerSecond is negative")
	}
	burst := cfg.Burst
	if burst == 0 {
		burst = max(1, int(2*rps))
	}
	if burst < 0 {
		return nil, errors.New("cockpit: HandlerConfig.Burst is negative")
	}
	if len(cfg.Clients) == 0 {
		return nil, errors.New("cockpit: HandlerConfig.Clients (the allow-list) is empty")
	}
	names := map[string]bool{}
	for i, c := range cfg.Clients {
		if c.Name == "" || len(c.Name) > 64 {
			return nil, fmt.Errorf("cockpit: allow-list entry %d: Name must be 1..64 bytes", i)
		}
		if names[c.Name] {
			return nil, fmt.Errorf("cockpit: allow-list entry %d: Name %q given twice", i, c.Name)
		}
		if audit.ContainsIDNr(c.Name) {
			return nil, fmt.Errorf("cockpit: allow-list entry %d: Name must not contain an IDNr", i)
		}
		names[c.Name] = true
		if c.SubjectDN == "" && c.SPKISHA256 == "" {
			return nil, fmt.Errorf("cockpit: allow-list entry %q: needs SubjectDN or SPKISHA256", c.Name)
		}
		a := allowed{name: c.Name, dn: c.SubjectDN, limiter: rate.NewLimiter(rate.Limit(rps), burst)}
		if c.SPKISHA256 != "" {
			pin, err := hex.DecodeString(c.SPKISHA256)
			if err != nil || len(pin) != sha256.Size {
				return nil, fmt.Errorf("cockpit: allow-list entry %q: SPKISHA256 is not 64 hex digits", c.Name)
			}
			a.pin = pin
		}
		h.clients = append(h.clients, a)
	}
	return h, nil
}

// ServerTLSConfig returns a TLS configuration for serving a [Handler]: TLS
// 1.2 or newer, the server's certificate, and client certificates required
// and verified against clientCAs.
func ServerTLSConfig(cert tls.Certificate, clientCAs *x509.CertPool) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		ClientCAs:    clientCAs,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}
}

// Close waits until every lookup the handler started has ended, including
// those whose request already timed out. Call it after the http.Server has
// shut down.
func (h *Handler) Close() error {
	h.inflight.Wait()
	return nil
}

// client returns the allow-list entry matching the verified leaf certificate.
func (h *Handler) client(cert *x509.Certificate) *allowed {
	var pin [sha256.Size]byte
	havePin := false
	for i := range h.clients {
		a := &h.clients[i]
		if a.dn != "" && cert.Subject.String() != a.dn {
			continue
		}
		if a.pin != nil {
			if !havePin {
				pin = sha256.Sum256(cert.RawSubjectPublicKeyInfo)
				havePin = true
			}
			if subtle.ConstantTimeCompare(pin[:], a.pin) != 1 {
				continue
			}
		}
		return a
	}
	return nil
}

// ServeHTTP answers one request of the cockpit. See the package
// documentation ("HTTP handler and mTLS") for the checks in order.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")

	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		h.refuse(w, r, start, "", CodeCertificateRequired, "a verified client certificate is required")
		return
	}
	leaf := r.TLS.VerifiedChains[0][0]
	c := h.client(leaf)
	if c == nil {
		h.log.WarnContext(ctx, "cockpit: client certificate not on the allow-list", slog.String("spki_sha256", SPKIPin(leaf)))
		h.refuse(w, r, start, "", CodeNotAllowed, "client certificate not on the allow-list")
		return
	}
	if !c.limiter.Allow() {
		hdr.Set("Retry-After", "1")
		h.refuse(w, r, start, c.name, CodeRateLimited, "too many requests from this client")
		return
	}
	if r.Method != http.MethodPost {
		hdr.Set("Allow", http.MethodPost)
		h.refuse(w, r, start, c.name, CodeMethodNotAllowed, "use POST")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != h.codec.ContentType() {
		h.refuse(w, r, start, c.name, CodeUnsupportedMediaType, "Content-Type must be "+h.codec.ContentType())
		return
	}
	tooLarge := "request body larger than " + strconv.FormatInt(h.maxBytes, 10) + " bytes"
	if r.ContentLength > h.maxBytes {
		h.refuse(w, r, start, c.name, CodeRequestTooLarge, tooLarge)
		return
	}
	req, err := h.codec.DecodeRequest(http.MaxBytesReader(w, r.Body, h.maxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		var re *RequestError
		switch {
		case errors.As(err, &mbe):
			h.refuse(w, r, start, c.name, CodeRequestTooLarge, tooLarge)
		case errors.As(err, &re):
			h.refuse(w, r, start, c.name, CodeMalformedRequest, re.Error())
		case ctx.Err() != nil:
			h.refuse(w, r, start, c.name, CodeTimeout, "no answer within the deadline")
		default:
			h.refuse(w, r, start, c.name, CodeMalformedRequest, "request body could not be read")
		}
		return
	}
	req.Client = c.name

	// The answer is computed in its own goroutine so that it leaves in time
	// even if the store does not honour the context promptly.
	done := make(chan Answer, 1)
	h.inflight.Add(1)
	go func() {
		defer h.inflight.Done()
		done <- h.svc.Answer(ctx, req)
	}()
	var a Answer
	select {
	case a = <-done:
	case <-ctx.Done():
		a = Answer{MessageID: uuid.New(), InReplyTo: req.MessageID,
			Status: &StatusAnswer{Code: CodeTimeout, Message: "no answer within the deadline"}}
	}
	h.answer(w, r, start, c.name, &req, &a)
}

// answer writes a, sealed with the request's content key if it carried
// one. Only a status answer may leave without a key, and a list or content
// answer only when the Service allows plaintext.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, start time.Time, client string, req *Request, a *Answer) {
	ctx := r.Context()
	if req.ContentKey == nil && a.Status == nil && !h.svc.allowPlaintext {
		h.log.ErrorContext(ctx, "cockpit: refusing to send an answer in plaintext", slog.String("client", client))
		a.List, a.Content = nil, nil
		a.Status = &StatusAnswer{Code: CodeKeyRequired, Message: "a content key is required: answers are encrypted"}
	}
	body, err := h.codec.MarshalAnswer(a)
	if err != nil {
		h.log.ErrorContext(ctx, "cockpit: encoding the answer failed", slog.String("client", client), slog.String("err", redact(err.Error())))
		a.List, a.Content = nil, nil
		a.Status = &StatusAnswer{Code: CodeInternal, Message: "internal error"}
		if body, err = h.codec.MarshalAnswer(a); err != nil {
			h.refuse(w, r, start, client, CodeInternal, "internal error")
			return
		}
	}
	env := Envelope{MessageID: a.MessageID, InReplyTo: a.InReplyTo, Plain: body}
	if req.ContentKey != nil {
		if err := Seal(req.ContentKey, &env, body); err != nil {
			h.log.ErrorContext(ctx, "cockpit: sealing the answer failed", slog.String("client", client))
			h.refuse(w, r, start, client, CodeInternal, "internal error")
			return
		}
	}
	status := http.StatusOK
	if a.Status != nil {
		status = httpStatus(a.Status.Code)
		if a.Status.Code == CodeTimeout {
			w.Header().Set("Retry-After", "1")
		}
	}
	h.write(w, status, &env)
	if a.Status != nil && status != http.StatusOK {
		h.log.InfoContext(ctx, "cockpit: request refused", slog.String("client", client),
			slog.String("code", string(a.Status.Code)), slog.Int("status", status), slog.Duration("took", time.Since(start)))
		return
	}
	entries := 0
	if a.List != nil {
		entries = len(a.List.Entries)
	}
	h.log.DebugContext(ctx, "cockpit: answered", slog.String("client", client),
		slog.Int("entries", entries), slog.Bool("sealed", env.Algorithm != ""),
		slog.Duration("took", time.Since(start)))
}

func (h *Handler) write(w http.ResponseWriter, status int, env *Envelope) {
	body := bodyPool.Get().(*bytes.Buffer)
	defer putBody(body)
	if err := h.codec.EncodeEnvelope(body, env); err != nil {
		body.Reset()
		status = http.StatusInternalServerError
		_ = JSONCodec{}.EncodeEnvelope(body, statusEnvelope(uuid.Nil, CodeInternal, "internal error"))
	}
	hdr := w.Header()
	hdr.Set("Content-Type", h.codec.ContentType())
	hdr.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(body.Bytes())
}

// bodyPool keeps answer buffers across requests: an answer of 200
// entries is about 100 KB, which would otherwise be allocated and grown
// for every request.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBody(b *bytes.Buffer) {
	if b.Cap() > 4<<20 { // do not keep the buffers of rare huge answers
		return
	}
	b.Reset()
	bodyPool.Put(b)
}

// statusEnvelope is a plaintext status answer of the JSON codec.
func statusEnvelope(inReplyTo uuid.UUID, code StatusCode, msg string) *Envelope {
	b, _ := JSONCodec{}.MarshalAnswer(&Answer{Status: &StatusAnswer{Code: code, Message: msg}})
	return &Envelope{MessageID: uuid.New(), InReplyTo: inReplyTo, Plain: b}
}

// refuse writes a plaintext status answer to a request that was not read
// (so no key is known) and logs it at Info level (never the body).
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, start time.Time, client string, code StatusCode, msg string) {
	body, err := h.codec.MarshalAnswer(&Answer{Status: &StatusAnswer{Code: code, Message: msg}})
	env := &Envelope{MessageID: uuid.New(), Plain: body}
	if err != nil {
		env = statusEnvelope(uuid.Nil, code, msg)
	}
	status := httpStatus(code)
	h.write(w, status, env)
	h.log.InfoContext(r.Context(), "cockpit: request refused", slog.String("client", client),
		slog.String("code", string(code)), slog.Int("status", status), slog.Duration("took", time.Since(start)))
}

// redact replaces every run of 9 or more digits by asterisks, so that an
// error text from below can be logged without an IDNr in it.
func redact(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j-i >= 9 {
			for k := i; k < j; k++ {
				b[k] = '*'
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return string(b)
}
