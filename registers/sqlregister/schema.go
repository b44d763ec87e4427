package sqlregister

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrSchema is the sentinel of every [SchemaError]: the configuration does
// not fit the table as the database describes it.
var ErrSchema = errors.New("sqlregister: mapping does not fit the table")

// SchemaError says which configured name does not fit the table and why. It
// names the table, the column and the field or role it was configured for,
// never data. errors.Is(err, ErrSchema) holds.
type SchemaError struct {
	Table  string
	Column string
	// Role is the field token the column was mapped for ("family_name",
	// ...), "key" or "idnr".
	Role string
	// Problem is one of the Problem* texts.
	Problem string
}

// The problems a [SchemaError] reports.
const (
	ProblemNoTable        = "table does not exist"
	ProblemNoColumn       = "column does not exist"
	ProblemSystemKey      = "system column (rowid, oid, ctid) cannot be the key: it changes when a row is rewritten"
	ProblemKeyNotUnique   = "key has no primary key or unique index (without a partial condition or expression) on exactly its columns or a subset of them"
	ProblemKeyNullable    = "key column may be NULL: declare it NOT NULL (or make it the primary key)"
	ProblemReservedColumn = "column name is reserved for regmo's bookkeeping (prefix)"
)

func (e *SchemaError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("sqlregister: table %q: %s", e.Table, e.Problem)
	}
	return fmt.Sprintf("sqlregister: table %q, column %q (%s): %s", e.Table, e.Column, e.Role, e.Problem)
}

// Is makes errors.Is(err, ErrSchema) hold.
func (e *SchemaError) Is(target error) bool { return target == ErrSchema }

// tableColumn is one column as the database describes it.
type tableColumn struct {
	name    string
	typ     string // declared type, lower case ("varchar(5)", "integer", "date")
	notNull bool
	pk      bool
}

// tableInfo is what [New] learns about the register table: its real
// columns and its unique keys (each the list of its columns).
type tableInfo struct {
	cols   map[string]tableColumn // by name; lower case on SQLite, which compares names case-insensitively
	unique [][]string
}

// norm is how a column name is looked up in tableInfo.cols.
func (r *Register) norm(name string) string {
	if r.cfg.Dialect == SQLite {
		return strings.ToLower(name)
	}
	return name
}

func (t *tableInfo) col(name string) (tableColumn, bool) {
	c, ok := t.cols[name]
	return c, ok
}

// inspect reads the table's columns and unique keys from the database's
// catalogue (pragma table_xinfo and index_list on SQLite,
// information_schema and pg_index on PostgreSQL).
func (r *Register) inspect(ctx context.Context) (*tableInfo, error) {
	if r.cfg.Dialect == PostgreSQL {
		return r.inspectPostgres(ctx)
	}
	return r.inspectSQLite(ctx)
}

func (r *Register) inspectSQLite(ctx context.Context) (*tableInfo, error) {
	schema := "main"
	if r.schema != "" {
		schema = r.schema
	}
	ti := &tableInfo{cols: map[string]tableColumn{}}
	// pragma arguments cannot be bound; the names passed checkIdent and are
	// quoted.
	rows, err := r.db.QueryContext(ctx, "SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo("+sqlString(r.tableName)+", "+sqlString(schema)+")")
	if err != nil {
		return nil, fmt.Errorf("sqlregister: reading the columns of %q: %w", r.cfg.Table, err)
	}
	var pk []string
	for rows.Next() {
		var c tableColumn
		var notNull, pkPos int
		if err := rows.Scan(&c.name, &c.typ, &notNull, &pkPos); err != nil {
			rows.Close()
			return nil, err
		}
		c.typ = strings.ToLower(c.typ)
		c.notNull, c.pk = notNull != 0, pkPos > 0
		if c.pk {
			pk = append(pk, strings.ToLower(c.name))
			// SQLite lets a primary key other than INTEGER hold NULL (a
			// historical quirk); a register's primary key does not.
			c.notNull = true
		}
		ti.cols[strings.ToLower(c.name)] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ti.cols) == 0 {
		return nil, &SchemaError{Table: r.cfg.Table, Problem: ProblemNoTable}
	}
	if len(pk) > 0 {
		ti.unique = append(ti.unique, pk)
	}
	idx, err := r.db.QueryContext(ctx, "SELECT name FROM pragma_index_list("+sqlString(r.tableName)+", "+sqlString(schema)+") WHERE \"unique\" = 1 AND partial = 0")
	if err != nil {
		return nil, fmt.Errorf("sqlregister: reading the indexes of %q: %w", r.cfg.Table, err)
	}
	var names []string
	for idx.Next() {
		var n string
		if err := idx.Scan(&n); err != nil {
			idx.Close()
			return nil, err
		}
		names = append(names, n)
	}
	idx.Close()
	if err := idx.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		cols, err := r.db.QueryContext(ctx, "SELECT cid, COALESCE(name, '') FROM pragma_index_info("+sqlString(n)+", "+sqlString(schema)+") ORDER BY seqno")
		if err != nil {
			return nil, err
		}
		var list []string
		expr := false
		for cols.Next() {
			var cid int
			var name string
			if err := cols.Scan(&cid, &name); err != nil {
				cols.Close()
				return nil, err
			}
			if cid < 0 || name == "" { // an expression or the rowid
				expr = true
			}
			list = append(list, strings.ToLower(name))
		}
		cols.Close()
		if !expr && len(list) > 0 {
			ti.unique = append(ti.unique, list)
		}
	}
	return ti, nil
}

