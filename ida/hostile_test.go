package ida_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Answers from a hostile or broken server: every answer is checked against
// its request before it is protocolled or handed out.

// personal returns the strings of p that must never appear in an error,
// log line or transport event.
func personal(p idnr.Person) []string {
	out := []string{p.IDNr.String(), p.BirthDate.String(), p.FamilyName}
	if p.GivenNames != "" {
		out = append(out, strings.Fields(p.GivenNames)...)
	}
	return out
}

func assertNoPersonalData(t *testing.T, s string, people ...idnr.Person) {
	t.Helper()
	assert.False(t, audit.ContainsIDNr(s), "an IDNr in %q", s)
	for _, p := range people {
		for _, v := range personal(p) {
			assert.NotContains(t, s, v)
		}
	}
}

// events returns the transport events of every message the server
// received, read back from the audit log.
func events(t *testing.T, alog *audit.Log, srv *idatest.Server) []audit.TransportEvent {
	t.Helper()
	var out []audit.TransportEvent
	seen := map[string]bool{}
	for _, q := range srv.Requests() {
		if seen[q.MessageID.String()] {
			continue
		}
		seen[q.MessageID.String()] = true
		evs, err := alog.Transport(t.Context(), q.MessageID)
		require.NoError(t, err)
		out = append(out, evs...)
	}
	return out
}

func newAuditLog(t *testing.T) *audit.Log {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "audit.db"))
	require.NoError(t, err)
	alog, err := audit.New(t.Context(), store, audit.Options{EphemeralKey: true})
	require.NoError(t, err)
	t.Cleanup(func() { alog.Close() })
	return alog
}

// received returns the § 9 records with Direction Received.
func received(recs []audit.Record) []audit.Record {
	var out []audit.Record
	for _, r := range recs {
		if r.Direction == audit.Received {
			out = append(out, r)
		}
	}
	return out
}

// Item 1: an answer for another person than the one asked for is refused
// before it is protocolled as received or handed out, in every call.
func TestAnswerForAnotherPerson(t *testing.T) {
	people := testPeople()
	asked := people[0]
	calls := []struct {
		name string
		call func(c *ida.Client) (ida.Answer, error)
	}{
		{"lookup", func(c *ida.Client) (ida.Answer, error) {
			return c.Lookup(t.Context(), testAuth, ida.Lookup{IDNr: asked.IDNr, BirthDate: asked.BirthDate})
		}},
		{"search", func(c *ida.Client) (ida.Answer, error) { return c.Search(t.Context(), testAuth, mueller()) }},
		{"fallback", func(c *ida.Client) (ida.Answer, error) {
			return c.FallbackSearch(t.Context(), testAuth, ida.Search{FamilyName: "Müller", GivenNames: "Anna", BirthDate: asked.BirthDate})
		}},
		{"bulk", func(c *ida.Client) (ida.Answer, error) {
			as, err := c.Bulk(t.Context(), testAuth, []ida.Search{mueller()})
			if err != nil {
				return ida.Answer{}, err
			}
			return as[0], as[0].Err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithScript(idatest.FaultOtherPerson))
			defer srv.Close()
			c, proto := newClient(t, srv, nil)
			a, err := tc.call(c)
			require.Error(t, err)
			require.ErrorIs(t, err, ida.ErrAnswerMismatch)
			var ae *ida.AnswerError
			require.ErrorAs(t, err, &ae)
			assert.False(t, ida.IsRetryable(err), "a mismatch is not retried")
			assert.True(t, ida.IsAnswerRefused(err))
			assert.Equal(t, ida.Refused, a.Outcome)
			assert.True(t, a.Person.IDNr.IsZero(), "nothing handed out")
			assert.Equal(t, idnr.Person{}, a.Person)
			assert.Empty(t, received(proto.Records()), "no § 9 received record for a refused answer")
			assertNoPersonalData(t, err.Error(), people...)
			assert.Len(t, srv.Requests(), 1, "not retried")
			refused := 0
			for _, e := range proto.Events() {
				assertNoPersonalData(t, e.Detail, people...)
				if e.Kind == "answer-refused" {
					refused++
				}
			}
			assert.Equal(t, 1, refused, "the refusal is in the transport log")
		})
	}

	// In a bulk answer, only the item that does not fit is refused; the
	// other searches are answered and protocolled.
	t.Run("bulk: every item checked", func(t *testing.T) {
		srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithScript(idatest.FaultOtherPerson))
		defer srv.Close()
		c, proto := newClient(t, srv, nil)
		as, err := c.Bulk(t.Context(), testAuth, []ida.Search{mueller(),
			{FamilyName: "Öztürk", City: "Köln", PostalCode: "50667", BirthDate: idnr.MustDate(1990, 0, 0)}})
		require.NoError(t, err, "the message as a whole is fine")
		for _, a := range as {
			require.ErrorIs(t, a.Err, ida.ErrAnswerMismatch)
			assert.Equal(t, ida.Refused, a.Outcome)
		}
		assert.Empty(t, received(proto.Records()))
	})
	t.Run("hit found by a former name", func(t *testing.T) {
		srv := idatest.NewServer(idatest.WithPeople(people))
		defer srv.Close()
		c, proto := newClient(t, srv, nil)
		// The second search is by Schulze, Müller's birth name: the hit's
		// family name differs from the search, a former name agrees.
		as, err := c.Bulk(t.Context(), testAuth, []ida.Search{mueller(), {FamilyName: "Schulze", City: "Berlin", PostalCode: "10115", BirthDate: asked.BirthDate}})
		require.NoError(t, err)
		require.NoError(t, as[0].Err)
		require.NoError(t, as[1].Err, "a hit found by a former name agrees with the search")
		assert.Len(t, received(proto.Records()), 2)
	})
}

