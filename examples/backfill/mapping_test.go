package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/internal/peoplefile"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mapping file of the issue, exactly.
const issueMapping = `{
  "table": "einwohner",
  "key": ["gemeinde", "lfd_nr"],
  "columns": {"idnr": "steuer_id", "family_name": "familienname", "given_names": "vornamen",
              "birth_date": "geburtsdatum", "birth_place": "geburtsort", "sex": "geschlecht",
              "street": "strasse", "house_number": "hausnr", "postal_code": "plz", "city": "ort"},
  "formats": {"birth_date": "02.01.2006", "sex": {"1": "m", "2": "w"}, "postal_code": "integer"},
  "write": ["idnr"]
}`

// The issue's mapping parses; its composite key reaches sqlregister's
// Config as KeyColumns (a single key as Key), its formats and write list
// as they are.
func TestMappingIssueShape(t *testing.T) {
	m, err := parseMapping(strings.NewReader(issueMapping))
	require.NoError(t, err)
	assert.Equal(t, []string{"gemeinde", "lfd_nr"}, m.Key)
	cfg, err := m.config(sqlregister.SQLite)
	require.NoError(t, err)
	assert.Equal(t, []string{"gemeinde", "lfd_nr"}, cfg.KeyColumns)
	assert.Empty(t, cfg.Key)

	m.Key = m.Key[1:]
	cfg, err = m.config(sqlregister.SQLite)
	require.NoError(t, err)
	assert.Equal(t, "lfd_nr", cfg.Key)
	assert.Empty(t, cfg.KeyColumns)
	assert.Equal(t, "steuer_id", cfg.IDNr)
	assert.Equal(t, "geburtsdatum", cfg.Columns.BirthDate)
	assert.Equal(t, sqlregister.Formats{
		"birth_date":  {Layout: "02.01.2006"},
		"sex":         {Codes: map[string]string{"1": "m", "2": "w"}},
		"postal_code": {Layout: "integer"},
	}, cfg.Formats)
	assert.Equal(t, []string{"idnr"}, cfg.Write)

	// No write list: sqlregister's default (the IDNr only); a longer one
	// is handed over; "date" columns and an integer IDNr column too.
	m.Write = nil
	m.Formats["birth_date"] = []byte(`"date"`)
	m.Formats["idnr"] = []byte(`"integer"`)
	cfg, err = m.config(sqlregister.PostgreSQL)
	require.NoError(t, err)
	assert.Nil(t, cfg.Write)
	assert.Equal(t, sqlregister.Format{Layout: "date"}, cfg.Formats["birth_date"])
	assert.Equal(t, sqlregister.Format{Layout: "integer"}, cfg.Formats["idnr"])
	m.Write = []string{"idnr", "street", "city"}
	cfg, err = m.config(sqlregister.PostgreSQL)
	require.NoError(t, err)
	assert.Equal(t, []string{"idnr", "street", "city"}, cfg.Write)
}

