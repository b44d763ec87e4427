package cockpit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
)

// fakeRegister is a register's current data (Bestandsdaten) for the tests.
type fakeRegister struct {
	items   map[idnr.IDNr][]cockpit.CurrentItem
	content map[string][]byte
}

func (f *fakeRegister) CurrentItems(_ context.Context, id idnr.IDNr) ([]cockpit.CurrentItem, error) {
	return f.items[id], nil
}

func (f *fakeRegister) CurrentContent(_ context.Context, id idnr.IDNr, item string) (cockpit.CurrentItem, []byte, error) {
	for _, it := range f.items[id] {
		if it.ID == item {
			return it, f.content[item], nil
		}
	}
	return cockpit.CurrentItem{}, nil, fmt.Errorf("item gone: %w", cockpit.ErrEntryUnknown)
}

func newRegister() *fakeRegister {
	return &fakeRegister{
		items: map[idnr.IDNr][]cockpit.CurrentItem{alice: {{ID: "melde-4711", Title: "Meldedaten",
			Categories: []audit.Category{audit.CatFamilyName, audit.CatAddress}, AsOf: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}},
		content: map[string][]byte{"melde-4711": []byte(`{"family_name":"` + aliceName + `"}`)},
	}
}

// stages is a Service over a real store with alice's and bob's records.
type stages struct {
	svc   *cockpit.Service
	log   *audit.Log
	clock *testClock
	logs  *lockedBuffer
}

func newStages(t *testing.T, sc storeCase, cfg cockpit.Config) *stages {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	st := &stages{clock: &testClock{t: now}, logs: &lockedBuffer{}}
	st.log = openLog(t, sc, st.clock.Now)
	var recs []audit.Record
	for i := range 5 {
		recs = append(recs, record(alice, now.Add(-time.Duration(i+1)*time.Hour), fmt.Sprintf("a%d", i)))
		recs = append(recs, record(bob, now.Add(-time.Duration(i+1)*time.Hour), fmt.Sprintf("b%d", i)))
	}
	require.NoError(t, st.log.Append(t.Context(), recs...))
	cfg.Clock = st.clock.Now
	cfg.Logger = slog.New(slog.NewTextHandler(st.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.VerifyPerson == nil {
		cfg.InsecureSkipVerifyPerson = true
	}
	var err error
	st.svc, err = cockpit.New(st.log, cfg)
	require.NoError(t, err)
	return st
}

func listReq(id idnr.IDNr, session uuid.UUID) cockpit.Request {
	return cockpit.Request{Kind: cockpit.KindList, MessageID: uuid.New(), SessionID: session, IDNr: id, ContentKey: testKey}
}

func contentReq(id idnr.IDNr, session uuid.UUID, entryID string) cockpit.Request {
	return cockpit.Request{Kind: cockpit.KindContent, MessageID: uuid.New(), SessionID: session, IDNr: id, ContentKey: testKey, EntryID: entryID}
}

// sealed seals a as the handler does and returns the wire bytes.
func sealed(t *testing.T, a cockpit.Answer, key []byte) []byte {
	t.Helper()
	c := cockpit.JSONCodec{}
	body, err := c.MarshalAnswer(&a)
	require.NoError(t, err)
	env := cockpit.Envelope{MessageID: a.MessageID, InReplyTo: a.InReplyTo}
	require.NoError(t, cockpit.Seal(key, &env, body))
	var b bytes.Buffer
	require.NoError(t, c.EncodeEnvelope(&b, &env))
	return b.Bytes()
}

func status(a cockpit.Answer) cockpit.StatusCode {
	if a.Status == nil {
		return ""
	}
	return a.Status.Code
}

func TestTwoStages(t *testing.T) {
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			st := newStages(t, sc, cockpit.Config{Current: newRegister()})
			ctx := t.Context()
			session := uuid.New()

			// Stage 1: the list, without content, with entry IDs.
			a := st.svc.Answer(ctx, listReq(alice, session))
			require.NotNil(t, a.List, "status %s", status(a))
			require.Len(t, a.List.Entries, 5)
			require.Len(t, a.List.Current, 1)
			assert.Equal(t, "Meldedaten", a.List.Current[0].Title)
			wire := sealed(t, a, testKey)
			assert.NotContains(t, string(wire), aliceName, "the list holds no content")
			assert.NotContains(t, string(wire), "Bürgeramt", "the list is sealed")
			opened, err := cockpit.ReadAnswer(cockpit.JSONCodec{}, bytes.NewReader(wire), testKey)
			require.NoError(t, err)
			first := opened.List.Entries[0]
			assert.Equal(t, "a0", first.Purpose)
			assert.True(t, first.HasContent)
			for _, e := range opened.List.Entries {
				assert.NotContains(t, e.ID, alice.String())
				assert.NotContains(t, e.ID, a.List.Entries[0].RecordID.String())
			}

			// Stage 2: the content of one entry.
			c := st.svc.Answer(ctx, contentReq(alice, session, first.ID))
			require.NotNil(t, c.Content, "status %s", status(c))
			assert.Contains(t, string(c.Content.Content), aliceName)
			assert.Equal(t, "a0", c.Content.Entry.Purpose)
			assert.Equal(t, a.List.Entries[0].RecordID, c.Content.Entry.RecordID)
			opened, err = cockpit.ReadAnswer(cockpit.JSONCodec{}, bytes.NewReader(sealed(t, c, testKey)), testKey)
			require.NoError(t, err)
			assert.Contains(t, string(opened.Content.Content), aliceName)

			// Every entry opens, each its own record.
			for i, e := range a.List.Entries {
				c := st.svc.Answer(ctx, contentReq(alice, session, e.ID))
				require.NotNil(t, c.Content, "entry %d: %s", i, status(c))
				assert.Equal(t, e.RecordID, c.Content.Entry.RecordID)
			}

			// Stage 2 of the current data (Bestandsdaten).
			c = st.svc.Answer(ctx, contentReq(alice, session, a.List.Current[0].ID))
			require.NotNil(t, c.Content, "status %s", status(c))
			assert.Equal(t, "Meldedaten", c.Content.Current.Title)
			assert.Contains(t, string(c.Content.Content), aliceName)

			// Every stage read the protocol as a cockpit read, without the IDNr.
			page, err := st.log.Accesses(ctx, audit.Access{Who: "test", Purpose: audit.DataProtectionCheck, Reason: "test"}, audit.AccessQuery{Limit: 100})
			require.NoError(t, err)
			var lists, contents int
			for _, e := range page.Entries {
				assertClean(t, "access reason", e.Reason)
				switch {
				case strings.HasPrefix(e.Reason, "Datenschutzcockpit-Liste"):
					lists++
				case strings.HasPrefix(e.Reason, "Datenschutzcockpit-Inhalt"):
					contents++
				}
			}
			assert.Equal(t, 1, lists)
			assert.Equal(t, 6, contents)
			assertClean(t, "logs", st.logs.String())
		})
	}
}

