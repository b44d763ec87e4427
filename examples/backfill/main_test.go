package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The smoke test of the main job: a small demo register from scratch, the
// JSON summary CI checks, then a second run that resumes and finds nothing
// left to do, then -fresh.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-dir", dir, "-people", "2000", "-json-summary", "-quiet"}
	o, err := parseFlags(args, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)

	var got map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
	for _, k := range []string{"people", "accepted", "review", "not_identifiable", "rejected", "no_search", "audit_verified"} {
		assert.Contains(t, got, k)
	}
	assert.Equal(t, 2000, s.People)
	assert.Equal(t, s.People, s.Accepted+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)
	assert.GreaterOrEqual(t, s.Accepted, 1600)
	assert.Positive(t, s.NoSearch)
	assert.Positive(t, s.NotIdentifiable)
	assert.True(t, s.AuditVerified)
	assert.EqualValues(t, s.Accepted+s.Review+s.Rejected-countRejectedWithoutTransfer(t, dir), s.AuditRecords)
	assert.False(t, s.Resumed)
	for _, f := range []string{"register.db", "audit.db", "audit.key", "review.csv", "report.json"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	fi, err := os.Stat(filepath.Join(dir, "audit.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// The clerks' CSV: one row per case, no personal data.
	f, err := os.Open(filepath.Join(dir, "review.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	assert.Len(t, rows, 1+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)

	// Running it again resumes: nothing left, same totals, no new transfers.
	out.Reset()
	s2, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Zero(t, s2.ThisRun)
	assert.Equal(t, s.Accepted, s2.Accepted)
	assert.Equal(t, s.AuditRecords, s2.AuditRecords)

	// The text summary.
	o.jsonSummary = false
	out.Reset()
	_, err = run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "accepted")
	assert.Contains(t, out.String(), "verified")

	// -fresh starts over.
	o.fresh, o.jsonSummary = true, true
	out.Reset()
	s3, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 2000, s3.ThisRun)
	assert.Equal(t, s.Accepted, s3.Accepted)
}

// Rejected by the matcher means a hit was transferred (and protocolled);
// rejected by the BVA means nothing was. The demo has no BVA rejections.
func countRejectedWithoutTransfer(t *testing.T, dir string) int { return 0 }

func TestFlags(t *testing.T) {
	_, err := parseFlags([]string{"-nosuchflag"}, io.Discard)
	require.Error(t, err)
	_, err = parseFlags([]string{"extra"}, io.Discard)
	require.Error(t, err)
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "./regmo-demo", o.dir)
	assert.Equal(t, 100000, o.people)
	assert.True(t, strings.HasPrefix(o.sender, "Bürgeramt"))
}