func TestMappingRefused(t *testing.T) {
	base := `"table":"einwohner","key":["lfd_nr"],"columns":{"idnr":"steuer_id","family_name":"familienname","birth_date":"geburtsdatum","sex":"geschlecht"}`
	for key, in := range map[string]string{
		"wirte":                  `{` + base + `,"wirte":["idnr"]}`,
		"table":                  `{"key":["a"],"columns":{}}`,
		"key":                    `{"table":"t","columns":{"idnr":"a"}}`,
		"key[0]":                 `{"table":"t","key":["rowid"],"columns":{"idnr":"a"}}`,
		"columns.familiename":    `{"table":"t","key":["k"],"columns":{"idnr":"a","familiename":"b","birth_date":"c"}}`,
		"columns.family_name":    `{"table":"t","key":["k"],"columns":{"idnr":"a","birth_date":"c"}}`,
		"columns.family_name#2":  `{"table":"t","key":["k"],"columns":{"idnr":"x","family_name":"a","birth_date":"a"}}`,
		"columns.idnr":           `{"table":"t","key":["k"],"columns":{"idnr":"k","family_name":"b","birth_date":"c"}}`,
		"formats.birth_date":     `{` + base + `,"formats":{"birth_date":"DD.MM.YYYY"}}`,
		"formats.birth_date#2":   `{` + base + `,"formats":{"birth_date":"2006-01-02 15:04"}}`,
		"formats.birth_date#3":   `{` + base + `,"formats":{"birth_date":"02.01.06"}}`,
		"formats.birth_date#4":   `{` + base + `,"formats":{"birth_date":"02.01.2006.01"}}`,
		"formats.sex.M":          `{` + base + `,"formats":{"sex":{"1":"m","M":"m"}}}`,
		"formats.sex":            `{` + base + `,"formats":{"sex":"1=m"}}`,
		"formats.idnr":           `{` + base + `,"formats":{"idnr":"bigint"}}`,
		"formats.sex.3":          `{` + base + `,"formats":{"sex":{"1":"m","3":"q"}}}`,
		"formats.postal_code":    `{` + base + `,"formats":{"postal_code":"integer"}}`,
		"formats.family_name":    `{` + base + `,"formats":{"family_name":"upper"}}`,
		"write":                  `{` + base + `,"write":["family_name"]}`,
		"write[1]":               `{` + base + `,"write":["idnr","city"]}`,
		"key[1]":                 `{"table":"t","key":["k","k"],"columns":{"idnr":"a"}}`,
		"prefix":                 `{` + base + `,"prefix":"x y"}`,
		"columns.given_names":    `{` + base[:len(base)-1] + `,"given_names":"vor-namen"}}`,
		"(file)":                 `{` + base + `} {}`,
		"columns.given_names#2":  `{` + base[:len(base)-1] + `,"given_names":[]}}`,
		"columns.given_names[1]": `{` + base[:len(base)-1] + `,"given_names":["vorname1","vor name"]}}`,
		"columns.given_names#3":  `{` + base[:len(base)-1] + `,"given_names":["vorname1","familienname"]}}`,
		"columns.family_name#3":  `{"table":"t","key":["k"],"columns":{"idnr":"x","family_name":["a","b"],"birth_date":"c"}}`,
	} {
		_, err := parseMapping(strings.NewReader(in))
		var me *MappingError
		require.ErrorAs(t, err, &me, key)
		assert.ErrorIs(t, err, ErrMapping, key)
		want, _, _ := strings.Cut(key, "#")
		assert.Equal(t, want, me.Key, "%s: %v", key, err)
	}
	_, err := parseMapping(strings.NewReader(`{"table": 5}`))
	var me *MappingError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "table", me.Key)
}

func TestRegisterFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-register", "sqlite:x.db"},
		{"-mapping", "m.json"},
		{"-register", "mysql:x", "-mapping", "m.json"},
		{"-register", "sqlite:x.db", "-mapping", "m.json", "-postgres", "dsn"},
	} {
		_, err := parseFlags(args, io.Discard)
		assert.Error(t, err, "%v", args)
	}
}

