package ida

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/regmo/regmo/idnr"
)

// Kind is the kind of a request message.
type Kind uint8

// The request kinds of the identity data retrieval.
const (
	KindUnknown     Kind = iota
	KindLookup           // lookup by IDNr and birth date (§ 6 Abs. 3 Nr. 3 IDNrG)
	KindSearch           // search by family name, residence, postcode and birth date (§ 6 Abs. 3 Nr. 1)
	KindFallback         // fallback search by family name, given names and birth date (§ 6 Abs. 3 Nr. 2)
	KindBulk             // many searches in one message (initial fill)
	KindInaccuracy       // report of suspected inaccuracy (§ 10 Abs. 4 IDNrG)
	KindLastContact      // date of the last administrative contact (§ 4 Abs. 3 and 4 IDNrG)
	// KindClarifications fetches the BVA's requests to help clarify an
	// error (§ 10 Abs. 5 IDNrG); KindClarificationReply answers one.
	KindClarifications
	KindClarificationReply
)

var kindText = [...]string{"", "lookup", "search", "fallback", "bulk", "inaccuracy", "last-contact", "clarifications", "clarification-reply"}

// String returns the kind's token, as used on the wire and in the policy.
func (k Kind) String() string {
	if int(k) < len(kindText) {
		return kindText[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// MaxText is the maximum length in characters of the text fields of [Auth]
// (as BMeldDAV § 11 bounds protocol fields).
const MaxText = 120

// maxName bounds names and other free-text fields of a request.
const maxName = 200

// Auth says who asks, why, and for which fields (the authorisation concept,
// § 8 IDNrG). Every request carries one; the client checks it against its
// [Policy] before anything is sent, and writes it into the protocol.
type Auth struct {
	// Role is the role of the actor in the register's authorisation
	// concept, e.g. "melde-sachbearbeitung" or "erstbefuellung" (required).
	Role string
	// Actor is the user ID of the clerk or, for a machine procedure, the
	// procedure's name (required).
	Actor string
	// Purpose is why the data are needed (required).
	Purpose string
	// LegalBasis is the legal basis, e.g. "§ 6 Abs. 3 IDNrG" (required).
	LegalBasis string
	// FileRef is the Aktenzeichen, if any.
	FileRef string
	// Fields are the fields the caller needs (required, not empty). The
	// IDNr is always included. Answers never carry more.
	Fields idnr.Fields
}

func (a *Auth) validate() error {
	check := func(field, v string, required bool) error {
		if v == "" {
			if required {
				return &FieldError{Index: -1, Field: "Auth." + field, Reason: "required"}
			}
			return nil
		}
		if r := textProblem(v, MaxText); r != "" {
			return &FieldError{Index: -1, Field: "Auth." + field, Reason: r}
		}
		return nil
	}
	if err := check("Role", a.Role, true); err != nil {
		return err
	}
	if err := check("Actor", a.Actor, true); err != nil {
		return err
	}
	if err := check("Purpose", a.Purpose, true); err != nil {
		return err
	}
	if err := check("LegalBasis", a.LegalBasis, true); err != nil {
		return err
	}
	if err := check("FileRef", a.FileRef, false); err != nil {
		return err
	}
	if a.Fields&idnr.AllFields == 0 {
		return &FieldError{Index: -1, Field: "Auth.Fields", Reason: "required: name the fields needed"}
	}
	if a.Fields&^idnr.AllFields != 0 {
		return &FieldError{Index: -1, Field: "Auth.Fields", Reason: "unknown field bits"}
	}
	return nil
}

// textProblem returns why s is not acceptable free text, or "".
func textProblem(s string, max int) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if utf8.RuneCountInString(s) > max {
		return "longer than " + strconv.Itoa(max) + " characters"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "contains a control character"
		}
	}
	return ""
}

// SearchKind is the kind of a search by basic data.
type SearchKind uint8

const (
	// ByResidence is the search of § 6 Abs. 3 Nr. 1 IDNrG: family name,
	// residence (City), postal code and birth date, at least.
	ByResidence SearchKind = iota
	// ByName is the fallback search of § 6 Abs. 3 Nr. 2 IDNrG, for when
	// residence and postal code are unknown: family name, given names and
	// birth date, at least.
	ByName
)

// Search is a search by basic data. It holds only § 4 Abs. 2 IDNrG data by
// construction; which fields must be filled depends on Kind.
type Search struct {
	Kind SearchKind

	FamilyName string    // required
	GivenNames string    // required for ByName; optional for ByResidence
	BirthDate  idnr.Date // required (a partial date is allowed; it is sent as it is)
	PostalCode string    // required for ByResidence: 5 digits
	City       string    // residence (Wohnort); required for ByResidence

	// Optional § 4 Abs. 2 data that the BVA may use to narrow the search.
	Street      string
	HouseNumber string
	BirthPlace  string
	Sex         idnr.Sex
}

// Kind returns the request kind of a single search of kind k (KindSearch or KindFallback).
func (k SearchKind) Kind() Kind {
	if k == ByName {
		return KindFallback
	}
	return KindSearch
}

// Validate checks the minimum fields of s and the form of every field. The
// error is a *[FieldError] naming the field; it never contains the value.
func (s *Search) Validate() error { return s.validate(-1) }

func (s *Search) validate(index int) error {
	fe := func(field, reason string) error {
		return &FieldError{Index: index, Field: "Search." + field, Reason: reason}
	}
	switch s.Kind {
	case ByResidence, ByName:
	default:
		return fe("Kind", "unknown search kind")
	}
	name := func(field, v string, required bool) error {
		if v == "" {
			if required {
				return fe(field, "required")
			}
			return nil
		}
		if r := textProblem(v, maxName); r != "" {
			return fe(field, r)
		}
		if !hasLetter(v) {
			return fe(field, "contains no letter")
		}
		t := idnr.DataTypeA
		if field == "City" {
			t = idnr.DataTypeB
		}
		return dinCheck(index, "Search."+field, v, t)
	}
	if err := name("FamilyName", s.FamilyName, true); err != nil {
		return err
	}
	if err := name("GivenNames", s.GivenNames, s.Kind == ByName); err != nil {
		return err
	}
	if s.BirthDate.IsZero() {
		return fe("BirthDate", "required")
	}
	if s.Kind == ByResidence {
		if s.PostalCode == "" {
			return fe("PostalCode", "required")
		}
		if !idnr.IsPostalCode(s.PostalCode) {
			return fe("PostalCode", "not 5 digits")
		}
		if err := name("City", s.City, true); err != nil {
			return err
		}
	} else {
		if s.PostalCode != "" && !idnr.IsPostalCode(s.PostalCode) {
			return fe("PostalCode", "not 5 digits")
		}
		if err := name("City", s.City, false); err != nil {
			return err
		}
	}
	if r := textProblem(s.Street, maxName); r != "" {
		return fe("Street", r)
	}
	if r := textProblem(s.HouseNumber, 20); r != "" {
		return fe("HouseNumber", r)
	}
	if r := textProblem(s.BirthPlace, maxName); r != "" {
		return fe("BirthPlace", r)
	}
	if err := dinCheck(index, "Search.Street", s.Street, idnr.DataTypeB); err != nil {
		return err
	}
	if err := dinCheck(index, "Search.HouseNumber", s.HouseNumber, idnr.DataTypeB); err != nil {
		return err
	}
	if err := dinCheck(index, "Search.BirthPlace", s.BirthPlace, idnr.DataTypeB); err != nil {
		return err
	}
	if s.Sex > idnr.Unspecified {
		return fe("Sex", "unknown code")
	}
	return nil
}

// dinCheck refuses characters outside DIN 91379 data type t, naming the
// offending code points, never the value.
func dinCheck(index int, field, v string, t idnr.DataType) error {
	err := idnr.CheckName(v, t)
	if err == nil {
		return nil
	}
	reason := "characters outside DIN 91379 data type " + t.String()
	var ie *idnr.FieldError
	if errors.As(err, &ie) {
		for i, r := range ie.CodePoints {
			if i == 0 {
				reason += " ("
			} else {
				reason += ", "
			}
			if i == 5 {
				reason += "..."
				break
			}
			reason += fmt.Sprintf("U+%04X", r)
		}
		if len(ie.CodePoints) > 0 {
			reason += ")"
		}
	}
	return &FieldError{Index: index, Field: field, Reason: reason, Err: err}
}

// normalize brings the names of s into NFC, the form DIN 91379 expects.
func (s *Search) normalize() {
	s.FamilyName = idnr.NormalizeName(s.FamilyName)
	s.GivenNames = idnr.NormalizeName(s.GivenNames)
	s.City = idnr.NormalizeName(s.City)
	s.Street = idnr.NormalizeName(s.Street)
	s.BirthPlace = idnr.NormalizeName(s.BirthPlace)
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// Lookup asks for the basic data of the person with the given IDNr (§ 6 Abs.
// 3 Nr. 3 IDNrG). Both fields are required.
type Lookup struct {
	IDNr      idnr.IDNr
	BirthDate idnr.Date
}

// Validate checks that both fields are present.
func (l *Lookup) Validate() error {
	if l.IDNr.IsZero() {
		return &FieldError{Index: -1, Field: "Lookup.IDNr", Reason: "required"}
	}
	if l.BirthDate.IsZero() {
		return &FieldError{Index: -1, Field: "Lookup.BirthDate", Reason: "required"}
	}
	return nil
}

// InaccuracyReport tells the BVA that this body has concrete signs that the
// BZSt's basic data of a person are wrong (§ 10 Abs. 4 IDNrG).
type InaccuracyReport struct {
	IDNr idnr.IDNr // required
	// Fields are the fields suspected to be wrong (required, not empty).
	Fields idnr.Fields
	// Held are the values this body holds, of which only the Fields are
	// sent (optional; the IDNr in Held is ignored).
	Held idnr.Person
	// Reason is a short reason code or text without personal data
	// (required, at most 120 characters), e.g. "death-registered".
	Reason string
	// Evidence backs the report: every field of Fields must be proved by
	// at least one item (the BVA counts only backed deviations), and no
	// item may prove a field that is not reported. At most [MaxEvidence].
	Evidence []Evidence
}

// Validate checks the report, the evidence included (a document date
// must not lie after time.Now; the client checks against its Clock).
// The error is a *[FieldError] naming the field
// ("InaccuracyReport.Evidence[0].Date", or "InaccuracyReport.Evidence" with
// the reason "no evidence for family_name"), never a value.
func (r *InaccuracyReport) Validate() error { return r.ValidateAt(time.Now()) }

// ValidateAt is Validate with the document dates bounded by now (a
// receiver checks against its own clock).
func (r *InaccuracyReport) ValidateAt(now time.Time) error {
	if r.IDNr.IsZero() {
		return &FieldError{Index: -1, Field: "InaccuracyReport.IDNr", Reason: "required"}
	}
	if r.Fields&idnr.AllFields == 0 || r.Fields&^idnr.AllFields != 0 || r.Fields == idnr.FieldIDNr {
		return &FieldError{Index: -1, Field: "InaccuracyReport.Fields", Reason: "required: the fields suspected wrong"}
	}
	if r.Reason == "" {
		return &FieldError{Index: -1, Field: "InaccuracyReport.Reason", Reason: "required"}
	}
	if p := textProblem(r.Reason, MaxText); p != "" {
		return &FieldError{Index: -1, Field: "InaccuracyReport.Reason", Reason: p}
	}
	return validateEvidence("InaccuracyReport.Evidence", r.Evidence, r.Fields, now)
}

// LastContact reports the month and year of this body's last administrative
// contact with the person (§ 4 Abs. 3 and 4 IDNrG).
type LastContact struct {
	IDNr idnr.IDNr      // required
	Date idnr.MonthYear // required
}

// Validate checks the report.
func (l *LastContact) Validate() error {
	if l.IDNr.IsZero() {
		return &FieldError{Index: -1, Field: "LastContact.IDNr", Reason: "required"}
	}
	if l.Date.IsZero() {
		return &FieldError{Index: -1, Field: "LastContact.Date", Reason: "required"}
	}
	if _, err := l.Date.MarshalText(); err != nil {
		return &FieldError{Index: -1, Field: "LastContact.Date", Reason: "month or year out of range"}
	}
	return nil
}
