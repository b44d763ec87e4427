package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFinalCheckFindsIDNrWithoutTransfer: the final check does not only
// verify the protocol's chain, it checks that every IDNr written to the
// register has the protocol record of the message that delivered it. An
// IDNr written into the register without a transfer is reported (masked)
// and the run fails.
func TestFinalCheckFindsIDNrWithoutTransfer(t *testing.T) {
	dir := t.TempDir()
	o, err := parseFlags([]string{"-dir", dir, "-people", "300", "-quiet"}, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err, out.String())
	assert.True(t, s.ProtocolLinked)
	assert.Equal(t, s.Accepted, s.WrittenChecked)
	assert.Contains(t, out.String(), "each with its protocol record")

	db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
	require.NoError(t, err)
	forged := idnrtest.New(77).Population(1)[0].IDNr
	var key int
	require.NoError(t, db.QueryRow(`SELECT id FROM people WHERE idnr IS NULL ORDER BY id LIMIT 1`).Scan(&key))
	_, err = db.Exec(`UPDATE people SET idnr = ?, regmo_state = 1, regmo_message = NULL WHERE id = ?`, forged.String(), key)
	require.NoError(t, err)
	db.Close()

	out.Reset()
	s, err = run(context.Background(), o, &out, io.Discard)
	require.Error(t, err)
	assert.True(t, s.AuditVerified, "the chain itself is intact")
	assert.False(t, s.ProtocolLinked)
	assert.Equal(t, 1, s.Unprotocolled)
	assert.Contains(t, out.String(), forged.Masked())
	assert.NotContains(t, out.String(), forged.String())
	assert.NotContains(t, err.Error(), forged.String())
	assert.True(t, strings.Contains(out.String(), "without their protocol record"), out.String())
}
