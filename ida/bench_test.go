package ida_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/regmo/regmo/idnr"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
)

// nopProtocol accepts everything, so that benchmarks measure the client.
type nopProtocol struct{}

func (nopProtocol) Append(context.Context, ...audit.Record) error                  { return nil }
func (nopProtocol) AppendTransport(context.Context, ...audit.TransportEvent) error { return nil }

func benchServer(b *testing.B) *idatest.Server {
	srv := idatest.NewServer(idatest.WithPopulation(20_000, 1))
	b.Cleanup(srv.Close)
	return srv
}

func benchClient(b *testing.B, srv *idatest.Server) *ida.Client {
	c, err := ida.New(ida.Config{
		BaseURL: srv.URL, HTTPClient: srv.Client(),
		Sender: audit.Body{Name: "Bench", ID: "bench"}, Policy: testPolicy, Protocol: nopProtocol{},
		RateLimit: ida.NoRateLimit,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func benchSearches(srv *idatest.Server, n int) []ida.Search {
	people := srv.People()
	out := make([]ida.Search, n)
	for i := range out {
		out[i] = searchFor(people[i%len(people)])
	}
	return out
}

// BenchmarkSearch is one search through the whole client (policy,
// breaker, retries, codec, strict decoding, protocol) on loopback.
func BenchmarkSearch(b *testing.B) {
	srv := benchServer(b)
	c := benchClient(b, srv)
	ss := benchSearches(srv, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	i := 0
	for b.Loop() {
		_, err := c.Search(ctx, testAuth, ss[i%len(ss)])
		if err != nil && !ida.IsNotIdentifiable(err) {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearchBareHTTP is the same exchange with a bare http.Client:
// encode the message, POST it, read the answer; no policy, breaker,
// retries, decoding or protocol. BenchmarkSearch / this = client overhead.
func BenchmarkSearchBareHTTP(b *testing.B) {
	srv := benchServer(b)
	hc := srv.Client()
	ss := benchSearches(srv, 1000)
	var buf bytes.Buffer
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	i := 0
	for b.Loop() {
		bareExchange(b, hc, srv.URL, &buf, uuid.New(), ss[i%len(ss)], false)
		i++
	}
}

// bareExchange encodes one search into buf, POSTs it with hc, and reads
// the answer: discarded, or returned if keep.
func bareExchange(b *testing.B, hc *http.Client, base string, buf *bytes.Buffer, id uuid.UUID, s ida.Search, keep bool) []byte {
	buf.Reset()
	err := ida.JSONv1{}.EncodeRequest(buf, &ida.Request{
		MessageID: id, Kind: s.Kind.Kind(), Sender: audit.Body{ID: "bench"}, Sent: time.Now(),
		Purpose: testAuth.Purpose, LegalBasis: testAuth.LegalBasis, Fields: idnr.AllFields,
		Searches: []ida.Search{s},
	})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+ida.JSONv1{}.Endpoint(s.Kind.Kind()), bytes.NewReader(buf.Bytes()))
	req.Header.Set("Content-Type", ida.MediaJSON)
	req.Header.Set(ida.HeaderMessageID, id.String())
	req.Header.Set(ida.HeaderSender, "bench")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var data []byte
	if keep {
		data, _ = io.ReadAll(resp.Body)
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	if resp.StatusCode != 200 {
		b.Fatal(resp.Status)
	}
	return data
}

// BenchmarkBulk1000 measures bulk throughput (records/s) for messages of
// 1,000 searches against idatest on loopback, both sides in this process.
func BenchmarkBulk1000(b *testing.B) {
	srv := benchServer(b)
	c := benchClient(b, srv)
	ss := benchSearches(srv, 20_000)
	ctx := context.Background()
	b.ReportAllocs()
	records := 0
	start, cpu0 := time.Now(), cpuTime()
	i := 0
	for b.Loop() {
		batch := ss[(i*1000)%len(ss):][:1000]
		as, err := c.Bulk(ctx, testAuth, batch)
		if err != nil {
			b.Fatal(err)
		}
		records += len(as)
		i++
	}
	b.ReportMetric(float64(records)/time.Since(start).Seconds(), "records/s")
	// On a shared machine wall time depends on the neighbours; records per
	// CPU-second (client and server together, both in this process) does not.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(records)/cpu.Seconds(), "records/cpu-s")
	}
}

// BenchmarkDecodeResponse is the strict decoding of one hit.
func BenchmarkDecodeResponse(b *testing.B) {
	p := testPeople()[0]
	data := encodeResponse(b, &ida.Response{MessageID: uuid.New(), RequestID: fuzzReqID, Kind: ida.KindSearch,
		Items: []ida.Item{{Outcome: ida.Hit, Person: p, Fields: idnr.AllFields}}})
	req := fuzzRequest(false)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := (ida.JSONv1{}).DecodeResponse(bytes.NewBuffer(data), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchBareHTTPDecode is the bare exchange plus a plain
// json.Unmarshal of the answer, the least any client must do.
func BenchmarkSearchBareHTTPDecode(b *testing.B) {
	srv := benchServer(b)
	hc := srv.Client()
	ss := benchSearches(srv, 1000)
	var buf bytes.Buffer
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	i := 0
	for b.Loop() {
		id := uuid.New()
		data := bareExchange(b, hc, srv.URL, &buf, id, ss[i%len(ss)], true)
		var v struct {
			RequestID string `json:"request_id"`
			Result    string `json:"result"`
			Person    struct {
				IDNr        string `json:"idnr"`
				FamilyName  string `json:"family_name"`
				GivenNames  string `json:"given_names"`
				BirthDate   string `json:"birth_date"`
				Nationality []string
				Address     map[string]string `json:"address"`
			} `json:"person"`
		}
		if err := json.Unmarshal(data, &v); err != nil || v.RequestID != id.String() {
			b.Fatal("bad answer")
		}
		i++
	}
}

// BenchmarkBulk1000Parallel is BenchmarkBulk1000 with GOMAXPROCS workers
// sending bulk messages at once, as a backfill with several workers does.
func BenchmarkBulk1000Parallel(b *testing.B) {
	srv := benchServer(b)
	c := benchClient(b, srv)
	ss := benchSearches(srv, 20_000)
	ctx := context.Background()
	b.ReportAllocs()
	var mu sync.Mutex
	records, next := 0, 0
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			as, err := c.Bulk(ctx, testAuth, ss[(i*1000)%len(ss):][:1000])
			if err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			records += len(as)
			mu.Unlock()
		}
	})
	b.ReportMetric(float64(records)/time.Since(start).Seconds(), "records/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(records)/cpu.Seconds(), "records/cpu-s")
	}
}

// reportCPU adds the CPU time per operation of this process (client and
// server together), which does not depend on other processes' load.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := cpuTime() - cpu0; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
