package review

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// The BVA's requests to help clarify an error (§ 10 Abs. 5 IDNrG) are
// cases of their own (reason registers.ReasonBVAClarification), kept
// beside the backfill's cases: registers.IntakeClarifications files them,
// the clerk answers each here.

// ClarifyKind is what a clerk decides about a clarification request.
type ClarifyKind uint8

const (
	// ClarifyDefer leaves the request open, with a note.
	ClarifyDefer ClarifyKind = iota + 1
	// ClarifyDecline answers the BVA that the register cannot help, with
	// the clerk's reason (sent; at most 120 characters, no IDNr); closes.
	ClarifyDecline
	// ClarifyReply answers with the register's values of the fields the
	// evidence proves and the evidence (kind of document, number or
	// reference, date, issuing authority); closes.
	ClarifyReply
	numClarifyKinds
)

var clarifyText = [numClarifyKinds]string{"", "defer", "decline", "reply"}
var clarifyGerman = [numClarifyKinds]string{"", "Zurückstellen", "Ablehnen mit Begründung", "Antworten mit Nachweis"}

// String returns "defer", "decline" or "reply".
func (k ClarifyKind) String() string {
	if k > 0 && k < numClarifyKinds {
		return clarifyText[k]
	}
	return "clarify(" + itoa(int(k)) + ")"
}

// German returns the German name of the decision.
func (k ClarifyKind) German() string {
	if k > 0 && k < numClarifyKinds {
		return clarifyGerman[k]
	}
	return k.String()
}

// ParseClarifyKind is the inverse of [ClarifyKind.String].
func ParseClarifyKind(s string) (ClarifyKind, error) {
	for i := 1; i < int(numClarifyKinds); i++ {
		if clarifyText[i] == s {
			return ClarifyKind(i), nil
		}
	}
	return 0, &InputError{Field: "kind", Reason: "unknown decision"}
}

// ClarificationState is where a clarification request stands.
type ClarificationState uint8

// The states.
const (
	ClarificationOpen     ClarificationState = iota // not answered (possibly deferred)
	ClarificationReplied                            // answered with evidence
	ClarificationDeclined                           // answered: declined
)

// German names the state for the clerk.
func (s ClarificationState) German() string {
	switch s {
	case ClarificationReplied:
		return "beantwortet"
	case ClarificationDeclined:
		return "abgelehnt"
	}
	return "offen"
}

// ClarificationSummary is one line of the list of clarification requests.
type ClarificationSummary struct {
	registers.Clarification
	State    ClarificationState
	Version  int  // decisions made
	Deferred bool // the last decision was a defer
}

// ClarificationDecided is one decision on a clarification request.
type ClarificationDecided struct {
	ID        string // idempotency key (the form's token)
	Reference string
	Seq       int
	Kind      ClarifyKind
	Clerk     string
	At        time.Time
	// Reason is the reason sent with a decline; Note the clerk's note.
	Reason, Note string
	// Fields and Evidence are what a reply sent.
	Fields   idnr.Fields
	Evidence []ida.Evidence
	// ReplyMessage is the message ID of the reply sent (decline, reply).
	ReplyMessage string
}

// StoredClarification is a clarification request as the store keeps it.
type StoredClarification struct {
	ClarificationSummary
	// Register is the register's record of the person (found by the key).
	Register registers.Entry
	// Columns are the mapped columns of the record with their texts.
	Columns []Column
	History []ClarificationDecided
}

// ClarificationChange is what [ClarificationStore.ApplyClarification]
// stores in one transaction.
type ClarificationChange struct {
	ClarificationDecided
	// Version is the version the clerk saw; a *ConflictError if it moved.
	Version int
	// State is the request's state after the decision.
	State ClarificationState
}

// ClarificationStore keeps the clarification requests and their
// decisions; registers/sqlregister implements it. The workbench finds it
// on its Store by type assertion.
type ClarificationStore interface {
	// ClarificationList lists the requests (open ones only if openOnly)
	// in reference order after the reference, at most limit.
	ClarificationList(ctx context.Context, openOnly bool, after string, limit int) ([]ClarificationSummary, error)
	// LoadClarification loads one request with the register's record.
	LoadClarification(ctx context.Context, ref string) (StoredClarification, bool, error)
	// ApplyClarification stores a decision; one whose ID was stored
	// before returns that decision with replayed == true. Errors:
	// *ConflictError, ErrNotOpen, ErrNotFound.
	ApplyClarification(ctx context.Context, ch ClarificationChange) (d ClarificationDecided, replayed bool, err error)
}

