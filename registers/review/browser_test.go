package review_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/review"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser returns a chromedp context on headless Chromium, or skips the
// test when no browser is installed outside CI (in CI it fails).
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium found, and CI is set: the browser tests must run")
		}
		t.Skip("no Chromium found (install Debian's chromium); CI is not set")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
	return ctx
}

func keyIndex(k registers.Key) int {
	i, _ := strconv.Atoi(string(k))
	return i - 1
}

// focused waits until the element with the id has the keyboard focus.
func focused(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool]("document.activeElement !== null && document.activeElement.id === "+strconv.Quote(id))(ctx, t)
		return err
	})
}

// step runs actions with a deadline, so that a page that never comes
// fails the test instead of hanging it.
func step(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// countingHandler counts the case pages served with status 200.
type countingHandler struct {
	h      http.Handler
	mu     sync.Mutex
	opened int
}

type codeWriter struct {
	http.ResponseWriter
	code int
}

func (w *codeWriter) WriteHeader(c int) { w.code = c; w.ResponseWriter.WriteHeader(c) }

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cw := &codeWriter{ResponseWriter: w, code: 200}
	c.h.ServeHTTP(cw, r)
	if r.Method == "GET" && r.URL.Path == "/case" && cw.code == 200 {
		c.mu.Lock()
		c.opened++
		c.mu.Unlock()
	}
}

