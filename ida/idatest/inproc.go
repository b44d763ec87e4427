package idatest

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"sync"
)

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// errDropped is what the in-process transport returns when the handler
// drops the connection.
var errDropped = errors.New("idatest: connection dropped by the server")

// Transport returns an http.RoundTripper that calls the handler in process,
// without sockets. Faults behave as over the network: a dropped connection
// is an error, a truncated answer a body that ends with
// io.ErrUnexpectedEOF, a timeout an answer that never comes until the
// request's context ends. It works inside a testing/synctest bubble.
func (s *Server) Transport() http.RoundTripper { return &inproc{s: s} }

type inproc struct{ s *Server }

type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	buf         bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.buf.Write(b)
}
func (r *recorder) Flush() {}

type truncatedBody struct{ r io.Reader }

func (t *truncatedBody) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}
func (t *truncatedBody) Close() error { return nil }

func (t *inproc) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	r2 := req.Clone(req.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.RemoteAddr = "127.0.0.1:1"
	r2.RequestURI = req.URL.RequestURI()
	rec := &recorder{header: make(http.Header)}
	var aborted bool
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer close(done)
		defer wg.Done()
		defer func() {
			if v := recover(); v != nil {
				aborted = true
			}
		}()
		t.s.Handler().ServeHTTP(rec, r2)
	}()
	select {
	case <-done:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if aborted && !rec.wroteHeader {
		return nil, errDropped
	}
	if !rec.wroteHeader {
		rec.status = http.StatusOK
	}
	resp := &http.Response{
		Status:     http.StatusText(rec.status),
		StatusCode: rec.status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        rec.header,
		ContentLength: -1,
		Request:       req,
	}
	if aborted {
		resp.Body = &truncatedBody{r: bytes.NewReader(rec.buf.Bytes())}
	} else {
		resp.Body = io.NopCloser(bytes.NewReader(rec.buf.Bytes()))
		resp.ContentLength = int64(rec.buf.Len())
	}
	return resp, nil
}
