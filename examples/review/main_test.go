package main

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goBuild builds the command in pkg (a directory relative to this one)
// into dir and returns the binary's path.
func goBuild(t *testing.T, dir, pkg, name string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s: %s", pkg, out)
	return bin
}

// smallDemo runs the backfill demo (the real command) on a small register
// and returns its directory.
func smallDemo(t *testing.T, bin string, people string) string {
	t.Helper()
	backfill := goBuild(t, bin, "../backfill", "backfill")
	dir := filepath.Join(t.TempDir(), "regmo-demo")
	out, err := exec.Command(backfill, "-dir", dir, "-people", people, "-quiet", "-json-summary").CombinedOutput()
	require.NoError(t, err, "backfill: %s", out)
	return dir
}

// server is the review command started on a demo directory.
type server struct {
	cmd    *exec.Cmd
	URL    string
	stderr *syncBuffer
	done   chan error
}

// start builds and starts the review command on dir with a free loopback
// port and waits for the URL it prints.
func start(t *testing.T, bin, dir string, args ...string) *server {
	t.Helper()
	review := goBuild(t, bin, ".", "review")
	cmd := exec.Command(review, append([]string{"-dir", dir, "-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	s := &server{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		s.done <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		require.True(t, strings.HasPrefix(line, "review: http://127.0.0.1:"), "%q", line)
		s.URL = strings.TrimPrefix(line, "review: ")
	case err := <-s.done:
		s.done <- err
		t.Fatalf("review exited before listening: %v\n%s", err, s.stderr)
	case <-time.After(2 * time.Minute):
		t.Fatalf("review printed no URL\n%s", s.stderr)
	}
	return s
}

// syncBuffer is the command's stderr, written by exec's copier and read
// by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The command built and started on a small backfill demo serves the work
// list (200, no-store, the demo's cases, the demo clerk named as such),
// a case page, a correct-and-search-again decision against the demo's
// truth, logs no personal data, and stops cleanly on SIGINT.
func TestServesBackfillDemo(t *testing.T) {
	bin := t.TempDir()
	dir := smallDemo(t, bin, "400")
	s := start(t, bin, dir)

	resp, err := http.Get(s.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
	page := string(body)
	assert.Contains(t, page, "Klärungsfälle")
	assert.Contains(t, page, "DEMO-Anmeldung", "the demo login is marked as such on every page")
	i := strings.Index(page, `href="case?key=`)
	require.Positive(t, i, "the demo's cases are listed: %s", page)
	key := page[i+len(`href="case?key=`):]
	key = key[:strings.IndexByte(key, '"')]

	resp, err = http.Get(s.URL + "case?key=" + key)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))

	// Correct and search again through the UI: the command's mock BVA
	// holds the backfill's truth (demoTruth), so correcting the given names
	// of a weak given-names case to the true ones settles it with the
	// person's IDNr.
	db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
	require.NoError(t, err)
	defer db.Close()
	seed, people, err := demoMeta(context.Background(), db)
	require.NoError(t, err)
	truth := demoTruth(seed, people)
	var caseKey string
	var want idnr.Person
	for _, m := range regexp.MustCompile(`href="case\?key=(\d+)">\d+</a></td><td>Prüfen</td><td>[^<]*weak:given-names`).FindAllStringSubmatch(page, -1) {
		var fam, birth string
		require.NoError(t, db.QueryRow("SELECT family_name, birth_date FROM people WHERE id = ?", m[1]).Scan(&fam, &birth))
		var found []idnr.Person
		for _, p := range truth {
			if p.FamilyName == fam && p.BirthDate.String() == birth {
				found = append(found, p)
			}
		}
		if len(found) == 1 {
			caseKey, want = m[1], found[0]
			break
		}
	}
	require.NotEmpty(t, caseKey, "a weak given-names case on the first page: %s", page)
	resp, err = http.Get(s.URL + "case?key=" + caseKey)
	require.NoError(t, err)
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	form := url.Values{"kind": {"search_again"}, "t_given_names": {want.GivenNames}}
	for _, name := range []string{"csrf", "id", "key", "version"} {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindSubmatch(body)
		require.NotNil(t, m, name)
		form.Set(name, string(m[1]))
	}
	resp, err = http.PostForm(s.URL+"decide", form)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "after the redirect to the case")
	var got sql.NullString
	require.NoError(t, db.QueryRow("SELECT idnr FROM people WHERE id = ?", caseKey).Scan(&got))
	assert.Equal(t, want.IDNr.String(), got.String, "the search settled the case with the true IDNr")

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-s.done:
		s.done <- err
		require.NoError(t, err, "%s", s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatal("review did not stop on SIGINT")
	}
	log := s.stderr.String()
	assert.Contains(t, log, "DEMO login")
	assert.Contains(t, log, "path=/case", "the request log holds paths")
	assert.Contains(t, log, "kind=search_again")
	for _, personal := range []string{want.IDNr.String(), want.FamilyName, want.GivenNames, want.BirthDate.String()} {
		assert.NotContains(t, log, personal, "no personal data in the log")
	}
}

// Only loopback addresses are served: the demo login is a fixed clerk.
func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:8080", "localhost:8080"} {
		_, err := parseFlags([]string{"-addr", addr}, io.Discard)
		assert.NoError(t, err, addr)
	}
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.0.2.1:80", "example.org:80", "nonsense"} {
		_, err := parseFlags([]string{"-addr", addr}, io.Discard)
		assert.Error(t, err, addr)
	}
}

// A directory without a backfill demo is refused with what to run.
func TestNoDemo(t *testing.T) {
	o, err := parseFlags([]string{"-dir", t.TempDir()}, io.Discard)
	require.NoError(t, err)
	err = run(context.Background(), o, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "examples/backfill")
	_, statErr := os.Stat(filepath.Join(o.dir, "register.db"))
	assert.ErrorIs(t, statErr, os.ErrNotExist, "nothing is created")
}
