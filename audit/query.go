package audit

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/regmo/regmo/idnr"
)

// Reading a person's records: the lawful purposes, the query and its
// cursor. The read is recorded in the read-access log (access.go).

// AccessPurpose is one of the lawful purposes for reading the protocol.
type AccessPurpose uint8

const (
	AccessUnknown       AccessPurpose = iota
	DataProtectionCheck               // Datenschutzkontrolle
	DataSubjectRights                 // Betroffenenrechte (Auskunft, Art. 15 DSGVO)
	Datenschutzcockpit                // delivery to the Datenschutzcockpit
	CaseWork                          // Sachbearbeitung: a clerk opens a case with personal data (registers/review; see [Log.RecordRead])
)

func (p AccessPurpose) String() string {
	switch p {
	case DataProtectionCheck:
		return "data-protection-check"
	case DataSubjectRights:
		return "data-subject-rights"
	case Datenschutzcockpit:
		return "datenschutzcockpit"
	case CaseWork:
		return "case-work"
	}
	return fmt.Sprintf("AccessPurpose(%d)", uint8(p))
}

// Access says who reads the protocol and why; it is itself logged (without the IDNr).
type Access struct {
	Who     string        // user ID or procedure name (required, <= 120)
	Purpose AccessPurpose // required
	Reason  string        // Aktenzeichen or free text (<= 120)
}

// Validate reports a missing or too long field, or a purpose that is not
// lawful (the error then wraps [ErrUnlawfulPurpose]).
func (a *Access) Validate() error {
	if err := checkText(-1, "Access.Who", a.Who, true, MaxText); err != nil {
		return err
	}
	if err := checkText(-1, "Access.Reason", a.Reason, false, MaxText); err != nil {
		return err
	}
	switch a.Purpose {
	case DataProtectionCheck, DataSubjectRights, Datenschutzcockpit, CaseWork:
	default:
		return &FieldError{Index: -1, Field: "Access.Purpose", Reason: "not a lawful purpose", Err: ErrUnlawfulPurpose}
	}
	if ContainsIDNr(a.Who) || ContainsIDNr(a.Reason) {
		return &FieldError{Index: -1, Field: "Access", Reason: "contains an IDNr; the access log must not"}
	}
	return nil
}

// Query selects one person's records.
type Query struct {
	IDNr  idnr.IDNr // required
	From  time.Time // inclusive; zero: now minus retention
	To    time.Time // exclusive; zero: no upper bound
	Limit int       // default 100, max 1000
	// After is the cursor of the previous page (Page.Next); empty for the first page.
	After string
}

// Page is one page of a query, newest first. The strings of a record share
// one buffer, its encoding: a string kept from a record keeps that
// encoding in memory until it is dropped.
type Page struct {
	Records []Record
	Next    string // cursor for the next page; empty when there is none
}

// Query returns one page of a person's records, newest first (by their
// position in the log), and records the access a in the read-access log
// (without the IDNr) before it returns any data. An unlawful purpose is
// refused with a [*FieldError] wrapping [ErrUnlawfulPurpose].
func (l *Log) Query(ctx context.Context, a Access, q Query) (Page, error) {
	if err := a.Validate(); err != nil {
		return Page{}, err
	}
	if err := l.canRead(); err != nil {
		return Page{}, err
	}
	done, err := l.use()
	if err != nil {
		return Page{}, err
	}
	defer done()
	if q.IDNr.IsZero() {
		return Page{}, &FieldError{Index: -1, Field: "Query.IDNr", Reason: "required"}
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return Page{}, &FieldError{Index: -1, Field: "Query.Limit", Reason: "must be 0..1000"}
	}
	now := l.clock()
	from, to := q.From, q.To
	if from.IsZero() {
		from = now.Add(-l.retention)
	}
	toN := int64(1<<63 - 1)
	if !to.IsZero() {
		toN = to.UnixNano()
	}
	before := int64(1<<63 - 1)
	if q.After != "" {
		s, err := decodeCursor(q.After)
		if err != nil {
			return Page{}, &FieldError{Index: -1, Field: "Query.After", Reason: "not a cursor of this log"}
		}
		before = s
	}
	rows, err := l.store.Records(ctx, IDNrKey(q.IDNr), from.UnixNano(), toN, before, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("audit: query: %w", err)
	}
	var p Page
	if len(rows) > limit {
		rows = rows[:limit]
		p.Next = encodeCursor(rows[limit-1].Seq)
	}
	p.Records = make([]Record, 0, len(rows))
	for i := range rows {
		// The rows' encodings are ours (see Store.Records): the record's
		// strings are views into them, no copies.
		r, err := decodeRecordView(rows[i].Data[:len(rows[i].Data):len(rows[i].Data)])
		if err != nil || IDNrKey(r.IDNr) != rows[i].IDNr {
			return Page{}, fmt.Errorf("audit: query: record %d is damaged (run Verify): %w", rows[i].Seq, errEncoding)
		}
		p.Records = append(p.Records, r)
	}
	e := AccessEntry{Time: now.UTC(), Who: a.Who, Purpose: a.Purpose, Reason: a.Reason, Count: len(p.Records), From: from.UTC()}
	if !to.IsZero() {
		e.To = to.UTC()
	}
	if err := l.recordAccess(ctx, e); err != nil {
		return Page{}, fmt.Errorf("audit: recording the access: %w", err)
	}
	return p, nil
}

func encodeCursor(seq int64) string {
	b := binary.AppendUvarint([]byte{'c'}, uint64(seq))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'c' {
		return 0, errEncoding
	}
	v, n := binary.Uvarint(b[1:])
	if n != len(b)-1 || v == 0 || v > 1<<62 {
		return 0, errEncoding
	}
	return int64(v), nil
}
