package review

import (
	"context"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// Kind is what a clerk decides about a case.
type Kind uint8

const (
	// Accept writes the candidate's IDNr and transferred basic data, as an
	// automatic Accept of the backfill does.
	Accept Kind = iota + 1
	// Reject closes the case without an IDNr (a reason is required).
	Reject
	// SearchAgain corrects fields of the register's record and runs a new
	// lawful, protocolled IDA search; the case settles or comes back open
	// with the new evidence.
	SearchAgain
	// Merge marks the record as a duplicate of the record that holds the
	// candidate's IDNr (reason idnr_already_assigned), for the register
	// software to merge; the case is closed.
	Merge
	// Defer leaves the case open, with a note.
	Defer
	numKinds
)

var kindText = [numKinds]string{"", "accept", "reject", "search_again", "merge", "defer"}
var kindGerman = [numKinds]string{"", "Übernehmen", "Ablehnen", "Korrigieren und neu suchen", "Als Dublette zusammenführen", "Zurückstellen"}

// String returns a stable token: "accept", "reject", "search_again",
// "merge", "defer".
func (k Kind) String() string {
	if k > 0 && k < numKinds {
		return kindText[k]
	}
	return "kind(" + itoa(int(k)) + ")"
}

// German returns the German name of the decision for the clerk.
func (k Kind) German() string {
	if k > 0 && k < numKinds {
		return kindGerman[k]
	}
	return k.String()
}

// ParseKind is the inverse of [Kind.String].
func ParseKind(s string) (Kind, error) {
	for i := 1; i < int(numKinds); i++ {
		if kindText[i] == s {
			return Kind(i), nil
		}
	}
	return 0, &InputError{Field: "kind", Reason: "unknown decision"}
}

// Filter selects open cases of the work list. The zero Filter selects all.
type Filter struct {
	// Outcome, if not OutcomePending, selects one outcome.
	Outcome registers.Outcome
	// Reason, if not empty, selects one reason code exactly.
	Reason string
	// MinScore and MaxScore select a score band (inclusive) when HasScore.
	HasScore           bool
	MinScore, MaxScore float64
	// Key, if not empty, selects one record.
	Key registers.Key
}

// Summary is one line of the work list: no personal data, only the
// register's key, the outcome, the reason code and the score.
type Summary struct {
	Key       registers.Key
	Outcome   registers.Outcome
	Reason    string
	Score     float64
	MessageID string
	// Version counts the decisions made on the case.
	Version int
	// Deferred is true when the last decision was a Defer.
	Deferred bool
}

// Column is one mapped column of the register's record: its token, the
// field of the basic data it belongs to, and the texts on both sides.
type Column struct {
	Token     string
	Field     idnr.Fields
	Register  string
	Candidate string
}

// Stored is a case as the store keeps it.
type Stored struct {
	Summary
	Details []string
	// Register is the register's record (no IDNr: the case is open, or the
	// IDNr when it was settled by a decision).
	Register registers.Entry
	// Candidate is the person the BVA returned, when the case has one.
	Candidate    idnr.Person
	HasCandidate bool
	// Delivered are the fields the BVA delivered with the candidate, the
	// IDNr included: a field in Delivered that Candidate leaves empty was
	// delivered empty, and a clerk's Accept clears it in the register as
	// an automatic Accept does. 0 if the store does not know (a case
	// queued before it kept them): Accept then writes the candidate's
	// non-empty fields.
	Delivered idnr.Fields
	// Columns are the mapped columns in the register's order, with the
	// texts of the register's record and of the candidate.
	Columns []Column
	// Holder is, for a candidate whose IDNr another record holds, that
	// record's key.
	Holder registers.Key
	// Open is false once the case is settled (an IDNr written by a
	// decision, or closed by Reject or Merge); a case whose IDNr column
	// holds an invalid or doubly held number of the register's own is open.
	Open bool
	// Closed is the decision that closed the case (0 if none).
	Closed Kind
	// History lists the decisions, oldest first.
	History []Decided
}

// Decided is one entry of a case's decision history.
type Decided struct {
	// ID is the decision's idempotency key (the token of the form): a
	// second submission with the same ID decides nothing again.
	ID  string
	Key registers.Key
	// Seq numbers the decisions of a case from 1.
	Seq   int
	Kind  Kind
	Clerk string
	At    time.Time
	// Reason is the clerk's reason (Reject), Note the clerk's note.
	Reason, Note string
	// Outcome, ResultReason and MessageID are the record's outcome after
	// the decision (SearchAgain: the new search's) and the message of the
	// transfer that delivered a written IDNr.
	Outcome      registers.Outcome
	ResultReason string
	MessageID    string
	// Holder is the record a Merge marked this one a duplicate of.
	Holder registers.Key
	// Corrected lists the column tokens a SearchAgain corrected.
	Corrected []string
}

// Change is what [Store.Apply] stores in one transaction.
type Change struct {
	Decided
	// Version is the case's version the clerk saw (Summary.Version);
	// the change is refused with a *[ConflictError] if it moved.
	Version int
	// Close closes the case (Reject, Merge).
	Close bool
	// Texts are the corrected column texts by token (SearchAgain).
	Texts map[string]string
	// Result is the record's new outcome: for Accept the accepted IDNr with
	// the transferred fields; for SearchAgain the new search's result.
	Result *registers.Result
}

// Store keeps the cases and decisions; registers/sqlregister implements it
// on PostgreSQL and SQLite. Its methods must be safe for concurrent use.
type Store interface {
	// WorkList lists open cases matching f in key order after the key, at
	// most limit.
	WorkList(ctx context.Context, f Filter, after registers.Key, limit int) ([]Summary, error)
	// WorkListBefore lists open cases matching f in descending key order
	// before the key (not empty), at most limit: the previous cases of the
	// work list, by keyset.
	WorkListBefore(ctx context.Context, f Filter, before registers.Key, limit int) ([]Summary, error)
	// WorkCounts counts the open cases matching f per reason code (f.Reason
	// is ignored).
	WorkCounts(ctx context.Context, f Filter) (map[string]int, error)
	// LoadCase loads one case (open or not); ok == false if the record does not
	// exist or never was a case.
	LoadCase(ctx context.Context, key registers.Key) (c Stored, ok bool, err error)
	// ParseRecord builds a person from column texts by token; a text it
	// cannot read is an *[InputError] naming the token.
	ParseRecord(texts map[string]string) (idnr.Person, error)
	// Apply stores a decision atomically: the history entry, the effect on
	// the record and the case's new version. A change whose ID was stored
	// before returns that decision with replayed == true and changes
	// nothing. Errors: *[ConflictError] (another decision came first),
	// *[IDNrHeldError] (Accept of an IDNr another record holds),
	// [ErrNotOpen], [ErrNotFound].
	Apply(ctx context.Context, c Change) (d Decided, replayed bool, err error)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