// TestBrowserWorkThrough20Cases runs a backfill on a demo register, opens
// the workbench in headless Chromium and works through 20 cases with the
// keyboard: accept 10, reject 5, correct and search again 5. Then: the
// IDNrs written, each with its protocol record (VerifyProtocol); the
// decision histories; one read-access entry per opened case; the
// protocol's Verify; nothing personal in the server's log.
func TestBrowserWorkThrough20Cases(t *testing.T) {
	ctx := browser(t)
	d := newDemo(t, 1500, nil)
	bg := context.Background()
	ch := &countingHandler{h: d.handler}
	srv := httptest.NewServer(ch)
	defer srv.Close()

	// Pick the cases: review cases with a candidate nobody else holds to
	// accept, any five others to reject, five with a search to correct.
	var accept, reject, search []registers.Key
	after := registers.Key("")
	for len(accept) < 10 || len(reject) < 5 || len(search) < 5 {
		page, next, err := d.wb.List(bg, theClerk, review.Filter{}, after, 100)
		require.NoError(t, err)
		for _, s := range page {
			st, _, err := d.reg.LoadCase(bg, s.Key)
			require.NoError(t, err)
			switch {
			case st.HasCandidate && st.Holder == "" && s.Outcome == registers.Review && len(accept) < 10:
				accept = append(accept, s.Key)
			case s.Outcome != registers.NoSearch && st.Register.Person.FamilyName != "" && len(search) < 5 &&
				st.Register.Person.FamilyName != d.truth[keyIndex(s.Key)].FamilyName:
				search = append(search, s.Key)
			case len(reject) < 5:
				reject = append(reject, s.Key)
			}
		}
		require.NotEmpty(t, next, "not enough cases: accept %d reject %d search %d", len(accept), len(reject), len(search))
		after = next
	}
	caseURL := func(k registers.Key) string { return srv.URL + "/case?key=" + string(k) }

	// The work list renders with counts.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#total")))
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(total))
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 20)

	// p opens the previous case of the list the clerk came from, by the
	// server's keyset: under the filter "review", from the second review
	// case to the first (not the browser's history: none here).
	revs, _, err := d.wb.List(bg, theClerk, review.Filter{Outcome: registers.Review}, "", 2)
	require.NoError(t, err)
	require.Len(t, revs, 2)
	want := "/case?key=" + string(revs[0].Key) + "&outcome=review"
	require.NoError(t, step(ctx,
		chromedp.Navigate(srv.URL+"/case?key="+string(revs[1].Key)+"&outcome=review"), chromedp.WaitVisible(chromedp.CSS("#prev")),
		chromedp.KeyEvent("p")), "previous case")
	// The old page's context goes away with the navigation: ask for the
	// location until the new page is there (at most 20 s).
	var loc string
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if loc, err = chromedp.Run(ctx, chromedp.Location()); err == nil && loc == srv.URL+want {
			break
		}
	}
	require.Equal(t, srv.URL+want, loc)
	require.NoError(t, step(ctx, chromedp.WaitVisible(chromedp.CSS("#next"))))

	for _, k := range accept {
		require.NoError(t, step(ctx,
			chromedp.Navigate(caseURL(k)), chromedp.WaitVisible(chromedp.CSS("#accept-form")),
			chromedp.WaitVisible(chromedp.CSS("#waterfall")),
			chromedp.KeyEvent("a"), chromedp.WaitVisible(chromedp.CSS("#msg"))), "accept %s", k)
	}
	for _, k := range reject {
		require.NoError(t, step(ctx,
			chromedp.Navigate(caseURL(k)), chromedp.WaitVisible(chromedp.CSS("#reject-form")),
			chromedp.KeyEvent("r"), focused("reject-reason"), chromedp.KeyEvent("andere Person laut Akte"), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("#msg"))), "reject %s", k)
	}
	for _, k := range search {
		key, _ := strconv.Atoi(string(k))
		truth := d.truth[key-1]
		require.NoError(t, step(ctx,
			chromedp.Navigate(caseURL(k)), chromedp.WaitVisible(chromedp.CSS("#search-form")),
			chromedp.KeyEvent("s"), focused("t_family_name"), chromedp.KeyEvent(truth.FamilyName), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("#msg"))), "search again %s", k)
	}
	// The last decision's page: its history.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(caseURL(search[0]))))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status")))
	require.NoError(t, err)
	assert.NotEmpty(t, status)

	// The IDNrs written, each with its protocol record.
	for _, k := range accept {
		st, _, err := d.reg.LoadCase(bg, k)
		require.NoError(t, err)
		assert.False(t, st.Open, "case %s settled", k)
		assert.False(t, st.Register.Person.IDNr.IsZero(), "IDNr written on %s", k)
		require.Len(t, st.History, 1)
		assert.Equal(t, review.Accept, st.History[0].Kind)
		assert.Equal(t, theClerk.ID, st.History[0].Clerk)
	}
	for _, k := range reject {
		st, _, err := d.reg.LoadCase(bg, k)
		require.NoError(t, err)
		assert.Equal(t, review.Reject, st.Closed, "case %s", k)
		require.Len(t, st.History, 1)
		assert.Equal(t, "andere Person laut Akte", st.History[0].Reason)
	}
	for _, k := range search {
		st, _, err := d.reg.LoadCase(bg, k)
		require.NoError(t, err)
		require.Len(t, st.History, 1, "case %s", k)
		assert.Equal(t, review.SearchAgain, st.History[0].Kind)
		assert.NotEmpty(t, st.History[0].MessageID, "a new, protocolled search for %s", k)
	}
	rep, err := registers.VerifyProtocol(bg, d.reg, d.log, registers.VerifyProtocolOptions{})
	require.NoError(t, err)
	assert.True(t, rep.OK(), rep.String())
	_, err = d.log.Verify(bg)
	require.NoError(t, err)

	// One read-access entry per opened case.
	page, err := d.log.Accesses(bg, audit.Access{Who: "test", Purpose: audit.DataProtectionCheck}, audit.AccessQuery{Limit: 1000})
	require.NoError(t, err)
	opened := 0
	for _, e := range page.Entries {
		if e.Purpose == audit.CaseWork {
			opened++
			assert.Equal(t, theClerk.ID, e.Who)
			assert.True(t, strings.HasPrefix(e.Reason, "Fall "), e.Reason)
		}
	}
	ch.mu.Lock()
	assert.Equal(t, ch.opened, opened)
	ch.mu.Unlock()
	assert.GreaterOrEqual(t, opened, 21)

	// Nothing personal in the server's log.
	logText := d.logBuf.String()
	require.NotEmpty(t, logText)
	for _, k := range append(append(accept, reject...), search...) {
		i, _ := strconv.Atoi(string(k))
		p := d.truth[i-1]
		for _, s := range []string{p.IDNr.String(), p.FamilyName, p.BirthDate.String()} {
			if len(s) > 3 {
				assert.NotContains(t, logText, s)
			}
		}
	}
}
