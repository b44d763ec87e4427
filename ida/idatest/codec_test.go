package idatest_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/ida/idatest"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// v2Paths is JSONv1 served under other paths: a stand-in for another
// codec, to show that the mock routes by the codec it is given.
type v2Paths struct{ ida.JSONv1 }

func (v2Paths) Endpoint(k ida.Kind) string { return "/other/" + k.String() }

// clientOnly has the client half only.
type clientOnly struct{ c ida.Codec }

func (c clientOnly) Name() string                                    { return "client-only" }
func (c clientOnly) Endpoint(k ida.Kind) string                      { return c.c.Endpoint(k) }
func (c clientOnly) ContentType(k ida.Kind) string                   { return c.c.ContentType(k) }
func (c clientOnly) EncodeRequest(w io.Writer, r *ida.Request) error { return c.c.EncodeRequest(w, r) }
func (c clientOnly) DecodeResponse(r io.Reader, req *ida.Request) (*ida.Response, error) {
	return c.c.DecodeResponse(r, req)
}
func (c clientOnly) DecodeProblem(r io.Reader) (*ida.Problem, error) { return c.c.DecodeProblem(r) }

// TestWithCodecFindsServerHalf: the mock speaks the codec it is given (its
// endpoints), finds the server half by type assertion, and refuses a codec
// without one with a message naming it.
func TestWithCodecFindsServerHalf(t *testing.T) {
	p := person()
	srv := idatest.NewServer(idatest.WithPeople([]idnr.Person{p}), idatest.WithCodec(v2Paths{}))
	defer srv.Close()

	id := uuid.New()
	s := ida.Search{Kind: ida.ByResidence, FamilyName: p.FamilyName, GivenNames: p.GivenNames, BirthDate: p.BirthDate,
		PostalCode: p.Address.PostalCode, City: p.Address.City}
	body := encode(t, search(id, s))
	postTo := func(path string) (int, []byte) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", ida.MediaJSON)
		req.Header.Set(ida.HeaderMessageID, id.String())
		req.Header.Set(ida.HeaderSender, "s1")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, b
	}
	status, _ := postTo("/v1/search")
	assert.Equal(t, http.StatusNotFound, status, "JSONv1's own path is not the given codec's")
	status, answer := postTo("/other/search")
	require.Equal(t, http.StatusOK, status, string(answer))
	resp, err := v2Paths{}.DecodeResponse(bytes.NewBuffer(answer), search(id, s))
	require.NoError(t, err)
	require.Len(t, resp.Items, 1)
	assert.Equal(t, ida.Hit, resp.Items[0].Outcome)
	assert.Equal(t, p.IDNr, resp.Items[0].Person.IDNr)

	assert.PanicsWithValue(t, `idatest: codec "client-only" has no server half (ida.ServerCodec)`, func() {
		idatest.NewServer(idatest.WithCodec(clientOnly{ida.JSONv1{}}))
	})
}
