package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/internal/peoplefile"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ttmmjjjj writes a date as the vendor register keeps it: TT.MM.JJJJ,
// 00 for an unknown part.
func ttmmjjjj(d idnr.Date) any {
	if d.IsZero() {
		return nil
	}
	y, _ := d.Year()
	m, _ := d.Month()
	day, _ := d.Day()
	return fmt.Sprintf("%02d.%02d.%04d", day, int(m), y)
}

// A vendor's SQLite register in its own formats (German column names,
// birth dates as TT.MM.JJJJ, the postcode an INTEGER column, sex coded
// "1"/"2", the composite key (gemeinde, lfd_nr) with gaps in the running
// numbers) is filled end to end through the issue's exact mapping file
// with write ["idnr"]: every record ends accepted or a case, the accepted
// ones hold their person's IDNr (so the dates, postcodes and sex codes
// were read in the register's formats), every column but the IDNr column
// is byte-for-byte (and type-for-type) as it was, and the protocol
// verifies and vouches for every written IDNr.
func TestVendorRegisterFormats(t *testing.T) {
	dir := t.TempDir()
	regPath := filepath.Join(dir, "vendor.db")
	db, err := sqlregister.OpenSQLite(regPath)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE einwohner (gemeinde TEXT NOT NULL, lfd_nr INTEGER NOT NULL, steuer_id TEXT, familienname TEXT NOT NULL,
		vornamen TEXT, geburtsdatum TEXT, geburtsort TEXT, geschlecht TEXT, strasse TEXT, hausnr TEXT, plz INTEGER, ort TEXT,
		bemerkung TEXT, PRIMARY KEY (gemeinde, lfd_nr))`)
	require.NoError(t, err)
	const n = 300
	truth := idnrtest.New(11).Population(n)
	leadingZero := 0
	for i, p := range truth {
		sex := map[idnr.Sex]any{idnr.Male: "1", idnr.Female: "2"}[p.Sex] // other sexes: no code
		var plz any = p.Address.PostalCode
		if v, err := strconv.Atoi(p.Address.PostalCode); err == nil {
			plz = v // the INTEGER column drops a leading zero
			if strings.HasPrefix(p.Address.PostalCode, "0") {
				leadingZero++
			}
		}
		date := ttmmjjjj(p.BirthDate)
		if i == 7 {
			date = "31.02.1980" // not a date: birth_date_invalid, no search
		}
		// Three Gemeinden; the running numbers have gaps and order
		// differently as text (5009 < 50010 as numbers only).
		lfd := 5000 + i
		if i%2 == 1 {
			lfd = 50000 + i
		}
		_, err := db.Exec(`INSERT INTO einwohner VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf("%08d", 9162000+i%3), lfd, p.FamilyName, p.GivenNames,
			date, p.BirthPlace.City, sex, p.Address.Street, p.Address.HouseNumber, plz, p.Address.City, "Akte "+strconv.Itoa(i))
		require.NoError(t, err)
	}
	require.Positive(t, leadingZero, "the population should have postcodes with a leading zero")
	const unchanged = `SELECT gemeinde, lfd_nr, familienname, vornamen, geburtsdatum, typeof(geburtsdatum), geburtsort, geschlecht, typeof(geschlecht),
		strasse, hausnr, plz, typeof(plz), ort, bemerkung FROM einwohner ORDER BY lfd_nr`
	before := dump(t, db, unchanged)
	require.NoError(t, db.Close())

	var pf bytes.Buffer
	require.NoError(t, peoplefile.Write(&pf, truth))
	peoplePath := filepath.Join(dir, "people.ndjson")
	require.NoError(t, os.WriteFile(peoplePath, pf.Bytes(), 0o600))
	// The issue's mapping file, exactly (composite key).
	mappingPath := filepath.Join(dir, "mapping.json")
	require.NoError(t, os.WriteFile(mappingPath, []byte(issueMapping), 0o600))

	o, err := parseFlags([]string{"-dir", filepath.Join(dir, "work"), "-register", "sqlite:" + regPath, "-mapping", mappingPath,
		"-mock-people", peoplePath, "-json-summary", "-quiet"}, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, n, s.People)
	assert.Zero(t, s.Pending)
	assert.Equal(t, s.People, s.Accepted+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)
	assert.GreaterOrEqual(t, s.Accepted, n*9/10, "the register's formats were not read")
	assert.True(t, s.AuditVerified)
	assert.True(t, s.ProtocolLinked)
	assert.Equal(t, s.Accepted, s.WrittenChecked)
	assert.Empty(t, s.Written, "write [\"idnr\"]: nothing but the IDNr")

	db, err = sqlregister.OpenSQLite(regPath)
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, before, dump(t, db, unchanged), "a column other than the IDNr column changed")
	rows := dump(t, db, `SELECT lfd_nr, coalesce(steuer_id, ''), regmo_state, coalesce(regmo_reason, '') FROM einwohner ORDER BY lfd_nr`)
	written := 0
	for _, r := range rows {
		f := strings.Split(r, "|")
		key, _ := strconv.Atoi(f[0])
		i := key - 5000
		if key >= 50000 {
			i = key - 50000
		}
		if f[2] == strconv.Itoa(int(registers.Accepted)) {
			written++
			assert.True(t, f[1] == truth[i].IDNr.String(), "record %d: accepted with another person's IDNr", key)
		} else {
			assert.Empty(t, f[1], "record %d: an IDNr without Accept", key)
		}
		if i == 7 {
			assert.Equal(t, strconv.Itoa(int(registers.NoSearch))+"|birth_date_invalid", f[2]+"|"+f[3])
		}
	}
	assert.Equal(t, s.Accepted, written)
}

