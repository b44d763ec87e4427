package idatest

import (
	"time"

	"github.com/regmo/regmo/ida"

	"github.com/regmo/regmo/idnr"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	people      []idnr.Person
	popSize     int
	popSeed     uint64
	seed        uint64
	faults      Faults
	script      []Fault
	rate        float64
	burst       int
	entitled    map[string]idnr.Fields
	clock       func() time.Time
	dedupWindow int
	codec       ida.Codec
}

// WithPeople makes people the population the mock answers from (instead of
// a synthetic one). The slice is copied.
func WithPeople(people []idnr.Person) Option {
	return func(c *config) { c.people = append([]idnr.Person(nil), people...) }
}

// WithPopulation makes the mock generate n synthetic people from seed
// (default: 1,000 people, seed 1). Ignored when WithPeople is given.
func WithPopulation(n int, seed uint64) Option {
	return func(c *config) { c.popSize, c.popSeed = n, seed }
}

// WithSeed seeds the random choice of faults by rate (default 1), so that a
// run with the same requests in the same order sees the same faults.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithFaults injects faults at random by the given rates.
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }

// WithScript injects the given faults into the first len(faults) HTTP
// requests the server receives, in order (FaultNone for a clean one). After
// the script, faults by rate apply.
func WithScript(faults ...Fault) Option {
	return func(c *config) { c.script = append([]Fault(nil), faults...) }
}

// WithRateLimit limits each sender (by the Regmo-Sender header) to perSecond
// requests with the given burst; excess requests get 429 with Retry-After.
// Default: no limit.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) { c.rate, c.burst = perSecond, burst }
}

// WithEntitlement restricts the fields delivered to sender (by ID) to f; the
// IDNr is always delivered. Default: every field asked for.
func WithEntitlement(sender string, f idnr.Fields) Option {
	return func(c *config) {
		if c.entitled == nil {
			c.entitled = make(map[string]idnr.Fields)
		}
		c.entitled[sender] = f
	}
}

// WithClock sets the clock for answer times (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithDedupWindow sets how many answered message IDs the server remembers
// for de-duplication (default 1,000,000).
func WithDedupWindow(n int) Option { return func(c *config) { c.dedupWindow = n } }

// WithCodec makes the mock speak c's wire format (default [ida.JSONv1]):
// requests are routed by c.Endpoint and checked against c.ContentType. c
// must also implement [ida.ServerCodec], found by type assertion;
// NewServer panics if it does not (a programming error, as with
// httptest).
func WithCodec(c ida.Codec) Option { return func(cfg *config) { cfg.codec = c } }

// Fault is a fault the mock can inject into one HTTP request.
type Fault uint8

const (
	FaultNone Fault = iota
	// Fault429 answers 429 with Retry-After, without processing.
	Fault429
	// Fault500 answers 500, without processing.
	Fault500
	// Fault503 answers 503 with Retry-After, without processing.
	Fault503
	// FaultLatency processes and answers after Faults.Latency.
	FaultLatency
	// FaultTimeout processes, then does not answer until the client gives
	// up (or Faults.TimeoutAfter passes), then drops the connection.
	FaultTimeout
	// FaultDrop processes, then drops the connection without an answer.
	FaultDrop
	// FaultTruncate processes, then sends half the answer and drops the connection.
	FaultTruncate
	// FaultMalformed processes, then sends a body that is not valid JSON.
	FaultMalformed
	// FaultWrongID processes, then answers with another request ID.
	FaultWrongID
	// FaultDuplicate processes, then sends the answer (or a bulk line) twice.
	FaultDuplicate
	// FaultReject rejects the whole message with 403 and the reason code
	// "not-entitled", without processing (never chosen by rate).
	FaultReject

	// The hostile answers below are never chosen by rate; script them with
	// WithScript. Each processes the message as usual and then alters what
	// is sent for this HTTP request only (the de-duplication cache keeps
	// the true answer).

	// FaultOtherPerson answers every hit with another person of the
	// population: another IDNr, family name and birth date.
	FaultOtherPerson
	// FaultUnrequested adds fields the request did not ask for
	// (nationalities and the address) to every hit.
	FaultUnrequested
	// FaultBadChars puts characters outside DIN 91379 into every hit: a
	// right-to-left override (U+202E) into the family name, an ESC into
	// the given names and a NUL into the address's street (when
	// delivered).
	FaultBadChars
	// FaultBadUTF8 puts bytes that are not valid UTF-8 into every hit's
	// family name, as raw bytes in the JSON body.
	FaultBadUTF8
	// FaultPersonalText rejects the whole message with 403, the reason
	// code "not-entitled" and a text that holds a person's name, birth
	// date and IDNr.
	FaultPersonalText
	// FaultPersonalCode rejects every lookup or search of the message
	// (in the answer, with HTTP 200) with a reason code and a text that
	// hold a person's IDNr and name.
	FaultPersonalCode
	// FaultUnknownField adds a member to the answer whose name holds a
	// person's name, birth date and IDNr.
	FaultUnknownField

	faultEnd
)

const rateFaultEnd = FaultReject

var faultText = [...]string{"none", "429", "500", "503", "latency", "timeout", "drop", "truncate", "malformed", "wrong-id", "duplicate", "reject",
	"other-person", "unrequested", "bad-chars", "bad-utf8", "personal-text", "personal-code", "unknown-field"}

func (f Fault) String() string {
	if int(f) < len(faultText) {
		return faultText[f]
	}
	return "unknown"
}

// Faults are the rates (0 to 1) at which the mock injects each fault into
// an HTTP request; their sum must not exceed 1.
type Faults struct {
	Status429, Status500, Status503 float64
	Latency, Timeout, Drop          float64
	Truncate, Malformed             float64
	WrongID, Duplicate              float64

	// RetryAfter is sent with 429 and 503 (rounded up to whole seconds;
	// default 1s). RetryAfterDate sends it as an HTTP date instead.
	RetryAfter     time.Duration
	RetryAfterDate bool
	// RetryAfterRaw, if set, is sent verbatim as Retry-After with 429 and
	// 503 instead of RetryAfter, to test a client against values such as
	// "-5" or "99999999999999999999".
	RetryAfterRaw string
	// LatencyDelay is the delay of FaultLatency (default 50ms).
	LatencyDelay time.Duration
	// TimeoutAfter is how long FaultTimeout holds the request at most
	// (default 1 minute); it ends earlier when the client gives up.
	TimeoutAfter time.Duration
}

func (f *Faults) rates() [faultEnd]float64 {
	var r [faultEnd]float64
	r[Fault429], r[Fault500], r[Fault503] = f.Status429, f.Status500, f.Status503
	r[FaultLatency], r[FaultTimeout], r[FaultDrop] = f.Latency, f.Timeout, f.Drop
	r[FaultTruncate], r[FaultMalformed] = f.Truncate, f.Malformed
	r[FaultWrongID], r[FaultDuplicate] = f.WrongID, f.Duplicate
	return r
}