func (r *Register) inspectPostgres(ctx context.Context) (*tableInfo, error) {
	ti := &tableInfo{cols: map[string]tableColumn{}}
	schemaExpr := "current_schema()"
	args := []any{r.tableName}
	if r.schema != "" {
		schemaExpr = "$2"
		args = append(args, r.schema)
	}
	rows, err := r.db.QueryContext(ctx, "SELECT column_name, CASE WHEN character_maximum_length IS NOT NULL THEN data_type || '(' || character_maximum_length || ')' ELSE data_type END, is_nullable = 'NO'"+
		" FROM information_schema.columns WHERE table_name = $1 AND table_schema = "+schemaExpr, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlregister: reading the columns of %q: %w", r.cfg.Table, err)
	}
	for rows.Next() {
		var c tableColumn
		if err := rows.Scan(&c.name, &c.typ, &c.notNull); err != nil {
			rows.Close()
			return nil, err
		}
		c.typ = strings.ToLower(c.typ)
		ti.cols[c.name] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ti.cols) == 0 {
		return nil, &SchemaError{Table: r.cfg.Table, Problem: ProblemNoTable}
	}
	q := "SELECT i.indisprimary, string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_index i" +
		" JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace" +
		" CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)" +
		" JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum" +
		" WHERE c.relname = $1 AND n.nspname = " + schemaExpr + " AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL" +
		" GROUP BY i.indexrelid, i.indisprimary"
	idx, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlregister: reading the indexes of %q: %w", r.cfg.Table, err)
	}
	defer idx.Close()
	for idx.Next() {
		var primary bool
		var list string
		if err := idx.Scan(&primary, &list); err != nil {
			return nil, err
		}
		cols := strings.Split(list, ",")
		if primary {
			for _, c := range cols {
				tc := ti.cols[c]
				tc.pk, tc.notNull = true, true
				ti.cols[c] = tc
			}
		}
		ti.unique = append(ti.unique, cols)
	}
	return ti, idx.Err()
}

// sqlString is an SQL string literal of an identifier that passed
// checkIdent (letters, digits, underscores: nothing to escape).
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// systemColumns are the columns a database keeps for every row, which
// change when a row is rewritten (VACUUM, UPDATE on PostgreSQL): never a key.
var systemColumns = map[string]bool{"rowid": true, "oid": true, "ctid": true, "_rowid_": true, "xmin": true, "xmax": true}

// checkSchema checks the configuration against the table: every mapped
// column and the key exist, the key is not a system column, is NOT NULL
// and has a primary key or a unique index on its columns (or a subset of
// them). The IDNr column may be missing (migration 1 adds it); regmo's
// bookkeeping columns may not be mapped.
func (r *Register) checkSchema(ctx context.Context) (*tableInfo, error) {
	for _, k := range r.keyNames {
		if systemColumns[strings.ToLower(k)] {
			return nil, &SchemaError{Table: r.cfg.Table, Column: k, Role: "key", Problem: ProblemSystemKey}
		}
	}
	ti, err := r.inspect(ctx)
	if err != nil {
		return nil, err
	}
	reserved := map[string]bool{}
	for _, s := range []string{"state", "reason", "message"} {
		reserved[r.norm(r.cfg.Prefix+s)] = true
	}
	check := func(name, role string) error {
		if reserved[r.norm(name)] {
			return &SchemaError{Table: r.cfg.Table, Column: name, Role: role, Problem: ProblemReservedColumn}
		}
		if _, ok := ti.col(r.norm(name)); !ok {
			return &SchemaError{Table: r.cfg.Table, Column: name, Role: role, Problem: ProblemNoColumn}
		}
		return nil
	}
	for _, k := range r.keyNames {
		if err := check(k, "key"); err != nil {
			return nil, err
		}
	}
	for _, nc := range r.cfg.Columns.expand() {
		if err := check(nc.name, nc.token); err != nil {
			return nil, err
		}
	}
	if reserved[r.norm(r.cfg.IDNr)] {
		return nil, &SchemaError{Table: r.cfg.Table, Column: r.cfg.IDNr, Role: "idnr", Problem: ProblemReservedColumn}
	}
	// The key: unique and never NULL.
	keySet := map[string]bool{}
	for _, k := range r.keyNames {
		keySet[r.norm(k)] = true
	}
	unique := false
	for _, u := range ti.unique {
		sub := true
		for _, c := range u {
			if !keySet[r.norm(c)] {
				sub = false
				break
			}
		}
		if sub {
			unique = true
			break
		}
	}
	if !unique {
		return nil, &SchemaError{Table: r.cfg.Table, Column: strings.Join(r.keyNames, ","), Role: "key", Problem: ProblemKeyNotUnique}
	}
	for _, k := range r.keyNames {
		if c, _ := ti.col(r.norm(k)); !c.notNull {
			return nil, &SchemaError{Table: r.cfg.Table, Column: k, Role: "key", Problem: ProblemKeyNullable}
		}
	}
	return ti, nil
}
