package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/internal/peoplefile"
	"github.com/regmo/regmo/registers/sqlregister"
)

// Mapping is the -mapping file: how a register table that regmo did not
// create maps to the basic data. It is a contract that tools outside Go
// write; see README.md ("An existing register") for every key.
type Mapping struct {
	// Table is the register table, optionally schema.table.
	Table string `json:"table"`
	// Key is the key column, or the columns of a composite key, in order.
	Key []string `json:"key"`
	// Columns maps field tokens (idnr, family_name, given_names,
	// birth_date, ...; see sqlregister.FieldTokens) to column names.
	// given_names may name several columns as an array, in order
	// (["vorname1", "vorname2"]); they are kept as "vorname1+vorname2",
	// the form of sqlregister.ParseColumns.
	Columns ColumnMap `json:"columns"`
	// Formats says per field how the register stores it.
	Formats map[string]json.RawMessage `json:"formats"`
	// Write lists the fields whose columns receive the BZSt's data on
	// Accept; default ["idnr"].
	Write []string `json:"write"`
	// Prefix names regmo's own state columns and tables (default
	// "regmo_").
	Prefix string `json:"prefix"`
}

// ColumnMap is the columns object: field token to column name. A value
// is a JSON string, or for given_names also an array of column names in
// order (given names kept one per column), which is stored joined by "+".
type ColumnMap map[string]string

// UnmarshalJSON reads the columns object.
func (c *ColumnMap) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return mapErr("columns", "want an object of field tokens to column names")
	}
	out := ColumnMap{}
	for tok, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[tok] = s
			continue
		}
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			return mapErr("columns."+tok, "want a column name (string), or for given_names an array of column names")
		}
		if tok != "given_names" {
			return mapErr("columns."+tok, "an array of columns is only for given_names (one given name per column)")
		}
		if len(list) == 0 {
			return mapErr("columns."+tok, "empty array: name at least one column")
		}
		for i, n := range list {
			if !identRE.MatchString(n) {
				return mapErr(fmt.Sprintf("columns.%s[%d]", tok, i), "not a plain SQL identifier")
			}
		}
		out[tok] = strings.Join(list, "+")
	}
	*c = out
	return nil
}

// ErrMapping is wrapped by every *MappingError.
var ErrMapping = errors.New("backfill: mapping file refused")

// MappingError names the key of the mapping file that was refused (for
// example "columns.familiename" or "formats.birth_date") and why. It
// never holds register data.
type MappingError struct {
	Key    string
	Reason string
	// Unsupported: valid in the file, but sqlregister cannot do it yet
	// (the error then also wraps ErrMappingUnsupported).
	Unsupported bool
}

func (e *MappingError) Error() string {
	return "backfill: mapping file: " + e.Key + ": " + e.Reason
}

func (e *MappingError) Unwrap() []error {
	if e.Unsupported {
		return []error{ErrMapping, ErrMappingUnsupported}
	}
	return []error{ErrMapping}
}

// ErrMappingUnsupported is wrapped by the *MappingError of a key that is
// valid in the mapping file but not yet supported by sqlregister: it is
// refused rather than ignored.
var ErrMappingUnsupported = errors.New("not yet supported by sqlregister")

func mapErr(key, format string, args ...any) error {
	return &MappingError{Key: key, Reason: fmt.Sprintf(format, args...)}
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// readMapping reads and checks a mapping file.
func readMapping(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-mapping: %w", err)
	}
	defer f.Close()
	return parseMapping(f)
}

// parseMapping decodes a mapping (unknown keys are refused: a misspelt
// key must not be ignored) and checks it.
func parseMapping(r io.Reader) (*Mapping, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		var me *MappingError
		if errors.As(err, &me) {
			return nil, me
		}
		var ue *json.UnmarshalTypeError
		if errors.As(err, &ue) {
			return nil, mapErr(ue.Field, "wrong JSON type (%s)", ue.Value)
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return nil, mapErr(strings.Trim(f, `"`), "unknown key (known: table, key, columns, formats, write, prefix)")
		}
		return nil, mapErr("(file)", "not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, mapErr("(file)", "more than one JSON value")
	}
	return &m, m.check()
}

// isToken reports whether t is a field token of the columns object.
func isToken(t string) bool { return t == "idnr" || slices.Contains(sqlregister.FieldTokens(), t) }

var dateTokens = []string{"birth_date", "death_date", "move_in_date", "move_out_date"}

