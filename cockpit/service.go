package cockpit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// DefaultRetention is the window the cockpit shows: the two years the
// protocol is kept (730 days, as audit's default retention).
const DefaultRetention = audit.DefaultRetention

// Page sizes: [Config.PageSize] defaults to DefaultPageSize; a request may ask
// for up to [Config.MaxPageSize] entries, by default DefaultMaxPageSize, and
// never more than MaxPageSizeLimit (the audit query's own maximum).
const (
	DefaultPageSize    = 50
	DefaultMaxPageSize = 200
	MaxPageSizeLimit   = 1000
)

// MaxCursorLen bounds the length of a cursor in a request.
const MaxCursorLen = 512

// Source is what a [Service] needs from the protocol: the query by IDNr that
// records its own read access. *audit.Log satisfies it.
type Source interface {
	Query(ctx context.Context, a audit.Access, q audit.Query) (audit.Page, error)
}

// Config configures a [Service]. The zero value means the documented defaults.
type Config struct {
	// Texts are the register's texts; see [Texts] for the defaults.
	Texts Texts
	// Clock gives the current time; default time.Now. The window of an
	// answer ends now and begins now minus Retention.
	Clock func() time.Time
	// Retention is how far back the cockpit shows; default DefaultRetention.
	// It must not exceed the protocol's retention.
	Retention time.Duration
	// PageSize is the page size when a request names none (default
	// DefaultPageSize); MaxPageSize caps what a request may ask for
	// (default DefaultMaxPageSize, at most MaxPageSizeLimit). Larger
	// requests are served MaxPageSize entries and a cursor.
	PageSize, MaxPageSize int
	// Who is the procedure name written into the read-access log for every
	// query (default "regmo-cockpit"); at most 120 characters.
	Who string
	// VerifyPerson checks the lookup data the cockpit sends with the IDNr
	// (the birth date) against the register before the protocol is read.
	// It returns nil when they agree, an error wrapping [ErrLookupMismatch]
	// when they do not, any other error on failure. The protocol holds no
	// birth dates, so only the register can check them.
	//
	// Either VerifyPerson or InsecureSkipVerifyPerson must be set: [New]
	// refuses a Config with neither ([ErrNoVerifyPerson]) or both
	// ([ErrVerifyPersonConflict]).
	VerifyPerson func(ctx context.Context, id idnr.IDNr, birth idnr.Date) error
	// InsecureSkipVerifyPerson makes the service answer without checking
	// the birth date: it is checked for form and otherwise ignored, so any
	// client the handler admits gets the transfers of any IDNr it names.
	// Set it only where the register cannot check birth dates and the
	// operator accepts that; it is never a default.
	InsecureSkipVerifyPerson bool
	// Logger receives diagnostics without personal data; default: discard.
	Logger *slog.Logger
}

// Request is one question of the Datenschutzcockpit: which transfers of the
// person with this IDNr happened in the last two years.
type Request struct {
	// IDNr is the person's IDNr (required).
	IDNr idnr.IDNr
	// BirthDate is the lookup data the cockpit sends with the IDNr; it may
	// be partial or zero. See [Config.VerifyPerson]. It is never echoed,
	// logged or stored.
	BirthDate idnr.Date
	// Cursor is [Response.Next] of the previous page; empty for the first.
	Cursor string
	// Limit is the page size wanted; 0 means [Config.PageSize].
	Limit int
	// RequestID is the cockpit's correlation ID, if any. It is echoed in the
	// answer and written into the read-access log; it must hold no personal
	// data (the JSON codec accepts only a UUID).
	RequestID string
	// Client names the asking client (the allow-list entry); set by
	// [Handler]. It is written into the read-access log.
	Client string
}

// Response is one page of the answer, newest entry first.
type Response struct {
	RequestID string
	// From and To are the window the answer covers: From = To - retention,
	// To = the time of the answer.
	From, To time.Time
	Entries  []Entry
	// Next is the cursor for the next (older) page; empty when there is none.
	Next string
}

// Entry is one transfer as the person sees it in the cockpit: the codes kept
// in the protocol together with their German texts. The clerk's user ID and
// the Aktenzeichen are internal to the body and not part of an entry.
type Entry struct {
	ID        uuid.UUID
	MessageID uuid.UUID
	Time      time.Time // UTC

	Direction     audit.Direction
	DirectionText string // "Übermittlung an", "Empfang von"
	Own           Party  // this register's body
	Counterpart   Party  // the other body

	Purpose        string // as recorded
	PurposeText    string
	LegalBasis     string // as recorded
	LegalBasisText string

	Categories []CategoryText
	// Content is the content transmitted, or empty when ContentRef says
	// where it is kept.
	Content    []byte
	ContentRef string

	Result     audit.Result
	ResultText string
	Reason     string // for a rejected transfer
}

// Party is a body taking part in a transfer.
type Party struct {
	ID   string
	Name string // the configured text, else the name recorded
}

// CategoryText is a data category with its German text.
type CategoryText struct {
	Category audit.Category
	Text     string
}