// ClarificationDecision is a clerk's decision on one request.
type ClarificationDecision struct {
	ID        string // idempotency key, unique per decision
	Reference string
	Kind      ClarifyKind
	Version   int
	// Reason is required for ClarifyDecline (sent to the BVA); Note is
	// the clerk's note (kept, not sent).
	Reason, Note string
	// Evidence is required for ClarifyReply: each item proves fields in
	// question, and only those fields' values are sent.
	Evidence []ida.Evidence
}

func (w *Workbench) clarifications() (ClarificationStore, error) {
	cs, ok := w.cfg.Store.(ClarificationStore)
	if !ok {
		return nil, &InputError{Field: "Config.Store", Reason: "keeps no clarification requests"}
	}
	return cs, nil
}

// Clarifications returns a page of the open clarification requests in
// reference order after the reference (limit default 50, at most 500)
// and the reference to continue after ("" at the end).
func (w *Workbench) Clarifications(ctx context.Context, c Clerk, after string, limit int) ([]ClarificationSummary, string, error) {
	if err := w.check(c, ActionRead); err != nil {
		return nil, "", err
	}
	cs, err := w.clarifications()
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	out, err := cs.ClarificationList(ctx, true, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Reference
	}
	return out, next, nil
}

// OpenClarification loads a request with the register's record and logs
// the opening in the read-access log first (an opening that cannot be
// logged is refused).
func (w *Workbench) OpenClarification(ctx context.Context, c Clerk, ref string) (*StoredClarification, error) {
	if err := w.check(c, ActionRead); err != nil {
		return nil, err
	}
	cs, err := w.clarifications()
	if err != nil {
		return nil, err
	}
	st, ok, err := cs.LoadClarification(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	reason := "Klärungsersuchen " + ref + ", Fall " + string(st.Key)
	if c.FileRef != "" {
		reason = c.FileRef + "; " + reason
	}
	if err := w.cfg.Access.RecordRead(ctx, audit.Access{Who: c.ID, Purpose: audit.CaseWork, Reason: clip(reason, audit.MaxText)}, 1); err != nil {
		return nil, fmt.Errorf("review: logging the read access: %w", err)
	}
	w.log.Info("review: clarification opened", "clerk", c.ID, "reference", ref, "key", string(st.Key))
	return &st, nil
}

// DecideClarification checks the clerk's role and the decision, sends the
// answer to the BVA for a decline or a reply (through Config.Clarifier,
// with the clerk's authorisation and legal basis § 10 Abs. 5 IDNrG; the
// IDA client protocols the transfer) and stores the decision. The answer
// is sent before the decision is stored: if storing fails, the clerk sees
// the error and may decide again (the BVA then gets the answer twice,
// under the same reference). Errors: *InputError (an ida.FieldError of
// the reply becomes one naming the field), *ForbiddenError,
// *ConflictError, ErrNotOpen, ErrNotFound, or the transfer's error.
func (w *Workbench) DecideClarification(ctx context.Context, c Clerk, d ClarificationDecision) (ClarificationDecided, bool, error) {
	if err := w.check(c, ActionDecide); err != nil {
		return ClarificationDecided{}, false, err
	}
	cs, err := w.clarifications()
	if err != nil {
		return ClarificationDecided{}, false, err
	}
	if err := d.validate(); err != nil {
		return ClarificationDecided{}, false, err
	}
	st, ok, err := cs.LoadClarification(ctx, d.Reference)
	if err != nil {
		return ClarificationDecided{}, false, err
	}
	if !ok {
		return ClarificationDecided{}, false, ErrNotFound
	}
	for _, h := range st.History {
		if h.ID == d.ID {
			return h, true, nil
		}
	}
	if st.State != ClarificationOpen {
		return ClarificationDecided{}, false, ErrNotOpen
	}
	if st.Version != d.Version {
		return ClarificationDecided{}, false, &ConflictError{Key: st.Key, Version: st.Version}
	}
	ch := ClarificationChange{ClarificationDecided: ClarificationDecided{ID: d.ID, Reference: d.Reference, Seq: d.Version + 1, Kind: d.Kind,
		Clerk: c.ID, At: w.cfg.Now().UTC(), Reason: d.Reason, Note: d.Note}, Version: d.Version}
	var reply *ida.ClarificationReply
	switch d.Kind {
	case ClarifyDefer:
	case ClarifyDecline:
		reply = &ida.ClarificationReply{Reference: st.Reference, IDNr: st.IDNr, Answer: ida.ReplyDeclined, Reason: strings.TrimSpace(d.Reason)}
		ch.State = ClarificationDeclined
	case ClarifyReply:
		var fields idnr.Fields
		for i, e := range d.Evidence {
			if extra := e.Fields &^ st.Fields; extra != 0 {
				return ClarificationDecided{}, false, &InputError{Field: "evidence", Reason: fmt.Sprintf("Nachweis %d belegt Felder, nach denen nicht gefragt wurde (%s)", i+1, extra)}
			}
			fields |= e.Fields
		}
		reply = &ida.ClarificationReply{Reference: st.Reference, IDNr: st.IDNr, Answer: ida.ReplyEvidence, Fields: fields,
			Held: st.Register.Person, Evidence: d.Evidence}
		ch.State, ch.Fields, ch.Evidence = ClarificationReplied, fields, d.Evidence
	}
	if reply != nil {
		if w.cfg.Clarifier == nil {
			return ClarificationDecided{}, false, &InputError{Field: "kind", Reason: "no IDA client configured for answers"}
		}
		if err := reply.ValidateAt(w.cfg.Now()); err != nil {
			return ClarificationDecided{}, false, replyInputError(err)
		}
		auth := ida.Auth{Role: c.Role, Actor: c.ID, Purpose: c.Purpose, LegalBasis: "§ 10 Abs. 5 IDNrG", FileRef: c.FileRef, Fields: w.cfg.Fields}
		rc, err := w.cfg.Clarifier.ReplyClarification(ctx, auth, *reply)
		if err != nil {
			if ida.IsInvalid(err) {
				return ClarificationDecided{}, false, replyInputError(err)
			}
			return ClarificationDecided{}, false, fmt.Errorf("review: answering the BVA: %w", err)
		}
		ch.ReplyMessage = rc.RequestID.String()
	}
	dec, replayed, err := cs.ApplyClarification(ctx, ch)
	if err != nil {
		return ClarificationDecided{}, false, err
	}
	w.log.Info("review: clarification decided", "clerk", c.ID, "reference", d.Reference, "kind", d.Kind.String(), "seq", dec.Seq, "replayed", replayed)
	return dec, replayed, nil
}

// replyInputError turns the IDA client's refusal of a reply into an
// *InputError naming the field (never a value).
func replyInputError(err error) error {
	var fe *ida.FieldError
	if errors.As(err, &fe) {
		f := strings.TrimPrefix(fe.Field, "ClarificationReply.")
		return &InputError{Field: f, Reason: fe.Reason}
	}
	return &InputError{Field: "reply", Reason: "not acceptable"}
}

func (d *ClarificationDecision) validate() error {
	switch {
	case strings.TrimSpace(d.ID) == "" || len(d.ID) > 100:
		return &InputError{Field: "id", Reason: "required, at most 100 characters"}
	case d.Reference == "" || len(d.Reference) > 64:
		return &InputError{Field: "reference", Reason: "required, at most 64 characters"}
	case d.Kind < ClarifyDefer || d.Kind >= numClarifyKinds:
		return &InputError{Field: "kind", Reason: "unknown decision"}
	case d.Version < 0:
		return &InputError{Field: "version", Reason: "negative"}
	case d.Kind == ClarifyDecline && strings.TrimSpace(d.Reason) == "":
		return &InputError{Field: "reason", Reason: "a decline needs a reason"}
	case d.Kind == ClarifyReply && len(d.Evidence) == 0:
		return &InputError{Field: "evidence", Reason: "an answer needs evidence"}
	case d.Kind != ClarifyReply && len(d.Evidence) > 0:
		return &InputError{Field: "evidence", Reason: "only for an answer"}
	case len(d.Reason) > maxText:
		return &InputError{Field: "reason", Reason: "too long"}
	case len(d.Note) > maxText:
		return &InputError{Field: "note", Reason: "too long"}
	}
	if audit.ContainsIDNr(d.Reason) || audit.ContainsIDNr(d.Note) {
		return &InputError{Field: "reason", Reason: "must not contain an IDNr"}
	}
	return nil
}
