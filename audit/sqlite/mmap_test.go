package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/regmo/regmo/audit/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMmapDefaultIsWhatSQLiteGrants: the default memory map of a reading
// connection is the size SQLite really maps (its compile-time maximum),
// not a larger number SQLite caps without a word; WithMmapSize(0) turns it
// off.
func TestMmapDefaultIsWhatSQLiteGrants(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts []sqlite.Option
		want int64
	}{
		{"default", nil, sqlite.DefaultMmapBytes},
		{"off", []sqlite.Option{sqlite.WithMmapSize(0)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlite.Open(filepath.Join(t.TempDir(), "audit.db"), tc.opts...)
			require.NoError(t, err)
			defer s.Close()
			var got int64
			require.NoError(t, s.ReaderDB().QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&got))
			assert.Equal(t, tc.want, got)
		})
	}
	assert.Equal(t, int64(2147418112), int64(sqlite.DefaultMmapBytes), "just under 2 GiB, as the package doc says")
}
