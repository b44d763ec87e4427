package main

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/regmo/regmo/internal/testpki"
)

// The test PKI: a CA, a server certificate for localhost and 127.0.0.1, and
// one client certificate standing in for the Datenschutzcockpit. All keys
// are ECDSA P-256; everything is valid for one year. For testing only.
const (
	caFile         = "ca.pem"
	caKeyFile      = "ca-key.pem"
	serverFile     = "server.pem"
	serverKeyFile  = "server-key.pem"
	clientFile     = "client.pem"
	clientKeyFile  = "client-key.pem"
	clientCN       = "datenschutzcockpit.test"
	clientOrg      = "regmo demo Datenschutzcockpit"
	serverCN       = "register.localhost"
	certValidity   = 365 * 24 * time.Hour
	testPKIOrgName = "regmo demo test PKI (not for production)"
)

type pki struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

// ensurePKI loads the test PKI from dir, creating it on first use.
func ensurePKI(dir string) (*pki, bool, error) {
	created := false
	if _, err := os.Stat(filepath.Join(dir, caFile)); errors.Is(err, fs.ErrNotExist) {
		if err := createPKI(dir); err != nil {
			return nil, false, err
		}
		created = true
	}
	p, err := loadPKI(dir)
	return p, created, err
}

func loadPKI(dir string) (*pki, error) {
	caPEM, err := os.ReadFile(filepath.Join(dir, caFile))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%s: no certificate", filepath.Join(dir, caFile))
	}
	server, err := tls.LoadX509KeyPair(filepath.Join(dir, serverFile), filepath.Join(dir, serverKeyFile))
	if err != nil {
		return nil, err
	}
	client, err := tls.LoadX509KeyPair(filepath.Join(dir, clientFile), filepath.Join(dir, clientKeyFile))
	if err != nil {
		return nil, err
	}
	return &pki{pool: pool, server: server, client: client}, nil
}

func createPKI(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, err := testpki.NewCA(pkix.Name{CommonName: "regmo demo CA", Organization: []string{testPKIOrgName}}, certValidity)
	if err != nil {
		return err
	}
	caKey, err := ca.KeyPEM()
	if err != nil {
		return err
	}
	if err := writePair(dir, caFile, caKeyFile, ca.CertPEM(), caKey); err != nil {
		return err
	}
	issue := func(certFile, keyFile string, subject pkix.Name, usage x509.ExtKeyUsage, hosts ...string) error {
		l, err := ca.Issue(subject, usage, certValidity, hosts...)
		if err != nil {
			return err
		}
		key, err := l.KeyPEM()
		if err != nil {
			return err
		}
		return writePair(dir, certFile, keyFile, l.CertPEM(), key)
	}
	if err := issue(serverFile, serverKeyFile, pkix.Name{CommonName: serverCN, Organization: []string{testPKIOrgName}},
		x509.ExtKeyUsageServerAuth, "localhost", serverCN, "127.0.0.1", "::1"); err != nil {
		return err
	}
	return issue(clientFile, clientKeyFile, pkix.Name{CommonName: clientCN, Organization: []string{clientOrg}, Country: []string{"DE"}},
		x509.ExtKeyUsageClientAuth)
}

func writePair(dir, certFile, keyFile string, certPEM, keyPEM []byte) error {
	if err := os.WriteFile(filepath.Join(dir, certFile), certPEM, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, keyFile), keyPEM, 0o600)
}
