package sqlregister

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// Dialect is the SQL dialect of the register database.
type Dialect uint8

const (
	// SQLite through modernc.org/sqlite (driver name "sqlite").
	SQLite Dialect = iota + 1
	// PostgreSQL through github.com/jackc/pgx/v5/stdlib (driver name "pgx").
	PostgreSQL
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case PostgreSQL:
		return "postgres"
	}
	return "unknown"
}

// Columns maps the basic data to the register table's columns. An empty
// name means the register does not keep that field: it is neither read
// nor written. Every column is read and written as text:
//
//   - dates as "YYYY-MM-DD" or the register form "DDMMYYYY", with 00 for
//     unknown parts (as idnr.ParseDate reads them); written as "YYYY-MM-DD";
//   - Sex as the register code m, w, d, x;
//   - FormerNames separated by ";" and Nationalities by ",".
type Columns struct {
	FamilyName  string
	FormerNames string
	GivenNames  string
	// MoreGivenNames are further given-name columns after GivenNames, in
	// order, for a register that keeps one given name per column
	// (GivenNames "vorname1", MoreGivenNames ["vorname2", "vorname3"]):
	// read joined by a space, written split, the last column taking any
	// rest (see the package documentation). Requires GivenNames.
	MoreGivenNames  []string
	DoctoralDegree  string
	BirthDate       string
	BirthPlace      string
	BirthCountry    string
	Sex             string
	Nationalities   string
	Street          string
	HouseNumber     string
	Supplement      string
	PostalCode      string
	City            string
	MunicipalityKey string
	Country         string
	DeathDate       string
	MoveInDate      string
	MoveOutDate     string
	// Verified holds the fields the register checked against a primary
	// document, as tokens separated by "+" or "," (for sync's evidence
	// rule; see registers.Sync). Read only.
	Verified string
	// Evidence, if mapped, holds the details of the documents behind the
	// verified fields as an evidence text (registers.ParseEvidence: a JSON
	// array of {fields, kind, reference, date, authority}); sync reports a
	// deviation in a verified field only when an item proves it. Read only.
	// DefaultColumns leaves it unmapped (registers without it keep
	// working); CreateTable's demo table has the column verified_evidence.
	Evidence string
}

// DefaultColumns maps every field to the column of the same name as its
// token ("family_name", "given_names", ...), the layout of the demo register.
func DefaultColumns() Columns {
	var c Columns
	for i := range columns {
		*columns[i].name(&c) = columns[i].token
	}
	return c
}

// ParseColumns reads a mapping "field=column,field=column,...", with the
// field tokens of [DefaultColumns] (family_name, given_names, birth_date,
// postal_code, city, ...). Fields not named are not mapped. Unknown fields
// and invalid column names are errors. Given names kept in several
// columns are joined by "+": "given_names=vorname1+vorname2+vorname3"
// (GivenNames and MoreGivenNames).
func ParseColumns(s string) (Columns, error) {
	var c Columns
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		field, col, ok := strings.Cut(part, "=")
		if !ok {
			return Columns{}, fmt.Errorf("sqlregister: column mapping %q: want field=column", part)
		}
		field, col = strings.TrimSpace(field), strings.TrimSpace(col)
		k := columnOf(field)
		if k == nil {
			return Columns{}, fmt.Errorf("sqlregister: unknown field %q in column mapping (known: %s)", field, strings.Join(FieldTokens(), ", "))
		}
		if names := strings.Split(col, "+"); len(names) > 1 && k.field == idnr.FieldGivenNames {
			// Given names in several columns: given_names=vorname1+vorname2.
			for _, n := range names {
				if err := checkIdent(strings.TrimSpace(n)); err != nil {
					return Columns{}, fmt.Errorf("sqlregister: column for %s: %w", field, err)
				}
			}
			c.GivenNames = strings.TrimSpace(names[0])
			c.MoreGivenNames = nil
			for _, n := range names[1:] {
				c.MoreGivenNames = append(c.MoreGivenNames, strings.TrimSpace(n))
			}
			continue
		}
		if err := checkIdent(col); err != nil {
			return Columns{}, fmt.Errorf("sqlregister: column for %s: %w", field, err)
		}
		*k.name(&c) = col
	}
	return c, nil
}

