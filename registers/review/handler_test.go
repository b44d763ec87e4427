package review_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/regmo/regmo/registers/review"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHandlerSecurity: no clerk 401, a clerk without the role 403, a POST
// without the CSRF token refused, every page no-store with a strict CSP.
func TestHandlerSecurity(t *testing.T) {
	d := newDemo(t, 300, func(r *http.Request) (review.Clerk, bool) {
		switch r.Header.Get("X-Test-Clerk") {
		case "ok":
			return theClerk, true
		case "norole":
			return review.Clerk{ID: "x-1", Role: "hausmeister", Purpose: clerkPurpose}, true
		}
		return review.Clerk{}, false
	})
	srv := httptest.NewServer(d.handler)
	defer srv.Close()
	get := func(who, path string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-Test-Clerk", who)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	cases, _, err := d.wb.List(context.Background(), theClerk, review.Filter{}, "", 5)
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	key := string(cases[0].Key)
	for _, path := range []string{"/", "/case?key=" + key} {
		assert.Equal(t, http.StatusUnauthorized, get("", path).StatusCode, path)
		assert.Equal(t, http.StatusForbidden, get("norole", path).StatusCode, path)
		res := get("ok", path)
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"), path)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self'")
	}
	assert.Equal(t, "no-store", get("", "/").Header.Get("Cache-Control"), "even the 401")

	// POST without and with a wrong CSRF token: refused, nothing decided.
	for _, tok := range []string{"", "00ff"} {
		form := url.Values{"kind": {"defer"}, "id": {"x" + tok}, "key": {key}, "version": {"0"}}
		if tok != "" {
			form.Set("csrf", tok)
		}
		req, _ := http.NewRequest("POST", srv.URL+"/decide", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Test-Clerk", "ok")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	}
	st, _, err := d.reg.LoadCase(context.Background(), cases[0].Key)
	require.NoError(t, err)
	assert.Empty(t, st.History)
}
