package idatest

import (
	"bytes"
	"context"
	"crypto/tls"
	"hash/maphash"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"golang.org/x/time/rate"
)

// maxRequest bounds a request body the mock accepts.
const maxRequest = 64 << 20

// Server is a mock BVA: an HTTP server speaking wire format regmo-ida/1
// that answers from a synthetic population, with scripted faults and a
// record of what it received. Create it with [NewServer], [NewTLSServer] or
// [NewUnstartedServer]; Close it when done.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234", once started.
	URL string
	// Listener is where the server listens; NewUnstartedServer sets a
	// loopback listener that the caller may replace before Start.
	Listener net.Listener
	// Certs are the certificates of a TLS server (StartTLS); nil before.
	Certs *Certs

	cfg    config
	codec  ida.Codec       // the client half: hostile answers re-read what the server wrote
	server ida.ServerCodec // the same codec's server half, found by type assertion
	people []idnr.Person
	byIDNr map[idnr.IDNr]int32
	byName map[string][]int32 // searchForm(family or former name) + "|" + birth date
	seed   maphash.Seed

	hs      *http.Server
	serveWG sync.WaitGroup
	reqWG   sync.WaitGroup
	closing chan struct{}
	once    sync.Once
	started bool
	tls     bool

	mu         sync.Mutex
	faults     Faults
	rng        *rand.Rand
	scriptPos  int
	dedup      map[uuid.UUID]*entry
	order      []uuid.UUID // message IDs in the cache, oldest first from orderHead
	orderHead  int
	dedupBytes int
	delivered  map[string]bool
	limiters   map[string]*rate.Limiter
	records    []Request
	reports    []ida.Request
	clarify    clarifyQueue
	processed  map[uuid.UUID]int
	stats      Stats
}

// entry is one processed message in the de-duplication cache.
type entry struct {
	done chan struct{}
	hash uint64
	kind ida.Kind
	// searches is the number of searches of the message as decoded (the
	// codec's count, not a count of lines), for hostile answers and the
	// request records.
	searches int
	status   int
	body     []byte
}

// Request is the record of one HTTP request the server received.
type Request struct {
	Time      time.Time
	MessageID uuid.UUID
	Kind      ida.Kind
	Sender    string
	Searches  int   // number of searches (bulk), 1 for single searches
	Fault     Fault // the fault injected, if any
	Status    int   // HTTP status sent; 0 if the connection was dropped before a status
	Replayed  bool  // answered from the de-duplication cache
	Processed bool  // this request caused the message to be processed
}

// Stats are counters of a Server.
type Stats struct {
	Requests  int // HTTP requests received
	Processed int // messages processed (each message ID at most once)
	Replayed  int // requests answered from the de-duplication cache
	Limited   int // requests refused by the per-sender rate limit
	Faults    map[Fault]int
	// MaxProcessed is the largest number of times one message ID was
	// processed; 1 (or 0) means no message was processed twice.
	MaxProcessed int
}

// NewUnstartedServer returns a server that is not started yet, with a
// loopback Listener (like httptest.NewUnstartedServer). Use Handler for
// in-process use, or Start / StartTLS.
func NewUnstartedServer(opts ...Option) *Server {
	s := newServer(opts...)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic("idatest: failed to listen on a loopback port: " + err.Error())
		}
	}
	s.Listener = l
	return s
}

// NewServer starts and returns a plain-HTTP loopback server.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewTLSServer starts and returns a loopback server that requires mutual
// TLS with freshly generated certificates; Client() and ClientTLS() carry
// the client certificate.
func NewTLSServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.StartTLS()
	return s
}

// NewHandlerServer returns a server without a listener, for in-process use
// through Handler or Transport only (for example inside a testing/synctest
// bubble). URL is "http://idatest.invalid"; Close waits for handlers.
func NewHandlerServer(opts ...Option) *Server {
	s := newServer(opts...)
	s.URL = "http://idatest.invalid"
	return s
}

