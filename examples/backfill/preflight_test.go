package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -preflight reads the register and exits: the IDA endpoint sees no
// request at all and no protocol is created.
func TestPreflightFlagSendsNothing(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	dir := t.TempDir()
	for _, js := range []bool{false, true} {
		args := []string{"-dir", dir, "-people", "300", "-quiet", "-endpoint", srv.URL, "-preflight"}
		if js {
			args = append(args, "-json-summary")
		}
		o, err := parseFlags(args, io.Discard)
		require.NoError(t, err)
		var out bytes.Buffer
		s, err := run(context.Background(), o, &out, io.Discard)
		require.NoError(t, err, out.String())
		assert.Nil(t, s)
		if js {
			var rep registers.PreflightReport
			require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
			assert.Equal(t, 300, rep.Records)
			assert.Equal(t, rep.Records, rep.Primary+rep.FallbackOnly+rep.NoSearch)
			assert.True(t, rep.ExistingChecked)
		} else {
			assert.Contains(t, out.String(), "preflight: 300 pending records")
			assert.Contains(t, out.String(), "nothing sent")
		}
	}
	assert.Zero(t, requests.Load(), "preflight sent requests")
	for _, name := range []string{"audit.db", "audit.key", "audit.db.checkpoint", "review.csv", "report.json"} {
		_, err := os.Stat(filepath.Join(dir, name))
		assert.ErrorIs(t, err, os.ErrNotExist, name)
	}
	b, err := os.ReadFile(filepath.Join(dir, "preflight.json"))
	require.NoError(t, err)
	var rep registers.PreflightReport
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, 300, rep.Records)
}