// Item 2: fields the request did not ask for are refused, never handed out
// or protocolled as received.
func TestUnrequestedFieldsRefused(t *testing.T) {
	people := testPeople()
	auth := testAuth
	auth.Fields = idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate
	for _, bulk := range []bool{false, true} {
		srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithScript(idatest.FaultUnrequested))
		c, proto := newClient(t, srv, nil)
		var a ida.Answer
		var err error
		if bulk {
			var as []ida.Answer
			as, err = c.Bulk(t.Context(), auth, []ida.Search{mueller()})
			require.NoError(t, err)
			a, err = as[0], as[0].Err
		} else {
			a, err = c.Lookup(t.Context(), auth, ida.Lookup{IDNr: people[0].IDNr, BirthDate: people[0].BirthDate})
		}
		require.ErrorIs(t, err, ida.ErrAnswerMismatch)
		var ae *ida.AnswerError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "nationalities|address", ae.Field)
		assert.Equal(t, ida.Refused, a.Outcome)
		assert.Empty(t, a.Person.Nationalities)
		assert.True(t, a.Person.Address.IsZero())
		assert.Empty(t, received(proto.Records()))
		srv.Close()
	}
}

// Item 3: names, places and streets outside DIN 91379 (control
// characters, bidi overrides, invalid UTF-8) are refused with an error
// that names the field, never the value.
func TestAnswerCharactersRefused(t *testing.T) {
	people := testPeople()
	cases := []struct {
		fault idatest.Fault
		field string
	}{
		{idatest.FaultBadChars, "FamilyName"},
		{idatest.FaultBadUTF8, "FamilyName"},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String(), func(t *testing.T) {
			srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithScript(tc.fault))
			defer srv.Close()
			c, proto := newClient(t, srv, nil)
			a, err := c.Lookup(t.Context(), testAuth, ida.Lookup{IDNr: people[0].IDNr, BirthDate: people[0].BirthDate})
			require.ErrorIs(t, err, ida.ErrAnswerInvalid)
			var ae *ida.AnswerError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.field, ae.Field)
			assert.False(t, ida.IsRetryable(err))
			assert.Equal(t, ida.Refused, a.Outcome)
			assert.Equal(t, idnr.Person{}, a.Person)
			assert.Empty(t, received(proto.Records()))
			assertNoPersonalData(t, err.Error(), people...)
			assert.NotContains(t, err.Error(), "\u202e")
			assert.NotContains(t, err.Error(), "\x1b")
		})
	}
	// Each field of an answer is checked with its data type.
	t.Run("street and given names", func(t *testing.T) {
		srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithScript(idatest.FaultBadChars))
		defer srv.Close()
		c, _ := newClient(t, srv, nil)
		auth := testAuth
		auth.Fields = idnr.FieldIDNr | idnr.FieldGivenNames | idnr.FieldAddress
		_, err := c.Lookup(t.Context(), auth, ida.Lookup{IDNr: people[0].IDNr, BirthDate: people[0].BirthDate})
		var ae *ida.AnswerError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "GivenNames", ae.Field)
		assert.Contains(t, ae.Error(), "U+001B")
		assertNoPersonalData(t, err.Error(), people...)
	})
}