// The demo register is the register itself: on Accept it replaces its
// basic data with the BZSt's (§ 6 IDNrG). Every accepted record holds
// exactly the true person's data afterwards, although the demo's copies
// carry defects (transliterated, mistyped names, partial dates).
func TestDemoReplacesBasicData(t *testing.T) {
	dir := t.TempDir()
	const n = 600
	o, err := parseFlags([]string{"-dir", dir, "-people", strconv.Itoa(n), "-seed", "3", "-quiet"}, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "basic data replaced")
	assert.Equal(t, sqlregister.DefaultColumns().Mapped(), s.Written)

	byIDNr := map[string]idnr.Person{}
	for _, p := range idnrtest.New(3).Population(n)[:n] {
		byIDNr[p.IDNr.String()] = p
	}
	db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
	require.NoError(t, err)
	defer db.Close()
	// How many accepted copies differed from the truth before the fill.
	differed := 0
	for i, p := range idnrtest.New(3).Population(n)[:n] {
		c := registerCopy(3, i, p)
		if c.FamilyName != p.FamilyName || c.GivenNames != p.GivenNames || c.BirthDate != p.BirthDate || c.Address != p.Address {
			differed++
		}
	}
	require.Positive(t, differed)
	rows := dump(t, db, `SELECT idnr, family_name, coalesce(given_names, ''), coalesce(birth_date, ''), coalesce(street, ''),
		coalesce(postal_code, ''), coalesce(city, '') FROM people WHERE regmo_state = 1 ORDER BY id`)
	require.Len(t, rows, s.Accepted)
	mismatch := 0
	for _, r := range rows {
		f := strings.Split(r, "|")
		p, ok := byIDNr[f[0]]
		require.True(t, ok, "an IDNr of nobody in the truth")
		want := []string{p.FamilyName, p.GivenNames, p.BirthDate.String(), p.Address.Street, p.Address.PostalCode, p.Address.City}
		if p.BirthDate.IsZero() {
			want[2] = ""
		}
		if !assert.ObjectsAreEqual(want, f[1:]) {
			mismatch++
		}
	}
	assert.Zero(t, mismatch, "accepted records whose basic data were not replaced by the BZSt's")
}

