// Command cockpit serves the Datenschutzcockpit feed of package cockpit over
// the audit log that examples/backfill writes, with mutual TLS and a test PKI
// created on first run, and asks it for one person in client mode.
//
//	go run ./examples/cockpit                       # serve ./regmo-demo/audit.db on 127.0.0.1:8443
//	go run ./examples/cockpit -ask 36574261809      # ask for one person and print the entries
//	go run ./examples/cockpit -demo                 # no backfill yet: create a small demo log
//
// See README.md.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
)

const path = "/regmo-dsc/v2"

type options struct {
	db, key, pkiDir, addr string
	register, table       string
	demo, verbose         bool
	skipVerifyPerson      bool
	ask, birth, url       string
	limit, pages, open    int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cockpit:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("cockpit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.db, "db", "./regmo-demo/audit.db", "audit log (SQLite) written by examples/backfill")
	fs.StringVar(&o.key, "key", "./regmo-demo/audit.key", "ed25519 signing key of the audit log")
	fs.StringVar(&o.pkiDir, "pki", "./regmo-demo/pki", "test PKI directory (created on first run)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8443", "listen address (server mode)")
	fs.StringVar(&o.register, "register", "./regmo-demo/register.db", "register (SQLite, as examples/backfill writes it) whose birth dates the lookup data are checked against")
	fs.StringVar(&o.table, "table", "people", "register table")
	fs.BoolVar(&o.skipVerifyPerson, "insecure-skip-verify-person", false, "answer without checking the birth date against the register (any admitted client gets the transfers of any IDNr)")
	fs.BoolVar(&o.demo, "demo", false, "if the audit log or the register does not exist, create it with a few demo transfers and people")
	fs.BoolVar(&o.verbose, "v", false, "log refused requests and answers (never personal data)")
	fs.StringVar(&o.ask, "ask", "", "client mode: ask the server for the person with this IDNr and print the entries")
	fs.StringVar(&o.birth, "birth", "", "client mode: birth date sent as lookup data (YYYY-MM-DD, 00 for unknown parts)")
	fs.StringVar(&o.url, "url", "", "client mode: server URL (default https://<addr>"+path+")")
	fs.IntVar(&o.limit, "limit", 0, "client mode: page size (default: the server's)")
	fs.IntVar(&o.pages, "pages", 100, "client mode: follow at most this many pages")
	fs.IntVar(&o.open, "open", 0, "client mode: open entry number N of the list (stage 2) and print its content; 0: none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags go before arguments; see -h)", fs.Arg(0))
	}
	if o.ask != "" {
		return ask(ctx, o, stdout)
	}
	return serve(ctx, o, stdout, stderr)
}

