package registers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// ReasonBVAClarification is the reason of a clerks' case made from a
// request of the BVA to help clarify an error in a person's basic data
// (§ 10 Abs. 5 IDNrG).
const ReasonBVAClarification = "bva_clarification"

// ClarificationSource fetches the BVA's clarification requests after a
// cursor; *ida.Client implements it (it checks each request and protocols
// the acceptable ones as received before returning them).
type ClarificationSource interface {
	Clarifications(ctx context.Context, auth ida.Auth, since string) (ida.ClarificationPage, error)
}

// ClarificationReplier answers one clarification request; *ida.Client
// implements it (the reply is protocolled as sent).
type ClarificationReplier interface {
	ReplyClarification(ctx context.Context, auth ida.Auth, r ida.ClarificationReply) (ida.Receipt, error)
}

// Clarification is a clarification request of the BVA as a case of the
// register: the BVA's reference, the record of the person, the fields in
// question and the BVA's reason code. It holds no free text from the wire.
type Clarification struct {
	Reference string
	Key       Key
	IDNr      idnr.IDNr
	Fields    idnr.Fields
	Reason    string // the BVA's code, one of ida.ClarificationReasons or "unlisted"
	Issued    time.Time
	// MessageID is the message that delivered the request (its § 9
	// record's message).
	MessageID string
}

// ClarificationStore keeps clarification requests as clerks' cases
// (registers/sqlregister implements it; the clerks decide them in
// registers/review).
type ClarificationStore interface {
	// KeyOfIDNr returns the key of the record that holds id.
	KeyOfIDNr(ctx context.Context, id idnr.IDNr) (Key, bool, error)
	// AddClarifications stores the cases and the new cursor in one
	// transaction; a case whose Reference is stored already is kept as it
	// is (not counted in added).
	AddClarifications(ctx context.Context, cs []Clarification, cursor string) (added int, err error)
	// ClarificationCursor returns the stored cursor ("" before the first).
	ClarificationCursor(ctx context.Context) (string, error)
}

// IntakeConfig configures [IntakeClarifications].
type IntakeConfig struct {
	Source ClarificationSource // required: *ida.Client
	Store  ClarificationStore  // required: the register
	// Replier, if set, answers a request for a person the register does
	// not hold with ida.ReplyNotHeld at once (else such requests are only
	// counted).
	Replier ClarificationReplier
	// Auth is sent with every fetch and reply; LegalBasis defaults to
	// "§ 10 Abs. 5 IDNrG".
	Auth ida.Auth
	// MaxPages bounds the fetches of one run (default 100).
	MaxPages int
	Logger   *slog.Logger
}

// IntakeReport counts what one intake did. It holds no personal data.
type IntakeReport struct {
	Fetched        int // requests delivered by the source (acceptable ones)
	Refused        int // requests the source refused (see ida.ClarificationPage.Refused)
	Added          int // new cases
	Duplicates     int // requests whose reference was already a case
	NotInRegister  int // requests for a person the register does not hold
	RepliedNotHeld int // of those, answered with not_held
	Cursor         string
}

// IntakeClarifications fetches the BVA's clarification requests from the
// stored cursor on until none are waiting, and makes each a case for the
// clerks in the register (reason [ReasonBVAClarification]). A request for
// a person the register does not hold is refused (counted, never stored,
// answered with not_held when a Replier is set); a request the source
// refused is counted. A page's cases and the new cursor are stored
// together, after its not_held replies; if anything of a page fails, the
// cursor stays and the next run fetches the page again (the cases are
// idempotent by reference; the protocol then holds the receipt twice,
// which over-reports and never under-reports). Errors carry no personal
// data.
func IntakeClarifications(ctx context.Context, cfg IntakeConfig) (IntakeReport, error) {
	var rep IntakeReport
	if cfg.Source == nil {
		return rep, errors.New("registers: intake: Source required")
	}
	if cfg.Store == nil {
		return rep, ErrNoRegister
	}
	if cfg.Auth.LegalBasis == "" {
		cfg.Auth.LegalBasis = "§ 10 Abs. 5 IDNrG"
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 100
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cursor, err := cfg.Store.ClarificationCursor(ctx)
	if err != nil {
		return rep, fmt.Errorf("registers: intake: reading the cursor: %w", err)
	}
	rep.Cursor = cursor
	for range cfg.MaxPages {
		page, err := cfg.Source.Clarifications(ctx, cfg.Auth, cursor)
		if err != nil {
			return rep, fmt.Errorf("registers: intake: fetching: %w", err)
		}
		rep.Fetched += len(page.Requests)
		rep.Refused += len(page.Refused)
		cases := make([]Clarification, 0, len(page.Requests))
		for _, q := range page.Requests {
			key, ok, err := cfg.Store.KeyOfIDNr(ctx, q.IDNr)
			if err != nil {
				return rep, fmt.Errorf("registers: intake: finding the record of request %s: %w", q.Reference, err)
			}
			if !ok {
				rep.NotInRegister++
				log.Info("registers: clarification request for a person not in the register", "reference", q.Reference)
				if cfg.Replier != nil {
					_, err := cfg.Replier.ReplyClarification(ctx, cfg.Auth, ida.ClarificationReply{Reference: q.Reference, IDNr: q.IDNr,
						Answer: ida.ReplyNotHeld, Reason: "Person nicht im Register"})
					if err != nil {
						return rep, fmt.Errorf("registers: intake: answering request %s: %w", q.Reference, err)
					}
					rep.RepliedNotHeld++
				}
				continue
			}
			cases = append(cases, Clarification{Reference: q.Reference, Key: key, IDNr: q.IDNr, Fields: q.Fields &^ idnr.FieldIDNr,
				Reason: q.Reason, Issued: q.Issued, MessageID: page.MessageID.String()})
		}
		if page.Next == cursor && len(cases) == 0 {
			break
		}
		added, err := cfg.Store.AddClarifications(context.WithoutCancel(ctx), cases, page.Next)
		if err != nil {
			return rep, fmt.Errorf("registers: intake: storing: %w", err)
		}
		rep.Added += added
		rep.Duplicates += len(cases) - added
		if page.Next == cursor {
			break
		}
		cursor = page.Next
		rep.Cursor = cursor
	}
	log.Info("registers: clarification intake", "fetched", rep.Fetched, "added", rep.Added, "refused", rep.Refused,
		"not_in_register", rep.NotInRegister)
	return rep, nil
}
