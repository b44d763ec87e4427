package ida

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// Protocol receives the § 9 protocol records and the transport events of
// every exchange. *[audit.Log] implements it; tests may pass a fake.
type Protocol interface {
	Append(ctx context.Context, recs ...audit.Record) error
	AppendTransport(ctx context.Context, evs ...audit.TransportEvent) error
}

// MaxBulk is the largest number of searches in one Bulk message.
const MaxBulk = 1000

// NoRateLimit as Config.RateLimit switches the client-side rate limiter off.
const NoRateLimit = -1

// Config configures a [Client]. Zero values mean the documented defaults.
// [New] copies it; changing it afterwards has no effect.
type Config struct {
	// BaseURL of the BVA's interface, e.g. "https://ida.example/"
	// (required). It must be https, unless the host is a loopback address
	// or AllowHTTP is set.
	BaseURL   string
	AllowHTTP bool

	// TLS is the TLS configuration for mutual TLS: Certificates holds this
	// body's client certificate, RootCAs the administration PKI's roots.
	// Used only when HTTPClient is nil. Nil means the system roots and no
	// client certificate (which the BVA refuses).
	TLS *tls.Config
	// HTTPClient, if set, is used for the exchange (its Transport and
	// Jar); its Timeout is replaced by AttemptTimeout and redirects are
	// never followed. For tests: idatest.Server.Client().
	HTTPClient *http.Client

	// Sender is this body (required: Sender.ID names it towards the BVA).
	Sender audit.Body
	// Counterpart is the other side in protocol records; default
	// {Name: "Bundesverwaltungsamt", ID: "BVA"}.
	Counterpart audit.Body

	// Policy is the authorisation concept (required: at least one rule).
	Policy Policy
	// Protocol receives protocol records and transport events (required;
	// usually an *audit.Log).
	Protocol Protocol

	// Codec is the wire format; default [JSONv1].
	Codec Codec

	// RateLimit is the number of HTTP attempts per second this client
	// makes (retries included); default 20. NoRateLimit switches it off.
	RateLimit float64
	// RateBurst is the limiter's burst; default max(1, RateLimit).
	RateBurst int

	Retry   Retry
	Breaker Breaker

	// AttemptTimeout bounds one HTTP attempt including reading the
	// answer; default 30s. The caller's context bounds the whole call.
	AttemptTimeout time.Duration
	// MaxResponseBytes bounds an answer body; default 64 MiB.
	MaxResponseBytes int64

	// Clock is used for message times, protocol records and HTTP-date
	// Retry-After values; default time.Now.
	Clock func() time.Time
	// Rand returns a number in [0, 1) for the backoff jitter; default
	// math/rand/v2.Float64. It must be safe for concurrent use.
	Rand func() float64
	// NewMessageID returns a fresh message ID; default uuid.New.
	NewMessageID func() uuid.UUID
	// Logger receives debug and warning lines (never personal data);
	// default: discard.
	Logger *slog.Logger
	// ReasonCodes adds reason codes to [ReasonCodes] that the client
	// passes on in a *RejectedError, a *ResponseError and the transport
	// log (for example the codes of an official codec); codes that do not
	// have the form of a code are ignored. Any other code reads
	// "unlisted".
	ReasonCodes []string
}

// Retry configures the retries of one message. A retry resends the same
// message with the same message ID.
type Retry struct {
	// Max is the number of retries after the first attempt; default 4.
	// Negative means no retries.
	Max int
	// WaitMin and WaitMax bound the exponential backoff (WaitMin·2^n with
	// jitter, at most WaitMax); defaults 100ms and 5s.
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for within
	// a call; a longer one ends the call with a *ResponseError carrying
	// RetryAfter. Default 60s.
	MaxRetryAfter time.Duration
}

// Breaker configures the circuit breaker that guards all messages of a
// client.
type Breaker struct {
	// Failures is the number of consecutive failed messages (after their
	// retries) that opens the breaker; default 5. Negative disables the breaker.
	Failures int
	// OpenFor is how long the breaker stays open before it lets probe
	// messages through (half-open); default 30s.
	OpenFor time.Duration
	// Probes is the number of probe messages allowed while half-open;
	// that many successes close the breaker, one failure opens it again.
	// Default 1.
	Probes int
}