func serve(ctx context.Context, o options, stdout, stderr io.Writer) error {
	p, created, err := ensurePKI(o.pkiDir)
	if err != nil {
		return fmt.Errorf("test PKI in %s: %w", o.pkiDir, err)
	}
	if created {
		fmt.Fprintf(stdout, "created a test PKI in %s (CA, server and client certificate; for testing only)\n", o.pkiDir)
	}

	fresh := false
	if _, err := os.Stat(o.db); errors.Is(err, fs.ErrNotExist) {
		if !o.demo {
			return fmt.Errorf("no audit log at %s.\n"+
				"Create one with the backfill example (go run ./examples/backfill; see examples/backfill/README.md),\n"+
				"or start with -demo to create a small demo log there", o.db)
		}
		if err := os.MkdirAll(filepath.Dir(o.db), 0o700); err != nil {
			return err
		}
		fresh = true
	}
	key, err := loadKey(o.key, fresh)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(o.db)
	if err != nil {
		return err
	}
	defer store.Close()
	alog, err := audit.New(ctx, store, audit.Options{SigningKey: key, CheckpointFile: o.db + ".checkpoint"})
	if err != nil {
		return err
	}
	defer alog.Close()
	if fresh {
		n, err := fillDemo(ctx, alog, time.Now())
		if err != nil {
			return fmt.Errorf("filling the demo log: %w", err)
		}
		fmt.Fprintf(stdout, "created the demo audit log %s with %d transfers; ask for 36574261809, 86095742719 or 65929970489\n", o.db, n)
	}

	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg := cockpit.Config{Texts: texts, Logger: logger, InsecureSkipVerifyPerson: o.skipVerifyPerson}
	if !o.skipVerifyPerson {
		// The DSC sends a birth date with the IDNr; the protocol holds
		// none, so the register checks it.
		reg, closeReg, err := openRegister(ctx, o.register, o.table, o.demo)
		if err != nil {
			return err
		}
		defer closeReg()
		cfg.VerifyPerson = verifyBirthDate(reg)
		// The register's current data about the person (Bestandsdaten),
		// served by the same two stages.
		cfg.Current = registerCurrent{reg}
	}
	svc, err := cockpit.New(alog, cfg)
	if err != nil {
		return err
	}
	leaf, err := x509.ParseCertificate(p.client.Certificate[0])
	if err != nil {
		return err
	}
	h, err := cockpit.NewHandler(svc, cockpit.HandlerConfig{
		Clients: []cockpit.AllowedClient{{Name: "dsc-demo", SubjectDN: leaf.Subject.String(), SPKISHA256: cockpit.SPKIPin(leaf)}},
		Logger:  logger,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+path, h)
	srv := &http.Server{
		Addr:              o.addr,
		Handler:           mux,
		TLSConfig:         cockpit.ServerTLSConfig(p.server, p.pool),
		ReadHeaderTimeout: 2 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "serving the cockpit feed of %s on https://%s%s (client certificates of %s only)\n"+
		"ask with: go run ./examples/cockpit -ask <IDNr>\n", o.db, ln.Addr(), path, filepath.Join(o.pkiDir, caFile))
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	<-errc
	_ = h.Close()
	fmt.Fprintln(stdout, "stopped")
	return err
}

// texts are the demo register's texts; codes without an entry are shown
// as the audit record holds them.
var texts = cockpit.Texts{
	LegalBases: map[string]string{
		"§ 6 Abs. 3 IDNrG": "§ 6 Absatz 3 Identifikationsnummerngesetz (Abruf der Identifikationsnummer und der Basisdaten)",
		"§ 6 Abs. 2 IDNrG": "§ 6 Absatz 2 Identifikationsnummerngesetz (Übermittlung an die Registermodernisierungsbehörde)",
	},
	Purposes: map[string]string{
		"Erstbefüllung": "Erstbefüllung des Registers mit der Identifikationsnummer",
		"Datenpflege":   "Aktualisierung der Basisdaten im Register",
	},
}

// loadKey reads the audit log's ed25519 key (audit.LoadSigningKey: PEM,
// or the seed or key raw, hex or base64). With create, a missing file is
// created with a fresh key (audit.LoadOrCreateSigningKey).
func loadKey(file string, create bool) (ed25519.PrivateKey, error) {
	if create {
		key, _, err := audit.LoadOrCreateSigningKey(file)
		return key, err
	}
	key, err := audit.LoadSigningKey(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (the backfill writes it next to the log)", err)
	}
	return key, err
}

// ask plays the Datenschutzcockpit: stage 1 lists the person's entries page
// by page, stage 2 (-open N) opens one. Every request carries a fresh
// content key of this "browser session"; the answers arrive sealed with it
// (AES-256-GCM) and are opened here, on the client side.
func ask(ctx context.Context, o options, stdout io.Writer) error {
	id, err := idnr.Parse(o.ask)
	if err != nil {
		return fmt.Errorf("-ask: %w", err)
	}
	key := make([]byte, cockpit.ContentKeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	req := cockpit.Request{Kind: cockpit.KindList, SessionID: uuid.New(), IDNr: id, Limit: o.limit, ContentKey: key}
	if o.birth != "" {
		if req.BirthDate, err = idnr.ParseDate(o.birth); err != nil {
			return fmt.Errorf("-birth: %w", err)
		}
	}
	p, err := loadPKI(o.pkiDir)
	if err != nil {
		return fmt.Errorf("test PKI in %s: %w (start the server once to create it)", o.pkiDir, err)
	}
	url := o.url
	if url == "" {
		url = "https://" + o.addr + path
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion: tls.VersionTLS12, RootCAs: p.pool, Certificates: []tls.Certificate{p.client},
	}}}
	codec := cockpit.JSONCodec{}
	post := func(req *cockpit.Request) (cockpit.Answer, time.Duration, error) {
		req.MessageID = uuid.New()
		var body bytes.Buffer
		if err := codec.EncodeRequest(&body, req); err != nil {
			return cockpit.Answer{}, 0, err
		}
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
		if err != nil {
			return cockpit.Answer{}, 0, err
		}
		hreq.Header.Set("Content-Type", codec.ContentType())
		start := time.Now()
		hresp, err := client.Do(hreq)
		if err != nil {
			return cockpit.Answer{}, 0, err
		}
		defer hresp.Body.Close()
		a, err := cockpit.ReadAnswer(codec, io.LimitReader(hresp.Body, 16<<20), key)
		took := time.Since(start)
		if err != nil {
			return a, took, fmt.Errorf("HTTP %d: %w", hresp.StatusCode, err)
		}
		if a.InReplyTo != req.MessageID {
			return a, took, errors.New("the answer names another request")
		}
		if a.Status != nil && a.Status.Code != cockpit.CodeNothingFound {
			return a, took, fmt.Errorf("HTTP %d: status %s: %s", hresp.StatusCode, a.Status.Code, a.Status.Message)
		}
		return a, took, nil
	}

	var entries []cockpit.Entry
	var current []cockpit.CurrentEntry
	for page := 1; page <= o.pages; page++ {
		a, took, err := post(&req)
		if err != nil {
			return err
		}
		if a.Status != nil { // nothing found
			fmt.Fprintf(stdout, "nothing found for %s\n", id.Masked())
			return nil
		}
		l := a.List
		if page == 1 {
			fmt.Fprintf(stdout, "transfers of %s between %s and %s (newest first; answers decrypted here with AES-256-GCM):\n", id.Masked(),
				l.From.Format(time.DateOnly), l.To.Format(time.DateOnly))
		}
		for _, e := range l.Entries {
			entries = append(entries, e)
			fmt.Fprintf(stdout, "[%d] ", len(entries))
			printEntry(stdout, &e)
		}
		current = append(current, l.Current...)
		fmt.Fprintf(stdout, "-- page %d: %d entries in %s\n", page, len(l.Entries), took.Round(time.Microsecond))
		if l.Next == "" {
			break
		}
		req.Cursor = l.Next
	}
	fmt.Fprintf(stdout, "%d entries\n", len(entries))
	for _, c := range current {
		var cats []string
		for _, ct := range c.Categories {
			cats = append(cats, ct.Text)
		}
		fmt.Fprintf(stdout, "[B%d] Bestandsdaten: %s (%s)\n", len(entries)+1, c.Title, strings.Join(cats, ", "))
		entries = append(entries, cockpit.Entry{ID: c.ID})
	}
	if o.open == 0 {
		return nil
	}
	if o.open < 0 || o.open > len(entries) {
		return fmt.Errorf("-open %d: the list has %d entries", o.open, len(entries))
	}
	open := cockpit.Request{Kind: cockpit.KindContent, SessionID: req.SessionID, IDNr: id, BirthDate: req.BirthDate,
		ContentKey: key, EntryID: entries[o.open-1].ID}
	a, took, err := post(&open)
	if err != nil {
		return err
	}
	c := a.Content
	fmt.Fprintf(stdout, "-- entry %d opened in %s:\n", o.open, took.Round(time.Microsecond))
	switch {
	case len(c.Content) > 0:
		fmt.Fprintf(stdout, "    Inhalt:         %s\n", c.Content)
	case c.ContentRef != "":
		fmt.Fprintf(stdout, "    Inhalt:         siehe %s\n", c.ContentRef)
	default:
		fmt.Fprintln(stdout, "    Inhalt:         (keiner)")
	}
	return nil
}

func printEntry(w io.Writer, e *cockpit.Entry) {
	var cats []string
	for _, c := range e.Categories {
		cats = append(cats, c.Text)
	}
	fmt.Fprintf(w, "%s  %s %s (%s)\n", e.Time.Format("2006-01-02 15:04:05 MST"), e.DirectionText, e.Counterpart.Name, e.Counterpart.ID)
	fmt.Fprintf(w, "    Stelle:         %s\n", e.Own.Name)
	fmt.Fprintf(w, "    Zweck:          %s\n", e.PurposeText)
	fmt.Fprintf(w, "    Rechtsgrundlage: %s\n", e.LegalBasisText)
	fmt.Fprintf(w, "    Daten:          %s\n", strings.Join(cats, ", "))
	fmt.Fprintf(w, "    Ergebnis:       %s", e.ResultText)
	if e.Reason != "" {
		fmt.Fprintf(w, " (%s)", e.Reason)
	}
	fmt.Fprintln(w)
	if e.HasContent {
		fmt.Fprintln(w, "    Inhalt:         (mit -open abrufbar)")
	}
}
