package registers

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// The evidence text: how a register keeps the details of the documents it
// verified fields against, in one column (sqlregister's Columns.Evidence)
// or wherever a vendor's Reader finds them. It is a JSON array of objects
//
//	[{"fields":"family_name+birth_date","kind":"birth_certificate",
//	  "reference":"G 1234/1980","date":"1980-03-14",
//	  "authority":"Standesamt Bremen-Mitte"},
//	 {"fields":"death_date","kind":"other","kind_text":"Todesbescheinigung",
//	  "reference":"LS-77","date":"2026-02-02","authority":"Gesundheitsamt"}]
//
// with the members of [ida.Evidence]: fields as field tokens joined by
// "+", kind as a token of [ida.DocumentKind], kind_text only for "other",
// date as YYYY-MM-DD (or the register's DDMMYYYY). Unknown members,
// tokens or kinds are errors; an empty text is no evidence.

// MaxEvidenceText bounds an evidence text (bytes).
const MaxEvidenceText = 16 << 10

type evidenceText struct {
	Fields    string `json:"fields"`
	Kind      string `json:"kind"`
	KindText  string `json:"kind_text,omitempty"`
	Reference string `json:"reference"`
	Date      string `json:"date"`
	Authority string `json:"authority"`
}

// EvidenceError says why an evidence text cannot be read: the item and the
// member, never the value.
type EvidenceError struct {
	Index  int    // item, or -1 for the text as a whole
	Field  string // member, e.g. "date"
	Reason string
}

func (e *EvidenceError) Error() string {
	at := "registers: evidence"
	if e.Index >= 0 {
		at += "[" + strconv.Itoa(e.Index) + "]"
	}
	if e.Field != "" {
		at += "." + e.Field
	}
	return at + ": " + e.Reason
}

// ParseEvidence reads an evidence text. It checks the form (known field
// tokens and kinds, a readable date); the content (required members,
// bounds, dates not in the future) is checked where the evidence is used
// ([ida.Evidence.ValidateAt], [Sync]).
func ParseEvidence(text string) ([]ida.Evidence, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if len(text) > MaxEvidenceText {
		return nil, &EvidenceError{Index: -1, Reason: "longer than " + strconv.Itoa(MaxEvidenceText) + " bytes"}
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var items []evidenceText
	if err := dec.Decode(&items); err != nil {
		return nil, &EvidenceError{Index: -1, Reason: "not a JSON array of evidence objects"}
	}
	if dec.More() {
		return nil, &EvidenceError{Index: -1, Reason: "trailing data"}
	}
	if len(items) > ida.MaxEvidence {
		return nil, &EvidenceError{Index: -1, Reason: "more than " + strconv.Itoa(ida.MaxEvidence) + " items"}
	}
	out := make([]ida.Evidence, len(items))
	for i, it := range items {
		e := &out[i]
		for _, t := range strings.Split(it.Fields, "+") {
			f, ok := idnr.ParseField(strings.TrimSpace(t))
			if !ok {
				return nil, &EvidenceError{Index: i, Field: "fields", Reason: "unknown field token"}
			}
			e.Fields |= f
		}
		k, ok := ida.ParseDocumentKind(it.Kind)
		if !ok {
			return nil, &EvidenceError{Index: i, Field: "kind", Reason: "unknown kind of document"}
		}
		e.Kind, e.KindText, e.Reference, e.Authority = k, it.KindText, it.Reference, it.Authority
		if it.Date != "" {
			d, err := idnr.ParseDate(it.Date)
			if err != nil {
				return nil, &EvidenceError{Index: i, Field: "date", Reason: "not a date"}
			}
			e.Date = d
		}
	}
	return out, nil
}

// FormatEvidence writes the evidence text of ev (the inverse of
// [ParseEvidence]); "" for none.
func FormatEvidence(ev []ida.Evidence) string {
	if len(ev) == 0 {
		return ""
	}
	items := make([]evidenceText, len(ev))
	for i, e := range ev {
		items[i] = evidenceText{Fields: strings.Join(e.Fields.Tokens(), "+"), Kind: e.Kind.String(), KindText: e.KindText,
			Reference: e.Reference, Authority: e.Authority}
		if !e.Date.IsZero() {
			items[i].Date = e.Date.String()
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(items)
	return strings.TrimSpace(b.String())
}