// -reopen makes settled cases pending again and exits; the next run
// searches them. Here the register's own software corrected the records
// that could not be searched (no birth date; no address and no given
// names): -reopen reason=no_birth_date reopens just those, -reopen
// outcome=no_search the rest; an accepted key is never reopened; the
// following run searches exactly the reopened records, none is left
// without a search, and the protocol still verifies.
func TestReopenFlag(t *testing.T) {
	dir := t.TempDir()
	const n = 1500
	base := []string{"-dir", dir, "-people", strconv.Itoa(n), "-quiet", "-json-summary"}
	o, err := parseFlags(base, io.Discard)
	require.NoError(t, err)
	s, err := run(context.Background(), o, io.Discard, io.Discard)
	require.NoError(t, err)
	require.Positive(t, s.NoSearch)

	db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
	require.NoError(t, err)
	defer db.Close()
	count := func(q string) int {
		var c int
		require.NoError(t, db.QueryRow(q).Scan(&c))
		return c
	}
	noBirth := count(`SELECT count(*) FROM people WHERE regmo_reason = 'no_birth_date'`)
	require.Positive(t, noBirth)
	// The register's software corrects the records.
	truth := idnrtest.New(1).Population(n)[:n]
	keys := dump(t, db, `SELECT id FROM people WHERE regmo_state = 5 ORDER BY id`)
	require.Len(t, keys, s.NoSearch)
	for _, k := range keys {
		id, _ := strconv.Atoi(k)
		p := truth[id-1]
		_, err := db.Exec(`UPDATE people SET family_name = ?, given_names = ?, birth_date = ?, street = ?, house_number = ?, postal_code = ?, city = ?
			WHERE id = ?`, p.FamilyName, p.GivenNames, p.BirthDate.String(), p.Address.Street, p.Address.HouseNumber, p.Address.PostalCode, p.Address.City, id)
		require.NoError(t, err)
	}
	acceptedKey := dump(t, db, `SELECT id FROM people WHERE regmo_state = 1 ORDER BY id LIMIT 1`)[0]

	reopen := func(args ...string) map[string]any {
		o, err := parseFlags(append(append([]string{}, base...), args...), io.Discard)
		require.NoError(t, err)
		var out bytes.Buffer
		got, err := run(context.Background(), o, &out, io.Discard)
		require.NoError(t, err)
		assert.Nil(t, got, "-reopen exits without a fill")
		var m map[string]any
		require.NoError(t, json.Unmarshal(out.Bytes(), &m), out.String())
		return m
	}
	assert.EqualValues(t, 0, reopen("-reopen", "key="+acceptedKey)["reopened"], "an accepted record is never reopened")
	assert.EqualValues(t, noBirth, reopen("-reopen", "reason=no_birth_date")["reopened"])
	assert.Equal(t, noBirth, count(`SELECT count(*) FROM people WHERE regmo_state IS NULL`))
	m := reopen("-reopen", "outcome=no_search")
	assert.EqualValues(t, s.NoSearch-noBirth, m["reopened"])
	assert.Equal(t, "outcome=no_search", m["filter"])
	assert.Equal(t, s.NoSearch, count(`SELECT count(*) FROM people WHERE regmo_state IS NULL`))

	o, err = parseFlags(base, io.Discard)
	require.NoError(t, err)
	s2, err := run(context.Background(), o, io.Discard, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, s.NoSearch, s2.ThisRun, "the next run searches the reopened records, and only them")
	assert.Zero(t, s2.NoSearch)
	assert.Zero(t, s2.Pending)
	assert.Equal(t, n, s2.People)
	assert.Greater(t, s2.Accepted, s.Accepted)
	assert.True(t, s2.AuditVerified)
	assert.True(t, s2.ProtocolLinked)
}

func TestReopenFlagRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-reopen", "outcome=accepted"},
		{"-reopen", "outcome=pending"},
		{"-reopen", "colour=red"},
		{"-reopen", "reason"},
		{"-reopen", "key="},
		{"-reopen", ""},
		{"-reopen", "reason=x", "-fresh"},
		{"-reopen", "reason=x", "-resume=false"},
		{"-reopen", "reason=x", "-sync"},
	} {
		_, err := parseFlags(args, io.Discard)
		assert.Error(t, err, "%v", args)
	}
	o, err := parseFlags([]string{"-reopen", "outcome=review,reason=a", "-reopen", "key=7,reason=b"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, sqlregister.ReopenFilter{Keys: []registers.Key{"7"}, Outcomes: []registers.Outcome{registers.Review}, Reasons: []string{"a", "b"}}, *o.reopen)

	// No demo register in -dir: refused, and none is created.
	dir := t.TempDir()
	o, err = parseFlags([]string{"-dir", dir, "-reopen", "outcome=review"}, io.Discard)
	require.NoError(t, err)
	_, err = run(context.Background(), o, io.Discard, io.Discard)
	require.Error(t, err)
	assert.NoFileExists(t, filepath.Join(dir, "register.db"))
}
