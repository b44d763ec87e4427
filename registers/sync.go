package registers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// SyncReader reads people that have an IDNr, in key order after the key.
type SyncReader interface {
	NextWithIDNr(ctx context.Context, after Key, limit int) ([]Entry, error)
}

// SyncWriter stores all results of a batch of [Sync] and the checkpoint in
// ONE transaction. The records already hold their IDNr: Updated and
// Inaccurate results replace the fields in Result.Fields with
// Result.Person's (the record must still hold the same IDNr), Unchanged
// ones change nothing, and Inaccurate and every other outcome go to the
// review queue; nothing else of the record is changed.
type SyncWriter interface {
	WriteSync(ctx context.Context, b Batch) error
}

// SyncRegister is what [Sync] needs: read the people with an IDNr and write
// each batch atomically. [Checkpointer] and [CheckpointResetter] are
// discovered by type assertion.
type SyncRegister interface {
	SyncReader
	SyncWriter
}

// CheckpointResetter clears a job's checkpoint (Sync does so after a
// complete pass, so that the next pass starts at the beginning).
type CheckpointResetter interface {
	ResetCheckpoint(ctx context.Context, job string) error
}

// SyncConfig configures a [Sync]. Zero values mean the documented defaults.
type SyncConfig struct {
	// Register is the register to sync (required).
	Register SyncRegister
	// IDA looks people up by IDNr and birth date (required): an
	// *ida.Client.
	IDA Looker
	// Auth is sent with every request (who asks, why, which fields).
	Auth ida.Auth
	// Reporter files reports of suspected inaccuracy; default: IDA, if it
	// implements [InaccuracyReporter]. Without one, Inaccurate cases only
	// go to the review queue (reason "inaccuracy_suspected").
	Reporter InaccuracyReporter
	// Fields are the basic data the register keeps; only they are
	// compared and replaced. Default: all.
	Fields idnr.Fields
	// Job names the checkpoint; default "sync".
	Job string
	// BatchSize is the number of people per register transaction; default 200.
	BatchSize int
	// Workers is the number of lookups in flight; default 4.
	Workers int
	// Limit stops after this many people (0: all).
	Limit  int
	Logger *slog.Logger
}

// Sync keeps the basic data of a filled register current (regular
// operation after the initial fill): for each person with an IDNr it looks
// the person up by IDNr and birth date, replaces the basic data that
// changed at the BZSt, and where the register has evidence that the BZSt's
// data are wrong it keeps its own value and files a report of suspected
// inaccuracy (§ 10 Abs. 4 IDNrG).
//
// # Evidence rule
//
// The register has evidence against a BZSt value of a field when
//
//  1. the field is among the record's Entry.Verified fields (the register
//     checked it against a primary document, e.g. a civil-status
//     certificate, and marks it so) and the BZSt value differs; or
//  2. the register holds a date of death and the BZSt holds none or a
//     different one (a death is registered only on a death certificate).
//
// Such fields are not replaced; the other changed fields are. A field
// whose register value could not be read ([Entry.Defects]) is neither
// compared nor replaced. The outcome is
// [Inaccurate] and the case goes to the review queue. A report is filed
// only for the fields backed by the details of a document
// (Entry.Evidence: kind, number or reference, date, issuing authority; see
// [ida.Evidence]), since the BVA counts only backed deviations: it names
// those fields, the register's values of them and the evidence (each item
// narrowed to the reported fields), and the reason is
// "inaccuracy_reported:<fields>". A verified field whose evidence details
// are missing or unusable (an item that fails [ida.Evidence.ValidateAt]
// does not count; the case's details say why) is kept too but not
// reported: the reason is "inaccuracy_no_evidence:<fields>", a case for
// the clerks (it takes precedence in the reason when some fields were
// reported and others not; the details name both). Without evidence, a
// difference is an update ([Updated]): the BZSt's data are authoritative
// (§ 6 Abs. 1 IDNrG).
// A lookup that finds no one ("not identifiable": the IDNr and birth date
// do not fit) goes to the review queue as [NotIdentifiable]; a rejected
// lookup as [Rejected] with the BVA's reason code. An answer the IDA client
// refused (it does not fit its request or carries invalid values; see
// [ida.IsAnswerRefused]) is, like in the backfill, the outcome of that one
// record: [Rejected] with reason "answer_refused:<field>", a case for the
// clerks, nothing of it written; the pass goes on with everyone else.
type Sync struct {
	cfg SyncConfig
	log *slog.Logger
}

