package melde_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/ida/melde"
	"github.com/regmo/regmo/ida/melde/meldetest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
)

type nopProtocol struct{}

func (nopProtocol) Append(context.Context, ...audit.Record) error                  { return nil }
func (nopProtocol) AppendTransport(context.Context, ...audit.TransportEvent) error { return nil }

// batchAnswer is an answer to 1,000 searches, two in three of them hits
// with every field, encoded by codec's server half.
func batchAnswer(b *testing.B, codec ida.Codec) ([]byte, *ida.Request) {
	people := idnrtest.New(5).Population(1000)
	req := &ida.Request{MessageID: uuid.New(), Kind: ida.KindBulk, Searches: make([]ida.Search, len(people))}
	resp := &ida.Response{MessageID: uuid.New(), RequestID: req.MessageID, Kind: ida.KindBulk}
	for i := range people {
		it := ida.Item{Seq: i, Outcome: ida.NotIdentifiable}
		if i%3 != 0 {
			it.Outcome, it.Person, it.Fields = ida.Hit, people[i], idnr.AllFields
		}
		resp.Items = append(resp.Items, it)
	}
	var buf bytes.Buffer
	if err := codec.(ida.ServerCodec).EncodeResponse(&buf, resp); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes(), req
}

// BenchmarkDecodeBatch1000 compares the strict decoding of a 1,000-item
// answer in regmo-melde/1 with regmo-ida/1 (ida.JSONv1) in the same run.
func BenchmarkDecodeBatch1000(b *testing.B) {
	for _, codec := range []ida.Codec{melde.JSONv1{}, ida.JSONv1{}} {
		b.Run(codec.Name(), func(b *testing.B) {
			data, req := batchAnswer(b, codec)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := codec.DecodeResponse(bytes.NewReader(data), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBulk1000 is a batch of 1,000 searches through the whole client
// (policy, breaker, retries, codec, checks, protocol calls) against the
// mock Meldebehörde over loopback HTTP, both in this process.
func BenchmarkBulk1000(b *testing.B) {
	srv := meldetest.NewServer(idatest.WithPopulation(20_000, 1))
	defer srv.Close()
	c, err := melde.New(melde.Config{Authority: authority, Client: ida.Config{
		BaseURL: srv.URL, HTTPClient: srv.Client(), Sender: audit.Body{ID: "bench"},
		Policy: policy, Protocol: nopProtocol{}, RateLimit: ida.NoRateLimit,
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var ss []ida.Search
	for _, p := range srv.People() {
		if p.Address.PostalCode != "" && p.Address.City != "" && !p.BirthDate.IsZero() {
			ss = append(ss, searchOf(p))
		}
	}
	ss = ss[:len(ss)/1000*1000]
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		as, err := c.Bulk(ctx, auth, ss[(i*1000)%len(ss):][:1000])
		if err != nil || len(as) != 1000 {
			b.Fatal(err)
		}
		i++
	}
}
