package idatest

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"time"

	"github.com/regmo/regmo/internal/testpki"
)

// Certs are a throw-away certificate authority with one server and one
// client certificate, for mutual TLS in tests. Never use them in production.
type Certs struct {
	CA     *x509.Certificate
	Server tls.Certificate
	Client tls.Certificate

	// PEM forms, for programs that are not written in Go.
	CAPEM, ServerCertPEM, ServerKeyPEM, ClientCertPEM, ClientKeyPEM []byte
}

// GenerateCerts creates a CA, a server certificate for hosts (IP addresses
// or DNS names) and a client certificate, valid for one day (ECDSA P-256).
func GenerateCerts(hosts ...string) (*Certs, error) {
	ca, err := testpki.NewCA(pkix.Name{CommonName: "idatest CA (synthetic)"}, 24*time.Hour)
	if err != nil {
		return nil, err
	}
	c := &Certs{CA: ca.Cert, CAPEM: ca.CertPEM()}
	leaf := func(cn string, usage x509.ExtKeyUsage, hosts []string) (tls.Certificate, []byte, []byte, error) {
		l, err := ca.Issue(pkix.Name{CommonName: cn}, usage, 24*time.Hour, hosts...)
		if err != nil {
			return tls.Certificate{}, nil, nil, err
		}
		key, err := l.KeyPEM()
		return l.TLS, l.CertPEM(), key, err
	}
	if c.Server, c.ServerCertPEM, c.ServerKeyPEM, err = leaf("idatest server", x509.ExtKeyUsageServerAuth, hosts); err != nil {
		return nil, err
	}
	if c.Client, c.ClientCertPEM, c.ClientKeyPEM, err = leaf("idatest client", x509.ExtKeyUsageClientAuth, nil); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Certs) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.CA)
	return p
}

// ServerTLS is the server side: the server certificate, and client
// certificates required and verified against the CA.
func (c *Certs) ServerTLS() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{c.Server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    c.pool(),
		MinVersion:   tls.VersionTLS12,
	}
}

// ClientTLS is the client side: the CA as root and the client certificate.
func (c *Certs) ClientTLS() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{c.Client},
		RootCAs:      c.pool(),
		MinVersion:   tls.VersionTLS12,
	}
}
