// Package meldetest provides a mock Meldebehörde for the route of § 6 Abs.
// 1 IDNrG, shaped like net/http/httptest: [NewServer] starts a loopback
// server speaking wire format regmo-melde/1 (see package ida/melde), with
// URL, Client() and a Close that waits; [NewTLSServer] requires mutual TLS;
// [NewHandlerServer] serves in process.
//
// It is the mock of ida/idatest speaking this route's codec: the same
// synthetic population (or the caller's), the same scripted faults and
// hostile answers, the same de-duplication by message ID and the same
// records of what it received; the options are idatest's ([idatest.Option]).
// Only the wire differs, so that a test of the Melde route exercises the
// whole client path of that route (codec, checks, protocol) against a
// server that is known to answer like the BVA's mock.
//
// # Answers
//
//   - a unique person: "found" with the fields asked for (restricted per
//     requester by idatest.WithEntitlement);
//   - no person, or several (there are no hit lists): "none";
//   - a person with an information block (Auskunftssperre, § 51 BMG): the
//     neutral answer, which is "none" exactly as for no person (same
//     result, no fields, no person, no code, answered on the same path),
//     except in the first batch answer to each requester (the register's
//     initial fill), which carries the data. This follows the BVA's rule
//     for basic data with an information block; it is this mock's
//     assumption for the Meldebehörde, not a statement of the Melde
//     procedure (OSCI-XMeld), which regmo does not implement.
//   - a search below its minimum fields: "rejected" with a reason code.
//
// # Concurrency
//
// A Server is safe for concurrent use. Close stops the listener, closes
// connections, and waits for every handler to return.
package meldetest

import (
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/ida/melde"
)

// Server is a mock Meldebehörde; it is an [idatest.Server] that speaks
// [melde.JSONv1].
type Server = idatest.Server

// with puts the Melde codec first, so that the caller's options come after
// it (a caller's idatest.WithCodec, e.g. a future official codec, wins).
func with(opts []idatest.Option) []idatest.Option {
	return append([]idatest.Option{idatest.WithCodec(melde.JSONv1{})}, opts...)
}

// NewServer starts and returns a plain-HTTP loopback server.
func NewServer(opts ...idatest.Option) *Server { return idatest.NewServer(with(opts)...) }

// NewTLSServer starts and returns a loopback server that requires mutual
// TLS with freshly generated certificates; Client() and ClientTLS() carry
// the client certificate.
func NewTLSServer(opts ...idatest.Option) *Server { return idatest.NewTLSServer(with(opts)...) }

// NewUnstartedServer returns a server that is not started yet (Start or
// StartTLS).
func NewUnstartedServer(opts ...idatest.Option) *Server {
	return idatest.NewUnstartedServer(with(opts)...)
}

// NewHandlerServer returns a server without a listener, for in-process use
// through Handler or Transport.
func NewHandlerServer(opts ...idatest.Option) *Server {
	return idatest.NewHandlerServer(with(opts)...)
}
