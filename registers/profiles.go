package registers

import (
	"sort"
	"strconv"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// AnlageVersion names the text of the Anlage zu § 1 IDNrG that the profile
// table follows: the consolidated text (BGBl. I 2021, 591, Anlage at
// 596-597) as amended in 2024, when the old Nr. 41 ("Register zum
// vorübergehenden Schutz nach § 91a des Aufenthaltsgesetzes") was deleted
// and the old Nr. 42-51 became 41-50; unchanged to May 2026. Material that
// counts 51 registers (including some BVA FAQs) predates that deletion:
// its numbers 42-51 are this table's 41-50.
const AnlageVersion = "Anlage zu § 1 IDNrG, 50 Nummern, Fassung 2024 (geprüft Mai 2026)"

// NumAnlageRegisters is the number of registers in the Anlage zu § 1 IDNrG
// ([AnlageVersion]).
const NumAnlageRegisters = 50

// Profile describes one register: its number in the Anlage zu § 1 IDNrG,
// its name there, the legal basis the Anlage names, whether municipalities
// keep it, and the basic data of § 4 IDNrG it keeps, so that a vendor starts
// from the right field set (ida.Auth.Fields, the column mapping) and asks
// for no more data than the register keeps.
//
// A register outside the Anlage is described with [NewProfile] (Number 0).
type Profile struct {
	// Number is the entry's number in the Anlage (1..50); 0 for a register
	// outside the Anlage.
	Number int
	// Name is the entry's text in the Anlage, exactly; for a register
	// outside the Anlage, the name its vendor gives.
	Name string
	// LegalBasis is the provision the Anlage entry itself names, in the
	// entry's words ("§ 62 der Aufenthaltsverordnung" for Nr. 23; a whole
	// law, such as "Zweites Buch Sozialgesetzbuch", in the nominative);
	// empty when the entry names none.
	LegalBasis string
	// Law is the law that governs the register (an abbreviation such as
	// "BMG"), where the entry or the register's own law says so; empty when
	// not known. It is not part of the Anlage's text.
	Law string
	// Municipal says that municipalities (Gemeinden, Kreise, kreisfreie
	// Städte) keep the register, alone or beside other bodies.
	Municipal bool
	// Fields are the basic data of § 4 IDNrG the register keeps: a
	// starting point for the vendor, not part of the Anlage.
	Fields idnr.Fields
	// FieldsSource is the provision of the register's own law the field
	// set was taken from (e.g. "§ 23 Abs. 3 PAuswG"); empty when the field
	// set is an unverified guess (see FieldsVerified).
	FieldsSource string
	// FieldsVerified says that Fields were read from FieldsSource. When
	// false, Fields are the project's estimate and the vendor must check
	// them against the register's law before use.
	FieldsVerified bool
}

// InAnlage says whether p is an entry of the Anlage zu § 1 IDNrG.
func (p Profile) InAnlage() bool { return p.Number >= 1 && p.Number <= NumAnlageRegisters }

// ProfileError is a Profile that [NewProfile] refuses: the field and why.
type ProfileError struct {
	Field  string
	Reason string
}

func (e *ProfileError) Error() string { return "registers: profile " + e.Field + ": " + e.Reason }

// NewProfile describes a register outside the Anlage zu § 1 IDNrG (Number
// 0), for a vendor whose register is not listed there (a Land register, a
// body's own file). name is required (at most 200 characters) and must not
// be the name of an Anlage entry (use [ProfileOf] for those); fields must
// include the IDNr. source names the provision the fields come from; empty
// marks them unverified.
func NewProfile(name, law string, municipal bool, fields idnr.Fields, source string) (Profile, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return Profile{}, &ProfileError{Field: "Name", Reason: "required"}
	case len([]rune(name)) > 200:
		return Profile{}, &ProfileError{Field: "Name", Reason: "longer than 200 characters"}
	case !fields.Has(idnr.FieldIDNr):
		return Profile{}, &ProfileError{Field: "Fields", Reason: "must include the IDNr"}
	case fields&^idnr.AllFields != 0:
		return Profile{}, &ProfileError{Field: "Fields", Reason: "holds bits outside the § 4 basic data"}
	}
	for _, p := range profiles {
		if strings.EqualFold(p.Name, name) {
			return Profile{}, &ProfileError{Field: "Name", Reason: "the name of Anlage Nr. " + strconv.Itoa(p.Number) + ": use ProfileOf"}
		}
	}
	return Profile{Name: name, Law: law, Municipal: municipal, Fields: fields,
		FieldsSource: source, FieldsVerified: source != ""}, nil
}

