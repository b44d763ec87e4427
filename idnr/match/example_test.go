package match_test

import (
	"fmt"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

func ExampleSearchForm() {
	fmt.Println(match.SearchForm("Sœrensen"), match.SearchForm("Sörensen"), match.SearchForm("Soerensen"), match.SearchForm("Sorensen"))
	fmt.Println(match.SearchForm("Karl-Heinz"), match.SearchForm("Lange Straße"))
	// Output:
	// SOERENSEN SOERENSEN SOERENSEN SORENSEN
	// KARLHEINZ LANGESTRASSE
}

func ExamplePhonetic() {
	fmt.Println(match.Phonetic("Müller-Lüdenscheidt"))
	fmt.Println(match.Phonetic("Meier"), match.Phonetic("Mayr"), match.Phonetic("Maier"))
	// Output:
	// 65752682
	// 67 67 67
}

// The backfill checks the unique hit of an IDA search against the
// register's (dirtier) record.
func ExampleMatcher_Decide() {
	m := match.New()
	register := idnr.Person{
		FamilyName: "Mueller", GivenNames: "Hans", Sex: idnr.Male,
		BirthDate:  idnr.MustDate(1961, 12, 3), // day and month swapped
		BirthPlace: idnr.Place{City: "Koeln"},
		Address:    idnr.Address{Street: "Hauptstr.", HouseNumber: "12a", PostalCode: "50667", City: "Köln"},
	}
	hit := idnr.Person{
		IDNr:       idnr.MustParse("36574261809"),
		FamilyName: "Müller", GivenNames: "Hans Peter", Sex: idnr.Male,
		BirthDate:  idnr.MustDate(1961, 3, 12),
		BirthPlace: idnr.Place{City: "Köln"},
		Address:    idnr.Address{Street: "Hauptstraße", HouseNumber: "12 a", PostalCode: "50667", City: "Köln"},
	}
	o := m.Decide(register, []idnr.Person{hit})
	fmt.Println(o.Decision, o.Candidate, o.Score)
	for _, r := range o.Reasons.Compared() {
		fmt.Println(r.Text())
	}
	// Output:
	// accept 0 35
	// Familienname: stimmt überein
	// Vornamen: Teilmenge (einzelne Vornamen fehlen auf einer Seite)
	// Geburtsdatum: Tag und Monat vertauscht
	// Geschlecht: stimmt überein
	// Geburtsort: stimmt überein
	// Anschrift: stimmt überein
}

// A twin agrees in everything but the given names: a strong conflict that
// no agreement elsewhere outweighs.
func ExampleMatcher_Decide_twin() {
	m := match.New()
	register := idnr.Person{FamilyName: "Schmidt", GivenNames: "Lena", Sex: idnr.Female,
		BirthDate: idnr.MustDate(1990, 5, 17), BirthPlace: idnr.Place{City: "Kiel"},
		Address: idnr.Address{Street: "Ringstraße", HouseNumber: "4", PostalCode: "24103", City: "Kiel"}}
	twin := register
	twin.GivenNames = "Johanna"
	o := m.Decide(register, []idnr.Person{twin})
	fmt.Println(o)
	fmt.Println(o.German())
	// Output:
	// review candidate=0 score=18.0 hold=conflict:given-names family-name=exact(+10.0) given-names=conflict(-16.0) birth-date=exact(+12.0) sex=exact(+1.0) birth-place=exact(+5.0) address=exact(+6.0)
	// Prüfen (Gesamtgewicht 18.0): starker Widerspruch (Vornamen)
	// Familienname: stimmt überein (+10.0)
	// Vornamen: widerspricht sich (-16.0)
	// Geburtsdatum: stimmt überein (+12.0)
	// Geschlecht: stimmt überein (+1.0)
	// Geburtsort: stimmt überein (+5.0)
	// Anschrift: stimmt überein (+6.0)
}

// Prepare a record once and compare it with many candidates, for example
// a hit list of the Melde retrieval. The second hit's birth date differs
// from the record's by two transposed digits (1975, 1957), a typo that
// cannot be ruled out: the first hit does not lead by the margin, a clerk
// decides.
func ExampleMatcher_DecidePrepared() {
	m := match.New()
	reg := m.Prepare(idnr.Person{FamilyName: "Weiß", GivenNames: "Anna", Sex: idnr.Female,
		BirthDate: idnr.MustDate(1975, 1, 30), Address: idnr.Address{PostalCode: "10115", City: "Berlin"}})
	hits := []match.Prepared{
		m.Prepare(idnr.Person{FamilyName: "Weiss", GivenNames: "Anna Maria", Sex: idnr.Female,
			BirthDate: idnr.MustDate(1975, 1, 30), Address: idnr.Address{PostalCode: "10115", City: "Berlin"}}),
		m.Prepare(idnr.Person{FamilyName: "Weiss", GivenNames: "Anna", Sex: idnr.Female,
			BirthDate: idnr.MustDate(1957, 1, 30), Address: idnr.Address{PostalCode: "10115", City: "Berlin"}}),
	}
	o := m.DecidePrepared(&reg, hits)
	fmt.Println(o.Decision, o.Candidate, o.Score, o.Runner, o.Hold)
	// Output:
	// review 0 32 27 ambiguous
}
