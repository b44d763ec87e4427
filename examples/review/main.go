// Command review serves the clerks' workbench (registers/review) over the
// backfill demo's register: the cases the demo fill left (review, not
// identifiable, rejected, no search, duplicates) in ./regmo-demo/ after
// `go run ./examples/backfill`.
//
// It listens on loopback only and logs every request in as one fixed DEMO
// clerk (demoClerk): there is no real login. A real deployment passes the
// vendor's authentication (session, client certificate, reverse proxy) as
// review.HandlerConfig.Authenticate. Searches of "correct and search
// again" go to an in-process mock BVA holding the demo's true data, through
// the real IDA client, and are written to the demo's § 9 protocol
// (audit.db) as every opened case is to its read-access log. Do not run it
// while the backfill runs on the same directory. See README.md.
package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/regmo/regmo/audit"
	auditsqlite "github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/regmo/regmo/registers/sqlregister"
)

const (
	clerkRole    = "sachbearbeitung"
	clerkPurpose = "erstbefuellung-klaerung"
	legalBasis   = "§ 6 Abs. 3 IDNrG"
)

// demoClerk is the DEMO login: every request is served as this clerk.
// Never use a fixed clerk outside a demo on loopback.
var demoClerk = review.Clerk{ID: "demo-sb-1", Name: "Demo-Sachbearbeitung (DEMO-Anmeldung, keine echte Anmeldung)",
	Role: clerkRole, Purpose: clerkPurpose, FileRef: "DEMO"}

type options struct {
	dir, addr string
	noMock    bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dir, "dir", "./regmo-demo", "the backfill demo's directory (register.db, audit.db, audit.key)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address; loopback only (port 0 picks a free port)")
	fs.BoolVar(&o.noMock, "no-mock", false, "no in-process mock BVA: \"correct and search again\" is refused (faster start on large demos)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "review: unexpected argument %q\n", fs.Arg(0))
		return nil, errors.New("unexpected arguments")
	}
	if err := loopbackOnly(o.addr); err != nil {
		fmt.Fprintln(stderr, "review:", err)
		return nil, err
	}
	return o, nil
}

// loopbackOnly refuses a listen address that is not on loopback: the
// demo login lets anyone who reaches the port decide cases.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q: the demo serves loopback only (127.0.0.1, ::1, localhost): its login is a fixed demo clerk", addr)
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "review:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. It prints the URL to stdout as the line
// "review: http://HOST:PORT/" once it listens.
func run(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	regPath := filepath.Join(o.dir, "register.db")
	auditPath := filepath.Join(o.dir, "audit.db")
	keyPath := filepath.Join(o.dir, "audit.key")
	for _, p := range []string{regPath, auditPath, keyPath} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s: %w (run `go run ./examples/backfill -dir %s` first)", p, err, o.dir)
		}
	}
	db, err := sqlregister.OpenSQLite(regPath)
	if err != nil {
		return fmt.Errorf("opening the demo register: %w", err)
	}
	defer db.Close()
	seed, people, err := demoMeta(ctx, db)
	if err != nil {
		return err
	}
	// The backfill demo's configuration: the register writes every mapped
	// column on Accept (see examples/backfill).
	cols := sqlregister.DefaultColumns()
	reg, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true,
		Columns: cols, Write: cols.Mapped()})
	if err != nil {
		return fmt.Errorf("opening the demo register: %w", err)
	}

	key, err := audit.LoadSigningKey(keyPath)
	if err != nil {
		return err
	}
	alog, err := openProtocol(ctx, auditPath, key)
	if err != nil {
		return err
	}
	defer alog.Close()

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	matcher := registers.FromMatch(match.New())
	wcfg := review.Config{Store: reg, Policy: review.Policy{Rules: []review.Rule{{Role: clerkRole, Purposes: []string{clerkPurpose},
		Actions: []review.Action{review.ActionRead, review.ActionDecide, review.ActionSearch}}}},
		Access: alog, Matcher: matcher, LegalBasis: legalBasis, Fields: reg.Fields(), Logger: logger}
	if !o.noMock {
		t0 := time.Now()
		mock := idatest.NewHandlerServer(idatest.WithPeople(demoTruth(seed, people)))
		defer mock.Close()
		client, err := ida.New(ida.Config{
			BaseURL: mock.URL, AllowHTTP: true, HTTPClient: &http.Client{Transport: mock.Transport()},
			Sender:    audit.Body{Name: "regmo Demo (Klärung)", ID: "regmo-demo"},
			Policy:    ida.Policy{Rules: []ida.Rule{{Role: clerkRole, Purposes: []string{clerkPurpose}, Kinds: []ida.Kind{ida.KindBulk, ida.KindSearch}, Fields: idnr.AllFields}}},
			Protocol:  alog,
			RateLimit: ida.NoRateLimit,
		})
		if err != nil {
			return err
		}
		defer client.Close()
		wcfg.Identifier = client
		fmt.Fprintf(stderr, "review: mock BVA holds %d people (prepared in %.1fs)\n", len(mock.People()), time.Since(t0).Seconds())
	}
	wb, err := review.New(wcfg)
	if err != nil {
		return err
	}
	h, err := review.NewHandler(review.HandlerConfig{Workbench: wb, Logger: logger,
		Authenticate: func(*http.Request) (review.Clerk, bool) { return demoClerk, true }})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "review: DEMO login: every request is clerk %q (role %s); loopback only, not for real data\n", demoClerk.ID, demoClerk.Role)
	fmt.Fprintf(stdout, "review: http://%s/\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// openProtocol opens the demo's § 9 protocol with its signed checkpoint,
// as the backfill does, so that both keep the same checkpoint.
func openProtocol(ctx context.Context, path string, key ed25519.PrivateKey) (*audit.Log, error) {
	store, err := auditsqlite.Open(path, auditsqlite.WithReaders(2))
	if err != nil {
		return nil, fmt.Errorf("opening the protocol: %w", err)
	}
	alog, err := audit.New(ctx, store, audit.Options{SigningKey: key, CheckpointFile: path + ".checkpoint"})
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("opening the protocol: %w", err)
	}
	return alog, nil
}

// demoMeta reads the seed and size the backfill demo keeps in demo_meta.
func demoMeta(ctx context.Context, db *sql.DB) (seed uint64, people int, err error) {
	var s string
	var complete int
	err = db.QueryRowContext(ctx, "SELECT seed, people, complete FROM demo_meta").Scan(&s, &people, &complete)
	if err != nil {
		return 0, 0, fmt.Errorf("not a backfill demo register (demo_meta: %w); run `go run ./examples/backfill` first", err)
	}
	if complete != 1 {
		return 0, 0, errors.New("the demo register was not created completely; run `go run ./examples/backfill -fresh`")
	}
	seed, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("demo_meta: seed: %w", err)
	}
	return seed, people, nil
}

// demoTruth is the population the backfill demo's mock BVA holds: the
// first people of idnrtest.New(seed).Population(people) less those
// unknown to the BZSt (examples/backfill/demo.go, kept in step by
// TestServesBackfillDemo's search).
func demoTruth(seed uint64, people int) []idnr.Person {
	all := idnrtest.New(seed).Population(people)[:people]
	out := make([]idnr.Person, 0, len(all))
	for i := range all {
		if rand.New(rand.NewPCG(seed, uint64(i)^0x9e3779b97f4a7c15)).IntN(500) != 0 {
			out = append(out, all[i])
		}
	}
	return out
}
