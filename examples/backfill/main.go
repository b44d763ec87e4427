// Command backfill is the main job of regmo: the initial fill
// (Erstbefüllung) of a register with the IDNr.
//
// With no flags it creates ./regmo-demo/ with a demo register of 100,000
// synthetic people in an embedded SQLite file, starts an in-process mock of
// the BVA that holds the true data, fills the register, writes the § 9
// protocol to ./regmo-demo/audit.db, verifies it, and prints a summary.
// Running it again resumes. With -route melde the identity source is the
// Meldebehörde (§ 6 Abs. 1 IDNrG, package ida/melde) and its mock instead
// of the BVA. See README.md for the flags.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/regmo/regmo/idnr"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/regmo/regmo/audit"
	auditsqlite "github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/ida/melde"
	"github.com/regmo/regmo/ida/melde/meldetest"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
)

// The identity sources of -route.
const (
	routeBVA   = "bva"
	routeMelde = "melde"
)

// identitySource is what the job needs of either route: the backfill's
// bulk searches, the sync's lookups, and Close. *ida.Client and
// *melde.Client implement it; only the BVA's client also files reports of
// inaccuracy (registers.InaccuracyReporter), which the sync finds by type
// assertion.
type identitySource interface {
	registers.Identifier
	registers.Looker
	Close() error
}

