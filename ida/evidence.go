package ida

import (
	"errors"
	"strconv"
	"time"

	"github.com/regmo/regmo/idnr"
)

// DocumentKind is the kind of document that proves a field of a report of
// inaccuracy (§ 10 Abs. 4 IDNrG): a small closed set, with [DocOther] and a
// text for anything else.
type DocumentKind uint8

// The kinds of documents. Their tokens (String) are the wire form; German
// gives the name a clerk reads.
const (
	DocUnknown                DocumentKind = iota
	DocBirthCertificate                    // Geburtsurkunde
	DocMarriageCertificate                 // Eheurkunde
	DocPartnershipCertificate              // Lebenspartnerschaftsurkunde
	DocDeathCertificate                    // Sterbeurkunde
	DocCivilStatusExtract                  // beglaubigter Registerausdruck (Personenstandsregister)
	DocNameChange                          // Namensänderungsurkunde
	DocNaturalisation                      // Einbürgerungsurkunde
	DocIDCard                              // Personalausweis
	DocPassport                            // Reisepass
	DocResidencePermit                     // Aufenthaltstitel
	DocRegistrationExtract                 // Melderegisterauskunft
	DocDoctoralCertificate                 // Promotionsurkunde
	DocOther                               // sonstiges Dokument (mit Bezeichnung)
	numDocKinds
)

var docTokens = [numDocKinds]string{"", "birth_certificate", "marriage_certificate", "partnership_certificate",
	"death_certificate", "civil_status_extract", "name_change", "naturalisation", "id_card", "passport",
	"residence_permit", "registration_extract", "doctoral_certificate", "other"}

var docGerman = [numDocKinds]string{"", "Geburtsurkunde", "Eheurkunde", "Lebenspartnerschaftsurkunde",
	"Sterbeurkunde", "Beglaubigter Registerausdruck", "Namensänderungsurkunde", "Einbürgerungsurkunde",
	"Personalausweis", "Reisepass", "Aufenthaltstitel", "Melderegisterauskunft", "Promotionsurkunde",
	"Sonstiges Dokument"}

// DocumentKinds returns every known kind, in order (for forms and docs).
func DocumentKinds() []DocumentKind {
	out := make([]DocumentKind, 0, numDocKinds-1)
	for k := DocBirthCertificate; k < numDocKinds; k++ {
		out = append(out, k)
	}
	return out
}

// String returns the kind's wire token, e.g. "birth_certificate".
func (k DocumentKind) String() string {
	if k > 0 && k < numDocKinds {
		return docTokens[k]
	}
	return "document(" + strconv.Itoa(int(k)) + ")"
}

// German returns the German name, e.g. "Geburtsurkunde".
func (k DocumentKind) German() string {
	if k > 0 && k < numDocKinds {
		return docGerman[k]
	}
	return k.String()
}

// ParseDocumentKind reads a token (as String writes it).
func ParseDocumentKind(s string) (DocumentKind, bool) {
	for i := 1; i < int(numDocKinds); i++ {
		if docTokens[i] == s {
			return DocumentKind(i), true
		}
	}
	return DocUnknown, false
}

// MarshalText writes the token; an unknown kind is an error.
func (k DocumentKind) MarshalText() ([]byte, error) {
	if k == DocUnknown || k >= numDocKinds {
		return nil, errDocKind
	}
	return []byte(docTokens[k]), nil
}

// UnmarshalText reads a token; an unknown one is an error that does not
// quote it.
func (k *DocumentKind) UnmarshalText(b []byte) error {
	x, ok := ParseDocumentKind(string(b))
	if !ok {
		return errDocKind
	}
	*k = x
	return nil
}

// Bounds of the texts of an [Evidence].
const (
	// MaxEvidence is the most evidence items one report or reply carries.
	MaxEvidence = 16
	// MaxReference bounds Evidence.Reference and Evidence.KindText.
	MaxReference = 120
	// MaxAuthority bounds Evidence.Authority.
	MaxAuthority = 200
)

