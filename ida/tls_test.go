package ida_test

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Over real loopback with mutual TLS: the client certificate is required,
// and connection-level faults (drops, truncation, timeouts) are survived.
func TestMutualTLSWithNetworkFaults(t *testing.T) {
	srv := idatest.NewTLSServer(idatest.WithPeople(testPeople()),
		idatest.WithScript(idatest.FaultDrop, idatest.FaultNone, idatest.FaultTruncate, idatest.FaultNone,
			idatest.FaultTimeout, idatest.FaultNone, idatest.FaultMalformed))
	defer srv.Close()
	proto := &memProtocol{}
	c, err := ida.New(ida.Config{
		BaseURL:        srv.URL,
		TLS:            srv.ClientTLS(),
		Sender:         audit.Body{Name: "Bürgeramt Musterstadt", ID: "bhkz-099999"},
		Policy:         testPolicy,
		Protocol:       proto,
		AttemptTimeout: 300 * time.Millisecond,
		Retry:          ida.Retry{Max: 2, WaitMin: time.Millisecond, WaitMax: 10 * time.Millisecond},
	})
	require.NoError(t, err)
	defer c.Close()
	ctx := context.Background()
	for i := range 4 {
		a, err := c.Search(ctx, testAuth, mueller())
		require.NoError(t, err, "call %d", i)
		assert.Equal(t, ida.Hit, a.Outcome)
		assert.Equal(t, 1, srv.Processed(a.RequestID))
	}
	assert.Len(t, proto.Records(), 4)
	assert.Equal(t, 1, srv.Stats().MaxProcessed)

	// Without a client certificate the server refuses the handshake.
	noCert := srv.ClientTLS().Clone()
	noCert.Certificates = nil
	bad, err := ida.New(ida.Config{
		BaseURL: srv.URL, TLS: noCert, Sender: audit.Body{ID: "x"}, Policy: testPolicy, Protocol: proto,
		Retry: ida.Retry{Max: -1},
	})
	require.NoError(t, err)
	defer bad.Close()
	_, err = bad.Search(ctx, testAuth, mueller())
	var te *ida.TransportError
	require.ErrorAs(t, err, &te)

	// A client that does not trust the server's CA refuses it, without retrying.
	untrusting, err := ida.New(ida.Config{
		BaseURL: srv.URL, TLS: &tls.Config{Certificates: srv.ClientTLS().Certificates}, Sender: audit.Body{ID: "x"},
		Policy: testPolicy, Protocol: proto,
	})
	require.NoError(t, err)
	defer untrusting.Close()
	_, err = untrusting.Search(ctx, testAuth, mueller())
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 1, te.Attempts, "certificate errors are not retried")
}
