package idnr

import (
	"fmt"
	"log/slog"
	"strings"
)

// Person is the basic data (Basisdaten) of one natural person as § 4 IDNrG
// names them, and nothing else: Abs. 2 (IDNr, names, doctoral degree, date
// and place of birth, sex, nationalities, current or last known address,
// date of death, dates of moving in and out) and Abs. 3 (information blocks
// under the Bundesmeldegesetz, month and year of the last administrative
// contact). Library bookkeeping such as "last updated" is deliberately not
// part of it.
//
// Names are kept unstructured, as registers keep them since 2015: prefixes
// and titles of nobility ("Graf von Neuenwalde") are part of FamilyName; the
// doctoral degree is its own field and never part of a name.
//
// A Person is personal data: fmt and log/slog print only a masked summary
// (see [Person.LogValue]).
type Person struct {
	IDNr IDNr

	// FamilyName is the current family name (Familienname).
	FamilyName string
	// FormerNames are earlier names (frühere Namen): birth name, names
	// before a change, religious and artist names.
	FormerNames []string
	// FormerNameKinds gives the kind of FormerNames[i] where known; it may
	// be shorter than FormerNames (missing kinds are unknown).
	FormerNameKinds []NameKind
	// GivenNames are the given names (Vornamen) in order, separated by
	// single spaces; a hyphenated name ("Hans-Georg") is one name.
	GivenNames string
	// DoctoralDegree is the Doktorgrad, e.g. "Dr." or "Dr. med.".
	DoctoralDegree string

	BirthDate  Date
	BirthPlace Place
	Sex        Sex
	// Nationalities are the Staatsangehörigkeiten as codes (for example the
	// ISO 3166-1 alpha-3 code "DEU" or the register's own key); order is
	// not significant.
	Nationalities []string

	// Address is the current or last known address.
	Address Address

	DeathDate   Date
	MoveInDate  Date // Tag des Einzugs
	MoveOutDate Date // Tag des Auszugs

	// InformationBlocks are the Auskunftssperren under the Bundesmeldegesetz.
	InformationBlocks []InformationBlock
	// LastContact is the month and year of the last administrative contact
	// (Datum des letzten Verwaltungskontakts, § 4 Abs. 3 IDNrG).
	LastContact MonthYear
}

// Place is a place of birth: the municipality (or place) and, for places
// abroad, the country.
type Place struct {
	City    string
	Country string // empty for Germany; otherwise the country name or code
}

// Address is a current or last known address.
type Address struct {
	Street      string
	HouseNumber string // with letter and parts: "12a", "7-9", "3 1/2"
	Supplement  string // Anschriftenzusatz: "c/o ...", "Hinterhaus"
	PostalCode  string
	City        string
	// MunicipalityKey is the Amtlicher Gemeindeschlüssel (8 digits).
	MunicipalityKey string
	Country         string // empty for Germany
}

// IsZero reports whether no part of the address is known.
func (a Address) IsZero() bool { return a == Address{} }

// NameKind is the kind of a former name.
type NameKind uint8

const (
	NameKindUnknown  NameKind = iota
	BirthName                 // Geburtsname
	NameBeforeChange          // Familienname vor Änderung
	ReligiousName             // Ordensname
	ArtistName                // Künstlername
)

var nameKindText = [...]string{"", "birth", "before-change", "religious", "artist"}

// String returns a short stable token: "birth", "before-change",
// "religious", "artist", or "" for unknown.
func (k NameKind) String() string {
	if int(k) < len(nameKindText) {
		return nameKindText[k]
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler.
func (k NameKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *NameKind) UnmarshalText(text []byte) error {
	for i, t := range nameKindText {
		if t == string(text) {
			*k = NameKind(i)
			return nil
		}
	}
	return &FieldError{Field: "FormerNameKinds", Reason: "unknown name kind"}
}

// InformationBlock is an Auskunftssperre under the Bundesmeldegesetz.
type InformationBlock uint8

const (
	BlockNone InformationBlock = iota
	// BlockRisk is the Auskunftssperre of § 51 BMG (risk to life, health,
	// personal freedom or similar interests).
	BlockRisk
	// BlockConditional is the bedingter Sperrvermerk of § 52 BMG
	// (institutions such as prisons, shelters, hospitals).
	BlockConditional
)

var blockText = [...]string{"", "bmg51", "bmg52"}

// String returns "bmg51", "bmg52", or "".
func (b InformationBlock) String() string {
	if int(b) < len(blockText) {
		return blockText[b]
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler.
func (b InformationBlock) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *InformationBlock) UnmarshalText(text []byte) error {
	for i, t := range blockText {
		if i > 0 && t == string(text) {
			*b = InformationBlock(i)
			return nil
		}
	}
	return &FieldError{Field: "InformationBlocks", Reason: "unknown information block"}
}

// FormerNameKind returns the kind of FormerNames[i], or NameKindUnknown.
func (p *Person) FormerNameKind(i int) NameKind {
	if i < len(p.FormerNameKinds) {
		return p.FormerNameKinds[i]
	}
	return NameKindUnknown
}

// HasInformationBlock reports whether any Auskunftssperre is set.
func (p *Person) HasInformationBlock() bool {
	for _, b := range p.InformationBlocks {
		if b != BlockNone {
			return true
		}
	}
	return false
}

// LogValue implements slog.LogValuer. It logs what helps an operator and
// nothing that identifies the person: the masked IDNr, how complete the
// birth date is, and which fields are filled.
func (p Person) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("idnr", p.IDNr.Masked()),
		slog.String("birth", p.BirthDate.Masked()),
		slog.Int("given_names", countParts(p.GivenNames)),
		slog.Int("former_names", len(p.FormerNames)),
		slog.Bool("address", !p.Address.IsZero()),
	)
}

// Format implements fmt.Formatter with the same masked summary, so that a
// Person printed by mistake does not leak.
func (p Person) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "Person{IDNr:%s Birth:%s GivenNames:%d FormerNames:%d}",
		p.IDNr.Masked(), p.BirthDate.Masked(), countParts(p.GivenNames), len(p.FormerNames))
}

func countParts(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// FieldError reports a field of the basic data that is invalid. It names the
// field and the reason, and for names the offending characters by code
// point, never the value itself.
type FieldError struct {
	Field      string // Go field path, e.g. "FamilyName" or "Address.Street"
	Reason     string
	CodePoints []rune // offending characters, if the reason is the character set
	Err        error  // underlying sentinel, if any
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("idnr: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if len(e.CodePoints) > 0 {
		b.WriteString(" (")
		for i, r := range e.CodePoints {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "U+%04X", r)
		}
		b.WriteString(")")
	}
	return b.String()
}

func (e *FieldError) Unwrap() error { return e.Err }