func newServer(opts ...Option) *Server {
	cfg := config{popSize: 1000, popSeed: 1, seed: 1, dedupWindow: 1_000_000}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = time.Now
	}
	if cfg.dedupWindow <= 0 {
		cfg.dedupWindow = 1_000_000
	}
	s := &Server{
		cfg:       cfg,
		seed:      maphash.MakeSeed(),
		closing:   make(chan struct{}),
		rng:       rand.New(rand.NewPCG(cfg.seed, 0xfa17)),
		dedup:     make(map[uuid.UUID]*entry),
		delivered: make(map[string]bool),
		limiters:  make(map[string]*rate.Limiter),
		processed: make(map[uuid.UUID]int),
	}
	s.stats.Faults = make(map[Fault]int)
	s.faults = cfg.faults
	s.codec = cfg.codec
	if s.codec == nil {
		s.codec = ida.JSONv1{}
	}
	sc, ok := s.codec.(ida.ServerCodec)
	if !ok {
		panic("idatest: codec " + strconv.Quote(s.codec.Name()) + " has no server half (ida.ServerCodec)")
	}
	s.server = sc
	if cfg.people != nil {
		s.people = cfg.people
	} else {
		s.people = generate(cfg.popSize, cfg.popSeed)
	}
	s.index()
	return s
}

func (s *Server) index() {
	s.byIDNr = make(map[idnr.IDNr]int32, len(s.people))
	s.byName = make(map[string][]int32, len(s.people))
	for i := range s.people {
		p := &s.people[i]
		if !p.IDNr.IsZero() {
			s.byIDNr[p.IDNr] = int32(i)
		}
		birth := "|" + p.BirthDate.String()
		keys := []string{searchForm(p.FamilyName) + birth}
		for _, n := range p.FormerNames {
			k := searchForm(n) + birth
			if k != keys[0] {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			s.byName[k] = append(s.byName[k], int32(i))
		}
	}
}

// People returns the population the server answers from (not a copy: do
// not modify it).
func (s *Server) People() []idnr.Person { return s.people }

// Start starts serving plain HTTP on s.Listener.
func (s *Server) Start() {
	if s.started {
		panic("idatest: server already started")
	}
	s.started = true
	s.URL = "http://" + s.Listener.Addr().String()
	s.serve(s.Listener)
}

// StartTLS starts serving on s.Listener with mutual TLS. If s.Certs is nil,
// fresh certificates for the loopback addresses are generated.
func (s *Server) StartTLS() {
	if s.started {
		panic("idatest: server already started")
	}
	if s.Certs == nil {
		c, err := GenerateCerts("127.0.0.1", "::1", "localhost")
		if err != nil {
			panic("idatest: " + err.Error())
		}
		s.Certs = c
	}
	s.started, s.tls = true, true
	s.URL = "https://" + s.Listener.Addr().String()
	s.serve(tls.NewListener(s.Listener, s.Certs.ServerTLS()))
}

func (s *Server) serve(l net.Listener) {
	s.hs = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          discardLogger(),
	}
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		_ = s.hs.Serve(l)
	}()
}

// Close stops the server, closes its connections and waits for every
// handler to return.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		if s.hs != nil {
			_ = s.hs.Close()
		} else if s.Listener != nil {
			_ = s.Listener.Close()
		}
		s.serveWG.Wait()
		s.reqWG.Wait()
	})
}

// Client returns an HTTP client for the server: for a TLS server it trusts
// the server and presents the client certificate.
func (s *Server) Client() *http.Client {
	if s.tls {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: s.ClientTLS(), MaxIdleConnsPerHost: 64}}
	}
	if s.Listener == nil {
		return &http.Client{Transport: s.Transport()}
	}
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

// ClientTLS returns the client side TLS configuration of a TLS server (its
// root and the client certificate), for ida.Config.TLS; nil otherwise.
func (s *Server) ClientTLS() *tls.Config {
	if s.Certs == nil {
		return nil
	}
	return s.Certs.ClientTLS()
}