// Errors of the query service.
var (
	// ErrLookupMismatch says that the lookup data sent with the IDNr do not
	// fit the register's person (see [Config.VerifyPerson]).
	ErrLookupMismatch = errors.New("cockpit: lookup data do not match the person")
	// ErrInconsistent says that the protocol store answered with a record of
	// another person; the answer is withheld.
	ErrInconsistent = errors.New("cockpit: protocol store returned a record of another person")
	// ErrNoVerifyPerson: the Config sets neither [Config.VerifyPerson] nor
	// [Config.InsecureSkipVerifyPerson] (wrapped in a [*ConfigError]).
	ErrNoVerifyPerson = errors.New("cockpit: config: VerifyPerson is required (or set InsecureSkipVerifyPerson to answer without checking the birth date)")
	// ErrVerifyPersonConflict: the Config sets both [Config.VerifyPerson]
	// and [Config.InsecureSkipVerifyPerson] (wrapped in a [*ConfigError]).
	ErrVerifyPersonConflict = errors.New("cockpit: config: VerifyPerson and InsecureSkipVerifyPerson are both set")
)

// ConfigError is a [Config] that [New] refuses: the field and the reason.
// Err is one of this package's sentinels where there is one.
type ConfigError struct {
	Field  string // the Config field, e.g. "VerifyPerson"
	Reason string
	Err    error
}

func (e *ConfigError) Error() string {
	return "cockpit: Config." + e.Field + ": " + e.Reason
}

func (e *ConfigError) Unwrap() error { return e.Err }

// RequestError is a request the service refuses because a field is missing
// or malformed. It never contains the field's value.
type RequestError struct {
	Field  string // wire name of the field, e.g. "idnr"
	Reason string
	Err    error // underlying error, if any (e.g. idnr.ErrCheckDigit)
}

func (e *RequestError) Error() string {
	return "cockpit: request field " + e.Field + ": " + e.Reason
}

func (e *RequestError) Unwrap() error { return e.Err }

// Service answers the Datenschutzcockpit's questions from the protocol. It
// holds no state between requests and caches nothing; it is safe for
// concurrent use.
type Service struct {
	src          Source
	texts        texts
	clock        func() time.Time
	retention    time.Duration
	pageSize     int
	maxPageSize  int
	who          string
	verifyPerson func(context.Context, idnr.IDNr, idnr.Date) error
	log          *slog.Logger
}

