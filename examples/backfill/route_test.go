package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/regmo/regmo/audit"
	auditsqlite "github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/ida/melde"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRouteMeldeSettlesSamePeople: the demo fill through the Meldebehörde
// (-route melde, ida/melde against its mock) settles the same people with
// the same IDNrs and outcomes as through the BVA, and its § 9 records name
// the Meldebehörde and § 6 Abs. 1 IDNrG where the BVA route's name the BVA.
func TestRouteMeldeSettlesSamePeople(t *testing.T) {
	type result struct {
		s     *Summary
		rows  map[int]string
		some  idnr.IDNr
		dir   string
		count int
	}
	fill := func(route string) result {
		dir := t.TempDir()
		o, err := parseFlags([]string{"-dir", dir, "-people", "1500", "-quiet", "-route", route}, io.Discard)
		require.NoError(t, err)
		var out bytes.Buffer
		s, err := run(context.Background(), o, &out, io.Discard)
		require.NoError(t, err, out.String())
		require.Equal(t, route, s.Route)
		db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
		require.NoError(t, err)
		defer db.Close()
		rows, err := db.Query(`SELECT id, coalesce(idnr, ''), regmo_state, coalesce(regmo_reason, '') || '|' ||
			coalesce(family_name, '') || '|' || coalesce(given_names, '') || '|' || coalesce(birth_date, '') || '|' ||
			coalesce(street, '') || '|' || coalesce(postal_code, '') || '|' || coalesce(city, '') FROM people ORDER BY id`)
		require.NoError(t, err)
		defer rows.Close()
		r := result{s: s, rows: map[int]string{}, dir: dir}
		for rows.Next() {
			var key, state int
			var id, msg string
			require.NoError(t, rows.Scan(&key, &id, &state, &msg))
			r.rows[key] = id + "|" + string(rune('0'+state)) + "|" + msg
			if id != "" && r.some.IsZero() {
				r.some = idnr.MustParse(id)
			}
			r.count++
		}
		require.NoError(t, rows.Err())
		return r
	}
	bva, mel := fill(routeBVA), fill(routeMelde)
	require.Equal(t, 1500, mel.count)
	assert.Positive(t, mel.s.Accepted)
	assert.Equal(t, bva.s.Accepted, mel.s.Accepted)
	assert.Equal(t, bva.s.Review, mel.s.Review)
	assert.Equal(t, bva.s.NotIdentifiable, mel.s.NotIdentifiable)
	assert.Equal(t, bva.s.AuditRecords, mel.s.AuditRecords)
	assert.True(t, mel.s.AuditVerified)
	assert.True(t, mel.s.ProtocolLinked)
	assert.Equal(t, bva.rows, mel.rows, "the same IDNr, outcome, reason and written basic data on every record")

	// The protocol names the other body and the legal basis of the route.
	for _, tc := range []struct {
		r     result
		other audit.Body
		legal string
	}{
		{bva, audit.Body{Name: "Bundesverwaltungsamt", ID: "BVA"}, "§ 6 Abs. 3 IDNrG"},
		{mel, audit.Body{Name: "Stadt Musterstadt, Meldebehörde (Demo)", ID: "mb-demo-musterstadt"}, melde.LegalBasis},
	} {
		recs := protocolOf(t, tc.r.dir, tc.r.some)
		require.NotEmpty(t, recs)
		for _, rec := range recs {
			assert.Equal(t, tc.other, rec.Counterpart)
			assert.Equal(t, tc.legal, rec.LegalBasis)
			assert.Equal(t, audit.Received, rec.Direction)
			assert.NotEmpty(t, rec.Categories)
		}
	}
}

// protocolOf reads the § 9 records of one person from a demo directory.
func protocolOf(t *testing.T, dir string, id idnr.IDNr) []audit.Record {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "audit.db")
	key, _, err := audit.LoadOrCreateSigningKey(filepath.Join(dir, "audit.key"))
	require.NoError(t, err)
	store, err := auditsqlite.Open(path)
	require.NoError(t, err)
	alog, err := audit.New(ctx, store, audit.Options{SigningKey: key, CheckpointFile: path + ".checkpoint"})
	require.NoError(t, err)
	defer alog.Close()
	page, err := alog.Query(ctx, audit.Access{Who: "route-test", Purpose: audit.DataProtectionCheck}, audit.Query{IDNr: id})
	require.NoError(t, err)
	return page.Records
}

func TestRouteFlags(t *testing.T) {
	_, err := parseFlags([]string{"-route", "bzst"}, io.Discard)
	require.ErrorContains(t, err, "-route")
	_, err = parseFlags([]string{"-route", "melde", "-authority-id", ""}, io.Discard)
	require.ErrorContains(t, err, "-authority-id")
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, routeBVA, o.route)
}
