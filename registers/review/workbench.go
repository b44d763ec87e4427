package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
)

// AccessRecorder writes the read-access log; *audit.Log implements it
// ([audit.Log.RecordRead]).
type AccessRecorder interface {
	RecordRead(ctx context.Context, a audit.Access, count int) error
}

// Config configures a [Workbench].
type Config struct {
	Store  Store          // required
	Policy Policy         // required: who may do what
	Access AccessRecorder // required: every opened case is logged
	// Matcher compares the register's record with the candidate for the
	// case page and decides the answers of SearchAgain (required).
	Matcher registers.Matcher
	// Identifier sends the searches of SearchAgain (*ida.Client, or
	// *melde.Client on the Meldebehörde's route); nil
	// refuses SearchAgain.
	Identifier registers.Identifier
	// Clarifier sends the answers to the BVA's clarification requests
	// (*ida.Client; see [Workbench.DecideClarification]); nil refuses them.
	Clarifier registers.ClarificationReplier
	// LegalBasis and Fields complete the clerk's ida.Auth of a search
	// (role, actor and purpose are the clerk's); Fields default to all.
	LegalBasis string
	Fields     idnr.Fields
	// AcceptThreshold and RejectBelow are shown beside the score (default
	// idnr/match's defaults).
	AcceptThreshold, RejectBelow float64
	// Now defaults to time.Now; Logger to a discarding one. Nothing
	// personal is logged: keys, decisions, codes.
	Now    func() time.Time
	Logger *slog.Logger
}

// Workbench is the clerks' decision engine over a [Store]. It is safe for
// concurrent use.
type Workbench struct {
	cfg Config
	log *slog.Logger
}