// New returns a Service reading from src (usually an *audit.Log).
func New(src Source, cfg Config) (*Service, error) {
	if src == nil {
		return nil, errors.New("cockpit: New needs a Source")
	}
	switch {
	case cfg.VerifyPerson == nil && !cfg.InsecureSkipVerifyPerson:
		return nil, &ConfigError{Field: "VerifyPerson", Reason: "required: set it to check the birth date against the register, or set InsecureSkipVerifyPerson", Err: ErrNoVerifyPerson}
	case cfg.VerifyPerson != nil && cfg.InsecureSkipVerifyPerson:
		return nil, &ConfigError{Field: "VerifyPerson", Reason: "set together with InsecureSkipVerifyPerson; choose one", Err: ErrVerifyPersonConflict}
	}
	s := &Service{
		src:          src,
		texts:        freezeTexts(cfg.Texts),
		clock:        cfg.Clock,
		retention:    cfg.Retention,
		pageSize:     cfg.PageSize,
		maxPageSize:  cfg.MaxPageSize,
		who:          cfg.Who,
		verifyPerson: cfg.VerifyPerson,
		log:          cfg.Logger,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.retention == 0 {
		s.retention = DefaultRetention
	}
	if s.retention < 0 {
		return nil, errors.New("cockpit: Config.Retention is negative")
	}
	if s.maxPageSize == 0 {
		s.maxPageSize = DefaultMaxPageSize
	}
	if s.maxPageSize < 0 || s.maxPageSize > MaxPageSizeLimit {
		return nil, fmt.Errorf("cockpit: Config.MaxPageSize must be 1..%d", MaxPageSizeLimit)
	}
	if s.pageSize == 0 {
		s.pageSize = min(DefaultPageSize, s.maxPageSize)
	}
	if s.pageSize < 0 || s.pageSize > s.maxPageSize {
		return nil, errors.New("cockpit: Config.PageSize must be 1..MaxPageSize")
	}
	if s.who == "" {
		s.who = "regmo-cockpit"
	}
	if utf8.RuneCountInString(s.who) > audit.MaxText || audit.ContainsIDNr(s.who) {
		return nil, errors.New("cockpit: Config.Who must be at most 120 characters and hold no IDNr")
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Lookup answers one request: the person's transfers of the window, newest
// first, one page at a time. The protocol query records itself in the
// read-access log with the purpose [audit.Datenschutzcockpit].
//
// Whatever the store answers, Lookup returns only records of req.IDNr and
// only records inside the window; a record of another person withholds the
// whole answer with [ErrInconsistent].
func (s *Service) Lookup(ctx context.Context, req Request) (Response, error) {
	if req.IDNr.IsZero() {
		return Response{}, &RequestError{Field: "idnr", Reason: "missing"}
	}
	limit := req.Limit
	switch {
	case limit < 0:
		return Response{}, &RequestError{Field: "limit", Reason: "negative"}
	case limit == 0:
		limit = s.pageSize
	case limit > s.maxPageSize:
		limit = s.maxPageSize
	}
	if err := checkCursor(req.Cursor); err != nil {
		return Response{}, err
	}
	if s.verifyPerson != nil {
		if err := s.verifyPerson(ctx, req.IDNr, req.BirthDate); err != nil {
			if errors.Is(err, ErrLookupMismatch) {
				return Response{}, ErrLookupMismatch
			}
			return Response{}, fmt.Errorf("cockpit: verifying the lookup data: %w", err)
		}
	}

	now := s.clock().UTC()
	from := now.Add(-s.retention)
	page, err := s.src.Query(ctx,
		audit.Access{Who: s.who, Purpose: audit.Datenschutzcockpit, Reason: accessReason(req)},
		audit.Query{IDNr: req.IDNr, From: from, Limit: limit, After: req.Cursor})
	if err != nil {
		var fe *audit.FieldError
		if errors.As(err, &fe) && fe.Field == "Query.After" {
			return Response{}, &RequestError{Field: "cursor", Reason: "not a cursor of this register"}
		}
		if ie := integrityErr(err); ie != nil { // integrity.go
			s.log.ErrorContext(ctx, "cockpit: a protocol record failed its integrity check; answer withheld (run Verify)")
			return Response{}, ie
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			return Response{}, fmt.Errorf("cockpit: protocol query: %w (%w)", err, ctxErr)
		}
		return Response{}, fmt.Errorf("cockpit: protocol query: %w", err)
	}

	resp := Response{RequestID: req.RequestID, From: from, To: now, Next: page.Next}
	resp.Entries = make([]Entry, 0, len(page.Records))
	for i := range page.Records {
		rec := &page.Records[i]
		if rec.IDNr != req.IDNr {
			s.log.ErrorContext(ctx, "cockpit: protocol store returned a record of another person; answer withheld",
				slog.String("record_id", rec.ID.String()))
			return Response{}, ErrInconsistent
		}
		if rec.Time.Before(from) {
			// Outside the window: the store should not have returned it.
			// Dropped, as defence in depth.
			continue
		}
		resp.Entries = append(resp.Entries, s.entry(rec))
	}
	// Newest first, whatever order the store kept within the page.
	slices.SortStableFunc(resp.Entries, func(a, b Entry) int { return b.Time.Compare(a.Time) })
	return resp, nil
}

func (s *Service) entry(rec *audit.Record) Entry {
	e := Entry{
		ID:             rec.ID,
		MessageID:      rec.MessageID,
		Time:           rec.Time.UTC(),
		Direction:      rec.Direction,
		DirectionText:  s.texts.direction(rec.Direction),
		Own:            Party{ID: rec.Own.ID, Name: s.texts.body(rec.Own)},
		Counterpart:    Party{ID: rec.Counterpart.ID, Name: s.texts.body(rec.Counterpart)},
		Purpose:        rec.Purpose,
		PurposeText:    s.texts.purpose(rec.Purpose),
		LegalBasis:     rec.LegalBasis,
		LegalBasisText: s.texts.legalBasis(rec.LegalBasis),
		Content:        rec.Content,
		ContentRef:     rec.ContentRef,
		Result:         rec.Result,
		ResultText:     s.texts.result(rec.Result),
		Reason:         rec.Reason,
	}
	if len(rec.Categories) > 0 {
		e.Categories = make([]CategoryText, len(rec.Categories))
		for i, c := range rec.Categories {
			e.Categories[i] = CategoryText{Category: c, Text: s.texts.category(c)}
		}
	}
	return e
}

// checkCursor accepts cursors of printable ASCII up to MaxCursorLen bytes;
// their meaning is the protocol store's.
func checkCursor(c string) error {
	if len(c) > MaxCursorLen {
		return &RequestError{Field: "cursor", Reason: "too long"}
	}
	for i := 0; i < len(c); i++ {
		if c[i] < 0x21 || c[i] > 0x7e {
			return &RequestError{Field: "cursor", Reason: "not printable ASCII"}
		}
	}
	return nil
}

// accessReason is the reason written into the read-access log: the client
// and the cockpit's request ID, never the IDNr.
func accessReason(req Request) string {
	var b strings.Builder
	b.WriteString("Datenschutzcockpit-Anfrage")
	if req.Client != "" {
		b.WriteString(" von ")
		b.WriteString(req.Client)
	}
	if req.RequestID != "" {
		b.WriteString(" ")
		b.WriteString(req.RequestID)
	}
	r := b.String()
	if utf8.RuneCountInString(r) > audit.MaxText {
		r = string([]rune(r)[:audit.MaxText])
	}
	if audit.ContainsIDNr(r) {
		// A request ID that happens to hold a valid IDNr would be refused
		// by the access log; keep the client only.
		return accessReason(Request{Client: req.Client})
	}
	return r
}
