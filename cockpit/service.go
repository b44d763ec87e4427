package cockpit

import (
	"context"
	"crypto/rand"
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

// Entry IDs: their default lifetime, and the size of [Config.EntryKey].
const (
	DefaultEntryTTL = 30 * time.Minute
	EntryKeySize    = 32
)

// Source is what a [Service] needs from the protocol: the query by IDNr that
// records its own read access. *audit.Log satisfies it.
type Source interface {
	Query(ctx context.Context, a audit.Access, q audit.Query) (audit.Page, error)
}

// Config configures a [Service]. The zero value means the documented
// defaults, except that VerifyPerson or InsecureSkipVerifyPerson must be set.
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
	// Current is the register's current data about a person (Bestandsdaten),
	// served by the same two stages; nil: none are shown.
	Current CurrentData
	// EntryKey (EntryKeySize bytes) seals the entry IDs of stage 1 (see
	// "Entry IDs" in the package documentation). Instances behind one
	// address must share it; nil: a random key per Service, so that entry
	// IDs do not survive a restart (the citizen lists again).
	EntryKey []byte
	// EntryTTL is how long an entry ID can be opened; default
	// DefaultEntryTTL, at most a day.
	EntryTTL time.Duration
	// AllowPlaintext lets [Service.Answer] answer a request without a
	// content key in plaintext. Off by default: such a request is refused
	// with [CodeKeyRequired]. For tests and the example only.
	AllowPlaintext bool
	// Logger receives diagnostics without personal data; default: discard.
	Logger *slog.Logger
}

// Kind is the stage a request asks for.
type Kind int

const (
	// KindList is stage 1: the list of the person's protocol entries and
	// current data sets, without their content (antwortListeProtokolldaten).
	KindList Kind = iota + 1
	// KindContent is stage 2: the content of one entry, named by its entry
	// ID (antwortInhaltsdaten).
	KindContent
)

// Request is one question of the Datenschutzcockpit.
type Request struct {
	// Kind is the stage; [Service.Answer] requires it, [Service.List] and
	// [Service.Content] ignore it.
	Kind Kind
	// MessageID is the ID of this request message (required by Answer). The
	// answer names it (Answer.InReplyTo) and seals it into its associated
	// data; it is written into the read-access log.
	MessageID uuid.UUID
	// SessionID is the cockpit's session with the citizen (required). The
	// entry IDs of a list are bound to it: stage 2 must name the session of
	// the stage-1 request that issued the entry ID.
	SessionID uuid.UUID
	// IDNr is the person's IDNr (required).
	IDNr idnr.IDNr
	// BirthDate is the lookup data the cockpit sends with the IDNr; it may
	// be partial or zero. See [Config.VerifyPerson]. It is never echoed,
	// logged or stored.
	BirthDate idnr.Date
	// ContentKey is the AES-256 key (32 bytes) the cockpit gives for this
	// citizen's browser session; every answer to the request is sealed with
	// it ([Seal]). Without it the request is refused unless
	// [Config.AllowPlaintext].
	ContentKey []byte
	// Cursor is [ListAnswer.Next] of the previous page; empty for the first
	// (stage 1 only).
	Cursor string
	// Limit is the page size wanted; 0 means [Config.PageSize] (stage 1).
	Limit int
	// EntryID names the entry to open (stage 2 only): an [Entry.ID] or
	// [CurrentEntry.ID] of a list answer in the same session.
	EntryID string
	// Client names the asking client (the allow-list entry); set by
	// [Handler]. It is written into the read-access log.
	Client string
}

// ListAnswer is stage 1 (antwortListeProtokolldaten): one page of the
// person's protocol entries, newest first, without content; on the first
// page also the register's current data sets.
type ListAnswer struct {
	// From and To are the window the answer covers: From = To - retention,
	// To = the time of the answer.
	From, To time.Time
	Entries  []Entry
	// Current are the register's current data sets about the person
	// (Bestandsdaten), on the first page only.
	Current []CurrentEntry
	// Next is the cursor for the next (older) page; empty when there is none.
	Next string
}

