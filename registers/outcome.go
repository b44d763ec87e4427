package registers

import (
	"fmt"

	"github.com/regmo/regmo/idnr"
)

// Outcome is what happened to one register record.
type Outcome uint8

const (
	// OutcomePending: not processed yet.
	OutcomePending Outcome = iota
	// Accepted: the IDNr was written and the basic data replaced.
	Accepted
	// Review: the BVA found a unique person, but the match is not clear;
	// a clerk decides (review queue).
	Review
	// NotIdentifiable: the BVA could not identify the person uniquely (no
	// hit, several hits, or an information block after the first transfer).
	NotIdentifiable
	// Rejected: the BVA refused the request, or the person it returned is
	// clearly not the register's person.
	Rejected
	// NoSearch: the record lacks what the law requires for any search
	// (see [BuildSearch]); nothing was sent.
	NoSearch
	// Updated (sync): the register's basic data were brought up to date.
	Updated
	// Unchanged (sync): the BZSt data equal the register's.
	Unchanged
	// Inaccurate (sync): the register has evidence that the BZSt data are
	// wrong; a report of suspected inaccuracy (§ 10 Abs. 4 IDNrG) was filed.
	Inaccurate
	numOutcomes
)

var outcomeText = [numOutcomes]string{"pending", "accepted", "review", "not_identifiable", "rejected", "no_search", "updated", "unchanged", "inaccurate"}

// String returns a stable token: "accepted", "review", "not_identifiable",
// "rejected", "no_search", "updated", "unchanged", "inaccurate", "pending".
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeText[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// MarshalText implements encoding.TextMarshaler.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// ParseOutcome is the inverse of [Outcome.String].
func ParseOutcome(s string) (Outcome, error) {
	for i, t := range outcomeText {
		if t == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("registers: unknown outcome %q", s)
}

// Result is the outcome for one record, as the engines hand it to the
// register.
type Result struct {
	Key     Key
	Outcome Outcome
	// Reason is a short stable code: for NoSearch why no search could be
	// formed ("no_family_name", ...), for NotIdentifiable and Rejected the
	// BVA's reason or "match_reject", for Review "match_review".
	Reason string
	// Person is, for Accepted and Updated, the basic data that replace the
	// register's (IDNr set); for Review and Rejected by the matcher, the
	// candidate the BVA returned (kept in the review queue only).
	Person idnr.Person
	// Fields are the basic data the BVA transferred.
	Fields idnr.Fields
	// Score and Details are the matcher's score and its readable reasons
	// (no personal data).
	Score   float64
	Details []string
	// MessageID is the message of the transfer (to find the protocol record).
	MessageID string
}

// SetIDNrAssigned turns an Accepted result into a Review case because the
// IDNr the BVA returned is already held by the register's record holder (a
// possible duplicate: two records of the same person). The IDNr is not
// written on this record; the candidate stays in r.Person for the review
// queue, and Details name the holder's key (the register's own key, no
// personal data) before the matcher's details.
func (r *Result) SetIDNrAssigned(holder Key) {
	r.Outcome = Review
	r.Reason = ReasonIDNrAssigned
	d := IDNrAssignedText
	if holder != "" {
		d += ": Datensatz " + string(holder)
	}
	r.Details = append([]string{d}, r.Details...)
}

// Case is a record for the clerks' work list: its key, the outcome and the
// reasons. It deliberately holds no personal data: the clerk opens the record
// in the register by its key; the candidate's data stay in the review queue
// of the register.
type Case struct {
	Key       Key
	Outcome   Outcome
	Reason    string
	Score     float64
	Details   []string
	MessageID string
	// Candidate is the person the BVA returned (Review only). It is not
	// written to the CSV.
	Candidate idnr.Person
	// Fields are the fields the BVA delivered with the candidate, the
	// IDNr included (Result.Fields): a field in Fields that Candidate
	// leaves empty was delivered empty. 0 if not known (a case a store
	// kept before it recorded them).
	Fields idnr.Fields
}

// CaseOf returns the case for a result.
func CaseOf(r Result) Case {
	c := Case{Key: r.Key, Outcome: r.Outcome, Reason: r.Reason, Score: r.Score, Details: r.Details, MessageID: r.MessageID}
	if r.Outcome == Review {
		c.Candidate, c.Fields = r.Person, r.Fields
	}
	return c
}

// CoreFields are the fields nearly every register keeps: IDNr, family
// name, given names and birth date.
const CoreFields = idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate
