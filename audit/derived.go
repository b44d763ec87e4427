package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// Derived copies. A store may answer [Store.Records] from a copy of the
// records (audit/sqlite keeps one in its person file, clustered by person);
// the chain does not cover such a copy, so it is never trusted:
//
//   - what a query returns from it is checked against the chained record
//     ([CopyMatches]; the store refuses a copy that does not match with an
//     error wrapping [ErrCopyMismatch], and Query returns no data), and
//   - [Log.Verify] compares all copies with the records through
//     [DerivedChecker], which finds what a query cannot see: a copy that was
//     deleted (its record no longer shows for the person) or added.

// ErrCopyMismatch is wrapped by the error of a query that read a derived
// copy of a record that does not match the chained record (edited, or
// without a record). No data of that query are returned. It never names
// the record's content.
var ErrCopyMismatch = errors.New("audit: a stored copy of a record does not match the chained record")

// CopyMatches reports whether a copy (Seq, Time, IDNr and Data as a store
// serves them) is the chained record at Seq: the chain hash over the
// chained record's prev hash and segment and the copy's Data equals the
// chained hash, and the copy's IDNr and Time columns are those of its
// encoding. prev, segment and hash must be read from the chained row
// (which [Log.Verify] checks), never from the copy.
func CopyMatches(c *Row, prev *[32]byte, segment int64, hash *[32]byte) bool {
	if len(c.Data) < fixedHeader || !knownVersion(c.Data[0]) {
		return false
	}
	k, ok := idnrKey(c.Data[offIDNr : offIDNr+11])
	if !ok || k != c.IDNr || int64(binary.BigEndian.Uint64(c.Data[offTime:])) != c.Time {
		return false
	}
	return rowHash(prev, segment, c.Data) == *hash
}

// DerivedChecker is implemented by a [Store] that keeps derived copies of
// the records. [Log.Verify] calls it (found by type assertion, so that
// stores without copies need not implement it) and reports each problem
// as a [CopyMismatch] finding.
type DerivedChecker interface {
	// CheckDerived compares every derived copy with the chained records
	// and returns the problems found (counts and positions, never
	// content); an error only if it could not check.
	CheckDerived(ctx context.Context) ([]DerivedProblem, error)
}

// DerivedProblem is one kind of difference between derived copies and the
// records.
type DerivedProblem struct {
	Copy   string // which copy, e.g. "person file"
	Count  int64  // how many copies or records are concerned
	Seq    int64  // the first record concerned (0 if unknown)
	Detail string // e.g. "copies differ from their records", "records have no copy"
}

func (p DerivedProblem) String() string {
	s := fmt.Sprintf("%s: %d %s", p.Copy, p.Count, p.Detail)
	if p.Seq != 0 {
		s += fmt.Sprintf(" (first at record %d)", p.Seq)
	}
	return s
}

// checkDerived adds the findings of the store's derived-copy check to rep.
func (l *Log) checkDerived(ctx context.Context, rep *Report) error {
	dc, ok := l.store.(DerivedChecker)
	if !ok {
		return nil
	}
	ps, err := dc.CheckDerived(ctx)
	if err != nil {
		return fmt.Errorf("audit: verify: derived copies: %w", err)
	}
	for _, p := range ps {
		if len(rep.Findings) < maxFindings {
			rep.Findings = append(rep.Findings, Finding{Kind: CopyMismatch, Seq: p.Seq, LastSeq: p.Seq, Detail: p.String()})
		}
	}
	return nil
}

// verifyBeyondChain runs the checks of Verify that are not about the
// records' chain: the derived copies and the access and transport logs.
func (l *Log) verifyBeyondChain(ctx context.Context, rep *Report) error {
	if err := l.checkDerived(ctx, rep); err != nil {
		return err
	}
	if err := l.verifySide(ctx, sideAccess, rep); err != nil {
		return err
	}
	return l.verifySide(ctx, sideTransport, rep)
}

// sideFindingString formats a finding that is not about a segment.
func sideFindingString(f Finding) string {
	s := f.Kind.String()
	if f.Seq != 0 {
		switch f.Kind {
		case CopyMismatch:
			s += fmt.Sprintf(": record %d", f.Seq)
		default:
			if f.LastSeq > f.Seq {
				s += fmt.Sprintf(": entries %d..%d", f.Seq, f.LastSeq)
			} else {
				s += fmt.Sprintf(": entry %d", f.Seq)
			}
		}
	}
	if f.Detail != "" {
		s += ": " + f.Detail
	}
	return s
}

// RowHash is the chain hash of a record: SHA-256 over a domain tag, the
// previous record's hash, the segment and the encoding (see the package
// doc). Stores and tests use it to build or check rows outside a Log.
func RowHash(prev *[32]byte, segment int64, data []byte) [32]byte {
	return rowHash(prev, segment, data)
}