type options struct {
	dir                string
	people             int
	workers, batch     int
	seed               uint64
	postgres, table    string
	keyColumn, columns string
	integerKey         bool
	endpoint           string
	cert, key, ca      string
	senderID, sender   string
	route              string
	authorityID        string
	authority          string
	rate               float64
	resume, fresh      bool
	jsonSummary, quiet bool
	limit              int
	cpuprofile         string
	sync               bool
	fallback           bool
	memprofile         string
	createOnly         bool
	preflight          bool
	leases             bool
	csvFormat          string
	progress           string
	register, mapping  string
	mockPeople         string
	// reopen is the filter of -reopen (nil: not given).
	reopen *sqlregister.ReopenFilter
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	// A soft memory limit keeps the resident set flat on large registers
	// (the Go runtime collects harder near it); GOMEMLIMIT overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(150 << 20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	s, err := run(ctx, o, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill:", err)
		if s != nil && ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "interrupted: run again to resume from the checkpoint")
		}
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dir, "dir", "./regmo-demo", "working directory: register.db (demo), audit.db, audit.key, review.csv, report.json")
	fs.IntVar(&o.people, "people", 100000, "size of the demo register (when it is created)")
	fs.IntVar(&o.workers, "workers", 0, "bulk requests in flight (default: 2 with the in-process mock, which shares the CPU; 4 with -endpoint)")
	fs.IntVar(&o.batch, "batch", 1000, "people per bulk request and per register transaction")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the synthetic demo population")
	fs.StringVar(&o.postgres, "postgres", "", "PostgreSQL DSN of a real register (instead of the demo SQLite register)")
	fs.StringVar(&o.register, "register", "", "an existing register: sqlite:PATH or postgres:DSN (with -mapping; no demo tables are created in it)")
	fs.StringVar(&o.mapping, "mapping", "", "mapping file (JSON) of the -register table: table, key, columns, formats, write (see README)")
	fs.StringVar(&o.mockPeople, "mock-people", "", "the in-process mock BVA serves the people of this NDJSON file (mockbva -dump-people format) instead of the demo truth")
	fs.StringVar(&o.table, "table", "people", "register table (optionally schema.table)")
	fs.StringVar(&o.keyColumn, "key-column", "id", "key column of the register table")
	fs.BoolVar(&o.integerKey, "integer-key", true, "the key column is an integer")
	fs.StringVar(&o.columns, "columns", "", "column mapping field=column,... (default: columns named like the fields: "+
		"family_name, given_names, birth_date, postal_code, city, ...)")
	fs.StringVar(&o.endpoint, "endpoint", "", "base URL of a real IDA endpoint (instead of the in-process mock BVA)")
	fs.StringVar(&o.cert, "cert", "", "client certificate (PEM) for mutual TLS with -endpoint")
	fs.StringVar(&o.key, "key", "", "client key (PEM) for mutual TLS with -endpoint")
	fs.StringVar(&o.ca, "ca", "", "CA certificates (PEM) that sign the endpoint's certificate")
	fs.StringVar(&o.senderID, "sender-id", "demo-musterstadt", "this body's identifier towards the BVA or the Meldebehörde")
	fs.StringVar(&o.route, "route", routeBVA, "identity source: bva (the BVA's IDA, § 6 Abs. 3 IDNrG) or melde (the Meldebehörde, § 6 Abs. 1 IDNrG; package ida/melde); the in-process mock follows the route")
	fs.StringVar(&o.authorityID, "authority-id", "mb-demo-musterstadt", "with -route melde: the Meldebehörde's identifier, as the § 9 protocol names it")
	fs.StringVar(&o.authority, "authority", "Stadt Musterstadt, Meldebehörde (Demo)", "with -route melde: the Meldebehörde's name, as the § 9 protocol names it")
	fs.StringVar(&o.sender, "sender", "Bürgeramt Musterstadt (Demo)", "this body's name in the protocol")
	fs.Float64Var(&o.rate, "rate", 0, "IDA messages per second (default: 20 for -endpoint, unlimited for the mock)")
	fs.BoolVar(&o.resume, "resume", true, "resume from the checkpoint of an earlier run (the default)")
	fs.BoolVar(&o.fresh, "fresh", false, "start over: delete the demo register, the protocol and the outputs in -dir")
	fs.BoolVar(&o.jsonSummary, "json-summary", false, "print the summary as JSON on stdout (for CI)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress output; log warnings and errors only")
	fs.StringVar(&o.progress, "progress", "auto", "progress output: bar (a terminal), lines (plain lines every 10 s, for logs), auto (bar on a terminal, lines otherwise)")
	fs.StringVar(&o.csvFormat, "csv", "standard", "form of review.csv: standard (comma) or de (semicolon, UTF-8 BOM: German spreadsheet programs open it directly)")
	fs.IntVar(&o.limit, "limit", 0, "stop after this many people (0: all)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run to this file")
	fs.BoolVar(&o.fallback, "fallback", true, "after a residence search answered \"not identifiable\", try the fallback search by given names (see README)")
	fs.BoolVar(&o.leases, "leases", false, "share the register with other processes by leasing key ranges (PostgreSQL; run the same command on several machines)")
	fs.BoolVar(&o.createOnly, "create-only", false, "create the demo register and exit (for measuring the fill alone)")
	fs.BoolVar(&o.preflight, "preflight", false, "read the whole register once and report which search each pending record can use, values that do not parse and the register's own IDNr problems (keys only), then exit; sends nothing")
	fs.StringVar(&o.memprofile, "memprofile", "", "write a heap profile after the run to this file")
	fs.BoolVar(&o.sync, "sync", false, "keep the filled register current (lookup by IDNr and birth date) instead of the initial fill")
	var reopenFilter sqlregister.ReopenFilter
	fs.Var(reopenFlag{&reopenFilter}, "reopen", "make settled cases pending again and exit: key=K, outcome=O (review, not_identifiable, rejected, no_search), reason=R (e.g. birth_date_invalid); "+
		"comma-separated or repeated, one kind's terms are alternatives, the kinds combine with AND; the next run searches them")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["reopen"] {
		o.reopen = &reopenFilter
	}
	if err := checkReopen(o, set); err != nil {
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "backfill: unexpected arguments:", fs.Args())
		return nil, errors.New("arguments")
	}
	if _, err := csvFormat(o.csvFormat); err != nil {
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	if (o.register == "") != (o.mapping == "") {
		err := errors.New("-register and -mapping go together")
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	if o.register != "" && (o.postgres != "" || o.columns != "") {
		err := errors.New("-register takes the table and columns from -mapping: leave out -postgres and -columns")
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	if o.register != "" && !strings.HasPrefix(o.register, "sqlite:") && !strings.HasPrefix(o.register, "postgres:") {
		err := fmt.Errorf("-register: want sqlite:PATH or postgres:DSN")
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	if o.route != routeBVA && o.route != routeMelde {
		err := fmt.Errorf("-route %q: want bva or melde", o.route)
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	if o.route == routeMelde && (o.authorityID == "" || o.authority == "") {
		err := errors.New("-route melde needs -authority-id and -authority (the Meldebehörde in the protocol)")
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	switch o.progress {
	case "auto", "bar", "lines":
	default:
		err := fmt.Errorf("-progress %q: want auto, bar or lines", o.progress)
		fmt.Fprintln(stderr, "backfill:", err)
		return nil, err
	}
	return o, nil
}

// Summary is what the command prints at the end (as text, or as JSON with
// -json-summary). Counts are the register's totals after the run, so a
// resumed run reports the whole register.
type Summary struct {
	People          int     `json:"people"`
	Accepted        int     `json:"accepted"`
	Review          int     `json:"review"`
	NotIdentifiable int     `json:"not_identifiable"`
	Rejected        int     `json:"rejected"`
	NoSearch        int     `json:"no_search"`
	Pending         int     `json:"pending"`
	ThisRun         int     `json:"this_run"`
	Seconds         float64 `json:"seconds"`
	PerSecond       float64 `json:"people_per_second"`
	AuditRecords    int64   `json:"audit_records"`
	AuditVerified   bool    `json:"audit_verified"`
	// WrittenChecked counts the written IDNrs checked against the
	// protocol; ProtocolLinked says each has the record of the message
	// that delivered it; Unprotocolled counts those that have none.
	WrittenChecked int    `json:"written_checked"`
	ProtocolLinked bool   `json:"protocol_linked"`
	Unprotocolled  int    `json:"unprotocolled"`
	Missing        string `json:"missing,omitempty"` // the report, IDNrs masked
	ReviewCSV      string `json:"review_csv"`
	ReportJSON     string `json:"report_json"`
	Register       string `json:"register"`
	AuditDB        string `json:"audit_db"`
	Resumed        bool   `json:"resumed"`
	// Route is the identity source: "bva" or "melde".
	Route string `json:"route"`
	// Written lists the columns (field tokens) an accepted result writes
	// besides the IDNr: every mapped one in the demo register, the
	// mapping's write list for an existing register.
	Written []string `json:"written,omitempty"`
}

// acceptedNote says what an accepted result wrote.
func acceptedNote(written []string) string {
	if len(written) == 0 {
		return "IDNr written, basic data left as they were"
	}
	return fmt.Sprintf("IDNr written, basic data replaced (%d columns)", len(written))
}

func run(ctx context.Context, o *options, stdout, stderr io.Writer) (*Summary, error) {
	start := time.Now()
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return nil, err
	}
	regPath := filepath.Join(o.dir, "register.db")
	auditPath := filepath.Join(o.dir, "audit.db")
	keyPath := filepath.Join(o.dir, "audit.key")
	csvPath := filepath.Join(o.dir, "review.csv")
	reportPath := filepath.Join(o.dir, "report.json")
	if o.fresh || !o.resume {
		for _, p := range []string{regPath, auditPath, auditPath + "-access", auditPath + "-person", auditPath + ".checkpoint", csvPath, reportPath} {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				if err := os.Remove(p + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					return nil, err
				}
			}
		}
	}
	say := func(format string, args ...any) {
		if !o.jsonSummary || !o.quiet {
			fmt.Fprintf(stderr, format+"\n", args...)
		}
	}

	// The register.
	if o.reopen != nil {
		return nil, reopen(ctx, o, regPath, stdout)
	}
	stopPeak := memPeak("register")
	opened, err := openRegister(ctx, o, regPath, say)
	stopPeak()
	if err != nil {
		return nil, err
	}
	defer opened.close()
	reg, regName := opened.reg, opened.name

	memNote("register ready")
	if o.createOnly {
		return &Summary{Register: regName}, nil
	}
	if o.preflight {
		return nil, runPreflight(ctx, o, reg, stdout)
	}
	// The protocol.
	key, _, err := audit.LoadOrCreateSigningKey(keyPath)
	if err != nil {
		return nil, err
	}
	// The fill only appends: one reader is enough. Each of the store's
	// connections (records, access and person files: six) has its own
	// page cache in SQLite's C heap, outside the Go memory limit: 4 MiB
	// each instead of 64 (16 cost about 100 MB of the resident set), and
	// no memory map (the person indexer's map of audit.db cost another
	// 30 MB). The operating system's file cache still holds the hot pages;
	// the fill was as fast (issue 14, README "What to expect").
	store, err := auditsqlite.Open(auditPath, auditsqlite.WithCacheSize(4<<20), auditsqlite.WithReaders(1), auditsqlite.WithMmapSize(0))
	if err != nil {
		return nil, fmt.Errorf("opening the protocol: %w", err)
	}
	// The signed checkpoint beside the log shows a cut or rewritten log
	// at the next start and in every Verify.
	alog, err := audit.New(ctx, store, audit.Options{SigningKey: key, CheckpointFile: auditPath + ".checkpoint"})
	if err != nil {
		return nil, fmt.Errorf("opening the protocol: %w", err)
	}
	defer alog.Close()

	// The identity source: a real endpoint, or the in-process mock (BVA or
	// Meldebehörde, by -route) with the truth.
	httpClient, baseURL, closeMock, err := connectIDA(o, opened.seed, opened.people, say)
	if err != nil {
		return nil, err
	}
	closeMock = sync.OnceFunc(closeMock)
	defer closeMock()
	memNote("mock ready")
	const purpose = "Erstbefüllung des Registers mit der IDNr"
	policy := ida.Policy{Rules: []ida.Rule{{Role: "erstbefuellung", Purposes: []string{purpose},
		Kinds: []ida.Kind{ida.KindBulk, ida.KindSearch, ida.KindFallback, ida.KindLookup, ida.KindInaccuracy}, Fields: idnr.AllFields}}}
	rate := o.rate
	if rate == 0 {
		rate = ida.NoRateLimit
		if o.endpoint != "" {
			rate = 20
		}
	}
	cfg := ida.Config{
		BaseURL: baseURL, AllowHTTP: o.endpoint == "", HTTPClient: httpClient, TLS: nil,
		Sender:    audit.Body{Name: o.sender, ID: o.senderID},
		Policy:    policy,
		Protocol:  alog,
		RateLimit: rate,
	}
	// Ask for no more than the register keeps.
	auth := ida.Auth{Role: "erstbefuellung", Actor: "regmo-backfill", Purpose: purpose, LegalBasis: "§ 6 Abs. 3 IDNrG",
		Fields: reg.Fields()}
	// The route is configuration: both clients are what the backfill and
	// the sync consume.
	var client identitySource
	if o.route == routeMelde {
		client, err = melde.New(melde.Config{Authority: audit.Body{Name: o.authority, ID: o.authorityID}, Client: cfg})
		auth.LegalBasis = melde.LegalBasis
	} else {
		client, err = ida.New(cfg)
	}
	if err != nil {
		return nil, err
	}
	defer client.Close()
	if o.sync {
		return runSync(ctx, o, reg, client, auth, alog, closeMock, auditPath, key, stdout)
	}

	// The backfill: a bar on a terminal, plain lines otherwise, and the
	// engine's log lines (start, every 30 s, end) on stderr.
	po := newProgressOutput(o, stderr)
	progress := func(p registers.Progress) {
		po.update(p)
		if p.Done%20000 < 1000 {
			memNote("progress")
		}
	}
	resumed := false
	if cp, err := reg.Checkpoint(ctx, "backfill"); err == nil && cp != "" {
		resumed = true
		say("resuming after key %s", cp)
	}
	if o.workers <= 0 {
		o.workers = 2
		if o.endpoint != "" {
			o.workers = 4
		}
	}
	bf, err := registers.NewBackfill(registers.BackfillConfig{
		Register: reg, IDA: client, Auth: auth, Matcher: registers.FromMatch(match.New()),
		BatchSize: o.batch, Workers: o.workers, Limit: o.limit, Progress: progress,
		FallbackAfterNotIdentifiable: o.fallback, Leases: o.leases, Logger: newLogger(o, stderr),
	})
	if err != nil {
		return nil, err
	}
	memNote("before backfill")
	stopPeak = memPeak("backfill")
	rep, runErr := bf.Run(ctx)
	stopPeak()
	memNote("after backfill")
	if o.memprofile != "" {
		if f, err := os.Create(o.memprofile); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	po.finish()
	s := &Summary{Register: regName, AuditDB: auditPath, ReviewCSV: csvPath, ReportJSON: reportPath, Resumed: resumed, Written: opened.written, Route: o.route}
	if rep != nil {
		s.ThisRun, s.Seconds, s.PerSecond = rep.People, rep.Seconds, rep.PerSec
		if err := writeFile(reportPath, rep.WriteJSON); err != nil {
			return s, err
		}
	}
	if runErr != nil {
		return s, runErr
	}
	cf, _ := csvFormat(o.csvFormat)
	if err := writeFile(csvPath, func(w io.Writer) error { return registers.WriteCasesCSVFormat(ctx, w, reg, cf) }); err != nil {
		return s, fmt.Errorf("writing the review list: %w", err)
	}
	counts, err := reg.Counts(ctx)
	if err != nil {
		return s, err
	}
	s.Accepted, s.Review, s.NotIdentifiable = counts[registers.Accepted], counts[registers.Review], counts[registers.NotIdentifiable]
	s.Rejected, s.NoSearch, s.Pending = counts[registers.Rejected], counts[registers.NoSearch], counts[registers.OutcomePending]
	for _, n := range counts {
		s.People += n
	}

	// Verify the protocol, with the fill's protocol store, the mock and
	// its data closed first (see verifyProtocol).
	closeMock()
	if err := alog.Close(); err != nil {
		return s, fmt.Errorf("closing the protocol: %w", err)
	}
	debug.FreeOSMemory() // the mock's data and the fill's buffers go back to the OS
	memNote("before verify")
	stopPeak = memPeak("verify")
	vr, pr, verr := verifyProtocol(ctx, auditPath, key, reg)
	stopPeak()
	memNote("after verify")
	if vr != nil {
		s.AuditRecords = vr.Records
		s.AuditVerified = vr.OK() && (verr == nil || errors.Is(verr, registers.ErrUnprotocolled))
	}
	if pr != nil {
		s.WrittenChecked, s.Unprotocolled = pr.Checked, pr.Unprotocolled
		s.ProtocolLinked = pr.OK() && (verr == nil || errors.Is(verr, audit.ErrTampered))
		if !pr.OK() {
			s.Missing = pr.String()
		}
	}
	if verr != nil && !errors.Is(verr, audit.ErrTampered) && !errors.Is(verr, registers.ErrUnprotocolled) {
		return s, fmt.Errorf("verifying the protocol: %w", verr)
	}
	total := time.Since(start)
	if o.jsonSummary {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return s, err
		}
	} else {
		printSummary(stdout, s, rep, total)
	}
	if !s.AuditVerified {
		return s, errors.New("the protocol did not verify")
	}
	if !s.ProtocolLinked {
		return s, fmt.Errorf("the register holds %d IDNrs without their protocol record", s.Unprotocolled)
	}
	return s, nil
}

func printSummary(w io.Writer, s *Summary, rep *registers.Report, total time.Duration) {
	pct := func(n int) string {
		if s.People == 0 {
			return ""
		}
		return fmt.Sprintf("(%5.1f%%)", 100*float64(n)/float64(s.People))
	}
	fmt.Fprintf(w, "\nregister %s: %d people\n", s.Register, s.People)
	fmt.Fprintf(w, "  accepted          %8d %s  %s\n", s.Accepted, pct(s.Accepted), acceptedNote(s.Written))
	fmt.Fprintf(w, "  review            %8d %s  a clerk decides (review queue)\n", s.Review, pct(s.Review))
	fmt.Fprintf(w, "  not identifiable  %8d %s\n", s.NotIdentifiable, pct(s.NotIdentifiable))
	fmt.Fprintf(w, "  rejected          %8d %s\n", s.Rejected, pct(s.Rejected))
	fmt.Fprintf(w, "  could not search  %8d %s  record lacks what the law requires\n", s.NoSearch, pct(s.NoSearch))
	if s.Pending > 0 {
		fmt.Fprintf(w, "  still pending     %8d %s\n", s.Pending, pct(s.Pending))
	}
	if rep != nil && rep.People > 0 {
		fmt.Fprintf(w, "this run: %d people in %.1fs (%.0f people/s); whole command %.1fs\n", rep.People, rep.Seconds, rep.PerSec, total.Seconds())
	} else {
		fmt.Fprintf(w, "this run: nothing left to do (the register is complete); run with -fresh to start over\n")
	}
	verified := "verified"
	if !s.AuditVerified {
		verified = "NOT VERIFIED"
	}
	fmt.Fprintf(w, "protocol: %s, %d records, %s\n", s.AuditDB, s.AuditRecords, verified)
	if s.ProtocolLinked {
		fmt.Fprintf(w, "register and protocol: %d written IDNrs, each with its protocol record\n", s.WrittenChecked)
	} else {
		fmt.Fprintf(w, "register and protocol: NOT LINKED: %s\n", s.Missing)
	}
	fmt.Fprintf(w, "review list for clerks: %s\nreport: %s\n", s.ReviewCSV, s.ReportJSON)
}

// rss returns the resident set size in MB (Linux), for REGMO_DEBUG_MEM.
func rss() int {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res int
	fmt.Sscan(string(b), &size, &res)
	return res * os.Getpagesize() >> 20
}

// memPeak samples the resident set every 50 ms until the returned func is
// called, which prints the peak (only with REGMO_DEBUG_MEM set).
func memPeak(stage string) (stop func()) {
	if os.Getenv("REGMO_DEBUG_MEM") == "" {
		return func() {}
	}
	done := make(chan struct{})
	peak := make(chan int, 1)
	heldAt := make(chan uint64, 1)
	go func() {
		m, held := rss(), uint64(0)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if r := rss(); r > m {
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					m, held = r, ms.Sys-ms.HeapReleased
				}
			case <-done:
				peak <- m
				heldAt <- held
				return
			}
		}
	}()
	return func() {
		close(done)
		fmt.Fprintf(os.Stderr, "mem %-20s peak rss %4d MB (go held %4d MB then)\n", stage, <-peak, <-heldAt>>20)
	}
}

func memNote(stage string) {
	if os.Getenv("REGMO_DEBUG_MEM") != "" {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		// go held: what the Go runtime has from the OS and not released;
		// the rest of the resident set is SQLite's (modernc's C heap) and
		// mapped files.
		held := ms.Sys - ms.HeapReleased
		fmt.Fprintf(os.Stderr, "mem %-20s rss %4d MB, go heap %4d MB, go held %4d MB, go sys %4d MB\n", stage, rss(), ms.HeapAlloc>>20, held>>20, ms.Sys>>20)
	}
}

func writeFile(path string, fn func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// openedRegister is the register a run works on.
type openedRegister struct {
	reg  *sqlregister.Register
	name string
	// seed and people of the demo register (the mock's truth).
	seed   uint64
	people int
	// written: the columns (tokens) an accepted result writes besides the
	// IDNr and regmo's state.
	written []string
	close   func()
}

// openRegister opens the demo register (creating it if needed), the
// PostgreSQL register of -postgres, or the existing register of
// -register with its -mapping.
func openRegister(ctx context.Context, o *options, regPath string, say func(string, ...any)) (*openedRegister, error) {
	if o.register != "" {
		return openExisting(ctx, o)
	}
	cols := sqlregister.DefaultColumns()
	if o.columns != "" {
		var err error
		if cols, err = sqlregister.ParseColumns(o.columns); err != nil {
			return nil, err
		}
	}
	if o.postgres != "" {
		db, err := sqlregister.OpenPostgres(ctx, o.postgres)
		if err != nil {
			return nil, fmt.Errorf("connecting to the register: %w", err)
		}
		// A vendor's table: sqlregister's default, an accepted result
		// writes the IDNr only and the basic data stay as they are.
		reg, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.PostgreSQL, Table: o.table, Key: o.keyColumn,
			IntegerKey: o.integerKey, Columns: cols})
		if err != nil {
			db.Close()
			return nil, err
		}
		return &openedRegister{reg: reg, name: "postgres " + o.table, seed: o.seed, people: o.people, close: func() { db.Close() }}, nil
	}
	db, err := sqlregister.OpenSQLite(regPath)
	if err != nil {
		return nil, fmt.Errorf("opening the demo register: %w", err)
	}
	fail := func(err error) (*openedRegister, error) {
		db.Close()
		return nil, err
	}
	seed, people, ok, err := demoMeta(ctx, db)
	if err != nil {
		return fail(err)
	}
	if err := sqlregister.CreateTable(ctx, db, sqlregister.SQLite, demoTable); err != nil {
		return fail(err)
	}
	// The demo register is the register itself, not a vendor's table
	// with columns kept for other purposes: on Accept it replaces its
	// basic data with the BZSt's (§ 6 IDNrG), so it names every mapped
	// column in Write (sqlregister's default writes only the IDNr).
	written := cols.Mapped()
	reg, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: demoTable, Key: "id", IntegerKey: true,
		Columns: cols, Write: written})
	if err != nil {
		return fail(err)
	}
	if !ok {
		seed, people = o.seed, o.people
		say("creating the demo register %s with %d synthetic people (seed %d) ...", regPath, people, seed)
		t0 := time.Now()
		if err := createDemo(ctx, db, reg, seed, people, func(int) {}); err != nil {
			return fail(err)
		}
		say("  done in %.1fs", time.Since(t0).Seconds())
	} else if people != o.people || seed != o.seed {
		say("using the existing demo register (%d people, seed %d); -fresh starts over", people, seed)
	}
	return &openedRegister{reg: reg, name: regPath, seed: seed, people: people, written: written, close: func() { db.Close() }}, nil
}

