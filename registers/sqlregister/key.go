package sqlregister

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/regmo/regmo/registers"
)

// Keys.
//
// A register's key is one column or several (a composite key such as
// Gemeindekennzahl + laufende Nummer). To the engines of registers a key
// is an opaque string, registers.Key, which they only hand back; this file
// is the one place that turns a key's columns into that string and back.
//
//   - One column: the column's value as text, as it is ("4711", "A-17");
//     an integer column as its decimal number.
//   - Several columns: the values in key order, joined by "/"
//     ("09162000/4711"); in a text part a "/" is written "\/" and a "\"
//     is written "\\"; integer parts are decimal numbers.
//
// So a key is printed as the register shows it (clerks, CSV, reports),
// and it is reversible: every tuple has exactly one key text and every
// key text that decodes decodes to exactly one tuple (integers in
// canonical form: no sign "+", no leading zeros). The database computes
// the same text (keyExpr) for the side tables keyed by the text key (the
// review queue, <prefix>idnr, the workbench's cases and decisions, the
// checkpoint and the lease ranges); lookups of a record by key bind the
// decoded parts to the key columns, so the primary key serves them, and
// keyset paging compares the tuple as a row value, "(a, b) > ($1, $2)
// ORDER BY a, b" (PostgreSQL; SQLite from 3.15), which walks the primary
// key's index.

// keyPart is one column of the register's key.
type keyPart struct {
	name    string // as configured
	col     string // quoted
	integer bool   // an integer column: bound as int64, printed as a decimal number
}

// The separator of a composite key's parts and the escape character of
// text parts.
const (
	keySep = '/'
	keyEsc = '\\'
)

// ErrKey is the sentinel of every [KeyError].
var ErrKey = errors.New("sqlregister: malformed key")

// KeyError says why a key does not fit the register's key columns: the
// wrong number of parts, or a part that is not an integer for an integer
// column. It names the key column, never the key's value. errors.Is(err,
// [ErrKey]) holds.
type KeyError struct {
	// Column is the key column the problem is in; for a wrong number of
	// parts, all key columns separated by ",".
	Column string
	// Reason says what is wrong.
	Reason string
}

func (e *KeyError) Error() string {
	return "sqlregister: key (column " + e.Column + "): " + e.Reason
}

// Is makes errors.Is(err, ErrKey) hold.
func (e *KeyError) Is(target error) bool { return target == ErrKey }

// keyCodec encodes and decodes registers.Key for a key of these columns.
type keyCodec []keyPart

func (kc keyCodec) names() string {
	n := make([]string, len(kc))
	for i, p := range kc {
		n[i] = p.name
	}
	return strings.Join(n, ",")
}

