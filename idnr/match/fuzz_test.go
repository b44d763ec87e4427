package match_test

import (
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

// FuzzDecide feeds arbitrary names, places, addresses and dates to Decide:
// it must never panic, must return a valid decision, and an Accept must
// name a candidate.
func FuzzDecide(f *testing.F) {
	f.Add("Müller", "Hans-Georg Peter", "Köln", "Hauptstraße", "12a", "50667", 1961, 3, 12, "Mueller", "Peter", "Koeln", "Hauptstr.", "12 A", "50667", 1961, 12, 3, uint8(1))
	f.Add("", "", "", "", "", "", 0, 0, 0, "", "", "", "", "", "", 0, 0, 0, uint8(0))
	f.Add("Graf von Neuenwalde", "Anna-Lena", "Karl-Marx-Stadt", "Talwegle", "7-9", "09111", 1980, 0, 0, "Neuenwalde", "Anna Lena", "Chemnitz", "Talweg", "7", "", 1980, 5, 17, uint8(2))
	f.Add("\xff\xfe", "a\u0308\u0323", "\u212B", "C\u0328\u0306", "½", "x", 2000, 2, 29, "Ð", "ʿAbd", "İstanbul", "ẞ", "0", "-", 1999, 13, 40, uint8(3))
	m := match.New()
	f.Fuzz(func(t *testing.T, fam, given, place, street, house, postal string, y, mo, d int,
		fam2, given2, place2, street2, house2, postal2 string, y2, mo2, d2 int, sex uint8) {
		date := func(y, m, d int) idnr.Date {
			v, err := idnr.NewDate(y, m, d)
			if err != nil {
				return idnr.Date{}
			}
			return v
		}
		reg := idnr.Person{FamilyName: fam, GivenNames: given, BirthPlace: idnr.Place{City: place},
			BirthDate: date(y, mo, d), Sex: idnr.Sex(sex % 5), FormerNames: []string{fam2},
			Address: idnr.Address{Street: street, HouseNumber: house, PostalCode: postal, City: place}}
		cand := idnr.Person{FamilyName: fam2, GivenNames: given2, BirthPlace: idnr.Place{City: place2},
			BirthDate: date(y2, mo2, d2), Sex: idnr.Sex(sex / 5 % 5), DoctoralDegree: given,
			Nationalities: []string{postal, postal2},
			Address:       idnr.Address{Street: street2, HouseNumber: house2, PostalCode: postal2, City: place2}}
		for _, cands := range [][]idnr.Person{nil, {cand}, {cand, reg, cand}} {
			o := m.Decide(reg, cands)
			if o.Decision > match.Accept {
				t.Fatalf("invalid decision %d", o.Decision)
			}
			if o.Decision == match.Accept && (o.Candidate < 0 || o.Candidate >= len(cands)) {
				t.Fatalf("accept without a valid candidate: %s", o)
			}
			if o.Decision == match.Reject && o.Candidate != -1 {
				t.Fatalf("reject with a candidate: %s", o)
			}
			_ = o.String()
			_ = o.German()
		}
	})
}