// Client is a client of the identity data retrieval. It is safe for
// concurrent use by many goroutines; it starts no goroutines of its own.
type Client struct {
	base      *url.URL
	hc        *http.Client
	codec     Codec
	proto     Protocol
	policy    Policy
	sender    audit.Body
	other     audit.Body
	retry     Retry
	maxResp   int64
	clock     func() time.Time
	rnd       func() float64
	newID     func() uuid.UUID
	log       *slog.Logger
	codes     map[string]bool // reason codes passed on (see code)
	breaker   *gobreaker.CircuitBreaker[*Response]
	limiter   *rate.Limiter
	endpoints map[Kind]string

	closed atomic.Bool
	stats  struct {
		messages, attempts, retries, opened, closed atomic.Int64
	}
}

// Stats are counters of a client since New.
type Stats struct {
	Messages      int64  // messages sent (retries not counted; refused by the breaker not counted)
	Attempts      int64  // HTTP attempts, retries included
	Retries       int64  // attempts after the first
	BreakerOpened int64  // times the breaker went to open
	BreakerClosed int64  // times it closed again after probing
	BreakerState  string // "closed", "half-open", "open" or "disabled"
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	bad := func(field, reason string) error {
		return &FieldError{Index: -1, Field: "Config." + field, Reason: reason}
	}
	if cfg.BaseURL == "" {
		return nil, bad("BaseURL", "required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" {
		return nil, bad("BaseURL", "not an absolute URL")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !cfg.AllowHTTP && !isLoopback(u.Hostname()) {
			return nil, bad("BaseURL", "must be https (http only for loopback hosts or with AllowHTTP)")
		}
	default:
		return nil, bad("BaseURL", "scheme must be https")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if cfg.Sender.ID == "" {
		return nil, bad("Sender.ID", "required")
	}
	if textProblem(cfg.Sender.ID, MaxText) != "" || textProblem(cfg.Sender.Name, MaxText) != "" {
		return nil, bad("Sender", "too long or not printable")
	}
	if len(cfg.Policy.Rules) == 0 {
		return nil, bad("Policy", "required: at least one rule")
	}
	if cfg.Protocol == nil {
		return nil, bad("Protocol", "required: the § 9 protocol is mandatory")
	}
	c := &Client{
		base:    u,
		codec:   cfg.Codec,
		proto:   cfg.Protocol,
		policy:  cfg.Policy.clone(),
		sender:  cfg.Sender,
		other:   cfg.Counterpart,
		retry:   cfg.Retry,
		maxResp: cfg.MaxResponseBytes,
		clock:   cfg.Clock,
		rnd:     cfg.Rand,
		newID:   cfg.NewMessageID,
		log:     cfg.Logger,
		codes:   codeSet(cfg.ReasonCodes),
	}
	if c.codec == nil {
		c.codec = JSONv1{}
	}
	if c.other == (audit.Body{}) {
		c.other = audit.Body{Name: "Bundesverwaltungsamt", ID: "BVA"}
	}
	if c.maxResp <= 0 {
		c.maxResp = 64 << 20
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.rnd == nil {
		c.rnd = rand.Float64
	}
	if c.newID == nil {
		c.newID = uuid.New
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.retry.Max == 0 {
		c.retry.Max = 4
	} else if c.retry.Max < 0 {
		c.retry.Max = 0
	}
	if c.retry.WaitMin <= 0 {
		c.retry.WaitMin = 100 * time.Millisecond
	}
	if c.retry.WaitMax <= 0 {
		c.retry.WaitMax = 5 * time.Second
	}
	if c.retry.WaitMax < c.retry.WaitMin {
		c.retry.WaitMax = c.retry.WaitMin
	}
	if c.retry.MaxRetryAfter <= 0 {
		c.retry.MaxRetryAfter = 60 * time.Second
	}
	c.endpoints = make(map[Kind]string)
	for k := KindLookup; k <= KindClarificationReply; k++ {
		c.endpoints[k] = u.String() + c.codec.Endpoint(k)
	}

	// Rate limiter (per attempt).
	if cfg.RateLimit != NoRateLimit {
		r := cfg.RateLimit
		if r <= 0 {
			r = 20
		}
		b := cfg.RateBurst
		if b <= 0 {
			b = max(1, int(r))
		}
		c.limiter = rate.NewLimiter(rate.Limit(r), b)
	}

	// HTTP client.
	var base http.RoundTripper
	var jar http.CookieJar
	if cfg.HTTPClient != nil {
		base, jar = cfg.HTTPClient.Transport, cfg.HTTPClient.Jar
		if base == nil {
			base = http.DefaultTransport
		}
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.TLS != nil {
			t.TLSClientConfig = cfg.TLS.Clone()
		}
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		if t.TLSClientConfig.MinVersion < tls.VersionTLS12 {
			t.TLSClientConfig.MinVersion = tls.VersionTLS12
		}
		t.MaxIdleConnsPerHost = 64
		base = t
	}
	if c.limiter != nil {
		base = &limitedTransport{base: base, lim: c.limiter}
	}
	timeout := cfg.AttemptTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	c.hc = &http.Client{
		Transport:     base,
		Jar:           jar,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	// Circuit breaker.
	if cfg.Breaker.Failures >= 0 {
		n := cfg.Breaker.Failures
		if n == 0 {
			n = 5
		}
		probes := cfg.Breaker.Probes
		if probes <= 0 {
			probes = 1
		}
		openFor := cfg.Breaker.OpenFor
		if openFor <= 0 {
			openFor = 30 * time.Second
		}
		c.breaker = gobreaker.NewCircuitBreaker[*Response](gobreaker.Settings{
			Name:        "ida",
			MaxRequests: uint32(probes),
			Timeout:     openFor,
			ReadyToTrip: func(cnt gobreaker.Counts) bool { return cnt.ConsecutiveFailures >= uint32(n) },
			IsSuccessful: func(err error) bool {
				return err == nil || !breakerFailure(err)
			},
			IsExcluded: func(err error) bool {
				return errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed) || isTooMany(err)
			},
			OnStateChange: func(_ string, from, to gobreaker.State) {
				switch to {
				case gobreaker.StateOpen:
					c.stats.opened.Add(1)
				case gobreaker.StateClosed:
					c.stats.closed.Add(1)
				}
				c.log.Warn("ida: circuit breaker state change", "from", from.String(), "to", to.String())
			},
		})
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// breakerFailure tells which errors count against the breaker: the server
// or the network failing, not the caller or the rules.
func breakerFailure(err error) bool {
	var (
		re *ResponseError
		te *TransportError
		de *DecodeError
	)
	switch {
	case errors.As(err, &re):
		return re.Status >= 500
	case errors.As(err, &te), errors.As(err, &de):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}

func isTooMany(err error) bool {
	var re *ResponseError
	return errors.As(err, &re) && re.Status == http.StatusTooManyRequests
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	s := Stats{
		Messages:      c.stats.messages.Load(),
		Attempts:      c.stats.attempts.Load(),
		Retries:       c.stats.retries.Load(),
		BreakerOpened: c.stats.opened.Load(),
		BreakerClosed: c.stats.closed.Load(),
		BreakerState:  "disabled",
	}
	if c.breaker != nil {
		s.BreakerState = c.breaker.State().String()
	}
	return s
}

// Close releases idle connections. Calls after Close fail with ErrClosed;
// calls in flight finish. Close does not close the Protocol.
func (c *Client) Close() error {
	c.closed.Store(true)
	c.hc.CloseIdleConnections()
	return nil
}

type limitedTransport struct {
	base http.RoundTripper
	lim  *rate.Limiter
}

func (t *limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.lim.Wait(r.Context()); err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(r)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