// Item 9: text from the server (rejection texts and codes, unknown member
// names) never reaches an error or the transport log unmasked, and the
// transport events of such an exchange are kept.
func TestServerTextMasked(t *testing.T) {
	people := testPeople()
	cases := []struct {
		fault idatest.Fault
		check func(t *testing.T, a ida.Answer, err error)
	}{
		{idatest.FaultPersonalText, func(t *testing.T, a ida.Answer, err error) {
			var re *ida.RejectedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "not-entitled", re.Code, "a code is kept")
		}},
		{idatest.FaultPersonalCode, func(t *testing.T, a ida.Answer, err error) {
			var re *ida.RejectedError
			require.ErrorAs(t, err, &re)
			assertNoPersonalData(t, re.Code, people...)
			assert.Equal(t, "masked", re.Code)
		}},
		{idatest.FaultUnknownField, func(t *testing.T, a ida.Answer, err error) {
			require.NoError(t, err, "the retry gets the true answer")
			assert.Equal(t, ida.Hit, a.Outcome)
		}},
	}
	for _, tc := range cases {
		for _, bulk := range []bool{false, true} {
			name := tc.fault.String()
			if bulk {
				name += "/bulk"
			}
			t.Run(name, func(t *testing.T) {
				srv := idatest.NewServer(idatest.WithPeople(people), idatest.WithScript(tc.fault))
				defer srv.Close()
				alog := newAuditLog(t)
				c, _ := newClient(t, srv, func(cfg *ida.Config) { cfg.Protocol = alog })
				var a ida.Answer
				var err error
				if bulk {
					var as []ida.Answer
					as, err = c.Bulk(t.Context(), testAuth, []ida.Search{mueller()})
					if err == nil {
						a, err = as[0], as[0].Err
					}
				} else {
					a, err = c.Search(t.Context(), testAuth, mueller())
				}
				var pe *ida.ProtocolError
				require.False(t, errors.As(err, &pe), "the transport log took the events: %v", err)
				tc.check(t, a, err)
				if err != nil {
					assertNoPersonalData(t, err.Error(), people...)
				}
				evs := events(t, alog, srv)
				kinds := map[string]int{}
				for _, e := range evs {
					kinds[e.Kind]++
					assertNoPersonalData(t, e.Detail, people...)
				}
				assert.GreaterOrEqual(t, kinds["sent"], 1, "the events of the exchange are kept: %v", kinds)
				assert.GreaterOrEqual(t, kinds["schema-check"], 1, "the events of the exchange are kept: %v", kinds)
			})
		}
	}
}

// Item 13: a Retry-After that is negative or not a number means the
// default backoff (not 0 s); a huge one is capped and ends the call.
func TestRetryAfterInvalid(t *testing.T) {
	for _, v := range []string{"-5", "soon", "1.5", "99999999999999999999"} {
		t.Run(v, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := idatest.NewHandlerServer(idatest.WithPeople(testPeople()),
					idatest.WithScript(idatest.Fault503), idatest.WithFaults(idatest.Faults{RetryAfterRaw: v}))
				defer srv.Close()
				c, _ := newInprocClient(t, srv, func(cfg *ida.Config) {
					cfg.Rand = func() float64 { return 0 }
					cfg.Retry = ida.Retry{Max: 3, WaitMin: 400 * time.Millisecond, WaitMax: time.Second}
				})
				start := time.Now()
				_, err := c.Search(t.Context(), testAuth, mueller())
				elapsed := time.Since(start)
				if v == "99999999999999999999" {
					var re *ida.ResponseError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, ida.RetryAfterCap, re.RetryAfter, "capped")
					assert.Len(t, srv.Requests(), 1, "not retried at once")
					return
				}
				require.NoError(t, err)
				assert.Len(t, srv.Requests(), 2)
				assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond, "the default backoff, not 0 s")
			})
		})
	}
}
