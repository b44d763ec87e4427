package audit

// API CONTRACT — written first so that ida, cockpit and registers can compile
// against it. The audit helper replaces every body below with the real
// implementation; nothing here may stay unimplemented.

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

var errTODO = errors.New("audit: not implemented yet")

// Options configure a Log. The zero value means the documented defaults.
type Options struct {
	Retention  time.Duration      // default 2 years (730 days)
	Clock      func() time.Time   // default time.Now
	SigningKey ed25519.PrivateKey // signs segment anchors and checkpoints; nil: a fresh key per Log (not for production)
	Logger     *slog.Logger       // default: discard
}

// AccessPurpose is one of the lawful purposes for reading the protocol.
type AccessPurpose uint8

const (
	AccessUnknown       AccessPurpose = iota
	DataProtectionCheck               // Datenschutzkontrolle
	DataSubjectRights                 // Betroffenenrechte (Auskunft, Art. 15 DSGVO)
	Datenschutzcockpit                // delivery to the Datenschutzcockpit
)

// Access says who reads the protocol and why; it is itself logged (without the IDNr).
type Access struct {
	Who     string        // user ID or procedure name (required, <= 120)
	Purpose AccessPurpose // required
	Reason  string        // Aktenzeichen or free text (<= 120)
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

// Page is one page of a query, newest first.
type Page struct {
	Records []Record
	Next    string // cursor for the next page; empty when there is none
}

// Log is the tamper-evident § 9 protocol.
type Log struct{}

// Store is implemented by audit/sqlite and audit/postgres.
type Store interface{}

func New(ctx context.Context, store Store, opts Options) (*Log, error) { return nil, errTODO }
func (l *Log) Append(ctx context.Context, recs ...Record) error        { return errTODO }
func (l *Log) Query(ctx context.Context, a Access, q Query) (Page, error) {
	return Page{}, errTODO
}
func (l *Log) Close() error { return errTODO }

// TransportEvent is an event of the separate BSI TR-03176 transport log. It never holds an IDNr.
type TransportEvent struct {
	Time      time.Time
	MessageID uuid.UUID
	Kind      string // "sent", "received", "schema-check", "error", ...
	Actor     string
	Detail    string // no personal data
}

func (l *Log) AppendTransport(ctx context.Context, evs ...TransportEvent) error { return errTODO }