// New checks cfg and returns a Workbench.
func New(cfg Config) (*Workbench, error) {
	switch {
	case cfg.Store == nil:
		return nil, &InputError{Field: "Config.Store", Reason: "required"}
	case cfg.Access == nil:
		return nil, &InputError{Field: "Config.Access", Reason: "required (every opened case is logged)"}
	case cfg.Matcher == nil:
		return nil, &InputError{Field: "Config.Matcher", Reason: "required"}
	case len(cfg.Policy.Rules) == 0:
		return nil, &InputError{Field: "Config.Policy", Reason: "no rules: nobody could work"}
	}
	if cfg.Fields == 0 {
		cfg.Fields = idnr.AllFields
	}
	if cfg.AcceptThreshold == 0 {
		cfg.AcceptThreshold = match.DefaultAcceptThreshold
	}
	if cfg.RejectBelow == 0 {
		cfg.RejectBelow = match.DefaultRejectBelow
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Workbench{cfg: cfg, log: cfg.Logger}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	return w, nil
}

func (w *Workbench) check(c Clerk, a Action) error {
	if strings.TrimSpace(c.ID) == "" {
		return ErrUnauthenticated
	}
	return w.cfg.Policy.Check(c, a)
}

// List returns a page of open cases in key order after the key (limit
// default 50, at most 500) and the key to continue after ("" at the end).
func (w *Workbench) List(ctx context.Context, c Clerk, f Filter, after registers.Key, limit int) ([]Summary, registers.Key, error) {
	if err := w.check(c, ActionRead); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	cs, err := w.cfg.Store.WorkList(ctx, f, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	var next registers.Key
	if len(cs) > limit {
		cs = cs[:limit]
		next = cs[limit-1].Key
	}
	return cs, next, nil
}

// Neighbours returns the open cases before and after the key in the work
// list's order under the filter f ("" where there is none), computed by
// keyset on the store: the previous and next case of the case page. The
// key itself need not be open (a case just decided).
func (w *Workbench) Neighbours(ctx context.Context, c Clerk, f Filter, key registers.Key) (prev, next registers.Key, err error) {
	if err := w.check(c, ActionRead); err != nil {
		return "", "", err
	}
	if key == "" {
		return "", "", &InputError{Field: "key", Reason: "required"}
	}
	f.Key = ""
	before, err := w.cfg.Store.WorkListBefore(ctx, f, key, 1)
	if err != nil {
		return "", "", err
	}
	after, err := w.cfg.Store.WorkList(ctx, f, key, 1)
	if err != nil {
		return "", "", err
	}
	if len(before) == 1 {
		prev = before[0].Key
	}
	if len(after) == 1 {
		next = after[0].Key
	}
	return prev, next, nil
}

// Counts returns the number of open cases per reason code matching f.
func (w *Workbench) Counts(ctx context.Context, c Clerk, f Filter) (map[string]int, error) {
	if err := w.check(c, ActionRead); err != nil {
		return nil, err
	}
	return w.cfg.Store.WorkCounts(ctx, f)
}

// Case is a case as the clerk sees it: both records side by side and the
// matcher's comparison.
type Case struct {
	Stored
	// Compared is the matcher's verdict on register record and candidate
	// now (per field the level, weight and German explanation); zero
	// without a candidate.
	Compared        match.Outcome
	AcceptThreshold float64
	RejectBelow     float64
}

// FieldRows returns the compared fields with their level, weight and the
// German explanation, in field order.
func (c *Case) FieldRows() []match.Reason { return c.Compared.Reasons.Compared() }

// Open loads a case for the clerk and writes the opening to the
// read-access log (who, purpose, reason: the case's key) before anything is
// returned; an opening that cannot be logged is refused.
func (w *Workbench) Open(ctx context.Context, c Clerk, key registers.Key) (*Case, error) {
	if err := w.check(c, ActionRead); err != nil {
		return nil, err
	}
	st, ok, err := w.cfg.Store.LoadCase(ctx, key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	reason := "Fall " + string(key)
	if c.FileRef != "" {
		reason = c.FileRef + "; " + reason
	}
	n := 1
	if st.HasCandidate {
		n = 2
	}
	if err := w.cfg.Access.RecordRead(ctx, audit.Access{Who: c.ID, Purpose: audit.CaseWork, Reason: clip(reason, audit.MaxText)}, n); err != nil {
		return nil, fmt.Errorf("review: logging the read access: %w", err)
	}
	out := &Case{Stored: st, AcceptThreshold: w.cfg.AcceptThreshold, RejectBelow: w.cfg.RejectBelow}
	if st.HasCandidate {
		out.Compared = w.cfg.Matcher.Match(&st.Register.Person, &st.Candidate)
	}
	w.log.Info("review: case opened", "clerk", c.ID, "key", string(key))
	return out, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Decision is a clerk's decision on one case.
type Decision struct {
	// ID is the idempotency key, unique per decision (the form's token); a
	// second submission with the same ID decides nothing again.
	ID   string
	Key  registers.Key
	Kind Kind
	// Version is the case's version the clerk saw.
	Version int
	// Reason is required for Reject; Note is free text (Defer).
	Reason, Note string
	// Texts are the corrected column texts by token (SearchAgain).
	Texts map[string]string
}

// Outcome is what a decision did.
type Outcome struct {
	Decided
	// Replayed is true when the decision had been stored before (a double
	// submit): nothing was decided again.
	Replayed bool
}

// maxText bounds reasons and notes.
const maxText = 500

// Decide checks the clerk's role and purpose and applies the decision
// durably: see [Kind] for what each does. Errors are typed: *InputError,
// *ForbiddenError, *ConflictError, *IDNrHeldError, ErrNotOpen, ErrNotFound.
func (w *Workbench) Decide(ctx context.Context, c Clerk, d Decision) (Outcome, error) {
	action := ActionDecide
	if d.Kind == SearchAgain {
		action = ActionSearch
	}
	if err := w.check(c, action); err != nil {
		return Outcome{}, err
	}
	if err := d.validate(); err != nil {
		return Outcome{}, err
	}
	st, ok, err := w.cfg.Store.LoadCase(ctx, d.Key)
	if err != nil {
		return Outcome{}, err
	}
	if !ok {
		return Outcome{}, ErrNotFound
	}
	for _, h := range st.History {
		if h.ID == d.ID {
			return Outcome{Decided: h, Replayed: true}, nil
		}
	}
	if !st.Open {
		return Outcome{}, ErrNotOpen
	}
	if st.Version != d.Version {
		return Outcome{}, &ConflictError{Key: d.Key, Version: st.Version}
	}
	ch := Change{Decided: Decided{ID: d.ID, Key: d.Key, Seq: d.Version + 1, Kind: d.Kind, Clerk: c.ID, At: w.cfg.Now().UTC(),
		Reason: d.Reason, Note: d.Note, Outcome: st.Outcome, ResultReason: st.Reason, MessageID: st.MessageID}, Version: d.Version}
	switch d.Kind {
	case Accept:
		if !st.HasCandidate || st.Candidate.IDNr.IsZero() {
			return Outcome{}, &InputError{Field: "kind", Reason: "the case has no candidate with an IDNr to accept"}
		}
		if st.Holder != "" && st.Holder != d.Key {
			return Outcome{}, &IDNrHeldError{Key: d.Key, Holder: st.Holder}
		}
		p := st.Candidate
		// Exactly what an automatic Accept of the same answer writes: the
		// delivered fields, those delivered empty included. A case
		// queued before the store kept them writes the non-empty ones.
		fields := st.Delivered & idnr.AllFields
		if fields == 0 {
			fields = idnr.AllFields.Filled(&p)
		}
		ch.Result = &registers.Result{Key: d.Key, Outcome: registers.Accepted, Person: p,
			Fields: fields | idnr.FieldIDNr, MessageID: st.MessageID, Score: st.Score}
		ch.Outcome, ch.ResultReason = registers.Accepted, ""
	case Reject:
		ch.Close = true
	case Merge:
		if st.Reason != registers.ReasonIDNrAssigned || st.Holder == "" || st.Holder == d.Key {
			return Outcome{}, &InputError{Field: "kind", Reason: "merge needs a case whose IDNr another record holds (idnr_already_assigned)"}
		}
		ch.Close, ch.Holder = true, st.Holder
	case Defer:
	case SearchAgain:
		if err := w.searchAgain(ctx, c, &st, d, &ch); err != nil {
			return Outcome{}, err
		}
	}
	dec, replayed, err := w.cfg.Store.Apply(ctx, ch)
	if err != nil {
		return Outcome{}, err
	}
	w.log.Info("review: decision", "clerk", c.ID, "key", string(d.Key), "kind", d.Kind.String(), "seq", dec.Seq, "replayed", replayed, "outcome", dec.Outcome.String())
	return Outcome{Decided: dec, Replayed: replayed}, nil
}

func (d *Decision) validate() error {
	switch {
	case strings.TrimSpace(d.ID) == "" || len(d.ID) > 100:
		return &InputError{Field: "id", Reason: "required, at most 100 characters"}
	case d.Key == "":
		return &InputError{Field: "key", Reason: "required"}
	case d.Kind < Accept || d.Kind >= numKinds:
		return &InputError{Field: "kind", Reason: "unknown decision"}
	case d.Version < 0:
		return &InputError{Field: "version", Reason: "negative"}
	case d.Kind == Reject && strings.TrimSpace(d.Reason) == "":
		return &InputError{Field: "reason", Reason: "a rejection needs a reason"}
	case len(d.Reason) > maxText:
		return &InputError{Field: "reason", Reason: "too long"}
	case len(d.Note) > maxText:
		return &InputError{Field: "note", Reason: "too long"}
	case d.Kind == SearchAgain && len(d.Texts) == 0:
		return &InputError{Field: "texts", Reason: "correct and search again needs at least one corrected field"}
	}
	if audit.ContainsIDNr(d.Reason) || audit.ContainsIDNr(d.Note) {
		return &InputError{Field: "reason", Reason: "must not contain an IDNr"}
	}
	return nil
}

// searchAgain corrects the record, sends one lawful search with the
// clerk's authorisation (the IDA client protocols the transfer) and turns
// the answer into the record's new outcome, as the backfill does.
func (w *Workbench) searchAgain(ctx context.Context, c Clerk, st *Stored, d Decision, ch *Change) error {
	if w.cfg.Identifier == nil {
		return &InputError{Field: "kind", Reason: "no IDA client configured for searches"}
	}
	texts := make(map[string]string, len(st.Columns))
	known := make(map[string]bool, len(st.Columns))
	for _, col := range st.Columns {
		texts[col.Token] = col.Register
		known[col.Token] = true
	}
	var corrected []string
	for tok, v := range d.Texts {
		if !known[tok] {
			return &InputError{Field: tok, Reason: "not a column of the register"}
		}
		v = strings.TrimSpace(v)
		if len(v) > 200 {
			return &InputError{Field: tok, Reason: "too long"}
		}
		if v != texts[tok] {
			texts[tok] = v
			corrected = append(corrected, tok)
		}
	}
	if len(corrected) == 0 {
		return &InputError{Field: "texts", Reason: "nothing was changed"}
	}
	p, err := w.cfg.Store.ParseRecord(texts)
	if err != nil {
		return err
	}
	search, err := registers.BuildSearch(&p)
	if err != nil {
		var ns *registers.NoSearchError
		if errors.As(err, &ns) {
			return &InputError{Field: "texts", Reason: "no lawful search possible: " + ns.Reason}
		}
		return &InputError{Field: "texts", Reason: "no lawful search possible"}
	}
	auth := ida.Auth{Role: c.Role, Actor: c.ID, Purpose: c.Purpose, LegalBasis: w.cfg.LegalBasis, FileRef: c.FileRef, Fields: w.cfg.Fields}
	answers, err := w.cfg.Identifier.Bulk(ctx, auth, []ida.Search{search})
	if err != nil {
		return fmt.Errorf("review: search: %w", err)
	}
	if len(answers) != 1 {
		return fmt.Errorf("review: search: %d answers for one search", len(answers))
	}
	res := registers.ResultOf(w.cfg.Matcher, d.Key, &p, &answers[0])
	ch.Texts = make(map[string]string, len(corrected))
	for _, tok := range corrected {
		ch.Texts[tok] = texts[tok]
	}
	ch.Corrected = corrected
	ch.Result = &res
	ch.Outcome, ch.ResultReason, ch.MessageID = res.Outcome, res.Reason, res.MessageID
	return nil
}
