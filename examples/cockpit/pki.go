package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
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
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "regmo demo CA", Organization: []string{testPKIOrgName}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	if err := writePair(dir, caFile, caKeyFile, caDER, caKey); err != nil {
		return err
	}
	issue := func(certFile, keyFile string, subject pkix.Name, usage x509.ExtKeyUsage, server bool) error {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      subject,
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(certValidity),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		if server {
			tmpl.DNSNames = []string{"localhost", serverCN}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		return writePair(dir, certFile, keyFile, der, key)
	}
	if err := issue(serverFile, serverKeyFile, pkix.Name{CommonName: serverCN, Organization: []string{testPKIOrgName}}, x509.ExtKeyUsageServerAuth, true); err != nil {
		return err
	}
	return issue(clientFile, clientKeyFile, pkix.Name{CommonName: clientCN, Organization: []string{clientOrg}, Country: []string{"DE"}}, x509.ExtKeyUsageClientAuth, false)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n
}

func writePair(dir, certFile, keyFile string, der []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, certFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, keyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}
