package idnrtest

import "github.com/regmo/regmo/idnr"

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
func (g *Generator) HardNegative(p idnr.Person, k DefectKind) idnr.Person {
	switch k {
	case Twin:
		if p.BirthDate.IsComplete() {
			return g.Twin(p)
		}
	case Sibling:
		if p.BirthDate.IsComplete() {
			return g.Sibling(p)
		}
	}
	return HardNegative(g.r, p, k, g.IDNr)
}

// Case returns a labelled matching case of kind k around a person from
// [Generator.Person] (see [MakeCase] for its shape).
func (g *Generator) Case(k DefectKind) Case {
	return makeCase(g.r, k, g.Person, g.HardNegative)
}
