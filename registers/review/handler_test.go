package review_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/regmo/regmo/registers"
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

// TestHandlerPreviousNext: the case page links the previous and the next
// open case of the list the clerk came from (its filter carried in the
// links and the decision forms), computed on the server by keyset; a
// decision leads to the next case of that list.
func TestHandlerPreviousNext(t *testing.T) {
	ctx := context.Background()
	d := newDemo(t, 300, nil)
	srv := httptest.NewServer(d.handler)
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(path string) string {
		res, err := noRedirect.Get(srv.URL + "/" + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		return string(b)
	}
	link := func(body, id string) string {
		m := regexp.MustCompile(`id="` + id + `" href="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	all, _, err := d.wb.List(ctx, theClerk, review.Filter{}, "", 500)
	require.NoError(t, err)
	f := review.Filter{Outcome: registers.Review}
	rev, _, err := d.wb.List(ctx, theClerk, f, "", 500)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rev), 3)
	// A review case whose previous open case of any outcome is not a
	// review case: the filter decides which case is previous.
	i := 1
	for ; i < len(rev); i++ {
		j := slices.IndexFunc(all, func(s review.Summary) bool { return s.Key == rev[i].Key })
		if all[j-1].Outcome != registers.Review {
			break
		}
	}
	require.Less(t, i, len(rev), "no review case follows another outcome")
	j := slices.IndexFunc(all, func(s review.Summary) bool { return s.Key == rev[i].Key })

	body := page("case?key=" + string(rev[i].Key) + "&outcome=review")
	assert.Equal(t, "case?key="+string(rev[i-1].Key)+"&outcome=review", link(body, "prev"))
	if i+1 < len(rev) {
		assert.Equal(t, "case?key="+string(rev[i+1].Key)+"&outcome=review", link(body, "next"))
	}
	assert.Equal(t, "./?outcome=review", link(body, "list"))
	body = page("case?key=" + string(rev[i].Key))
	assert.Equal(t, "case?key="+string(all[j-1].Key), link(body, "prev"), "without a filter: the previous open case of all")
	body = page("case?key=" + string(all[0].Key))
	assert.Empty(t, link(body, "prev"), "the first case has no previous one")
	// The work list's links carry its filter.
	assert.Contains(t, page("?outcome=review"), `href="case?key=`+string(rev[0].Key)+`&amp;outcome=review"`)

	// A decision (defer: the case stays open) and an accept: the
	// redirect keeps the list; after the accept the next case of the
	// list, whose previous case is no longer the decided one.
	body = page("case?key=" + string(rev[i].Key) + "&outcome=review")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindStringSubmatch(body)[1]
	list := html.UnescapeString(regexp.MustCompile(`name="list" value="([^"]*)"`).FindStringSubmatch(body)[1])
	assert.Equal(t, "outcome=review", list)
	post := func(form url.Values) string {
		form.Set("csrf", csrf)
		form.Set("list", list)
		res, err := noRedirect.PostForm(srv.URL+"/decide", form)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		return res.Header.Get("Location")
	}
	assert.Equal(t, "/case?key="+string(rev[i].Key)+"&outcome=review&done=defer",
		post(url.Values{"kind": {"defer"}, "id": {"prev-d1"}, "key": {string(rev[i].Key)}, "version": {"0"}, "note": {"Rückfrage"}}))
	if i+1 < len(rev) {
		assert.Equal(t, "/case?key="+string(rev[i+1].Key)+"&outcome=review&done=reject",
			post(url.Values{"kind": {"reject"}, "id": {"prev-d2"}, "key": {string(rev[i].Key)}, "version": {"1"}, "reason": {"andere Person"}}))
		body = page("case?key=" + string(rev[i+1].Key) + "&outcome=review")
		assert.Equal(t, "case?key="+string(rev[i-1].Key)+"&outcome=review", link(body, "prev"), "the rejected case left the list")
	}
}
