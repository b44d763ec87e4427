package testpki

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"net"
	"testing"
	"time"
)

// TestMutualTLS runs a real handshake over loopback: the server requires a
// client certificate from the CA, and a client from another CA is refused.
func TestMutualTLS(t *testing.T) {
	ca, err := NewCA(pkix.Name{CommonName: "test CA"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Issue(pkix.Name{CommonName: "server"}, x509.ExtKeyUsageServerAuth, time.Hour, "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.Issue(pkix.Name{CommonName: "client"}, x509.ExtKeyUsageClientAuth, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewCA(pkix.Name{CommonName: "other CA"}, time.Hour)
	stranger, _ := other.Issue(pkix.Name{CommonName: "stranger"}, x509.ExtKeyUsageClientAuth, time.Hour)

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{srv.TLS},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err == nil {
					_, _ = c.Write([]byte("ok"))
				}
			}(c)
		}
	}()
	dial := func(cert tls.Certificate) error {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
			Certificates: []tls.Certificate{cert},
			RootCAs:      ca.Pool(),
			ServerName:   "localhost",
			MinVersion:   tls.VersionTLS12,
		})
		if err != nil {
			return err
		}
		defer c.Close()
		b, err := io.ReadAll(c)
		if err == nil && string(b) != "ok" {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if err := dial(cli.TLS); err != nil {
		t.Fatalf("client of the CA refused: %v", err)
	}
	if err := dial(stranger.TLS); err == nil {
		t.Fatal("client of another CA accepted")
	}

	// PEM round trip.
	kp, err := cli.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tls.X509KeyPair(cli.CertPEM(), kp); err != nil {
		t.Fatalf("PEM pair: %v", err)
	}
	if p := x509.NewCertPool(); !p.AppendCertsFromPEM(ca.CertPEM()) {
		t.Fatal("CA PEM not parsed")
	}
}