func TestEntryIDRefused(t *testing.T) {
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			st := newStages(t, sc, cockpit.Config{Current: newRegister(), EntryTTL: time.Hour})
			ctx := t.Context()
			session := uuid.New()
			a := st.svc.Answer(ctx, listReq(alice, session))
			require.NotNil(t, a.List)
			id := a.List.Entries[0].ID
			cur := a.List.Current[0].ID
			bobs := st.svc.Answer(ctx, listReq(bob, session))
			require.NotNil(t, bobs.List)

			for _, tc := range []struct {
				name string
				req  cockpit.Request
				want cockpit.StatusCode
			}{
				{"wrong person's entry ID", contentReq(bob, session, id), cockpit.CodeEntryUnknown},
				{"wrong person's current data", contentReq(bob, session, cur), cockpit.CodeEntryUnknown},
				{"other person asks with bob's ID", contentReq(alice, session, bobs.List.Entries[0].ID), cockpit.CodeEntryUnknown},
				{"replay in another session", contentReq(alice, uuid.New(), id), cockpit.CodeEntryUnknown},
				{"guessed", contentReq(alice, session, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), cockpit.CodeEntryUnknown},
				{"not base64", contentReq(alice, session, "!!"), cockpit.CodeEntryUnknown},
				{"flipped", contentReq(alice, session, flip(id)), cockpit.CodeEntryUnknown},
				{"record UUID", contentReq(alice, session, a.List.Entries[0].RecordID.String()), cockpit.CodeEntryUnknown},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got := st.svc.Answer(ctx, tc.req)
					assert.Equal(t, tc.want, status(got))
					assert.Nil(t, got.Content)
				})
			}

			// Another register (another EntryKey) does not open this one's IDs.
			other, err := cockpit.New(st.log, cockpit.Config{Clock: st.clock.Now, InsecureSkipVerifyPerson: true})
			require.NoError(t, err)
			assert.Equal(t, cockpit.CodeEntryUnknown, status(other.Answer(ctx, contentReq(alice, session, id))))

			// Replay after the lifetime: expired, in the right session only.
			st.clock.Set(st.clock.Now().Add(time.Hour + 2*time.Second))
			assert.Equal(t, cockpit.CodeEntryExpired, status(st.svc.Answer(ctx, contentReq(alice, session, id))))
			assert.Equal(t, cockpit.CodeEntryUnknown, status(st.svc.Answer(ctx, contentReq(alice, uuid.New(), id))))
			assertClean(t, "logs", st.logs.String())
		})
	}
}