// SetFaults replaces the fault rates from now on (for example to simulate
// an outage with Status503: 1, and its end).
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Faults = make(map[Fault]int, len(s.stats.Faults))
	for k, v := range s.stats.Faults {
		st.Faults[k] = v
	}
	return st
}

// Requests returns a copy of the record of every HTTP request received.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.records...)
}

// Processed returns how many times the message with id was processed.
func (s *Server) Processed(id uuid.UUID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.processed[id]
}

// Reports returns the reports (inaccuracy, last contact) received, in order.
func (s *Server) Reports() []ida.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ida.Request(nil), s.reports...)
}

// Handler returns the server's HTTP handler, for in-process use.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) problem(w http.ResponseWriter, status int, id uuid.UUID, code, text string) {
	var b bytes.Buffer
	_ = s.server.EncodeProblem(&b, &ida.Problem{RequestID: id, Code: code, Text: text})
	w.Header().Set("Content-Type", ida.MediaJSON)
	w.Header().Set(ida.HeaderProtocol, s.codec.Name())
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) record(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, r)
	return len(s.records) - 1
}

func (s *Server) setStatus(i, status int, replayed, processed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[i].Status = status
	s.records[i].Replayed = replayed
	s.records[i].Processed = processed
}

func (s *Server) pickFault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	var f Fault
	if s.scriptPos < len(s.cfg.script) {
		f = s.cfg.script[s.scriptPos]
		s.scriptPos++
	} else {
		rates := s.faults.rates()
		x := s.rng.Float64()
		for i := Fault429; i < rateFaultEnd; i++ {
			if x < rates[i] {
				f = i
				break
			}
			x -= rates[i]
		}
	}
	if f != FaultNone {
		s.stats.Faults[f]++
	}
	return f
}

func (s *Server) retryAfter() string {
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	if f.RetryAfterRaw != "" {
		return f.RetryAfterRaw
	}
	d := f.RetryAfter
	if d <= 0 {
		d = time.Second
	}
	secs := int((d + time.Second - 1) / time.Second)
	if f.RetryAfterDate {
		return s.cfg.clock().Add(time.Duration(secs) * time.Second).UTC().Format(http.TimeFormat)
	}
	return strconv.Itoa(secs)
}

