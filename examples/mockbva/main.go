// Command mockbva runs the mock BVA of package ida/idatest as a standalone
// server, for register vendors whose integration tests are not written in Go.
// It speaks wire format regmo-ida/1 (see the documentation of package ida)
// and answers from a synthetic population only.
//
//	go run ./examples/mockbva -addr 127.0.0.1:8443 -people 10000 -certs ./certs
//
// See README.md for the flags.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/internal/peoplefile"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mockbva:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		addr       = flag.String("addr", "127.0.0.1:8443", "address to listen on")
		people     = flag.Int("people", 10000, "size of the synthetic population")
		popSeed    = flag.Uint64("seed", 1, "seed of the synthetic population")
		faultSeed  = flag.Uint64("fault-seed", 1, "seed of the random fault choice")
		plain      = flag.Bool("plain", false, "serve plain HTTP instead of mutual TLS (loopback tests only)")
		certFile   = flag.String("cert", "", "server certificate (PEM); empty: generate a throw-away CA and certificates")
		keyFile    = flag.String("key", "", "server key (PEM), with -cert")
		clientCA   = flag.String("client-ca", "", "CA (PEM) that client certificates must chain to, with -cert")
		certsDir   = flag.String("certs", "", "with generated certificates: write ca.pem, client.pem and client-key.pem here")
		dumpPeople = flag.String("dump-people", "", "write the synthetic population as NDJSON to this file")
		loadPeople = flag.String("load", "", "serve the people of this NDJSON file (the format -dump-people writes) instead of a generated population")
		rateLimit  = flag.Float64("rate", 0, "requests per second per sender (0: unlimited); excess gets 429")
		burst      = flag.Int("burst", 0, "burst of the per-sender rate limit (default: rate)")
		f429       = flag.Float64("fault-429", 0, "rate of 429 with Retry-After")
		f500       = flag.Float64("fault-500", 0, "rate of 500")
		f503       = flag.Float64("fault-503", 0, "rate of 503 with Retry-After")
		fLatency   = flag.Float64("fault-latency", 0, "rate of slow answers (see -latency)")
		fTimeout   = flag.Float64("fault-timeout", 0, "rate of answers that never come (connection held, then dropped)")
		fDrop      = flag.Float64("fault-drop", 0, "rate of dropped connections after processing")
		fTruncate  = flag.Float64("fault-truncate", 0, "rate of truncated answers")
		fMalformed = flag.Float64("fault-malformed", 0, "rate of malformed answers")
		fWrongID   = flag.Float64("fault-wrong-id", 0, "rate of answers with another request ID")
		fDuplicate = flag.Float64("fault-duplicate", 0, "rate of duplicated answers")
		retryAfter = flag.Duration("retry-after", time.Second, "Retry-After of injected 429 and 503 (whole seconds)")
		httpDate   = flag.Bool("retry-after-date", false, "send Retry-After as an HTTP date")
		latency    = flag.Duration("latency", 200*time.Millisecond, "delay of slow answers")
		holdFor    = flag.Duration("timeout-after", time.Minute, "how long a timeout fault holds the connection at most")
		statsEvery = flag.Duration("stats", 0, "print counters at this interval (0: only at exit)")
	)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	faults := idatest.Faults{
		Status429: *f429, Status500: *f500, Status503: *f503,
		Latency: *fLatency, Timeout: *fTimeout, Drop: *fDrop, Truncate: *fTruncate,
		Malformed: *fMalformed, WrongID: *fWrongID, Duplicate: *fDuplicate,
		RetryAfter: *retryAfter, RetryAfterDate: *httpDate, LatencyDelay: *latency, TimeoutAfter: *holdFor,
	}
	sum := faults.Status429 + faults.Status500 + faults.Status503 + faults.Latency + faults.Timeout +
		faults.Drop + faults.Truncate + faults.Malformed + faults.WrongID + faults.Duplicate
	if sum > 1 {
		return fmt.Errorf("fault rates add up to %.2f, more than 1", sum)
	}
	if *people < 1 {
		return errors.New("-people must be at least 1")
	}
	opts := []idatest.Option{idatest.WithSeed(*faultSeed), idatest.WithFaults(faults)}
	if *loadPeople != "" {
		pop, err := loadFile(*loadPeople)
		if err != nil {
			return err
		}
		*people = len(pop)
		opts = append(opts, idatest.WithPeople(pop))
	} else {
		opts = append(opts, idatest.WithPopulation(*people, *popSeed))
	}
	if *rateLimit > 0 {
		opts = append(opts, idatest.WithRateLimit(*rateLimit, *burst))
	}
	srv := idatest.NewUnstartedServer(opts...)
	_ = srv.Listener.Close()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv.Listener = l

	if *dumpPeople != "" {
		if err := writePeople(*dumpPeople, srv); err != nil {
			return err
		}
	}

	switch {
	case *plain:
		srv.Start()
	case *certFile != "":
		certs, err := loadCerts(*certFile, *keyFile, *clientCA)
		if err != nil {
			return err
		}
		srv.Certs = certs
		srv.StartTLS()
	default:
		host, _, _ := net.SplitHostPort(l.Addr().String())
		certs, err := idatest.GenerateCerts(host, "127.0.0.1", "::1", "localhost")
		if err != nil {
			return err
		}
		srv.Certs = certs
		if *certsDir != "" {
			if err := writeCerts(*certsDir, certs); err != nil {
				return err
			}
			log.Info("client certificates written", "dir", *certsDir)
		}
		srv.StartTLS()
	}
	log.Info("mock BVA listening", "url", srv.URL, "people", *people, "protocol", "regmo-ida/1")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var tick <-chan time.Time
	if *statsEvery > 0 {
		t := time.NewTicker(*statsEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-tick:
			logStats(log, srv)
		case <-ctx.Done():
			srv.Close()
			logStats(log, srv)
			return nil
		}
	}
}

func logStats(log *slog.Logger, srv *idatest.Server) {
	st := srv.Stats()
	faults := map[string]int{}
	for f, n := range st.Faults {
		faults[f.String()] = n
	}
	log.Info("stats", "requests", st.Requests, "processed", st.Processed, "replayed", st.Replayed,
		"limited", st.Limited, "max_processed", st.MaxProcessed, "faults", faults)
}

func loadCerts(certFile, keyFile, caFile string) (*idatest.Certs, error) {
	if keyFile == "" || caFile == "" {
		return nil, errors.New("-cert needs -key and -client-ca")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	pemCA, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	// Certs.ServerTLS trusts Certs.CA for client certificates.
	block, err := pemDecode(pemCA)
	if err != nil {
		return nil, fmt.Errorf("-client-ca: %w", err)
	}
	ca, err := x509.ParseCertificate(block)
	if err != nil {
		return nil, err
	}
	return &idatest.Certs{CA: ca, Server: cert}, nil
}

func writeCerts(dir string, c *idatest.Certs) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"ca.pem": c.CAPEM, "client.pem": c.ClientCertPEM, "client-key.pem": c.ClientKeyPEM,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func writePeople(path string, srv *idatest.Server) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := peoplefile.Write(f, srv.People()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadFile reads the population of -load.
func loadFile(path string) ([]idnr.Person, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pop, err := peoplefile.Read(f)
	if err != nil {
		return nil, fmt.Errorf("-load %s: %w", path, err)
	}
	return pop, nil
}