// NewSync checks the configuration and applies the defaults.
func NewSync(cfg SyncConfig) (*Sync, error) {
	if cfg.Register == nil {
		return nil, ErrNoRegister
	}
	if cfg.IDA == nil {
		return nil, ErrNoIDA
	}
	if cfg.Reporter == nil {
		cfg.Reporter, _ = cfg.IDA.(InaccuracyReporter)
	}
	if cfg.Fields == 0 {
		cfg.Fields = idnr.AllFields
	}
	if cfg.Job == "" {
		cfg.Job = "sync"
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 200
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	s := &Sync{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Run makes one pass over the register from the checkpoint on. It returns
// the report of the pass; after a complete pass the checkpoint is reset.
func (s *Sync) Run(ctx context.Context) (*Report, error) {
	rep := newReport(s.cfg.Job)
	after := Key("")
	if cp, ok := s.cfg.Register.(Checkpointer); ok {
		var err error
		if after, err = cp.Checkpoint(ctx, s.cfg.Job); err != nil {
			return nil, err
		}
	}
	for {
		limit := s.cfg.BatchSize
		if s.cfg.Limit > 0 {
			if rep.People >= s.cfg.Limit {
				break
			}
			limit = min(limit, s.cfg.Limit-rep.People)
		}
		entries, err := s.cfg.Register.NextWithIDNr(ctx, after, limit)
		if err != nil {
			return rep, fmt.Errorf("registers: reading register: %w", err)
		}
		if len(entries) == 0 {
			if r, ok := s.cfg.Register.(CheckpointResetter); ok {
				if err := r.ResetCheckpoint(ctx, s.cfg.Job); err != nil {
					return rep, err
				}
			}
			break
		}
		results, err := s.batch(ctx, entries)
		if err != nil {
			return rep, err
		}
		after = entries[len(entries)-1].Key
		if err := s.cfg.Register.WriteSync(context.WithoutCancel(ctx), Batch{Results: results, Job: s.cfg.Job, Checkpoint: after}); err != nil {
			return rep, fmt.Errorf("registers: writing batch: %w", err)
		}
		for i := range results {
			rep.add(&results[i])
		}
	}
	rep.finish(time.Now())
	return rep, nil
}

func (s *Sync) batch(ctx context.Context, entries []Entry) ([]Result, error) {
	results := make([]Result, len(entries))
	sem := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range entries {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			r, err := s.one(ctx, &entries[i])
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			results[i] = r
		}()
	}
	wg.Wait()
	return results, firstErr
}

func (s *Sync) one(ctx context.Context, e *Entry) (Result, error) {
	res := Result{Key: e.Key}
	reg := &e.Person
	if reg.BirthDate.IsZero() {
		res.Outcome, res.Reason = Review, ReasonNoBirthDate
		return res, nil
	}
	a, err := s.cfg.IDA.Lookup(ctx, s.cfg.Auth, ida.Lookup{IDNr: reg.IDNr, BirthDate: reg.BirthDate})
	if err != nil && !ida.IsNotIdentifiable(err) && !ida.IsRejected(err) && !ida.IsAnswerRefused(err) {
		return res, fmt.Errorf("registers: lookup: %w", err)
	}
	if a.Err == nil {
		a.Err = err // a rejection of the whole message carries its code here
	}
	res.MessageID = messageID(&a)
	switch a.Outcome {
	case ida.Hit:
	case ida.NotIdentifiable:
		res.Outcome, res.Reason = NotIdentifiable, "lookup_not_identifiable"
		return res, nil
	default:
		res.Outcome, res.Reason = Rejected, answerReason(&a)
		return res, nil
	}
	bzst := &a.Person
	// A field whose register value could not be read is neither compared
	// nor replaced (see Entry.Defects).
	delivered := a.Fields & s.cfg.Fields &^ idnr.FieldIDNr &^ e.unreadable()
	changed := delivered.Differing(reg, bzst)
	claimed := changed & e.Verified
	if !reg.DeathDate.IsZero() && s.cfg.Fields.Has(idnr.FieldDeathDate) && reg.DeathDate != bzst.DeathDate {
		claimed |= idnr.FieldDeathDate
	}
	backed, proof, unusable := backing(e.Evidence, claimed, time.Now())
	unbacked := claimed &^ backed
	// The new record: the BZSt's data for the delivered fields the
	// register does not hold against them, the register's own elsewhere.
	res.Person = *reg
	(delivered &^ claimed).Copy(&res.Person, bzst)
	res.Fields = (changed &^ claimed) | idnr.FieldIDNr
	res.Outcome = Updated
	res.Reason = "changed:" + strings.Join((changed&^claimed).Tokens(), "+")
	switch {
	case claimed != 0:
		res.Outcome = Inaccurate
		if backed != 0 {
			res.Reason = ReasonInaccuracyReported + ":" + strings.Join(backed.Tokens(), "+")
			if s.cfg.Reporter != nil {
				r := ida.InaccuracyReport{IDNr: reg.IDNr, Fields: backed, Held: *reg, Reason: "register-evidence", Evidence: proof}
				if _, err := s.cfg.Reporter.ReportInaccuracy(ctx, s.cfg.Auth, r); err != nil {
					return res, fmt.Errorf("registers: report of inaccuracy: %w", err)
				}
				res.Details = append(res.Details, "Bericht an das BVA (§ 10 Abs. 4 IDNrG) mit Nachweis: "+proofText(proof))
			} else {
				res.Reason = ReasonInaccuracySuspected + ":" + strings.Join(backed.Tokens(), "+")
				res.Details = append(res.Details, "Register hat Nachweis gegen BZSt-Daten (kein Bericht: kein Melder konfiguriert): "+proofText(proof))
			}
		}
		if unbacked != 0 {
			res.Reason = ReasonInaccuracyNoEvidence + ":" + strings.Join(unbacked.Tokens(), "+")
			res.Details = append(res.Details, "Abweichung in geprüften Feldern ohne Nachweisangaben: "+germanFields(unbacked)+
				" (Registerwert behalten, kein Bericht an das BVA; Nachweis erfassen oder Abweichung klären)")
		}
		res.Details = append(res.Details, unusable...)
	case changed == 0:
		res.Outcome, res.Reason = Unchanged, ""
	}
	if e.hasDefect(DefectEvidence) && claimed != 0 {
		res.Details = append(res.Details, "Nachweisangaben des Registers nicht lesbar")
	}
	return res, nil
}

// Reasons of [Sync]'s Inaccurate results (followed by ":" and the fields).
const (
	ReasonInaccuracyReported   = "inaccuracy_reported"
	ReasonInaccuracySuspected  = "inaccuracy_suspected"
	ReasonInaccuracyNoEvidence = "inaccuracy_no_evidence"
)

// DefectEvidence is the code of the [ValueDefect] in Entry.Defects of a
// record whose evidence details cannot be read (see [ParseEvidence]). It
// does not block a search; for compatibility Sync also accepts it as
// Entry.Defect.
const DefectEvidence = "evidence_invalid"

// backing returns the fields of claimed that the usable items of ev prove,
// the items narrowed to those fields, and a German line per unusable item.
func backing(ev []ida.Evidence, claimed idnr.Fields, now time.Time) (backed idnr.Fields, proof []ida.Evidence, unusable []string) {
	if claimed == 0 {
		return 0, nil, nil
	}
	for i := range ev {
		x := ev[i]
		over := x.Fields & claimed
		if over == 0 {
			continue
		}
		x.Fields = over
		if err := x.ValidateAt(now); err != nil {
			reason := "unvollständig"
			var fe *ida.FieldError
			if errors.As(err, &fe) {
				reason = fe.Field + ": " + fe.Reason
			}
			unusable = append(unusable, "Nachweis "+strconv.Itoa(i+1)+" unbrauchbar ("+reason+")")
			continue
		}
		if len(proof) < ida.MaxEvidence {
			backed |= over
			proof = append(proof, x)
		}
	}
	return backed, proof, unusable
}

// proofText names the documents of a report for the clerk's details: kind
// and the fields proved, no numbers.
func proofText(proof []ida.Evidence) string {
	parts := make([]string, len(proof))
	for i, e := range proof {
		parts[i] = germanFields(e.Fields) + " (" + e.Kind.German() + ")"
	}
	return strings.Join(parts, "; ")
}

func germanFields(f idnr.Fields) string {
	var names []string
	for x := range f.All() {
		names = append(names, x.German())
	}
	return strings.Join(names, ", ")
}
