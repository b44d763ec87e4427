package melde

import (
	"context"
	"strings"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
)

// LegalBasis is the legal basis of the retrieval from the Meldebehörde,
// written into every request and every § 9 record of this route.
const LegalBasis = "§ 6 Abs. 1 IDNrG"

// Config configures a [Client]. [New] copies it.
type Config struct {
	// Authority is the Meldebehörde this register retrieves from, as it is
	// named in the § 9 protocol (required: Name and ID, e.g. {Name:
	// "Stadt Musterstadt, Meldebehörde", ID: its Behördenkennzeichen}).
	Authority audit.Body

	// Client holds everything else, as for [ida.New]: BaseURL, TLS or
	// HTTPClient (mutual TLS), Sender, Policy, Protocol, and the transport
	// chain's settings (rate limit, retries, breaker, timeouts, size
	// limit, clock, logger). Its Counterpart must be left empty (Authority
	// takes its place); its Codec defaults to [JSONv1].
	Client ida.Config
}

// Client retrieves IDNrs and basic data from a Meldebehörde (§ 6 Abs. 1
// IDNrG). It is an [ida.Client] with this route's codec, counterpart and
// legal basis, so it has the same transport chain, answer checks and
// protocol duty; it implements what registers' backfill, sync and the
// review workbench consume (Bulk, Lookup). It is safe for concurrent use.
type Client struct {
	c *ida.Client
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.Authority.Name == "" || cfg.Authority.ID == "" {
		return nil, &ida.FieldError{Index: -1, Field: "Config.Authority", Reason: "required: the Meldebehörde's name and ID for the protocol"}
	}
	if len([]rune(cfg.Authority.Name)) > ida.MaxText || len([]rune(cfg.Authority.ID)) > ida.MaxText {
		return nil, &ida.FieldError{Index: -1, Field: "Config.Authority", Reason: "longer than 120 characters"}
	}
	ic := cfg.Client
	if ic.Counterpart != (audit.Body{}) && ic.Counterpart != cfg.Authority {
		return nil, &ida.FieldError{Index: -1, Field: "Config.Client.Counterpart", Reason: "must be empty: Authority is the counterpart"}
	}
	ic.Counterpart = cfg.Authority
	if ic.Codec == nil {
		ic.Codec = JSONv1{}
	}
	c, err := ida.New(ic)
	if err != nil {
		return nil, err
	}
	return &Client{c: c}, nil
}

// withBasis fills in [LegalBasis] when auth has none and refuses another
// basis: every transfer of this route is lawful under § 6 Abs. 1 IDNrG,
// and its § 9 records must say so.
func withBasis(auth ida.Auth) (ida.Auth, error) {
	switch {
	case auth.LegalBasis == "":
		auth.LegalBasis = LegalBasis
	case auth.LegalBasis != LegalBasis && !strings.HasPrefix(auth.LegalBasis, LegalBasis+" "):
		return auth, &ida.FieldError{Index: -1, Field: "Auth.LegalBasis", Reason: "the route through the Meldebehörde is " + LegalBasis}
	}
	return auth, nil
}

// Bulk sends many searches in one message, as the initial fill does; see
// [ida.Client.Bulk] for the answers, the checks and the protocol.
func (c *Client) Bulk(ctx context.Context, auth ida.Auth, searches []ida.Search) ([]ida.Answer, error) {
	auth, err := withBasis(auth)
	if err != nil {
		return nil, err
	}
	return c.c.Bulk(ctx, auth, searches)
}

// Lookup asks for the person with q.IDNr; see [ida.Client.Lookup].
func (c *Client) Lookup(ctx context.Context, auth ida.Auth, q ida.Lookup) (ida.Answer, error) {
	auth, err := withBasis(auth)
	if err != nil {
		return ida.Answer{}, err
	}
	return c.c.Lookup(ctx, auth, q)
}

// Search runs one search by residence or, with s.Kind == ida.ByName, by
// name; see [ida.Client.Search].
func (c *Client) Search(ctx context.Context, auth ida.Auth, s ida.Search) (ida.Answer, error) {
	auth, err := withBasis(auth)
	if err != nil {
		return ida.Answer{}, err
	}
	return c.c.Search(ctx, auth, s)
}

// Stats returns the counters of the transport chain.
func (c *Client) Stats() ida.Stats { return c.c.Stats() }

// Close releases idle connections; see [ida.Client.Close].
func (c *Client) Close() error { return c.c.Close() }

func auditBody(w *wireBody) audit.Body { return audit.Body{Name: w.Name, ID: w.ID} }