func (m *Mapping) check() error {
	if m.Table == "" {
		return mapErr("table", "required")
	}
	for _, p := range strings.Split(m.Table, ".") {
		if !identRE.MatchString(p) {
			return mapErr("table", "not a plain SQL identifier (schema.table of [A-Za-z_][A-Za-z0-9_]*)")
		}
	}
	if len(m.Key) == 0 {
		return mapErr("key", "required: the key column(s) as an array")
	}
	for i, k := range m.Key {
		if !identRE.MatchString(k) {
			return mapErr(fmt.Sprintf("key[%d]", i), "not a plain SQL identifier")
		}
		switch strings.ToLower(k) {
		case "rowid", "oid", "ctid", "_rowid_":
			return mapErr(fmt.Sprintf("key[%d]", i), "%s is not a stable key (it changes on update or vacuum); use the primary key", k)
		}
		if slices.Index(m.Key, k) != i {
			return mapErr(fmt.Sprintf("key[%d]", i), "column %s named twice", k)
		}
	}
	if len(m.Columns) == 0 {
		return mapErr("columns", "required")
	}
	cols := map[string]string{}
	for _, k := range m.Key {
		cols[strings.ToLower(k)] = "key"
	}
	for _, tok := range sortedKeys(m.Columns) {
		col := m.Columns[tok]
		if !isToken(tok) {
			return mapErr("columns."+tok, "unknown field (known: idnr, %s)", strings.Join(sqlregister.FieldTokens(), ", "))
		}
		names := []string{col}
		if tok == "given_names" {
			names = strings.Split(col, "+") // given names in several columns
		}
		for _, col := range names {
			if !identRE.MatchString(col) {
				return mapErr("columns."+tok, "not a plain SQL identifier")
			}
			if other, ok := cols[strings.ToLower(col)]; ok {
				return mapErr("columns."+tok, "column %s is also mapped to %s", col, other)
			}
			cols[strings.ToLower(col)] = tok
		}
	}
	for _, req := range []string{"idnr", "family_name", "birth_date"} {
		if m.Columns[req] == "" {
			return mapErr("columns."+req, "required")
		}
	}
	for _, tok := range sortedKeys(m.Formats) {
		if err := m.checkFormat(tok, m.Formats[tok]); err != nil {
			return err
		}
	}
	for i, tok := range m.Write {
		key := fmt.Sprintf("write[%d]", i)
		if !isToken(tok) {
			return mapErr(key, "unknown field")
		}
		if m.Columns[tok] == "" {
			return mapErr(key, "field %s is not mapped in columns", tok)
		}
		if tok == "verified_fields" {
			return mapErr(key, "verified_fields is read only")
		}
		if slices.Index(m.Write, tok) != i {
			return mapErr(key, "field %s named twice", tok)
		}
	}
	if len(m.Write) > 0 && !slices.Contains(m.Write, "idnr") {
		return mapErr("write", "must include idnr (the fill writes the IDNr)")
	}
	if m.Prefix != "" && !identRE.MatchString(m.Prefix) {
		return mapErr("prefix", "not a plain SQL identifier")
	}
	return nil
}

// Format kinds of the formats object.
func (m *Mapping) checkFormat(tok string, raw json.RawMessage) error {
	key := "formats." + tok
	if !isToken(tok) {
		return mapErr(key, "unknown field")
	}
	if m.Columns[tok] == "" {
		return mapErr(key, "field %s is not mapped in columns", tok)
	}
	var s string
	isString := json.Unmarshal(raw, &s) == nil
	switch {
	case slices.Contains(dateTokens, tok):
		if !isString {
			return mapErr(key, "want a Go date layout (\"02.01.2006\", \"20060102\", \"2006-01-02\") or \"date\"")
		}
		if s == "date" {
			return nil
		}
		if err := checkDateLayout(s); err != nil {
			return mapErr(key, "%v", err)
		}
	case tok == "sex":
		var codes map[string]string
		if err := json.Unmarshal(raw, &codes); err != nil || len(codes) == 0 {
			return mapErr(key, "want an object of register codes to m, w, d, x")
		}
		seen := map[string]string{}
		for _, c := range sortedKeys(codes) {
			if !slices.Contains([]string{"m", "w", "d", "x"}, codes[c]) {
				return mapErr(key+"."+c, "want m, w, d or x")
			}
			if other, dup := seen[codes[c]]; dup {
				return mapErr(key+"."+c, "%s already has the code %q (one register code per sex: it is written back)", codes[c], other)
			}
			seen[codes[c]] = c
		}
	case tok == "postal_code" || tok == "idnr":
		if !isString || (s != "integer" && s != "text") {
			return mapErr(key, "want \"integer\" or \"text\"")
		}
	default:
		return mapErr(key, "no formats for this field (dates, sex, postal_code and idnr have formats)")
	}
	return nil
}

