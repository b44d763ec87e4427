package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemoServeAndAsk runs the example end to end: -demo creates the log
// and the PKI, the server answers over mTLS, the client prints the entries.
func TestDemoServeAndAsk(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	common := []string{"-db", filepath.Join(dir, "audit.db"), "-key", filepath.Join(dir, "audit.key"), "-pki", filepath.Join(dir, "pki"), "-addr", addr,
		"-register", filepath.Join(dir, "register.db")}

	var out bytes.Buffer
	err = run(t.Context(), common, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "-demo") || !strings.Contains(err.Error(), "backfill") {
		t.Fatalf("without a log: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	var srvOut bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, append(common, "-demo"), &srvOut, &srvOut) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	}()
	var ask bytes.Buffer
	deadline := time.Now().Add(20 * time.Second)
	for {
		ask.Reset()
		err = run(t.Context(), append(common, "-ask", "36574261809", "-birth", "1980-05-17", "-limit", "2", "-open", "1"), &ask, &ask)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, ask.String())
	}
	got := ask.String()
	for _, want := range []string{"transfers of ********809", "Übermittlung an", "Empfang von", "Geburtsdatum", "-- page 3: 2 entries", "\n6 entries",
		"decrypted here with AES-256-GCM", "(mit -open abrufbar)", "[B7] Bestandsdaten: Meldedaten", "-- entry 1 opened", `"family_name":"Musterfrau"`} {
		if !strings.Contains(got, want) {
			t.Errorf("client output lacks %q:\n%s", want, got)
		}
	}

	// Stage 2 of the current data (Bestandsdaten).
	ask.Reset()
	if err := run(t.Context(), append(common, "-ask", "36574261809", "-birth", "1980-05-17", "-open", "7"), &ask, &ask); err != nil {
		t.Fatalf("ask -open 7: %v\n%s", err, ask.String())
	}
	if !strings.Contains(ask.String(), `"Familienname":"Musterfrau"`) {
		t.Errorf("Bestandsdaten not opened:\n%s", ask.String())
	}

	// The birth date is checked against the register: a wrong one, or
	// none, is refused without an entry.
	for _, birth := range [][]string{{"-birth", "1981-05-17"}, {"-birth", "1980-05-18"}, nil} {
		ask.Reset()
		args := append(append(append([]string{}, common...), "-ask", "36574261809"), birth...)
		err = run(t.Context(), args, &ask, &ask)
		if err == nil || !strings.Contains(err.Error(), "lookup_mismatch") {
			t.Errorf("ask with %v: err %v, want lookup_mismatch\n%s", birth, err, ask.String())
		}
		if strings.Contains(ask.String(), "Übermittlung") {
			t.Errorf("ask with %v printed entries:\n%s", birth, ask.String())
		}
	}
}