// Field sets used more than once.
const (
	// idDocFields: the identity-document registers (Personalausweis, eID-
	// Karte): family and birth name, religious and artist names (former
	// names), given names, Doktorgrad, day and place of birth, address,
	// nationality, IDNr; no sex.
	idDocFields = idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldDoctoralDegree |
		idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldAddress | idnr.FieldNationalities
	// benefitFields: an estimate for benefit and insurance files (name,
	// given names, birth date, address).
	benefitFields = CoreFields | idnr.FieldAddress
	// estimateWide: an estimate for files that identify people closely.
	estimateWide = CoreFields | idnr.FieldFormerNames | idnr.FieldBirthPlace | idnr.FieldAddress
)

// profiles is the Anlage zu § 1 IDNrG in the version [AnlageVersion]:
// number, exact name and the legal basis each entry names are the law's
// text (anlage.md in the project's shared notes). Municipal, Law and the
// field sets are the project's reading; field sets with a FieldsSource were
// read from that provision (May 2026), the others are marked unverified.
var profiles = []Profile{
	// Nr. 1: § 3 Abs. 1 BMG keeps every field of the basic data (names,
	// former, religious and artist names, Doktorgrad, birth date and place,
	// sex, nationalities, addresses with move-in and move-out dates,
	// information blocks, death date, and since Art. 4 RegMoG the IDNr as
	// Nr. 8), but not the date of the last administrative contact: that is
	// the BZSt's datum (§ 4 Abs. 3 IDNrG), not the Meldebehörde's.
	{Number: 1, Name: "Melderegister", Law: "BMG", Municipal: true,
		Fields: idnr.AllFields &^ idnr.FieldLastContact, FieldsSource: "§ 3 Abs. 1 BMG (Nr. 8: IDNr since Art. 4 RegMoG)", FieldsVerified: true},
	{Number: 2, Name: "elektronisch geführte Personenstandsregister", Law: "PStG", Municipal: true,
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldSex | idnr.FieldNationalities | idnr.FieldDeathDate},
	{Number: 3, Name: "Ausländerzentralregister", Law: "AZRG",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldSex | idnr.FieldNationalities | idnr.FieldAddress | idnr.FieldDeathDate},
	{Number: 4, Name: "Stammsatzdatei der Datenstelle der Rentenversicherung gemäß § 150 des Sechsten Buches Sozialgesetzbuch",
		LegalBasis: "§ 150 des Sechsten Buches Sozialgesetzbuch", Law: "SGB VI",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldSex | idnr.FieldNationalities | idnr.FieldAddress | idnr.FieldDeathDate},
	{Number: 5, Name: "Versichertenkonten der Rentenversicherungsträger gemäß § 149 des Sechsten Buches Sozialgesetzbuch",
		LegalBasis: "§ 149 des Sechsten Buches Sozialgesetzbuch", Law: "SGB VI", Fields: benefitFields},
	{Number: 6, Name: "Rentenzahlbestandsregister des Renten-Services der Deutschen Post AG", Law: "SGB VI",
		Fields: benefitFields | idnr.FieldDeathDate},
	{Number: 7, Name: "die Stammsatzdatei der landwirtschaftlichen Sozialversicherung nach § 62 des Gesetzes über die Alterssicherung der Landwirte",
		LegalBasis: "§ 62 des Gesetzes über die Alterssicherung der Landwirte", Law: "ALG", Fields: estimateWide | idnr.FieldSex},
	{Number: 8, Name: "bei den berufsständischen Versorgungswerken systematisch geführte personenbezogene Datenbestände zu Leistungsberechtigten",
		Fields: benefitFields},
	{Number: 9, Name: "bei der Künstlersozialkasse systematisch geführte personenbezogene Datenbestände zu den nach näherer Bestimmung des Künstlersozialversicherungsgesetzes versicherten Künstlern und Publizisten",
		LegalBasis: "Künstlersozialversicherungsgesetz", Law: "KSVG", Fields: benefitFields},
	{Number: 10, Name: "bei der Bundesagentur für Arbeit systematisch geführte personenbezogene Datenbestände nach dem Dritten Buch Sozialgesetzbuch",
		LegalBasis: "Drittes Buch Sozialgesetzbuch", Law: "SGB III", Fields: benefitFields},
	{Number: 11, Name: "bei den Trägern der Grundsicherung für Arbeitsuchende systematisch geführte personenbezogene Datenbestände nach dem Zweiten Buch Sozialgesetzbuch",
		LegalBasis: "Zweites Buch Sozialgesetzbuch", Law: "SGB II", Municipal: true, Fields: benefitFields},
	{Number: 12, Name: "Dateisystem der Beschäftigungsbetriebe nach § 18i des Vierten Buches Sozialgesetzbuch",
		LegalBasis: "§ 18i des Vierten Buches Sozialgesetzbuch", Law: "SGB IV", Fields: benefitFields},
	{Number: 13, Name: "eID-Karte-Register", Law: "eIDKG", Municipal: true,
		Fields: idDocFields, FieldsSource: "§ 19 Abs. 3 eIDKG", FieldsVerified: true},
	{Number: 14, Name: "Zentrales Unternehmerverzeichnis der gesetzlichen Unfallversicherung", Law: "SGB VII",
		Fields: benefitFields},
	{Number: 15, Name: "Zentrales Fahrzeugregister", Law: "StVG",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldDoctoralDegree | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldAddress},
	{Number: 16, Name: "Zentrales Fahrerlaubnisregister", Law: "StVG",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldDoctoralDegree | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldSex | idnr.FieldAddress},
	{Number: 17, Name: "Fahreignungsregister", Law: "StVG",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldDoctoralDegree | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldAddress},
	{Number: 18, Name: "Lehrlingsrolle gemäß § 28 der Handwerksordnung",
		LegalBasis: "§ 28 der Handwerksordnung", Law: "HwO", Fields: CoreFields | idnr.FieldBirthPlace | idnr.FieldAddress},
	{Number: 19, Name: "Handwerksrolle gemäß § 6 der Handwerksordnung",
		LegalBasis: "§ 6 der Handwerksordnung", Law: "HwO", Fields: CoreFields | idnr.FieldBirthPlace | idnr.FieldAddress},
	{Number: 20, Name: "Verzeichnis der Inhaber von Betrieben eines zulassungsfreien oder eines handwerksähnlichen Gewerbes gemäß § 19 der Handwerksordnung",
		LegalBasis: "§ 19 der Handwerksordnung", Law: "HwO", Fields: CoreFields | idnr.FieldBirthPlace | idnr.FieldAddress},
	{Number: 21, Name: "Personalausweisregister", Law: "PAuswG", Municipal: true,
		Fields: idDocFields, FieldsSource: "§ 23 Abs. 3 PAuswG", FieldsVerified: true},
	{Number: 22, Name: "Passregister", Law: "PassG", Municipal: true,
		Fields: idDocFields | idnr.FieldSex, FieldsSource: "§ 21 Abs. 2 PassG", FieldsVerified: true},
	{Number: 23, Name: "Ausländerdateien nach § 62 der Aufenthaltsverordnung",
		LegalBasis: "§ 62 der Aufenthaltsverordnung", Law: "AufenthV", Municipal: true,
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldDoctoralDegree | idnr.FieldBirthDate | idnr.FieldBirthPlace |
			idnr.FieldSex | idnr.FieldNationalities | idnr.FieldAddress | idnr.FieldMoveInDate | idnr.FieldMoveOutDate,
		FieldsSource: "§§ 64, 65 AufenthV (Ausländerdatei A)", FieldsVerified: true},
	{Number: 24, Name: "Verzeichnis der Berufsausbildungsverhältnisse nach § 34 des Berufsbildungsgesetzes",
		LegalBasis: "§ 34 des Berufsbildungsgesetzes", Law: "BBiG", Fields: CoreFields | idnr.FieldSex | idnr.FieldNationalities | idnr.FieldAddress},
	{Number: 25, Name: "bei den allgemeinbildenden und beruflichen Schulen, Schulbehörden, Bildungseinrichtungen nach § 2 des Hochschulstatistikgesetzes systematisch geführte personenbezogene Datenbestände zu Bildungsteilnehmenden",
		LegalBasis: "§ 2 des Hochschulstatistikgesetzes", Municipal: true, Fields: CoreFields | idnr.FieldBirthPlace | idnr.FieldSex | idnr.FieldAddress},
	{Number: 26, Name: "Versichertenverzeichnis der Krankenkassen", Law: "SGB V",
		Fields: benefitFields | idnr.FieldSex},
	{Number: 27, Name: "Bundeszentralregister", Law: "BZRG",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldSex | idnr.FieldNationalities | idnr.FieldAddress},
	{Number: 28, Name: "Nationales Waffenregister", Law: "NWRG",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldDoctoralDegree | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldNationalities | idnr.FieldAddress},
	{Number: 29, Name: "bei den Elterngeldstellen nach § 12 des Bundeselterngeld- und Elternzeitgesetzes systematisch geführte personenbezogene Datenbestände zu Leistungsempfängern",
		LegalBasis: "§ 12 des Bundeselterngeld- und Elternzeitgesetzes", Law: "BEEG", Municipal: true, Fields: benefitFields},
	{Number: 30, Name: "Verzeichnis der gemäß § 14 der Gewerbeordnung angezeigten Gewerbebetriebe",
		LegalBasis: "§ 14 der Gewerbeordnung", Law: "GewO", Municipal: true,
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldDoctoralDegree | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldNationalities | idnr.FieldAddress},
	{Number: 31, Name: "Gewerbezentralregister", Law: "GewO",
		Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames | idnr.FieldBirthDate | idnr.FieldBirthPlace | idnr.FieldNationalities | idnr.FieldAddress},
	{Number: 32, Name: "Versichertenverzeichnis der Pflegekassen", Law: "SGB XI", Fields: benefitFields | idnr.FieldSex},
	{Number: 33, Name: "Register für Grundsicherung im Alter", Law: "SGB XII", Municipal: true, Fields: benefitFields},
	{Number: 34, Name: "Register für ergänzende Hilfe zum Lebensunterhalt", Law: "BVG", Municipal: true, Fields: benefitFields},
	{Number: 35, Name: "bei den Wohngeldbehörden nach § 24 des Wohngeldgesetzes systematisch geführte personenbezogene Datenbestände zu Leistungsempfängern",
		LegalBasis: "§ 24 des Wohngeldgesetzes", Law: "WoGG", Municipal: true, Fields: benefitFields},
	{Number: 36, Name: "bei den Ämtern für Ausbildungsförderung und dem Bundesverwaltungsamt nach den §§ 39 und 40 des Bundesausbildungsförderungsgesetzes systematisch geführte personenbezogene Datenbestände zu Leistungsempfängern",
		LegalBasis: "§§ 39 und 40 des Bundesausbildungsförderungsgesetzes", Law: "BAföG", Municipal: true,
		Fields: CoreFields | idnr.FieldBirthPlace | idnr.FieldAddress},
	{Number: 37, Name: "Register der Versorgungsämter", Law: "SGB XIV", Fields: benefitFields},
	{Number: 38, Name: "bei den für die Durchführung des Asylbewerberleistungsgesetzes zuständigen Behörden nach den §§ 10 und 10a des Asylbewerberleistungsgesetzes systematisch geführte personenbezogene Datenbestände zu Leistungsempfängern",
		LegalBasis: "§§ 10 und 10a des Asylbewerberleistungsgesetzes", Law: "AsylbLG", Municipal: true,
		Fields: benefitFields | idnr.FieldBirthPlace | idnr.FieldSex | idnr.FieldNationalities},
	{Number: 39, Name: "Vermittlerregister nach § 11a der Gewerbeordnung",
		LegalBasis: "§ 11a der Gewerbeordnung", Law: "GewO", Fields: CoreFields | idnr.FieldAddress},
	{Number: 40, Name: "Berufsregister der Steuerberater und Wirtschaftsprüfer", Law: "StBerG, WPO",
		Fields: CoreFields | idnr.FieldDoctoralDegree | idnr.FieldAddress},
	{Number: 41, Name: "Beitragskontendatenbank", Fields: benefitFields},
	{Number: 42, Name: "bei den öffentlichen Arbeitgebern in Bund, Ländern und Kommunen nach § 2 Absatz 1 des Finanz- und Personalstatistikgesetzes systematisch geführte personenbezogene Datenbestände über die Beschäftigten",
		LegalBasis: "§ 2 Absatz 1 des Finanz- und Personalstatistikgesetzes", Law: "FPStatG", Municipal: true,
		Fields: CoreFields | idnr.FieldSex | idnr.FieldAddress},
	{Number: 43, Name: "sämtliche von den Architekten- und Ingenieurkammern der Länder auf gesetzlicher Grundlage zu führenden Listen, Verzeichnisse oder Register",
		Fields: CoreFields | idnr.FieldDoctoralDegree | idnr.FieldAddress},
	{Number: 44, Name: "bei den Industrie- und Handelskammern geführten Verzeichnisse ihrer Mitglieder nach § 2 des Gesetzes zur vorläufigen Regelung des Rechts der Industrie- und Handelskammern",
		LegalBasis: "§ 2 des Gesetzes zur vorläufigen Regelung des Rechts der Industrie- und Handelskammern", Law: "IHKG",
		Fields: CoreFields | idnr.FieldAddress},
	{Number: 45, Name: "Krisenvorsorgeliste nach § 6 Absatz 3 des Konsulargesetzes",
		LegalBasis: "§ 6 Absatz 3 des Konsulargesetzes", Law: "KonsG", Fields: CoreFields | idnr.FieldNationalities | idnr.FieldAddress},
	{Number: 46, Name: "Zentrale Luftfahrerdatei", Law: "LuftVG", Fields: estimateWide},
	{Number: 47, Name: "Register für Betreiber von unbemannten und zulassungspflichtigen Fluggeräten", Law: "LuftVG",
		Fields: CoreFields | idnr.FieldAddress},
	{Number: 48, Name: "Luftfahrzeugrolle nach § 64 Absatz 1 Nummer 1 des Luftverkehrsgesetzes",
		LegalBasis: "§ 64 Absatz 1 Nummer 1 des Luftverkehrsgesetzes", Law: "LuftVG", Fields: CoreFields | idnr.FieldAddress},
	{Number: 49, Name: "Zulassungsregister nach § 14 des Umweltauditgesetzes",
		LegalBasis: "§ 14 des Umweltauditgesetzes", Law: "UAG", Fields: CoreFields | idnr.FieldAddress},
	{Number: 50, Name: "Verzeichnis über die Bescheinigungen über die Fahrzeugführerschulung nach Abschnitt 8.2.2 der Vorschriften für die Ausbildung der Fahrzeugbesatzung (sog. ADR-Infodatenbank) gemäß § 14 Absatz 3 der Gefahrgutverordnung Straße, Eisenbahn und Binnenschifffahrt",
		LegalBasis: "§ 14 Absatz 3 der Gefahrgutverordnung Straße, Eisenbahn und Binnenschifffahrt", Law: "GGVSEB",
		Fields: CoreFields | idnr.FieldBirthPlace | idnr.FieldNationalities},
}

// Profiles returns the 50 entries of the Anlage zu § 1 IDNrG
// ([AnlageVersion]) by number, as a copy.
func Profiles() []Profile {
	out := append([]Profile(nil), profiles...)
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// ProfileOf returns the profile of entry n of the Anlage, or ok == false if
// n is not 1..50.
func ProfileOf(n int) (Profile, bool) {
	for _, p := range profiles {
		if p.Number == n {
			return p, true
		}
	}
	return Profile{}, false
}