// Evidence is the proof of one or more fields of a report of inaccuracy:
// the document the register checked the fields against. The BVA counts a
// deviation only when it is backed by evidence (§ 10 Abs. 4 IDNrG), so every
// reported field needs one.
type Evidence struct {
	// Fields are the fields the document proves (required; not the IDNr).
	Fields idnr.Fields
	// Kind is the kind of document (required).
	Kind DocumentKind
	// KindText names the document when Kind is DocOther (required then,
	// empty otherwise; at most MaxReference characters).
	KindText string
	// Reference is the document's number or the reference (Aktenzeichen,
	// Registernummer) under which it is kept (required; at most
	// MaxReference characters).
	Reference string
	// Date is the date of issue (required, complete, not in the future).
	Date idnr.Date
	// Authority is the issuing authority, e.g. "Standesamt Bremen-Mitte"
	// (required; at most MaxAuthority characters).
	Authority string
}

// ValidateAt checks one item on its own (the fields it proves, the kind,
// the texts, the date not after now). The error is a *[FieldError] naming
// the field ("Evidence.Authority"), never the value.
func (e *Evidence) ValidateAt(now time.Time) error {
	return e.validate("Evidence", -1, now)
}

// validate checks e as item i of the named list; now bounds the date.
// Errors name the field, never the value.
func (e *Evidence) validate(list string, i int, now time.Time) error {
	at := list
	if i >= 0 {
		at += "[" + strconv.Itoa(i) + "]"
	}
	fe := func(field, reason string) error {
		return &FieldError{Index: -1, Field: at + "." + field, Reason: reason}
	}
	if e.Fields&idnr.AllFields == 0 || e.Fields&^idnr.AllFields != 0 || e.Fields&idnr.FieldIDNr != 0 {
		return fe("Fields", "required: the fields the document proves (not the IDNr)")
	}
	if e.Kind == DocUnknown || e.Kind >= numDocKinds {
		return fe("Kind", "required: a known kind of document")
	}
	if e.Kind == DocOther {
		if e.KindText == "" {
			return fe("KindText", "required for kind other")
		}
	} else if e.KindText != "" {
		return fe("KindText", "only for kind other")
	}
	if r := textProblem(e.KindText, MaxReference); r != "" {
		return fe("KindText", r)
	}
	if e.Reference == "" {
		return fe("Reference", "required")
	}
	if r := textProblem(e.Reference, MaxReference); r != "" {
		return fe("Reference", r)
	}
	if e.Date.IsZero() {
		return fe("Date", "required")
	}
	if !e.Date.IsComplete() {
		return fe("Date", "not a complete date")
	}
	if t, err := e.Date.Time(); err != nil || t.After(now) {
		return fe("Date", "in the future")
	}
	if e.Authority == "" {
		return fe("Authority", "required")
	}
	if r := textProblem(e.Authority, MaxAuthority); r != "" {
		return fe("Authority", r)
	}
	return nil
}

// validateEvidence checks the list ev against the fields it must back:
// every item valid, at most MaxEvidence, no item proving a field outside
// fields, and every field of fields proved by at least one item.
func validateEvidence(list string, ev []Evidence, fields idnr.Fields, now time.Time) error {
	if len(ev) > MaxEvidence {
		return &FieldError{Index: -1, Field: list, Reason: "more than " + strconv.Itoa(MaxEvidence) + " items"}
	}
	var proved idnr.Fields
	for i := range ev {
		if err := ev[i].validate(list, i, now); err != nil {
			return err
		}
		if extra := ev[i].Fields &^ fields; extra != 0 {
			return &FieldError{Index: -1, Field: list + "[" + strconv.Itoa(i) + "].Fields",
				Reason: "proves fields not reported (" + extra.String() + ")"}
		}
		proved |= ev[i].Fields
	}
	if missing := fields &^ idnr.FieldIDNr &^ proved; missing != 0 {
		return &FieldError{Index: -1, Field: list, Reason: "no evidence for " + missing.String()}
	}
	return nil
}

var errDocKind = errors.New("ida: unknown kind of document")