// A vendor's existing SQLite register (German column names, its own
// layout) is filled through the mapping file: no demo table is created in
// it, the register's own columns that are not mapped stay as they were,
// and every record ends settled. A missing register file is an error and
// is not created.
func TestExistingSQLiteRegister(t *testing.T) {
	dir := t.TempDir()
	regPath := filepath.Join(dir, "vendor.db")
	db, err := sqlregister.OpenSQLite(regPath)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE einwohner (lfd_nr INTEGER PRIMARY KEY, steuer_id TEXT, familienname TEXT NOT NULL,
		vornamen TEXT, geburtsdatum TEXT, geburtsort TEXT, geschlecht TEXT, strasse TEXT, hausnr TEXT, plz TEXT, ort TEXT,
		bemerkung TEXT)`)
	require.NoError(t, err)
	g := idnrtest.New(7)
	truth := g.Population(300)
	for i, p := range truth {
		_, err := db.Exec(`INSERT INTO einwohner VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, 1000+i, p.FamilyName, p.GivenNames,
			p.BirthDate.String(), p.BirthPlace.City, p.Sex.String(), p.Address.Street, p.Address.HouseNumber, p.Address.PostalCode, p.Address.City,
			"Akte "+string(rune('A'+i%26)))
		require.NoError(t, err)
	}
	before := dump(t, db, "SELECT lfd_nr, bemerkung FROM einwohner ORDER BY lfd_nr")
	require.NoError(t, db.Close())

	var pf bytes.Buffer
	require.NoError(t, peoplefile.Write(&pf, truth))
	peoplePath := filepath.Join(dir, "people.ndjson")
	require.NoError(t, os.WriteFile(peoplePath, pf.Bytes(), 0o600))
	mapping := `{"table": "einwohner", "key": ["lfd_nr"],
	  "columns": {"idnr": "steuer_id", "family_name": "familienname", "given_names": "vornamen", "birth_date": "geburtsdatum",
	              "birth_place": "geburtsort", "sex": "geschlecht", "street": "strasse", "house_number": "hausnr",
	              "postal_code": "plz", "city": "ort"},
	  "formats": {"birth_date": "2006-01-02", "postal_code": "text", "sex": {"m": "m", "w": "w", "d": "d", "x": "x"}},
	  "write": ["idnr", "family_name", "given_names", "birth_date", "birth_place", "sex", "street", "house_number", "postal_code", "city"],
	  "prefix": "regmo_"}`
	mappingPath := filepath.Join(dir, "mapping.json")
	require.NoError(t, os.WriteFile(mappingPath, []byte(mapping), 0o600))

	work := filepath.Join(dir, "work")
	o, err := parseFlags([]string{"-dir", work, "-register", "sqlite:" + regPath, "-mapping", mappingPath,
		"-mock-people", peoplePath, "-json-summary", "-quiet"}, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	s, err := run(context.Background(), o, &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 300, s.People)
	assert.Zero(t, s.Pending)
	assert.Equal(t, s.People, s.Accepted+s.Review+s.NotIdentifiable+s.Rejected+s.NoSearch)
	assert.Greater(t, s.Accepted, 250)
	assert.True(t, s.AuditVerified)
	assert.True(t, s.ProtocolLinked)
	assert.NoFileExists(t, filepath.Join(work, "register.db"), "no demo register")

	db, err = sqlregister.OpenSQLite(regPath)
	require.NoError(t, err)
	defer db.Close()
	tables := dump(t, db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	for _, tb := range tables {
		assert.True(t, tb == "einwohner" || strings.HasPrefix(tb, "regmo_"), "table %s created in the vendor's database", tb)
	}
	assert.Equal(t, before, dump(t, db, "SELECT lfd_nr, bemerkung FROM einwohner ORDER BY lfd_nr"), "unmapped column changed")

	// A register file that does not exist is refused and not created.
	missing := filepath.Join(dir, "nothere.db")
	o, err = parseFlags([]string{"-dir", work, "-register", "sqlite:" + missing, "-mapping", mappingPath, "-mock-people", peoplePath, "-quiet"}, io.Discard)
	require.NoError(t, err)
	_, err = run(context.Background(), o, io.Discard, io.Discard)
	require.Error(t, err)
	assert.True(t, errors.Is(err, os.ErrNotExist), "%v", err)
	assert.NoFileExists(t, missing)
}

func dump(t *testing.T, db *sql.DB, q string) []string {
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		var parts []string
		for _, v := range vals {
			parts = append(parts, v.String)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	require.NoError(t, rows.Err())
	return out
}

// Given names kept one per column: "given_names" names the columns as an
// array, in order (README, "An existing register").
func TestMappingGivenNamesColumns(t *testing.T) {
	m, err := parseMapping(strings.NewReader(`{"table":"einwohner","key":["lfd_nr"],
		"columns":{"idnr":"steuer_id","family_name":"familienname","given_names":["vorname1","vorname2","vorname3"],"birth_date":"geburtsdatum"},
		"write":["idnr","given_names"]}`))
	require.NoError(t, err)
	cfg, err := m.config(sqlregister.SQLite)
	require.NoError(t, err)
	assert.Equal(t, "vorname1", cfg.Columns.GivenNames)
	assert.Equal(t, []string{"vorname2", "vorname3"}, cfg.Columns.MoreGivenNames)
	assert.Equal(t, []string{"idnr", "given_names"}, cfg.Write)

	m, err = parseMapping(strings.NewReader(`{"table":"einwohner","key":["lfd_nr"],
		"columns":{"idnr":"steuer_id","family_name":"familienname","given_names":["vornamen"],"birth_date":"geburtsdatum"}}`))
	require.NoError(t, err)
	cfg, err = m.config(sqlregister.SQLite)
	require.NoError(t, err)
	assert.Equal(t, "vornamen", cfg.Columns.GivenNames, "an array of one is one column")
	assert.Empty(t, cfg.Columns.MoreGivenNames)
}