func (s *Server) limited(sender string) (time.Duration, bool) {
	if s.cfg.rate <= 0 {
		return 0, false
	}
	s.mu.Lock()
	lim := s.limiters[sender]
	if lim == nil {
		b := s.cfg.burst
		if b <= 0 {
			b = max(1, int(s.cfg.rate))
		}
		lim = rate.NewLimiter(rate.Limit(s.cfg.rate), b)
		s.limiters[sender] = lim
	}
	s.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		s.mu.Lock()
		s.stats.Limited++
		s.mu.Unlock()
		return d, true
	}
	return 0, false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.reqWG.Add(1)
	defer s.reqWG.Done()
	select {
	case <-s.closing:
		s.problem(w, http.StatusServiceUnavailable, uuid.Nil, "shutting-down", "the server is closing")
		return
	default:
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.problem(w, http.StatusMethodNotAllowed, uuid.Nil, "method-not-allowed", "use POST")
		return
	}
	kind, ok := s.kindOf(r.URL.Path)
	if !ok {
		s.problem(w, http.StatusNotFound, uuid.Nil, "unknown-endpoint", "no such endpoint")
		return
	}
	id, err := uuid.Parse(r.Header.Get(ida.HeaderMessageID))
	if err != nil || id == uuid.Nil {
		s.problem(w, http.StatusBadRequest, uuid.Nil, "missing-message-id", "header "+ida.HeaderMessageID+" missing or not a UUID")
		return
	}
	sender := r.Header.Get(ida.HeaderSender)
	if sender == "" {
		s.problem(w, http.StatusBadRequest, id, "missing-sender", "header "+ida.HeaderSender+" missing")
		return
	}
	if p := r.Header.Get(ida.HeaderProtocol); p != "" && p != s.codec.Name() {
		s.problem(w, http.StatusBadRequest, id, "unsupported-protocol", "only "+s.codec.Name())
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, s.codec.ContentType(kind)) {
		s.problem(w, http.StatusUnsupportedMediaType, id, "unsupported-media-type", "expected "+s.codec.ContentType(kind))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil {
		return // the client went away
	}
	if len(body) > maxRequest {
		s.problem(w, http.StatusRequestEntityTooLarge, id, "too-large", "request body too large")
		return
	}
	fault := s.pickFault()
	searches := 1
	if kind == ida.KindBulk {
		searches = max(0, bytes.Count(body, []byte{'\n'})-1)
	} else if kind != ida.KindSearch && kind != ida.KindFallback {
		searches = 0
	}
	rec := s.record(Request{Time: s.cfg.clock(), MessageID: id, Kind: kind, Sender: sender, Fault: fault, Searches: searches})

	switch fault {
	case Fault429, Fault503:
		w.Header().Set("Retry-After", s.retryAfter())
		status := http.StatusTooManyRequests
		if fault == Fault503 {
			status = http.StatusServiceUnavailable
		}
		s.setStatus(rec, status, false, false)
		s.problem(w, status, id, "injected-fault", "fault injected by idatest")
		return
	case FaultReject:
		s.setStatus(rec, http.StatusForbidden, false, false)
		s.problem(w, http.StatusForbidden, id, "not-entitled", "the sender is not entitled to this request (injected)")
		return
	case FaultPersonalText:
		s.setStatus(rec, http.StatusForbidden, false, false)
		s.problem(w, http.StatusForbidden, id, "not-entitled", s.personalText())
		return
	case Fault500:
		s.setStatus(rec, http.StatusInternalServerError, false, false)
		s.problem(w, http.StatusInternalServerError, id, "injected-fault", "fault injected by idatest")
		return
	}
	if d, lim := s.limited(sender); lim {
		secs := int((d + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
		s.setStatus(rec, http.StatusTooManyRequests, false, false)
		s.problem(w, http.StatusTooManyRequests, id, "rate-limited", "too many requests from this sender")
		return
	}

	e, replayed, processed, conflict := s.answer(r.Context(), id, kind, sender, body)
	if conflict {
		s.setStatus(rec, http.StatusConflict, false, false)
		s.problem(w, http.StatusConflict, id, "message-id-reused", "message ID already used for another message")
		return
	}
	if e == nil {
		return // client went away while another attempt was processing
	}
	if kind == ida.KindBulk {
		s.mu.Lock()
		s.records[rec].Searches = e.searches
		s.mu.Unlock()
	}
	s.deliver(w, r, rec, e, fault, replayed, processed, id)
}

// answer returns the cached answer for id, processing the message if it is new.
func (s *Server) answer(ctx context.Context, id uuid.UUID, kind ida.Kind, sender string, body []byte) (e *entry, replayed, processed, conflict bool) {
	h := maphash.Bytes(s.seed, body)
	s.mu.Lock()
	if old, ok := s.dedup[id]; ok {
		s.mu.Unlock()
		if old.hash != h || old.kind != kind {
			return nil, false, false, true
		}
		select {
		case <-old.done:
		case <-ctx.Done():
			return nil, false, false, false
		}
		s.mu.Lock()
		s.stats.Replayed++
		s.mu.Unlock()
		return old, true, false, false
	}
	e = &entry{done: make(chan struct{}), hash: h, kind: kind}
	s.dedup[id] = e
	s.order = append(s.order, id)
	s.processed[id]++
	s.stats.Processed++
	if n := s.processed[id]; n > s.stats.MaxProcessed {
		s.stats.MaxProcessed = n
	}
	s.mu.Unlock()

	e.status, e.body, e.searches = s.process(id, kind, sender, body)
	close(e.done)
	s.mu.Lock()
	s.dedupBytes += len(e.body)
	s.evict()
	s.mu.Unlock()
	return e, false, true, false
}

// maxDedupBytes bounds the answers kept for de-duplication.
const maxDedupBytes = 256 << 20

// evict drops the oldest answered messages beyond the window; s.mu is held.
func (s *Server) evict() {
	for len(s.order)-s.orderHead > s.cfg.dedupWindow || s.dedupBytes > maxDedupBytes {
		if s.orderHead >= len(s.order) {
			break
		}
		id := s.order[s.orderHead]
		e := s.dedup[id]
		select {
		case <-e.done:
		default:
			return // oldest still processing
		}
		s.dedupBytes -= len(e.body)
		delete(s.dedup, id)
		s.orderHead++
	}
	if s.orderHead > 1024 && s.orderHead*2 > len(s.order) {
		s.order = append(s.order[:0], s.order[s.orderHead:]...)
		s.orderHead = 0
	}
}

func (s *Server) deliver(w http.ResponseWriter, r *http.Request, rec int, e *entry, fault Fault, replayed, processed bool, id uuid.UUID) {
	body := e.body
	ctype := ida.MediaJSON
	if e.status == http.StatusOK {
		ctype = s.codec.ContentType(e.kind)
	}
	switch fault {
	case FaultLatency:
		s.mu.Lock()
		d := s.faults.LatencyDelay
		s.mu.Unlock()
		if d <= 0 {
			d = 50 * time.Millisecond
		}
		if !s.sleep(r.Context(), d) {
			return
		}
	case FaultTimeout:
		s.mu.Lock()
		d := s.faults.TimeoutAfter
		s.mu.Unlock()
		if d <= 0 {
			d = time.Minute
		}
		s.sleep(r.Context(), d)
		s.setStatus(rec, 0, replayed, processed)
		panic(http.ErrAbortHandler)
	case FaultDrop:
		s.setStatus(rec, 0, replayed, processed)
		panic(http.ErrAbortHandler)
	case FaultTruncate:
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(e.status)
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		s.setStatus(rec, e.status, replayed, processed)
		panic(http.ErrAbortHandler)
	case FaultMalformed:
		body = bytes.Clone(body)
		if i := bytes.IndexByte(body, '{'); i >= 0 {
			body[i] = '['
		}
	case FaultWrongID:
		body = bytes.ReplaceAll(body, []byte(id.String()), []byte(uuid.NewSHA1(id, []byte("wrong")).String()))
	case FaultDuplicate:
		body = duplicate(body, e.kind)
	case FaultOtherPerson, FaultUnrequested, FaultBadChars, FaultBadUTF8, FaultPersonalCode, FaultUnknownField:
		if e.status == http.StatusOK {
			body = s.hostile(fault, id, e, body)
		}
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set(ida.HeaderProtocol, s.codec.Name())
	w.Header().Set(ida.HeaderRequestID, id.String())
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
	s.setStatus(rec, e.status, replayed, processed)
}

// duplicate sends a single answer twice, or repeats the first answer line
// of a bulk answer.
func duplicate(body []byte, k ida.Kind) []byte {
	if k != ida.KindBulk {
		return append(bytes.Clone(body), body...)
	}
	first := bytes.IndexByte(body, '\n')
	if first < 0 {
		return body
	}
	second := bytes.IndexByte(body[first+1:], '\n')
	if second < 0 {
		return body
	}
	line := body[first+1 : first+1+second+1]
	out := make([]byte, 0, len(body)+len(line))
	out = append(out, body[:first+1+second+1]...)
	out = append(out, line...)
	return append(out, body[first+1+second+1:]...)
}

func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// kindOf finds the kind whose endpoint (by the codec) is path.
func (s *Server) kindOf(path string) (ida.Kind, bool) {
	for k := ida.KindLookup; k <= ida.KindClarificationReply; k++ {
		if s.codec.Endpoint(k) == path {
			return k, true
		}
	}
	return 0, false
}
