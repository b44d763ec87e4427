package idnrtest

import (
	"slices"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// RegisterCopy returns the record a register might hold for p, with a
// realistic random mix of defects (see [RegisterCopy] for the mix, which
// this method draws from g). The registers' demo data use it: most records
// are clean or only lightly dirty.
func (g *Generator) RegisterCopy(p idnr.Person) (idnr.Person, DefectKind) {
	return RegisterCopy(g.r, p)
}

// ApplyDefect is [ApplyDefect] drawing from g.
func (g *Generator) ApplyDefect(p idnr.Person, k DefectKind) idnr.Person {
	return ApplyDefect(g.r, p, k)
}

// HardNegative returns a different person easily taken for p, of the hard
// negative kind k, with a new IDNr: twins and siblings come from
// [Generator.Twin] and [Generator.Sibling] (names fitting the family's
// naming tradition), the other kinds from [HardNegative].
//
// Parents do not give a child a sibling's first name: a twin's or
// sibling's first given name is none of p's given names, and p's first
// given name none of theirs (they may share a middle name).
func (g *Generator) HardNegative(p idnr.Person, k DefectKind) idnr.Person {
	var sib func(idnr.Person) idnr.Person
	switch k {
	case Twin:
		sib = g.Twin
	case Sibling:
		sib = g.Sibling
	}
	if sib == nil || !p.BirthDate.IsComplete() {
		return HardNegative(g.r, p, k, g.IDNr)
	}
	q := sib(p)
	for range 20 {
		if !defectSharesFirstName(p.GivenNames, q.GivenNames) {
			break
		}
		q = sib(p)
	}
	if defectSharesFirstName(p.GivenNames, q.GivenNames) {
		q.GivenNames = defectOtherGiven(g.r, q.Sex, p.GivenNames)
	}
	return q
}

// defectSharesFirstName reports whether the first given name of a is among
// the given names of b or the other way round, compared without
// diacritics, case and hyphens (parents do not name twins Maria and María,
// or Anna-Lena and Anna Lena).
func defectSharesFirstName(a, b string) bool {
	pa, pb := defectNameKeys(a), defectNameKeys(b)
	if len(pa) == 0 || len(pb) == 0 {
		return false
	}
	return slices.Contains(pb, pa[0]) || slices.Contains(pa, pb[0]) || strings.Join(pa, "") == strings.Join(pb, "")
}

// defectNameKeys returns the given names of s without diacritics, case and
// hyphens.
func defectNameKeys(s string) []string {
	f := strings.Fields(s)
	for i, x := range f {
		f[i] = strings.ToUpper(strings.ReplaceAll(defectStrip(x), "-", ""))
	}
	return f
}

// Case returns a labelled matching case of kind k around a person from
// [Generator.Person] (see [MakeCase] for its shape).
func (g *Generator) Case(k DefectKind) Case {
	return makeCase(g.r, k, g.Person, g.HardNegative)
}