// FieldTokens lists the field tokens [ParseColumns] knows.
func FieldTokens() []string {
	out := make([]string, 0, len(columns))
	for i := range columns {
		out = append(out, columns[i].token)
	}
	sort.Strings(out)
	return out
}

// Config describes the register table. Zero values mean the documented
// defaults.
type Config struct {
	// Dialect of the database (required).
	Dialect Dialect
	// Table is the register table, optionally schema-qualified
	// ("meldewesen.personen"). Required.
	Table string
	// Key is the key column: unique, not null, and indexed (the primary key
	// normally). Required unless KeyColumns is set.
	Key string
	// KeyColumns are the columns of a composite key, in order (for
	// example "gemeinde", "lfd_nr"): together unique (a primary key or
	// unique index on them or on some of them), each NOT NULL. Set Key or
	// KeyColumns, not both. Records are read in the order of the tuple,
	// and a key prints as the register shows it, "09162000/4711" (see
	// "Keys" in the package documentation).
	KeyColumns []string
	// IntegerKey says the one Key column is an integer. Without it, [New]
	// reads from the table's catalogue which key columns are integers
	// (SQLite: a declared type containing "INT"; PostgreSQL: smallint,
	// integer, bigint); integer key columns are bound and printed as
	// numbers. Not for KeyColumns of several columns.
	IntegerKey bool
	// Columns maps the basic data (see [Columns]); at least FamilyName and
	// BirthDate must be mapped.
	Columns Columns
	// IDNr is the column that holds the IDNr (11 digits as text); default
	// "idnr". It is added by the migration if it does not exist.
	IDNr string
	// Prefix names the bookkeeping columns and tables; default "regmo_".
	// The migration adds <prefix>state and <prefix>reason to the register
	// table, and the tables <prefix>schema, <prefix>checkpoint,
	// <prefix>review and <prefix>leases next to it (in the same schema).
	Prefix string
	// Write names what an accepted result writes besides the IDNr and
	// regmo's state columns: column tokens of [Columns] ("street",
	// "postal_code", "city", ...) or field tokens for all columns of a
	// field ("address", "birth_place"); "idnr" may be named and is always
	// written. Default (nil): only the IDNr. The other mapped columns are
	// only read (for the search and the match) and stay byte-for-byte as
	// they are. The sync ([Register.WriteSync]) writes the same columns.
	//
	// Why opt-in: § 6 IDNrG has the register replace its basic data by
	// the BZSt's, but which of its columns hold the authoritative copy
	// (and which are kept for other purposes, a postal address, a
	// spelling a clerk chose) is the vendor's decision, not regmo's.
	Write []string
	// Formats says, per field token, how the register stores a field
	// when not as regmo's text (see [Format]): date layouts, DATE
	// columns, integer postcodes and IDNrs, sex codes.
	Formats Formats
	// Logger for operational messages (no personal data); default discard.
	Logger *slog.Logger
}

// writeSet resolves Config.Write to the set of column tokens written.
func (c *Config) writeSet() (map[string]bool, error) {
	w := map[string]bool{}
	for _, t := range c.Write {
		t = strings.TrimSpace(t)
		if t == idnr.FieldIDNr.Token() {
			continue
		}
		found := false
		for i := range columns {
			col := &columns[i]
			if col.field == 0 || (col.token != t && col.field.Token() != t) {
				continue
			}
			found = true
			if *col.name(&c.Columns) == "" {
				if col.token == t {
					return nil, fmt.Errorf("sqlregister: config: Write: %q is not mapped to a column", t)
				}
				continue
			}
			w[col.token] = true
		}
		if !found {
			return nil, fmt.Errorf("sqlregister: config: Write: unknown field %q (known: idnr, %s)", t, strings.Join(FieldTokens(), ", "))
		}
	}
	return w, nil
}

// identRE is what we accept as an SQL identifier: ASCII letters, digits and
// underscores, not starting with a digit, at most 63 characters (the
// PostgreSQL limit). Everything else is refused rather than escaped.
var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// ErrIdentifier is returned for a table or column name that is not a plain
// SQL identifier.
var ErrIdentifier = errors.New("sqlregister: invalid SQL identifier (want [A-Za-z_][A-Za-z0-9_]*, at most 63 characters)")

func checkIdent(s string) error {
	if !identRE.MatchString(s) {
		return fmt.Errorf("%w: %q", ErrIdentifier, s)
	}
	return nil
}

