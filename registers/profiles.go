package registers

import "sort"

// Profile describes one register of the Anlage zu § 1 IDNrG: its number in
// the Anlage, its name (as the protocol and the Datenschutzcockpit name
// it), and the basic data it keeps, so that a vendor starts from the right
// field set (ida.Auth.Fields, the column mapping) and asks for no more
// data than the register keeps.
type Profile struct {
	// Number is the entry's number in the Anlage zu § 1 IDNrG.
	Number int
	// Name is the register's name.
	Name string
	// Law is the law that governs the register, where known.
	Law string
	// Municipal says the register is kept by municipalities (or districts).
	Municipal bool
	// Fields are the basic data of § 4 IDNrG the register keeps.
	Fields Fields
	// Verified says that the number and name were checked against the
	// source named in the package documentation; Fields are a starting
	// point drawn from the register's own law and must be checked by the
	// vendor either way.
	Verified bool
}

// Sources and limits of the profile table.
//
// The Anlage zu § 1 IDNrG lists 50 registers. The numbers and names below
// are those confirmed by the project's domain notes (docs: shared
// domain.md, section "The registers", drawn from the Anlage): 1, 2, 3, 13,
// 15, 16, 18, 19, 21, 22, 23, 27, 28, 30, 31, 35, 36, 44. The law text of
// the Anlage itself could not be retrieved while this table was written,
// so the other 32 entries are NOT listed rather than guessed: [ProfileOf]
// returns ok == false for them, and a vendor whose register is among them
// defines its own Profile (Number, Name, Fields) with Verified false.
//
// The field sets are what each register's own law has it keep of the
// § 4 basic data, as a starting point; they are not part of the Anlage.
var profiles = []Profile{
	{Number: 1, Name: "Melderegister", Law: "BMG", Municipal: true, Verified: true,
		Fields: AllFields},
	{Number: 2, Name: "Personenstandsregister", Law: "PStG", Municipal: true, Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldBirthDate | FieldBirthPlace | FieldSex | FieldNationalities | FieldDeathDate},
	{Number: 3, Name: "Ausländerzentralregister", Law: "AZRG", Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldBirthDate | FieldBirthPlace | FieldSex | FieldNationalities | FieldAddress | FieldDeathDate},
	{Number: 13, Name: "eID-Karte-Register", Law: "eIDKG", Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldDoctoralDegree | FieldBirthDate | FieldBirthPlace | FieldNationalities | FieldAddress},
	{Number: 15, Name: "Zentrales Fahrzeugregister", Law: "StVG", Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldGivenNames | FieldDoctoralDegree | FieldBirthDate | FieldBirthPlace | FieldAddress},
	{Number: 16, Name: "Zentrales Fahrerlaubnisregister", Law: "StVG", Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldDoctoralDegree | FieldBirthDate | FieldBirthPlace | FieldSex | FieldAddress},
	{Number: 18, Name: "Lehrlingsrolle", Law: "HwO", Verified: true,
		Fields: CoreFields | FieldBirthPlace | FieldAddress},
	{Number: 19, Name: "Handwerksrolle", Law: "HwO", Verified: true,
		Fields: CoreFields | FieldBirthPlace | FieldAddress},
	{Number: 21, Name: "Personalausweisregister", Law: "PAuswG", Municipal: true, Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldDoctoralDegree | FieldBirthDate | FieldBirthPlace | FieldSex | FieldNationalities | FieldAddress},
	{Number: 22, Name: "Passregister", Law: "PassG", Municipal: true, Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldDoctoralDegree | FieldBirthDate | FieldBirthPlace | FieldSex | FieldNationalities | FieldAddress},
	{Number: 23, Name: "Ausländerdateien", Law: "AufenthG", Municipal: true, Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldBirthDate | FieldBirthPlace | FieldSex | FieldNationalities | FieldAddress},
	{Number: 27, Name: "Bundeszentralregister", Law: "BZRG", Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldBirthDate | FieldBirthPlace | FieldSex | FieldNationalities | FieldAddress},
	{Number: 28, Name: "Nationales Waffenregister", Law: "NWRG", Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldDoctoralDegree | FieldBirthDate | FieldBirthPlace | FieldNationalities | FieldAddress},
	{Number: 30, Name: "Gewerbeanzeigen (§ 14 GewO)", Law: "GewO", Municipal: true, Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldGivenNames | FieldDoctoralDegree | FieldBirthDate | FieldBirthPlace | FieldNationalities | FieldAddress},
	{Number: 31, Name: "Gewerbezentralregister", Law: "GewO", Verified: true,
		Fields: FieldIDNr | FieldFamilyName | FieldFormerNames | FieldGivenNames | FieldBirthDate | FieldBirthPlace | FieldNationalities | FieldAddress},
	{Number: 35, Name: "Wohngeldbehörden", Law: "WoGG", Municipal: true, Verified: true,
		Fields: CoreFields | FieldAddress},
	{Number: 36, Name: "BAföG", Law: "BAföG", Verified: true,
		Fields: CoreFields | FieldBirthPlace | FieldAddress},
	{Number: 44, Name: "IHK-Mitgliederverzeichnisse", Law: "IHKG", Verified: true,
		Fields: CoreFields | FieldAddress},
}

// NumAnlageRegisters is the number of registers in the Anlage zu § 1 IDNrG.
const NumAnlageRegisters = 50

// Profiles returns the known register profiles by number (a copy).
func Profiles() []Profile {
	out := append([]Profile(nil), profiles...)
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// ProfileOf returns the profile of register number n of the Anlage, or ok
// == false if n is not in the table (see the note on sources).
func ProfileOf(n int) (Profile, bool) {
	for _, p := range profiles {
		if p.Number == n {
			return p, true
		}
	}
	return Profile{}, false
}
