package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Not on a terminal (stderr is a buffer): no progress bar, plain progress
// lines with the counts per outcome, the engine's log lines at start and
// end; -csv de writes the German spreadsheet form.
func TestOperatorOutputNotTerminal(t *testing.T) {
	dir := t.TempDir()
	o, err := parseFlags([]string{"-dir", dir, "-people", "1500", "-csv", "de"}, io.Discard)
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	s, err := run(context.Background(), o, &out, &errOut)
	require.NoError(t, err)
	e := errOut.String()
	assert.NotContains(t, e, "\r", "no bar redrawing on a non-terminal")
	assert.NotContains(t, e, "█")
	assert.Contains(t, e, "msg=\"backfill started\"")
	assert.Contains(t, e, "msg=\"backfill finished\"")
	var last string
	for l := range strings.SplitSeq(e, "\n") {
		if strings.HasPrefix(l, "progress: ") {
			last = l
		}
	}
	require.NotEmpty(t, last, e)
	assert.Contains(t, last, "progress: 1500/1500 (100.0%)")
	assert.Contains(t, last, "accepted ")
	assert.Contains(t, last, "no_search ")

	b, err := os.ReadFile(filepath.Join(dir, "review.csv"))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(b, []byte("\xef\xbb\xbfkey;outcome;")), "%q", b[:min(len(b), 40)])
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = ';'
	rows, err := r.ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 1+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)
	assert.Equal(t, registers.CSVHeader, rows[0])
}

func TestProgressFlags(t *testing.T) {
	for _, bad := range [][]string{{"-csv", "excel"}, {"-progress", "fancy"}} {
		_, err := parseFlags(bad, io.Discard)
		assert.Error(t, err, "%v", bad)
	}
}

func TestProgressLine(t *testing.T) {
	l := progressLine(registers.Progress{Done: 50, Total: 200, Rate: 10, ETA: 15e9,
		Counts: map[registers.Outcome]int{registers.Accepted: 40, registers.NoSearch: 10}})
	assert.Equal(t, "progress: 50/200 (25.0%), 10 people/s, ETA 15s; accepted 40; review 0; not_identifiable 0; rejected 0; no_search 10", l)
}
