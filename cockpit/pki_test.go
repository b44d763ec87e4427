package cockpit_test

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/regmo/regmo/internal/testpki"
	"github.com/stretchr/testify/require"
)

// testPKI is a throw-away CA with a server certificate for 127.0.0.1.
type testPKI struct {
	ca     *testpki.CA
	pool   *x509.CertPool
	server tls.Certificate
}

func newTestPKI(t testing.TB, caName string) *testPKI {
	t.Helper()
	ca, err := testpki.NewCA(pkix.Name{CommonName: caName, Organization: []string{"regmo test"}}, 24*time.Hour)
	require.NoError(t, err)
	p := &testPKI{ca: ca, pool: ca.Pool()}
	p.server = p.issue(t, pkix.Name{CommonName: "127.0.0.1"}, x509.ExtKeyUsageServerAuth)
	return p
}

func (p *testPKI) issue(t testing.TB, subject pkix.Name, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	var hosts []string
	if usage == x509.ExtKeyUsageServerAuth {
		hosts = []string{"127.0.0.1", "localhost"}
	}
	l, err := p.ca.Issue(subject, usage, 24*time.Hour, hosts...)
	require.NoError(t, err)
	return l.TLS
}

func (p *testPKI) client(t testing.TB, cn string) tls.Certificate {
	return p.issue(t, pkix.Name{CommonName: cn, Organization: []string{"Datenschutzcockpit Test"}, Country: []string{"DE"}}, x509.ExtKeyUsageClientAuth)
}
