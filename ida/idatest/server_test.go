package idatest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func person() idnr.Person {
	return idnr.Person{IDNr: idnr.MustParse("36574261809"), FamilyName: "Müller-Lüdenscheidt", GivenNames: "Anna Maria",
		BirthDate: idnr.MustDate(1980, 3, 15), Address: idnr.Address{PostalCode: "10115", City: "Berlin"}}
}

// post sends a raw message and returns status, headers and body.
func post(t *testing.T, srv *idatest.Server, kind ida.Kind, id uuid.UUID, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/"+kind.String(), bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ida.JSONv1{}.ContentType(kind))
	req.Header.Set(ida.HeaderMessageID, id.String())
	req.Header.Set(ida.HeaderSender, "s1")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

func encode(t *testing.T, r *ida.Request) []byte {
	var b bytes.Buffer
	require.NoError(t, ida.JSONv1{}.EncodeRequest(&b, r))
	return b.Bytes()
}

func search(id uuid.UUID, s ida.Search) *ida.Request {
	return &ida.Request{MessageID: id, Kind: s.Kind.Kind(), Sender: audit.Body{ID: "s1"}, Sent: time.Now(),
		Purpose: "p", LegalBasis: "l", Fields: idnr.AllFields, Searches: []ida.Search{s}}
}

func TestMinimumFieldsRejected(t *testing.T) {
	srv := idatest.NewServer(idatest.WithPeople([]idnr.Person{person()}))
	defer srv.Close()
	id := uuid.New()
	// The client would refuse this; the mock must reject it on its own.
	status, _, body := post(t, srv, ida.KindSearch, id, encode(t, search(id, ida.Search{FamilyName: "Müller", BirthDate: idnr.MustDate(1980, 3, 15)})))
	require.Equal(t, http.StatusOK, status)
	var a map[string]any
	require.NoError(t, json.Unmarshal(body, &a))
	assert.Equal(t, "rejected", a["result"])
	assert.Equal(t, "missing-field", a["code"])
	assert.Contains(t, a["text"], "Search.PostalCode")
}

func TestSchemaViolation(t *testing.T) {
	srv := idatest.NewServer()
	defer srv.Close()
	id := uuid.New()
	body := encode(t, search(id, ida.Search{FamilyName: "X", City: "Y", PostalCode: "12345", BirthDate: idnr.MustDate(2000, 1, 1)}))
	body = bytes.Replace(body, []byte(`"purpose"`), []byte(`"mothers_maiden_name":"x","purpose"`), 1)
	status, _, resp := post(t, srv, ida.KindSearch, id, body)
	assert.Equal(t, http.StatusBadRequest, status)
	p, err := ida.JSONv1{}.DecodeProblem(bytes.NewReader(resp))
	require.NoError(t, err)
	assert.Equal(t, "schema-violation", p.Code)
	assert.Contains(t, p.Text, "mothers_maiden_name", "data outside § 4 Abs. 2 is refused")
}

func TestDeduplication(t *testing.T) {
	srv := idatest.NewServer(idatest.WithPeople([]idnr.Person{person()}))
	defer srv.Close()
	id := uuid.New()
	body := encode(t, search(id, ida.Search{FamilyName: "MUELLER LUEDENSCHEIDT", City: "berlin", PostalCode: "10115", BirthDate: idnr.MustDate(1980, 3, 15)}))
	s1, _, b1 := post(t, srv, ida.KindSearch, id, body)
	s2, _, b2 := post(t, srv, ida.KindSearch, id, body)
	assert.Equal(t, http.StatusOK, s1)
	assert.Equal(t, s1, s2)
	assert.Equal(t, b1, b2, "the same answer for the same message")
	assert.Contains(t, string(b1), `"result":"hit"`)
	assert.Equal(t, 1, srv.Processed(id))
	st := srv.Stats()
	assert.Equal(t, 1, st.Processed)
	assert.Equal(t, 1, st.Replayed)
	assert.Equal(t, 1, st.MaxProcessed)

	// Another message under the same ID is refused.
	other := encode(t, search(id, ida.Search{FamilyName: "Other", City: "Berlin", PostalCode: "10115", BirthDate: idnr.MustDate(1980, 3, 15)}))
	s3, _, b3 := post(t, srv, ida.KindSearch, id, other)
	assert.Equal(t, http.StatusConflict, s3)
	assert.Contains(t, string(b3), "message-id-reused")
}

func TestRateLimit(t *testing.T) {
	srv := idatest.NewServer(idatest.WithRateLimit(1, 2))
	defer srv.Close()
	var limited int
	var retryAfter string
	for range 5 {
		id := uuid.New()
		s, h, _ := post(t, srv, ida.KindSearch, id, encode(t, search(id, ida.Search{FamilyName: "X", City: "Y", PostalCode: "12345", BirthDate: idnr.MustDate(2000, 1, 1)})))
		if s == http.StatusTooManyRequests {
			limited++
			retryAfter = h.Get("Retry-After")
		}
	}
	assert.GreaterOrEqual(t, limited, 2)
	n, err := strconv.Atoi(retryAfter)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 1)
	assert.Equal(t, limited, srv.Stats().Limited)
}

func TestBadRequests(t *testing.T) {
	srv := idatest.NewServer()
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/v1/search")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	s, _, _ := post(t, srv, ida.KindSearch, uuid.New(), []byte("{"))
	assert.Equal(t, http.StatusBadRequest, s)

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/search", bytes.NewReader(nil))
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "no message ID")

	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/v2/search", bytes.NewReader(nil))
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestGeneratedPopulation(t *testing.T) {
	srv := idatest.NewServer(idatest.WithPopulation(500, 9))
	defer srv.Close()
	people := srv.People()
	require.Len(t, people, 500)
	seen := map[idnr.IDNr]bool{}
	blocked := 0
	for _, p := range people {
		require.NoError(t, idnr.Validate(p.IDNr.String()))
		require.False(t, seen[p.IDNr])
		seen[p.IDNr] = true
		if p.HasInformationBlock() {
			blocked++
		}
	}
	assert.Greater(t, blocked, 0)
	// Same seed, same people.
	again := idatest.NewServer(idatest.WithPopulation(500, 9))
	defer again.Close()
	assert.Equal(t, people[17].IDNr, again.People()[17].IDNr)
}

func TestCloseWaitsForHandlers(t *testing.T) {
	srv := idatest.NewServer(idatest.WithFaults(idatest.Faults{Timeout: 1, TimeoutAfter: time.Minute}))
	id := uuid.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/search",
			bytes.NewReader(encode(t, search(id, ida.Search{FamilyName: "X", City: "Y", PostalCode: "12345", BirthDate: idnr.MustDate(2000, 1, 1)}))))
		req.Header.Set("Content-Type", ida.MediaJSON)
		req.Header.Set(ida.HeaderMessageID, id.String())
		req.Header.Set(ida.HeaderSender, "s1")
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}()
	for srv.Stats().Requests == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 10*time.Second, "Close ends hanging handlers")
	<-done
}
