package sqlregister

import (
	"strings"

	"github.com/regmo/regmo/idnr"
)

// Given names in several columns.
//
// A register that keeps one given name per column (vorname1, vorname2,
// vorname3) maps the first to Columns.GivenNames and the others, in order,
// to Columns.MoreGivenNames. They are read joined by a space in column
// order, empty columns skipped. Written (when given_names is in
// Config.Write), the BZSt's given names are split at spaces, one per
// column in order; columns left over are emptied (NULL). When the BZSt
// delivers more given names than the register has columns, the last column
// takes the rest ("Luise Charlotte"), so nothing is cut off: read back, the
// columns give exactly the BZSt's given names. A rest too long for the
// last column is refused by the database and the record becomes a
// write_failed case naming that column (see isolate.go), never truncated.
//
// Why the rest and not a case: the split is regmo's, not the BZSt's (it
// delivers the given names as one text), reading joins the columns again,
// so the rest in the last column loses nothing and changes nothing regmo
// or a clerk sees; a case would hold back the IDNr of everyone with one
// given name more than the register planned for, and the clerk could only
// decide the same.

// namedColumn is a row of the column table with the name of the register
// column it is mapped to.
type namedColumn struct {
	column
	name string
}

// expand returns the mapped columns in the order of [Columns]: one row per
// register column, given names kept in several columns as one row each.
func (c *Columns) expand() []namedColumn {
	var out []namedColumn
	for i := range columns {
		name := *columns[i].name(c)
		if name == "" {
			continue
		}
		if columns[i].field == idnr.FieldGivenNames && len(c.MoreGivenNames) > 0 {
			names := append([]string{name}, c.MoreGivenNames...)
			for k, n := range names {
				out = append(out, namedColumn{column: givenNamePart(k, len(names), n), name: n})
			}
			continue
		}
		out = append(out, namedColumn{column: columns[i], name: name})
	}
	return out
}

// givenNamePart is the k-th (0-based) of n given-name columns, named name.
func givenNamePart(k, n int, name string) column {
	c := *columnOf(idnr.FieldGivenNames.Token())
	c.name = func(*Columns) *string { return &name }
	c.part, c.parts = k, n
	c.set = func(p *idnr.Person, s string) string {
		if p.GivenNames != "" {
			p.GivenNames += " "
		}
		p.GivenNames += s
		return ""
	}
	c.get = func(p *idnr.Person) any {
		return str(givenNamesPart(p.GivenNames, k, n))
	}
	return c
}

// givenNamesPart is the text of the k-th of n given-name columns for the
// given names g: the k-th name, and in the last column the rest.
func givenNamesPart(g string, k, n int) string {
	f := strings.Fields(g)
	switch {
	case k >= len(f):
		return ""
	case k == n-1:
		return strings.Join(f[k:], " ")
	}
	return f[k]
}