// connectIDA returns the HTTP client and base URL of the IDA: the real
// endpoint with mutual TLS, or the in-process mock BVA holding the truth.
func connectIDA(o *options, seed uint64, people int, say func(string, ...any)) (*http.Client, string, func(), error) {
	if o.endpoint != "" {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if o.cert != "" || o.key != "" {
			c, err := tls.LoadX509KeyPair(o.cert, o.key)
			if err != nil {
				return nil, "", nil, fmt.Errorf("client certificate: %w", err)
			}
			cfg.Certificates = []tls.Certificate{c}
		}
		if o.ca != "" {
			pemBytes, err := os.ReadFile(o.ca)
			if err != nil {
				return nil, "", nil, err
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pemBytes) {
				return nil, "", nil, fmt.Errorf("%s: no PEM certificates", o.ca)
			}
			cfg.RootCAs = pool
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = cfg
		tr.MaxIdleConnsPerHost = max(o.workers, 2)
		return &http.Client{Transport: tr}, o.endpoint, func() {}, nil
	}
	t0 := time.Now()
	var truth []idnr.Person
	var err error
	if o.mockPeople != "" {
		truth, err = loadPeople(o.mockPeople)
	} else if o.register != "" {
		return nil, "", nil, errors.New("-register needs -endpoint (a real IDA) or -mock-people (the population the in-process mock serves)")
	} else {
		truth, err = demoTruth(seed, people)
	}
	if err != nil {
		return nil, "", nil, err
	}
	// A small de-duplication window: the demo's client retries within
	// seconds, and the mock need not keep every answer of the run.
	opts := []idatest.Option{idatest.WithPeople(truth), idatest.WithDedupWindow(8)}
	var srv *idatest.Server
	mock := "mock BVA"
	if o.route == routeMelde {
		srv, mock = meldetest.NewHandlerServer(opts...), "mock Meldebehörde"
	} else {
		srv = idatest.NewHandlerServer(opts...)
	}
	truth = nil
	debug.FreeOSMemory() // the generation's garbage goes back to the OS before the fill
	say("%s holds %d people (prepared in %.1fs)", mock, len(srv.People()), time.Since(t0).Seconds())
	mt := &mockTransport{rt: srv.Transport()}
	closeFn := func() {
		srv.Close()
		mt.close()
		srv = nil // the mock's people become garbage (see verifyProtocol)
	}
	return &http.Client{Transport: mt}, srv.URL, closeFn, nil
}

// mockTransport passes requests to the in-process mock BVA until close,
// which drops the reference to the mock (and so to the people it holds)
// even though the IDA client keeps its HTTP client until the end.
type mockTransport struct {
	mu sync.RWMutex
	rt http.RoundTripper
}

func (m *mockTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.RLock()
	rt := m.rt
	m.mu.RUnlock()
	if rt == nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errors.New("backfill: the mock BVA is closed")
	}
	return rt.RoundTrip(r)
}

