package audit

import (
	"fmt"
	"unicode/utf8"

	"github.com/regmo/regmo/idnr"
)

// Bounds of the record fields.
const (
	MaxText       = 120       // characters, for every text field (BMeldDAV § 11)
	MaxContent    = 64 << 10  // bytes of Record.Content
	MaxCategories = 64        // entries in Record.Categories
	MaxDetail     = 1024      // characters of TransportEvent.Detail
	maxKind       = MaxText   // characters of TransportEvent.Kind
	maxEncoded    = 128 << 10 // bytes of an encoded record, a safe upper bound
)

func checkText(idx int, field, v string, required bool, max int) error {
	if v == "" {
		if required {
			return &FieldError{Index: idx, Field: field, Reason: "required"}
		}
		return nil
	}
	if !utf8.ValidString(v) {
		return &FieldError{Index: idx, Field: field, Reason: "not valid UTF-8"}
	}
	if utf8.RuneCountInString(v) > max {
		return &FieldError{Index: idx, Field: field, Reason: fmt.Sprintf("longer than %d characters", max)}
	}
	return nil
}

// Validate reports the first field of r that is missing, out of range or
// too long, as a [*FieldError] with Index -1. It never reports a value.
//
// Required: MessageID, Time (Append fills a zero Time), Direction, Own.Name
// or Own.ID, Counterpart.Name or Counterpart.ID, Purpose, LegalBasis,
// Actor, IDNr and Result, and Reason when Result is Rejected. Text fields
// hold at most [MaxText] characters of valid UTF-8, Content at most
// [MaxContent] bytes. Items (at most [MaxItems], never beside Content) each
// name exactly one known field and a part that fits it ([Item]) and hold a
// value of 1..[MaxItemValue] characters of valid UTF-8 without control,
// format or separator characters; their values together hold at most
// [MaxContent] bytes. An item's error names its position, field and part
// ("Items[3].address.street"), never its value.
func (r *Record) Validate() error { return r.validate(-1) }

func (r *Record) validate(i int) error {
	if r.MessageID == [16]byte{} {
		return &FieldError{Index: i, Field: "MessageID", Reason: "required"}
	}
	if r.Time.IsZero() {
		return &FieldError{Index: i, Field: "Time", Reason: "required"}
	}
	if y := r.Time.Year(); y < 1970 || y > 2200 {
		return &FieldError{Index: i, Field: "Time", Reason: "outside 1970..2200"}
	}
	if r.Direction != Sent && r.Direction != Received {
		return &FieldError{Index: i, Field: "Direction", Reason: "must be Sent or Received"}
	}
	if r.Own.Name == "" && r.Own.ID == "" {
		return &FieldError{Index: i, Field: "Own", Reason: "name or identifier required"}
	}
	if r.Counterpart.Name == "" && r.Counterpart.ID == "" {
		return &FieldError{Index: i, Field: "Counterpart", Reason: "name or identifier required"}
	}
	for _, f := range []struct {
		name     string
		v        string
		required bool
	}{
		{"Own.Name", r.Own.Name, false},
		{"Own.ID", r.Own.ID, false},
		{"Counterpart.Name", r.Counterpart.Name, false},
		{"Counterpart.ID", r.Counterpart.ID, false},
		{"Purpose", r.Purpose, true},
		{"LegalBasis", r.LegalBasis, true},
		{"FileRef", r.FileRef, false},
		{"Actor", r.Actor, true},
		{"ContentRef", r.ContentRef, false},
		{"Reason", r.Reason, r.Result == Rejected},
	} {
		if err := checkText(i, f.name, f.v, f.required, MaxText); err != nil {
			return err
		}
	}
	if r.IDNr.IsZero() {
		return &FieldError{Index: i, Field: "IDNr", Reason: "required"}
	}
	if len(r.Categories) > MaxCategories {
		return &FieldError{Index: i, Field: "Categories", Reason: fmt.Sprintf("more than %d entries", MaxCategories)}
	}
	for k, c := range r.Categories {
		if err := checkText(i, fmt.Sprintf("Categories[%d]", k), string(c), true, MaxText); err != nil {
			return err
		}
	}
	if len(r.Content) > MaxContent {
		return &FieldError{Index: i, Field: "Content", Reason: fmt.Sprintf("longer than %d bytes", MaxContent)}
	}
	if err := r.validateItems(i); err != nil {
		return err
	}
	switch r.Result {
	case Delivered, NotIdentifiable, Rejected:
	default:
		return &FieldError{Index: i, Field: "Result", Reason: "must be Delivered, NotIdentifiable or Rejected"}
	}
	return nil
}

// Validate reports the first field of e that is missing or too long, and
// refuses a Detail that contains an IDNr: the transport log must never hold
// one (BSI TR-03176).
func (e *TransportEvent) Validate() error { return e.validate(-1) }

func (e *TransportEvent) validate(i int) error {
	if e.MessageID == [16]byte{} {
		return &FieldError{Index: i, Field: "MessageID", Reason: "required"}
	}
	if e.Time.IsZero() {
		return &FieldError{Index: i, Field: "Time", Reason: "required"}
	}
	if err := checkText(i, "Kind", e.Kind, true, maxKind); err != nil {
		return err
	}
	if err := checkText(i, "Actor", e.Actor, false, MaxText); err != nil {
		return err
	}
	if err := checkText(i, "Detail", e.Detail, false, MaxDetail); err != nil {
		return err
	}
	if ContainsIDNr(e.Kind) {
		return &FieldError{Index: i, Field: "Kind", Reason: "contains an IDNr"}
	}
	if ContainsIDNr(e.Actor) {
		return &FieldError{Index: i, Field: "Actor", Reason: "contains an IDNr"}
	}
	if ContainsIDNr(e.Detail) {
		return &FieldError{Index: i, Field: "Detail", Reason: "contains an IDNr"}
	}
	return nil
}

// ContainsIDNr reports whether s contains a valid IDNr (test numbers with a
// leading zero included): a run of exactly 11 digits, or 11 digits grouped by
// single spaces, dots, hyphens or slashes.
func ContainsIDNr(s string) bool {
	valid := func(d []byte) bool {
		return idnr.Validate(string(d), idnr.AllowLeadingZero|idnr.StdnumCompatible) == nil
	}
	var g [11]byte // digits of the grouped run
	ng := 0        // digits in the grouped run (may exceed 11)
	start := -1    // start of the contiguous digit run
	for i := 0; i <= len(s); i++ {
		c := byte(0)
		if i < len(s) {
			c = s[i]
		}
		if c >= '0' && c <= '9' {
			if start < 0 {
				start = i
			}
			if ng < 11 {
				g[ng] = c
			}
			ng++
			continue
		}
		if start >= 0 {
			if i-start == 11 && valid([]byte(s[start:i])) {
				return true
			}
			start = -1
		}
		isSep := c == ' ' || c == '.' || c == '-' || c == '/'
		if isSep && ng > 0 && i > 0 && s[i-1] >= '0' && s[i-1] <= '9' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			continue // a single separator inside a grouped number
		}
		if ng == 11 && valid(g[:]) {
			return true
		}
		ng = 0
	}
	return false
}