func flip(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestEntryLeavesTheWindow: an entry listed and then older than two years
// (or purged) opens nothing.
func TestEntryLeavesTheWindow(t *testing.T) {
	st := newStages(t, realStores(t)[0], cockpit.Config{})
	edge := record(alice, st.clock.Now().Add(-cockpit.DefaultRetention+time.Minute), "edge")
	require.NoError(t, st.log.Append(t.Context(), edge))
	session := uuid.New()
	a := st.svc.Answer(t.Context(), listReq(alice, session))
	require.NotNil(t, a.List)
	oldest := a.List.Entries[len(a.List.Entries)-1]
	require.Equal(t, edge.ID, oldest.RecordID)
	c := st.svc.Answer(t.Context(), contentReq(alice, session, oldest.ID))
	require.NotNil(t, c.Content, "inside the window")
	st.clock.Set(st.clock.Now().Add(2 * time.Minute)) // within the entry ID's lifetime
	assert.Equal(t, cockpit.CodeEntryUnknown, status(st.svc.Answer(t.Context(), contentReq(alice, session, oldest.ID))))
}

func TestAnswerWithoutKey(t *testing.T) {
	sc := realStores(t)[0]
	st := newStages(t, sc, cockpit.Config{})
	req := listReq(alice, uuid.New())
	req.ContentKey = nil
	a := st.svc.Answer(t.Context(), req)
	assert.Equal(t, cockpit.CodeKeyRequired, status(a))
	assert.Nil(t, a.List)
	req.Kind = cockpit.KindContent
	req.EntryID = "x"
	assert.Equal(t, cockpit.CodeKeyRequired, status(st.svc.Answer(t.Context(), req)))

	plain := newStages(t, sc, cockpit.Config{AllowPlaintext: true})
	req = listReq(alice, uuid.New())
	req.ContentKey = nil
	a = plain.svc.Answer(t.Context(), req)
	require.NotNil(t, a.List, "plaintext allowed explicitly")

	req = listReq(alice, uuid.New())
	req.ContentKey = testKey[:16]
	assert.Equal(t, cockpit.CodeMalformedRequest, status(st.svc.Answer(t.Context(), req)), "AES-128 key refused")
}

func TestSealOpen(t *testing.T) {
	a := cockpit.Answer{MessageID: uuid.New(), InReplyTo: uuid.New(),
		Status: &cockpit.StatusAnswer{Code: cockpit.CodeNothingFound, Message: "m"}}
	wire := sealed(t, a, testKey)
	got, err := cockpit.ReadAnswer(cockpit.JSONCodec{}, bytes.NewReader(wire), testKey)
	require.NoError(t, err)
	assert.Equal(t, a, got)

	other := bytes.Repeat([]byte{0x43}, 32)
	_, err = cockpit.ReadAnswer(cockpit.JSONCodec{}, bytes.NewReader(wire), other)
	assert.ErrorIs(t, err, cockpit.ErrOpenFailed, "another key does not open the answer")
	_, err = cockpit.ReadAnswer(cockpit.JSONCodec{}, bytes.NewReader(wire), nil)
	assert.Error(t, err, "no key")

	// The message IDs are the associated data: an answer moved to another
	// message does not open.
	env, err := cockpit.JSONCodec{}.DecodeEnvelope(bytes.NewReader(wire))
	require.NoError(t, err)
	assert.Equal(t, cockpit.AlgorithmAES256GCM, env.Algorithm)
	for _, mut := range []func(e *cockpit.Envelope){
		func(e *cockpit.Envelope) { e.MessageID = uuid.New() },
		func(e *cockpit.Envelope) { e.InReplyTo = uuid.New() },
		func(e *cockpit.Envelope) { e.Sealed[len(e.Sealed)-1] ^= 1 },
		func(e *cockpit.Envelope) { e.Sealed[0] ^= 1 },
	} {
		e := env
		e.Sealed = bytes.Clone(env.Sealed)
		mut(&e)
		_, err := cockpit.Open(testKey, &e)
		assert.ErrorIs(t, err, cockpit.ErrOpenFailed)
	}

	// Fresh nonce per answer: the same body sealed twice differs.
	e1, e2 := cockpit.Envelope{MessageID: a.MessageID}, cockpit.Envelope{MessageID: a.MessageID}
	require.NoError(t, cockpit.Seal(testKey, &e1, []byte("x")))
	require.NoError(t, cockpit.Seal(testKey, &e2, []byte("x")))
	assert.NotEqual(t, e1.Sealed[:12], e2.Sealed[:12])
	assert.ErrorIs(t, cockpit.Seal(testKey[:31], &e1, []byte("x")), cockpit.ErrKeySize)

	// A plaintext list where a key was given is refused.
	body, err := cockpit.JSONCodec{}.MarshalAnswer(&cockpit.Answer{List: &cockpit.ListAnswer{}})
	require.NoError(t, err)
	var w bytes.Buffer
	require.NoError(t, cockpit.JSONCodec{}.EncodeEnvelope(&w, &cockpit.Envelope{MessageID: uuid.New(), Plain: body}))
	_, err = cockpit.ReadAnswer(cockpit.JSONCodec{}, &w, testKey)
	assert.ErrorIs(t, err, cockpit.ErrNotSealed)
}

func TestStatusAnswers(t *testing.T) {
	for _, sc := range realStores(t) {
		t.Run(sc.name, func(t *testing.T) {
			carol := testIDs(1, 99)[0]
			birth := idnr.MustDate(1980, 5, 17)
			st := newStages(t, sc, cockpit.Config{VerifyPerson: func(_ context.Context, id idnr.IDNr, d idnr.Date) error {
				if d.IsZero() || d.Compatible(birth) {
					return nil
				}
				return cockpit.ErrLookupMismatch
			}})
			ctx := t.Context()
			assert.Equal(t, cockpit.CodeNothingFound, status(st.svc.Answer(ctx, listReq(carol, uuid.New()))))
			req := listReq(alice, uuid.New())
			req.BirthDate = idnr.MustDate(1981, 1, 1)
			assert.Equal(t, cockpit.CodeLookupMismatch, status(st.svc.Answer(ctx, req)))
			req = listReq(alice, uuid.New())
			req.Kind = 0
			assert.Equal(t, cockpit.CodeMalformedRequest, status(st.svc.Answer(ctx, req)))
			req = listReq(alice, uuid.New())
			req.MessageID = uuid.Nil
			assert.Equal(t, cockpit.CodeMalformedRequest, status(st.svc.Answer(ctx, req)))
			req = listReq(alice, uuid.Nil)
			assert.Equal(t, cockpit.CodeMalformedRequest, status(st.svc.Answer(ctx, req)))
			req = listReq(alice, uuid.New())
			req.Cursor = "zzz"
			assert.Equal(t, cockpit.CodeMalformedRequest, status(st.svc.Answer(ctx, req)))
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			assert.Equal(t, cockpit.CodeTimeout, status(st.svc.Answer(cctx, listReq(alice, uuid.New()))))
			assertClean(t, "logs", st.logs.String())
		})
	}
}

// TestHandlerTwoStages runs both stages over mutual TLS and decrypts on the
// client side; the logs hold no personal data.
func TestHandlerTwoStages(t *testing.T) {
	now := time.Now().UTC()
	src := &memSource{}
	src.add(record(alice, now.Add(-2*time.Hour), "p1"), record(alice, now.Add(-time.Hour), "p2"), record(bob, now, "b"))
	e := newEnv(t, src, envOpt{cfg: cockpit.Config{Current: newRegister()}})
	c := e.client(&e.allowed)
	resp, body := e.post(t, c, ask(alice, ""))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.NotContains(t, string(body), aliceName)
	a := open(t, body)
	require.NotNil(t, a.List)
	require.Len(t, a.List.Entries, 2)

	content := func(id idnr.IDNr, session uuid.UUID, entry string, key string) (*http.Response, []byte) {
		return e.post(t, c, `{"version":"regmo-dsc/2","message_id":"`+uuid.NewString()+`","session_id":"`+session.String()+
			`","kind":"content","content_key":"`+key+`","idnr":"`+id.String()+`","entry_id":"`+entry+`"}`)
	}
	resp, body = content(alice, testSession, a.List.Entries[1].ID, testKeyB64)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.NotContains(t, string(body), aliceName, "sealed")
	got := open(t, body)
	require.NotNil(t, got.Content)
	assert.Equal(t, "p1", got.Content.Entry.Purpose)
	assert.Contains(t, string(got.Content.Content), aliceName)

	resp, body = content(alice, testSession, a.List.Current[0].ID, testKeyB64)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Equal(t, "Meldedaten", open(t, body).Content.Current.Title)

	resp, body = content(bob, testSession, a.List.Entries[1].ID, testKeyB64)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, cockpit.CodeEntryUnknown, errorCode(t, body))
	resp, body = content(alice, uuid.New(), a.List.Entries[1].ID, testKeyB64)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "replay in another session")
	assert.Equal(t, cockpit.CodeEntryUnknown, errorCode(t, body))

	// Another key: the answer does not open with ours.
	otherKey := strings.Repeat("Q", 43) + "="
	_, body = content(alice, testSession, a.List.Entries[1].ID, otherKey)
	_, err := cockpit.ReadAnswer(cockpit.JSONCodec{}, bytes.NewReader(body), testKey)
	assert.True(t, errors.Is(err, cockpit.ErrOpenFailed), "%v", err)

	// Without a key: refused, in plaintext, with no data.
	resp, body = e.post(t, c, strings.Replace(ask(alice, ""), `"content_key":"`+testKeyB64+`",`, "", 1))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, cockpit.CodeKeyRequired, errorCode(t, body))
	assertClean(t, "body", string(body))

	assertClean(t, "logs", e.logs.String())
	assert.NotContains(t, e.logs.String(), a.List.Entries[1].ID, "entry IDs are not logged")
}