func (m *mockTransport) close() {
	m.mu.Lock()
	m.rt = nil
	m.mu.Unlock()
}

// runSync makes one sync pass over the people that have an IDNr.
// verifyProtocol verifies the protocol at path with a store opened for
// that alone: one reading connection with a small page cache
// (auditsqlite.WithReaders, WithCacheSize) instead of the writer's 64 MiB
// cache and four readers, so that verifying a large log reads it page by
// page without holding it. The store's readers still map the file
// (audit/sqlite offers no option to turn the memory map off), so the pages
// read stay in the resident set as clean, shared file pages that the
// kernel drops first under memory pressure.
//
// It then checks that the register and the protocol vouch for each other
// (registers.VerifyProtocol): every IDNr written to the register has the
// protocol record of the message that delivered it. The error wraps
// audit.ErrTampered or registers.ErrUnprotocolled when a check found
// something; the reports say what.
func verifyProtocol(ctx context.Context, path string, key ed25519.PrivateKey, reg registers.Register) (*audit.Report, *registers.ProtocolReport, error) {
	store, err := auditsqlite.Open(path, auditsqlite.WithReaders(1), auditsqlite.WithCacheSize(4<<20), auditsqlite.WithMmapSize(0))
	if err != nil {
		return nil, nil, fmt.Errorf("opening the protocol for verification: %w", err)
	}
	alog, err := audit.New(ctx, store, audit.Options{SigningKey: key, CheckpointFile: path + ".checkpoint"})
	if err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("opening the protocol for verification: %w", err)
	}
	vr, verr := alog.Verify(ctx)
	var pr *registers.ProtocolReport
	if verr == nil || errors.Is(verr, audit.ErrTampered) {
		var perr error
		pr, perr = registers.VerifyProtocol(ctx, reg, alog, registers.VerifyProtocolOptions{Workers: 1})
		if verr == nil {
			verr = perr
		}
	}
	if err := alog.Close(); err != nil && verr == nil {
		verr = err
	}
	return vr, pr, verr
}