// Entry is one transfer as the person sees it in the cockpit's list: the
// codes kept in the protocol together with their German texts. The clerk's
// user ID and the Aktenzeichen are internal to the body and not part of an
// entry; the content is not either: it is opened by ID in stage 2.
type Entry struct {
	// ID is the opaque entry ID that opens the entry's content in stage 2,
	// bound to the person, the session and a lifetime.
	ID string
	// RecordID is the protocol record's ID. It is not sent to the cockpit.
	RecordID  uuid.UUID
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
	// HasContent says that stage 2 has content (or a reference) to show.
	HasContent bool

	Result     audit.Result
	ResultText string
	Reason     string // for a rejected transfer
}

// ContentAnswer is stage 2 (antwortInhaltsdaten): the content of one entry.
// Exactly one of Entry and Current is set.
type ContentAnswer struct {
	EntryID string
	// Entry is the protocol entry again, as in the list (a protocol entry).
	Entry *Entry
	// Current is the current data set (Bestandsdaten).
	Current *CurrentEntry
	// Content is the content transmitted (or the current data), or empty
	// when ContentRef says where it is kept.
	Content    []byte
	ContentRef string
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
	// ErrEntryUnknown: the entry ID does not open anything for this person
	// in this session: not an entry ID of this register, another person's
	// or another session's, or its record is gone. Which of these is not
	// told.
	ErrEntryUnknown = errors.New("cockpit: entry ID unknown")
	// ErrEntryExpired: the entry ID is this person's and this session's,
	// but its lifetime ([Config.EntryTTL]) has passed; list again.
	ErrEntryExpired = errors.New("cockpit: entry ID expired")
	// ErrKeyRequired: the request carries no content key and the Config
	// does not allow plaintext answers.
	ErrKeyRequired = errors.New("cockpit: request carries no content key")
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

// Service answers the Datenschutzcockpit's questions from the protocol and
// the register's current data. It holds no state between requests and
// caches nothing; it is safe for concurrent use.
type Service struct {
	src            Source
	texts          texts
	clock          func() time.Time
	retention      time.Duration
	pageSize       int
	maxPageSize    int
	who            string
	verifyPerson   func(context.Context, idnr.IDNr, idnr.Date) error
	current        CurrentData
	entries        entrySealer
	entryTTL       time.Duration
	allowPlaintext bool
	log            *slog.Logger
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
		src:            src,
		texts:          freezeTexts(cfg.Texts),
		clock:          cfg.Clock,
		retention:      cfg.Retention,
		pageSize:       cfg.PageSize,
		maxPageSize:    cfg.MaxPageSize,
		who:            cfg.Who,
		verifyPerson:   cfg.VerifyPerson,
		current:        cfg.Current,
		entryTTL:       cfg.EntryTTL,
		allowPlaintext: cfg.AllowPlaintext,
		log:            cfg.Logger,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.retention == 0 {
		s.retention = DefaultRetention
	}
	if s.retention < 0 {
		return nil, &ConfigError{Field: "Retention", Reason: "negative"}
	}
	if s.maxPageSize == 0 {
		s.maxPageSize = DefaultMaxPageSize
	}
	if s.maxPageSize < 0 || s.maxPageSize > MaxPageSizeLimit {
		return nil, &ConfigError{Field: "MaxPageSize", Reason: fmt.Sprintf("must be 1..%d", MaxPageSizeLimit)}
	}
	if s.pageSize == 0 {
		s.pageSize = min(DefaultPageSize, s.maxPageSize)
	}
	if s.pageSize < 0 || s.pageSize > s.maxPageSize {
		return nil, &ConfigError{Field: "PageSize", Reason: "must be 1..MaxPageSize"}
	}
	if s.who == "" {
		s.who = "regmo-cockpit"
	}
	if utf8.RuneCountInString(s.who) > audit.MaxText || audit.ContainsIDNr(s.who) {
		return nil, &ConfigError{Field: "Who", Reason: "must be at most 120 characters and hold no IDNr"}
	}
	if s.entryTTL == 0 {
		s.entryTTL = DefaultEntryTTL
	}
	if s.entryTTL < time.Second || s.entryTTL > 24*time.Hour {
		return nil, &ConfigError{Field: "EntryTTL", Reason: "must be 1s..24h"}
	}
	key := cfg.EntryKey
	if key == nil {
		key = make([]byte, EntryKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("cockpit: generating the entry key: %w", err)
		}
	}
	if len(key) != EntryKeySize {
		return nil, &ConfigError{Field: "EntryKey", Reason: fmt.Sprintf("must be %d bytes", EntryKeySize)}
	}
	s.entries = entrySealer{key: slices.Clone(key)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// window returns the answer's window [from, now].
func (s *Service) window() (from, now time.Time) {
	now = s.clock().UTC()
	return now.Add(-s.retention), now
}

// checkPerson checks the request's person fields and the lookup data.
func (s *Service) checkPerson(ctx context.Context, req *Request) error {
	if req.IDNr.IsZero() {
		return &RequestError{Field: "idnr", Reason: "missing"}
	}
	if req.SessionID == uuid.Nil {
		return &RequestError{Field: "session_id", Reason: "missing"}
	}
	if s.verifyPerson != nil {
		if err := s.verifyPerson(ctx, req.IDNr, req.BirthDate); err != nil {
			if errors.Is(err, ErrLookupMismatch) {
				return ErrLookupMismatch
			}
			return fmt.Errorf("cockpit: verifying the lookup data: %w", err)
		}
	}
	return nil
}

// List answers stage 1: the person's transfers of the window, newest first,
// one page at a time, without their content, each with an entry ID for
// stage 2; on the first page also the register's current data sets
// ([Config.Current]). The protocol query records itself in the read-access
// log with the purpose [audit.Datenschutzcockpit].
//
// Whatever the store answers, List returns only records of req.IDNr and
// only records inside the window; a record of another person withholds the
// whole answer with [ErrInconsistent].
func (s *Service) List(ctx context.Context, req Request) (*ListAnswer, error) {
	limit := req.Limit
	switch {
	case limit < 0:
		return nil, &RequestError{Field: "limit", Reason: "negative"}
	case limit == 0:
		limit = s.pageSize
	case limit > s.maxPageSize:
		limit = s.maxPageSize
	}
	if err := checkCursor(req.Cursor); err != nil {
		return nil, err
	}
	if err := s.checkPerson(ctx, &req); err != nil {
		return nil, err
	}
	from, now := s.window()
	page, err := s.query(ctx, &req, "Liste", audit.Query{IDNr: req.IDNr, From: from, Limit: limit, After: req.Cursor})
	if err != nil {
		return nil, err
	}
	seal, err := s.entries.forSession(req.SessionID, req.IDNr, now.Add(s.entryTTL))
	if err != nil {
		return nil, err
	}
	if err := seal.reserve(len(page.Records)); err != nil {
		return nil, err
	}
	ans := &ListAnswer{From: from, To: now, Next: page.Next, Entries: make([]Entry, 0, len(page.Records))}
	for i := range page.Records {
		rec := &page.Records[i]
		if rec.Time.Before(from) {
			continue // outside the window: the store should not have returned it
		}
		e := s.entry(rec)
		if e.ID, err = seal.protocol(rec.Time, rec.ID); err != nil {
			return nil, err
		}
		ans.Entries = append(ans.Entries, e)
	}
	// Newest first, whatever order the store kept within the page.
	slices.SortStableFunc(ans.Entries, func(a, b Entry) int { return b.Time.Compare(a.Time) })
	if req.Cursor == "" && s.current != nil {
		items, err := s.current.CurrentItems(ctx, req.IDNr)
		if err != nil {
			return nil, fmt.Errorf("cockpit: the register's current data: %w", err)
		}
		for i := range items {
			ce, err := s.currentEntry(&items[i])
			if err != nil {
				return nil, err
			}
			if ce.ID, err = seal.current(items[i].ID); err != nil {
				return nil, err
			}
			ans.Current = append(ans.Current, ce)
		}
	}
	return ans, nil
}

// query reads the protocol for req and checks that every record is the
// person's.
func (s *Service) query(ctx context.Context, req *Request, stage string, q audit.Query) (audit.Page, error) {
	page, err := s.src.Query(ctx,
		audit.Access{Who: s.who, Purpose: audit.Datenschutzcockpit, Reason: accessReason(req, stage)}, q)
	if err != nil {
		var fe *audit.FieldError
		if errors.As(err, &fe) && fe.Field == "Query.After" {
			return page, &RequestError{Field: "cursor", Reason: "not a cursor of this register"}
		}
		if ie := integrityErr(err); ie != nil { // integrity.go
			s.log.ErrorContext(ctx, "cockpit: a protocol record failed its integrity check; answer withheld (run Verify)")
			return page, ie
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			return page, fmt.Errorf("cockpit: protocol query: %w (%w)", err, ctxErr)
		}
		return page, fmt.Errorf("cockpit: protocol query: %w", err)
	}
	for i := range page.Records {
		if page.Records[i].IDNr != req.IDNr {
			s.log.ErrorContext(ctx, "cockpit: protocol store returned a record of another person; answer withheld",
				slog.String("record_id", page.Records[i].ID.String()))
			return audit.Page{}, ErrInconsistent
		}
	}
	return page, nil
}

// Content answers stage 2: the content of the entry req.EntryID names. The
// entry ID must have been issued for req.IDNr in req.SessionID by this
// register (its EntryKey) and be within its lifetime; anything else is
// [ErrEntryUnknown] (or [ErrEntryExpired] for an expired ID of the right
// person and session). A protocol entry is read again from the protocol
// (a read access with the purpose [audit.Datenschutzcockpit]) and must
// still be inside the window.
func (s *Service) Content(ctx context.Context, req Request) (*ContentAnswer, error) {
	if req.EntryID == "" {
		return nil, &RequestError{Field: "entry_id", Reason: "missing"}
	}
	if len(req.EntryID) > maxEntryIDLen {
		return nil, &RequestError{Field: "entry_id", Reason: "too long"}
	}
	if err := s.checkPerson(ctx, &req); err != nil {
		return nil, err
	}
	from, now := s.window()
	ref, err := s.entries.open(req.EntryID, req.SessionID, req.IDNr, now)
	if err != nil {
		return nil, err
	}
	switch ref.kind {
	case refCurrent:
		if s.current == nil {
			return nil, ErrEntryUnknown
		}
		item, content, err := s.current.CurrentContent(ctx, req.IDNr, ref.item)
		if err != nil {
			if errors.Is(err, ErrEntryUnknown) {
				return nil, ErrEntryUnknown
			}
			return nil, fmt.Errorf("cockpit: the register's current data: %w", err)
		}
		ce, err := s.currentEntry(&item)
		if err != nil {
			return nil, err
		}
		ce.ID = req.EntryID
		return &ContentAnswer{EntryID: req.EntryID, Current: &ce, Content: content}, nil
	case refProtocol:
		if ref.time.Before(from) {
			return nil, ErrEntryUnknown // left the window since it was listed
		}
		q := audit.Query{IDNr: req.IDNr, From: ref.time, To: ref.time.Add(time.Nanosecond), Limit: 16}
		for range 64 {
			page, err := s.query(ctx, &req, "Inhalt", q)
			if err != nil {
				return nil, err
			}
			for i := range page.Records {
				rec := &page.Records[i]
				if rec.ID != ref.record {
					continue
				}
				e := s.entry(rec)
				e.ID = req.EntryID
				return &ContentAnswer{EntryID: req.EntryID, Entry: &e,
					Content: slices.Clone(rec.Content), ContentRef: rec.ContentRef}, nil
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
		return nil, ErrEntryUnknown // purged or never there
	}
	return nil, ErrEntryUnknown
}

func (s *Service) entry(rec *audit.Record) Entry {
	e := Entry{
		RecordID:       rec.ID,
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
		HasContent:     len(rec.Content) > 0 || rec.ContentRef != "",
		Result:         rec.Result,
		ResultText:     s.texts.result(rec.Result),
		Reason:         rec.Reason,
	}
	e.Categories = s.categories(rec.Categories)
	return e
}

func (s *Service) categories(cs []audit.Category) []CategoryText {
	if len(cs) == 0 {
		return nil
	}
	out := make([]CategoryText, len(cs))
	for i, c := range cs {
		out[i] = CategoryText{Category: c, Text: s.texts.category(c)}
	}
	return out
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

// accessReason is the reason written into the read-access log: the stage,
// the client and the request's message ID, never the IDNr.
func accessReason(req *Request, stage string) string {
	var b strings.Builder
	b.WriteString("Datenschutzcockpit-")
	b.WriteString(stage)
	if req.Client != "" {
		b.WriteString(" von ")
		b.WriteString(req.Client)
	}
	if req.MessageID != uuid.Nil {
		b.WriteString(" ")
		b.WriteString(req.MessageID.String())
	}
	r := b.String()
	if utf8.RuneCountInString(r) > audit.MaxText {
		r = string([]rune(r)[:audit.MaxText])
	}
	if audit.ContainsIDNr(r) {
		// A message ID that happens to hold a valid IDNr would be refused
		// by the access log; keep the client only.
		return accessReason(&Request{Client: req.Client}, stage)
	}
	return r
}
