// Command lookup does one search and one lookup at the identity data
// retrieval, with the § 9 protocol in an SQLite audit log. By default it
// runs against an in-process mock BVA (ida/idatest), so it works offline:
//
//	go run ./examples/lookup
//
// Against a real endpoint (or examples/mockbva), pass -url and the mutual
// TLS files; see README.md.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "lookup:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		url       = flag.String("url", "", "base URL of the IDA endpoint; empty: an in-process mock BVA")
		certFile  = flag.String("cert", "", "client certificate (PEM) for mutual TLS")
		keyFile   = flag.String("key", "", "client key (PEM)")
		caFile    = flag.String("ca", "", "CA (PEM) that the server certificate must chain to")
		auditPath = flag.String("audit", "", "SQLite file of the § 9 protocol; empty: a temporary file")
		family    = flag.String("family", "", "family name to search (default: a person of the mock)")
		city      = flag.String("city", "", "residence (Wohnort)")
		postcode  = flag.String("postcode", "", "postal code")
		birth     = flag.String("birth", "", "birth date YYYY-MM-DD (00 for unknown parts)")
		actor     = flag.String("actor", "lookup-example", "user ID or procedure name for the protocol")
		timeout   = flag.Duration("timeout", 30*time.Second, "deadline of the whole run")
	)
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	// The § 9 protocol.
	path := *auditPath
	if path == "" {
		dir, err := os.MkdirTemp("", "regmo-lookup-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "audit.db")
	}
	store, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	alog, err := audit.New(ctx, store, audit.Options{EphemeralKey: true}) // a demonstration: a program that keeps its protocol loads its key
	if err != nil {
		return err
	}
	defer alog.Close()

	cfg := ida.Config{
		BaseURL:  *url,
		Sender:   audit.Body{Name: "Bürgeramt Musterstadt", ID: "bhkz-099999"},
		Protocol: alog,
		Policy: ida.Policy{Rules: []ida.Rule{{
			Role:     "meldebehoerde",
			Purposes: []string{"Datenpflege"},
			Kinds:    []ida.Kind{ida.KindSearch, ida.KindLookup},
			Fields:   idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldAddress,
		}}},
	}
	var mock *idatest.Server
	if *url == "" {
		mock = idatest.NewServer(idatest.WithPopulation(1000, 1))
		defer mock.Close()
		cfg.BaseURL, cfg.HTTPClient = mock.URL, mock.Client()
	} else if cfg.TLS, err = clientTLS(*certFile, *keyFile, *caFile); err != nil {
		return err
	}
	client, err := ida.New(cfg)
	if err != nil {
		return err
	}
	defer client.Close()

	s, err := searchFromFlags(mock, *family, *city, *postcode, *birth)
	if err != nil {
		return err
	}
	auth := ida.Auth{
		Role: "meldebehoerde", Actor: *actor, Purpose: "Datenpflege", LegalBasis: "§ 6 Abs. 3 IDNrG",
		FileRef: "Beispiel 1/2026", Fields: idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldAddress,
	}

	a, err := client.Search(ctx, auth, s)
	switch {
	case err == nil:
		fmt.Printf("search: %s, %v, fields %s\n", a.Outcome, a.Person, a.Fields)
	case ida.IsNotIdentifiable(err):
		fmt.Println("search: not uniquely identifiable (no data)")
		return nil
	default:
		return fmt.Errorf("search: %w", err)
	}

	// Look the person up again by IDNr and birth date.
	b, err := client.Lookup(ctx, auth, ida.Lookup{IDNr: a.Person.IDNr, BirthDate: a.Person.BirthDate})
	if err != nil && !ida.IsNotIdentifiable(err) {
		return fmt.Errorf("lookup: %w", err)
	}
	fmt.Printf("lookup: %s, %v\n", b.Outcome, b.Person)

	// Both transfers are in the protocol, readable for a data-protection check.
	page, err := alog.Query(ctx, audit.Access{Who: *actor, Purpose: audit.DataProtectionCheck, Reason: "example"},
		audit.Query{IDNr: a.Person.IDNr})
	if err != nil {
		return err
	}
	for _, r := range page.Records {
		dir := "received"
		if r.Direction == audit.Sent {
			dir = "sent"
		}
		fmt.Printf("protocol: %s %s, purpose %q, categories %v\n", dir, r.IDNr.Masked(), r.Purpose, r.Categories)
	}
	return nil
}

func searchFromFlags(mock *idatest.Server, family, city, postcode, birth string) (ida.Search, error) {
	if family == "" {
		if mock == nil {
			return ida.Search{}, errors.New("-family, -city, -postcode and -birth are needed with -url")
		}
		for _, p := range mock.People() {
			if !p.HasInformationBlock() {
				return ida.Search{FamilyName: p.FamilyName, City: p.Address.City, PostalCode: p.Address.PostalCode, BirthDate: p.BirthDate}, nil
			}
		}
	}
	d, err := idnr.ParseDate(birth)
	if err != nil {
		return ida.Search{}, fmt.Errorf("-birth: %w", err)
	}
	return ida.Search{FamilyName: family, City: city, PostalCode: postcode, BirthDate: d}, nil
}

func clientTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("-cert and -key are required for mutual TLS")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pemCA, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pemCA) {
			return nil, errors.New("-ca holds no certificate")
		}
	}
	return cfg, nil
}