func runSync(ctx context.Context, o *options, reg *sqlregister.Register, client identitySource, auth ida.Auth, alog *audit.Log, closeMock func(), auditPath string, key ed25519.PrivateKey, stdout io.Writer) (*Summary, error) {
	sy, err := registers.NewSync(registers.SyncConfig{Register: reg, IDA: client, Auth: auth, Fields: reg.Fields(), Workers: o.workers, Limit: o.limit})
	if err != nil {
		return nil, err
	}
	rep, err := sy.Run(ctx)
	if rep != nil {
		if werr := writeFile(filepath.Join(o.dir, "sync-report.json"), rep.WriteJSON); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return nil, err
	}
	closeMock()
	if err := alog.Close(); err != nil {
		return nil, fmt.Errorf("closing the protocol: %w", err)
	}
	vr, pr, verr := verifyProtocol(ctx, auditPath, key, reg)
	if o.jsonSummary {
		return nil, rep.WriteJSON(stdout)
	}
	fmt.Fprintf(stdout, "sync: %d people in %.1fs: %v\n", rep.People, rep.Seconds, rep.Outcomes)
	for _, k := range rep.SortedReasons() {
		fmt.Fprintf(stdout, "  %-50s %d\n", k, rep.Reasons[k])
	}
	if pr != nil {
		fmt.Fprintf(stdout, "register and protocol: %s\n", pr)
	}
	if verr != nil || !vr.OK() {
		return nil, errors.New("the protocol did not verify")
	}
	fmt.Fprintf(stdout, "protocol verified (%d records); report %s\n", vr.Records, filepath.Join(o.dir, "sync-report.json"))
	return nil, nil
}