// quote returns the identifier double-quoted (valid in both dialects); it
// must have passed checkIdent.
func quote(s string) string { return `"` + s + `"` }

// qualified splits "schema.table" and quotes both parts.
func qualified(s string) (schema, table string, err error) {
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 1:
		if err := checkIdent(parts[0]); err != nil {
			return "", "", err
		}
		return "", parts[0], nil
	case 2:
		for _, p := range parts {
			if err := checkIdent(p); err != nil {
				return "", "", err
			}
		}
		return parts[0], parts[1], nil
	}
	return "", "", fmt.Errorf("%w: %q", ErrIdentifier, s)
}

// validate checks the configuration and applies defaults.
func (c *Config) validate() error {
	if c.Dialect != SQLite && c.Dialect != PostgreSQL {
		return errors.New("sqlregister: config: Dialect must be SQLite or PostgreSQL")
	}
	if c.Table == "" {
		return errors.New("sqlregister: config: Table is required")
	}
	if _, _, err := qualified(c.Table); err != nil {
		return fmt.Errorf("sqlregister: config: Table: %w", err)
	}
	keys, err := c.keyNames()
	if err != nil {
		return err
	}
	if c.IDNr == "" {
		c.IDNr = "idnr"
	}
	if err := checkIdent(c.IDNr); err != nil {
		return fmt.Errorf("sqlregister: config: IDNr: %w", err)
	}
	if c.Prefix == "" {
		c.Prefix = "regmo_"
	}
	if err := checkIdent(c.Prefix + "checkpoint"); err != nil {
		return fmt.Errorf("sqlregister: config: Prefix: %w", err)
	}
	if c.Columns.FamilyName == "" || c.Columns.BirthDate == "" {
		return errors.New("sqlregister: config: Columns: family_name and birth_date must be mapped")
	}
	if len(c.Columns.MoreGivenNames) > 0 && c.Columns.GivenNames == "" {
		return errors.New("sqlregister: config: Columns: MoreGivenNames needs GivenNames (the first given-name column)")
	}
	seen := map[string]string{c.IDNr: "idnr"}
	for _, k := range keys {
		if other, dup := seen[k]; dup {
			return fmt.Errorf("sqlregister: config: column %q is the key and %s", k, other)
		}
		seen[k] = "key"
	}
	for _, nc := range c.Columns.expand() {
		col := nc.name
		name := nc.token
		if err := checkIdent(col); err != nil {
			return fmt.Errorf("sqlregister: config: column for %s: %w", name, err)
		}
		if other, dup := seen[col]; dup {
			return fmt.Errorf("sqlregister: config: column %q mapped twice (%s and %s)", col, other, name)
		}
		seen[col] = name
	}
	return nil
}

// keyNames is the key's columns: Key, or KeyColumns.
func (c *Config) keyNames() ([]string, error) {
	switch {
	case c.Key != "" && len(c.KeyColumns) > 0:
		return nil, errors.New("sqlregister: config: set Key or KeyColumns, not both")
	case c.Key != "":
		if err := checkIdent(c.Key); err != nil {
			return nil, fmt.Errorf("sqlregister: config: Key: %w", err)
		}
		return []string{c.Key}, nil
	case len(c.KeyColumns) == 0:
		return nil, errors.New("sqlregister: config: Key (or KeyColumns) is required")
	}
	if c.IntegerKey && len(c.KeyColumns) > 1 {
		return nil, errors.New("sqlregister: config: IntegerKey is for a one-column key; the types of KeyColumns are read from the table")
	}
	for i, k := range c.KeyColumns {
		if err := checkIdent(k); err != nil {
			return nil, fmt.Errorf("sqlregister: config: KeyColumns[%d]: %w", i, err)
		}
		for _, prev := range c.KeyColumns[:i] {
			if strings.EqualFold(prev, k) {
				return nil, fmt.Errorf("sqlregister: config: KeyColumns[%d]: column %q named twice", i, k)
			}
		}
	}
	return append([]string(nil), c.KeyColumns...), nil
}

// Mapped returns the tokens of the mapped basic-data columns, in the
// order of [Columns]. Config.Write = c.Mapped() replaces every mapped
// column on Accept (the demo register's choice).
func (c Columns) Mapped() []string {
	var out []string
	for i := range columns {
		if columns[i].field != 0 && *columns[i].name(&c) != "" {
			out = append(out, columns[i].token)
		}
	}
	return out
}