// checkDateLayout checks a date layout as sqlregister reads it: 2006,
// 01 and 02 exactly once each, between them only separators (no letters
// or other digits: no times, month names or two-digit years).
func checkDateLayout(l string) error {
	const want = "want a Go date layout of 2006, 01 and 02 with separators, e.g. \"02.01.2006\" for TT.MM.JJJJ, \"20060102\", \"2006-01-02\", or \"date\""
	var y, mo, d int
	for i := 0; i < len(l); {
		switch c := l[i]; {
		case strings.HasPrefix(l[i:], "2006"):
			y, i = y+1, i+4
		case strings.HasPrefix(l[i:], "01"):
			mo, i = mo+1, i+2
		case strings.HasPrefix(l[i:], "02"):
			d, i = d+1, i+2
		case c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			return errors.New(want)
		default:
			i++
		}
	}
	if y != 1 || mo != 1 || d != 1 {
		return errors.New(want)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// config turns the mapping into an sqlregister.Config: the formats and
// the write list are handed over as they are (sqlregister reads and
// writes values in the register's formats, and on Accept writes only the
// IDNr and the columns named in write). A composite key ("key":
// ["gemeinde", "lfd_nr"]) becomes Config.KeyColumns.
func (m *Mapping) config(d sqlregister.Dialect) (sqlregister.Config, error) {
	var formats sqlregister.Formats
	for _, tok := range sortedKeys(m.Formats) {
		var f sqlregister.Format
		if err := json.Unmarshal(m.Formats[tok], &f); err != nil {
			return sqlregister.Config{}, mapErr("formats."+tok, "%v", err)
		}
		if formats == nil {
			formats = sqlregister.Formats{}
		}
		formats[tok] = f
	}
	var parts []string
	for _, tok := range sortedKeys(m.Columns) {
		if tok != "idnr" {
			parts = append(parts, tok+"="+m.Columns[tok])
		}
	}
	cols, err := sqlregister.ParseColumns(strings.Join(parts, ","))
	if err != nil {
		return sqlregister.Config{}, mapErr("columns", "%v", err)
	}
	// Without a write list only the IDNr (and regmo's state) is written:
	// sqlregister's default, and the mapping file's.
	write := slices.Clone(m.Write)
	cfg := sqlregister.Config{Dialect: d, Table: m.Table, Columns: cols, IDNr: m.Columns["idnr"], Prefix: m.Prefix,
		Formats: formats, Write: write}
	// One key column or a composite key; sqlregister reads from the
	// table which key columns are integers.
	if len(m.Key) == 1 {
		cfg.Key = m.Key[0]
	} else {
		cfg.KeyColumns = slices.Clone(m.Key)
	}
	return cfg, nil
}

// openExisting opens the register of -register with the table of
// -mapping. It never creates the database or a demo table: an SQLite
// file that does not exist is an error. regmo's own state columns and
// tables (with the mapping's prefix) are added by sqlregister.New.
func openExisting(ctx context.Context, o *options) (*openedRegister, error) {
	m, err := readMapping(o.mapping)
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	var d sqlregister.Dialect
	var name string
	if path, ok := strings.CutPrefix(o.register, "sqlite:"); ok {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("-register: %w (an existing register is never created)", err)
		}
		d, name = sqlregister.SQLite, path
		db, err = sqlregister.OpenSQLite(path)
	} else {
		dsn, _ := strings.CutPrefix(o.register, "postgres:")
		d, name = sqlregister.PostgreSQL, "postgres"
		db, err = sqlregister.OpenPostgres(ctx, dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("connecting to the register: %w", err)
	}
	cfg, err := m.config(d)
	if err == nil && d == sqlregister.SQLite && strings.Contains(m.Table, ".") {
		err = mapErr("table", "SQLite has no schemas")
	}
	var reg *sqlregister.Register
	if err == nil {
		reg, err = sqlregister.New(ctx, db, cfg)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	var written []string
	for _, tok := range m.Write {
		if tok != "idnr" {
			written = append(written, tok)
		}
	}
	return &openedRegister{reg: reg, name: name + " " + m.Table, written: written, close: func() { db.Close() }}, nil
}

// loadPeople reads the population of -mock-people.
func loadPeople(path string) ([]idnr.Person, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-mock-people: %w", err)
	}
	defer f.Close()
	pop, err := peoplefile.Read(f)
	if err != nil {
		return nil, fmt.Errorf("-mock-people %s: %w", path, err)
	}
	return pop, nil
}