// decode splits a key into the values of its columns, typed for binding:
// string for text columns, int64 for integer columns.
func (kc keyCodec) decode(k registers.Key) ([]any, error) {
	s := string(k)
	if len(kc) == 1 {
		v, err := kc[0].value(s, false)
		if err != nil {
			return nil, err
		}
		return []any{v}, nil
	}
	out := make([]any, 0, len(kc))
	var b strings.Builder
	escaped := false
	flush := func() error {
		if len(out) == len(kc) {
			return &KeyError{Column: kc.names(), Reason: fmt.Sprintf("more than %d parts separated by %q", len(kc), keySep)}
		}
		v, err := kc[len(out)].value(b.String(), escaped)
		if err != nil {
			return err
		}
		out = append(out, v)
		b.Reset()
		escaped = false
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case keyEsc:
			if i+1 == len(s) || (s[i+1] != keySep && s[i+1] != keyEsc) {
				col := kc[min(len(out), len(kc)-1)].name
				return nil, &KeyError{Column: col, Reason: fmt.Sprintf("%q must be followed by %q or %q", keyEsc, keySep, keyEsc)}
			}
			i++
			b.WriteByte(s[i])
			escaped = true
		case keySep:
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			b.WriteByte(c)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(out) != len(kc) {
		return nil, &KeyError{Column: kc.names(), Reason: fmt.Sprintf("%d parts separated by %q, want %d", len(out), keySep, len(kc))}
	}
	return out, nil
}

// value reads one part: a text part as it is, an integer part as a
// decimal number in canonical form (so that its text is the key's).
func (p keyPart) value(s string, escaped bool) (any, error) {
	if !p.integer {
		return s, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if escaped || err != nil || strconv.FormatInt(n, 10) != s {
		return nil, &KeyError{Column: p.name, Reason: "not an integer (decimal digits, no sign + and no leading zeros, at most 64 bits)"}
	}
	return n, nil
}

// encode is the key of the values (string or an integer type; as the
// database returns them).
func (kc keyCodec) encode(vals ...any) (registers.Key, error) {
	if len(vals) != len(kc) {
		return "", &KeyError{Column: kc.names(), Reason: fmt.Sprintf("%d values, want %d", len(vals), len(kc))}
	}
	var b strings.Builder
	for i, v := range vals {
		p := kc[i]
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		case int:
			s = strconv.FormatInt(int64(v), 10)
		case int32:
			s = strconv.FormatInt(int64(v), 10)
		case int64:
			s = strconv.FormatInt(v, 10)
		default:
			return "", &KeyError{Column: p.name, Reason: fmt.Sprintf("a value of type %T", v)}
		}
		if p.integer {
			if _, err := p.value(s, false); err != nil {
				return "", err
			}
		}
		if i > 0 {
			b.WriteByte(keySep)
		}
		if len(kc) == 1 || p.integer {
			b.WriteString(s)
			continue
		}
		for j := 0; j < len(s); j++ {
			if s[j] == keySep || s[j] == keyEsc {
				b.WriteByte(keyEsc)
			}
			b.WriteByte(s[j])
		}
	}
	return registers.Key(b.String()), nil
}

// ParseKey returns the values of the key's columns, in the order of the
// key: a string for a text column, an int64 for an integer column. A key
// that does not fit the key columns is a [*KeyError].
func (r *Register) ParseKey(k registers.Key) ([]any, error) { return r.key.decode(k) }

// FormatKey returns the key of a record from the values of its key
// columns, in the order of the key (strings for text columns, strings or
// integers for integer columns): the text the register's records carry
// as registers.Key. See the package documentation, "Keys".
func (r *Register) FormatKey(vals ...any) (registers.Key, error) { return r.key.encode(vals...) }

// KeyColumns returns the key's columns, in order.
func (r *Register) KeyColumns() []string {
	out := make([]string, len(r.key))
	for i, p := range r.key {
		out[i] = p.name
	}
	return out
}

// keyArgs binds a key to its columns; a malformed key is a *KeyError.
func (r *Register) keyArgs(k registers.Key) ([]any, error) { return r.key.decode(k) }

// keyExpr is the SQL expression of the key's text over the table alias
// p ("" or "t."), the same text keyCodec.encode makes: it joins the side
// tables keyed by the text key.
func (r *Register) keyExpr(p string) string {
	if len(r.key) == 1 {
		return "CAST(" + p + r.key[0].col + " AS TEXT)"
	}
	parts := make([]string, len(r.key))
	for i, k := range r.key {
		e := "CAST(" + p + k.col + " AS TEXT)"
		if !k.integer {
			e = "REPLACE(REPLACE(" + e + ", '\\', '\\\\'), '/', '\\/')"
		}
		parts[i] = e
	}
	return strings.Join(parts, " || '/' || ")
}

// keyOrder is the ORDER BY list of the key over the alias p, or over the
// table for "": qualified, because a bare name in ORDER BY means an
// output column of that name first, and PostgreSQL names the key's text
// CAST("id" AS TEXT) "id" (a text order of an integer key).
func (r *Register) keyOrder(p string) string { return r.keyOrderDir(p, "") }

// keyOrderDir is keyOrder with a direction (" DESC") for every column.
func (r *Register) keyOrderDir(p, dir string) string {
	if p == "" {
		p = r.table + "."
	}
	c := make([]string, len(r.key))
	for i, k := range r.key {
		c[i] = p + k.col + dir
	}
	return strings.Join(c, ", ")
}

// keyEq is "a = $n AND b = $n+1" over the alias p.
func (r *Register) keyEq(p string, n int) string {
	c := make([]string, len(r.key))
	for i, k := range r.key {
		c[i] = p + k.col + " = " + r.ph(n+i)
	}
	return strings.Join(c, " AND ")
}

// keyCmp compares the key tuple with the placeholders from n on: "a > $n"
// for one column, the row value "(a, b) > ($n, $n+1)" for several.
func (r *Register) keyCmp(p, op string, n int) string {
	if len(r.key) == 1 {
		return p + r.key[0].col + " " + op + " " + r.ph(n)
	}
	return "(" + r.keyOrder(p) + ") " + op + " (" + r.phs(n, n+len(r.key)-1) + ")"
}

// isIntegerType reports whether a column of this declared type (as
// inspect reads it) holds integers: SQLite's rule of integer affinity (the
// type contains "int"), PostgreSQL's integer types.
func isIntegerType(d Dialect, typ string) bool {
	if d == SQLite {
		return strings.Contains(typ, "int")
	}
	switch typ {
	case "smallint", "integer", "bigint":
		return true
	}
	return false
}

// keyReason is the reason of a *KeyError (the column and what is wrong),
// for errors of other packages' vocabulary.
func keyReason(err error) string {
	var ke *KeyError
	if errors.As(err, &ke) {
		return ke.Column + ": " + ke.Reason
	}
	return "malformed"
}
