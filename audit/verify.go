package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// FindingKind says how the log was tampered with.
type FindingKind uint8

const (
	_ FindingKind = iota
	// Edited: a record's content (or an indexed copy of it) no longer
	// matches its hash.
	Edited
	// Deleted: records are missing from the chain.
	Deleted
	// Inserted: a record that is not part of the chain was added.
	Inserted
	// Reordered: records stand in another order than they were chained.
	Reordered
	// BrokenLink: a record does not chain to its predecessor and none of
	// the above explains it.
	BrokenLink
	// SegmentMissing: a segment's records are gone although no purge
	// removed them (or it was purged before its retention ended).
	SegmentMissing
	// SegmentMismatch: a segment's records do not match its signed anchor
	// (count or last hash), for example after the whole segment was
	// rewritten.
	SegmentMismatch
	// AnchorInvalid: an anchor's signature does not verify with a trusted
	// key, or the anchors do not chain (an anchor removed or inserted).
	AnchorInvalid
	// TailCut: the log is shorter than a checkpoint says it was.
	TailCut
	// Rewritten: the history before a checkpoint differs from what the
	// checkpoint signed.
	Rewritten
	// CheckpointMissing: the checkpoint file or a witness holds no
	// checkpoint of this log although the log keeps them (deleted, or
	// writing it failed).
	CheckpointMissing
	// CheckpointInvalid: a kept checkpoint does not decode, is not signed
	// by a trusted key, or belongs to another log (the store was replaced).
	CheckpointInvalid
	// CopyMismatch: a derived copy of the records (the SQLite person file)
	// differs from the chained records, lacks a record or holds one that is
	// not in the chain (see [DerivedChecker]).
	CopyMismatch
	// AccessLogTampered: an entry of the read-access log was edited,
	// deleted, inserted or appended without the log's key (Seq is the
	// entry's ID; see [Log.Verify]).
	AccessLogTampered
	// TransportLogTampered: the same for the transport log.
	TransportLogTampered
)

func (k FindingKind) String() string {
	switch k {
	case Edited:
		return "edited"
	case Deleted:
		return "deleted"
	case Inserted:
		return "inserted"
	case Reordered:
		return "reordered"
	case BrokenLink:
		return "broken link"
	case SegmentMissing:
		return "segment missing"
	case SegmentMismatch:
		return "segment mismatch"
	case AnchorInvalid:
		return "anchor invalid"
	case TailCut:
		return "tail cut"
	case Rewritten:
		return "history rewritten"
	case CheckpointMissing:
		return "checkpoint missing"
	case CheckpointInvalid:
		return "checkpoint invalid"
	case CopyMismatch:
		return "copy mismatch"
	case AccessLogTampered:
		return "access log tampered"
	case TransportLogTampered:
		return "transport log tampered"
	}
	return fmt.Sprintf("FindingKind(%d)", uint8(k))
}

// Finding is one piece of tampering found by Verify. It names positions
// and record IDs, never personal data.
type Finding struct {
	Kind     FindingKind
	Segment  int64     // the segment (UTC day number) concerned
	Seq      int64     // the record's position (first of a range), 0 if none
	LastSeq  int64     // last position of a range (Deleted), else equal to Seq or 0
	RecordID uuid.UUID // the record's ID if it could be read
	Detail   string
}

func (f Finding) String() string {
	if f.Kind == CopyMismatch || f.Kind == AccessLogTampered || f.Kind == TransportLogTampered {
		return sideFindingString(f) // not about a segment of the records
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: segment %d (%s)", f.Kind, f.Segment, segmentEnd(f.Segment).Add(-day).Format("2006-01-02"))
	if f.Seq != 0 {
		if f.LastSeq > f.Seq {
			fmt.Fprintf(&b, ", records %d..%d", f.Seq, f.LastSeq)
		} else {
			fmt.Fprintf(&b, ", record %d", f.Seq)
		}
	}
	if f.RecordID != (uuid.UUID{}) {
		fmt.Fprintf(&b, " (id %s)", f.RecordID)
	}
	if f.Detail != "" {
		b.WriteString(": " + f.Detail)
	}
	return b.String()
}

// Report is the result of a verification.
type Report struct {
	Records  int64 // records checked
	Segments int   // segments seen (with records or anchors)
	Purged   int   // segments purged lawfully (anchors only)
	Findings []Finding
	// Notes say what the verification could not cover, for example that
	// no checkpoint file is configured or since when checkpoints are kept.
	// They are not findings.
	Notes []string
}

// OK reports whether nothing was found.
func (r *Report) OK() bool { return len(r.Findings) == 0 }

// TamperError is returned by Verify when it found tampering; it wraps
// [ErrTampered] and carries the report.
type TamperError struct{ Report *Report }

func (e *TamperError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "audit: tampering found (%d findings)", len(e.Report.Findings))
	for i, f := range e.Report.Findings {
		if i == 5 {
			fmt.Fprintf(&b, "; ...")
			break
		}
		b.WriteString("; " + f.String())
	}
	return b.String()
}

func (e *TamperError) Unwrap() error { return ErrTampered }

// maxFindings bounds a report; a log damaged everywhere is reported by its first findings.
const maxFindings = 1000

type verifier struct {
	l       *Log
	rep     *Report
	now     time.Time
	anchors []Anchor
	ai      int

	exp      [32]byte // expected prev of the next row
	expPrev  [32]byte // expected prev of the last accepted row
	expSeq   int64
	lastSeg  int64
	lastID   uuid.UUID
	lastSeq  int64
	pendEdit int // index of an Edited finding for the last row, -1 if none

	segCount int64    // rows seen in the current anchored segment
	segLast  [32]byte // hash of the last row seen in it
	holds    []Hold
	held     *heldRow
}

func (v *verifier) add(f Finding) {
	if len(v.rep.Findings) < maxFindings {
		v.rep.Findings = append(v.rep.Findings, f)
	}
}

// Verify checks the whole log: every anchor's signature and the chain of
// anchors, every record's hash and link, every segment against its anchor,
// that a segment whose records are gone was purged after its retention and
// not while a legal hold covered it, and the log against the newest
// checkpoints kept outside the store (Options.CheckpointFile, readable
// Options.Witnesses, the last one this Log wrote; see "Checkpoints" in the
// package doc). It returns the report and, if anything was found, a
// [*TamperError] (errors.Is(err, ErrTampered)). Other errors are I/O errors.
//
// Without a checkpoint file or witness, Verify cannot see a cut-off tail
// (Report.Notes says so); keep checkpoints elsewhere and use
// [Log.VerifyAgainst].
func (l *Log) Verify(ctx context.Context) (*Report, error) {
	done, err := l.use()
	if err != nil {
		return nil, err
	}
	defer done()
	rep, _, err := l.verify(ctx)
	if err != nil {
		return rep, err
	}
	if !rep.OK() {
		return rep, &TamperError{Report: rep}
	}
	return rep, nil
}

func (l *Log) verify(ctx context.Context) (*Report, *verifier, error) {
	l.purgeMu.RLock()
	defer l.purgeMu.RUnlock()
	rep := &Report{}
	// The checkpoints kept outside the store are read first: what they
	// sign was committed before the anchors and rows read below.
	var kept []keptCheckpoint
	if l.cps != nil {
		var err error
		if kept, err = l.cps.read(ctx, l.logID); err != nil {
			return rep, nil, fmt.Errorf("audit: verify: %w", err)
		}
	}
	anchors, err := l.store.Anchors(ctx)
	if err != nil {
		return rep, nil, fmt.Errorf("audit: verify: %w", err)
	}
	holds, err := l.storedHolds(ctx)
	if err != nil {
		return rep, nil, fmt.Errorf("audit: verify: %w", err)
	}
	v := &verifier{l: l, rep: rep, now: l.clock(), anchors: anchors, expSeq: 1, pendEdit: -1, lastSeg: -1 << 62, holds: holds}
	v.checkAnchors()
	l.mu.Lock()
	head := l.st.seq
	l.mu.Unlock()
	if err := l.scanChecked(ctx, head, v.row); err != nil {
		return rep, v, fmt.Errorf("audit: verify: %w", err)
	}
	v.resolveHeld(nil)
	for v.ai < len(v.anchors) {
		v.finishAnchor()
	}
	if err := l.verifyCheckpoints(ctx, v, kept); err != nil { // checkpoint.go
		return rep, v, fmt.Errorf("audit: verify: %w", err)
	}
	// Derived copies and the access and transport logs (derived.go, side.go).
	if err := l.verifyBeyondChain(ctx, rep); err != nil {
		return rep, v, err
	}
	return rep, v, nil
}

func (v *verifier) checkAnchors() {
	var prevHash [32]byte
	var prev *Anchor
	for i := range v.anchors {
		a := &v.anchors[i]
		ok := false
		m := anchorMessage(v.l.logID, a)
		for _, k := range v.l.trusted {
			if len(a.Sig) == ed25519.SignatureSize && ed25519.Verify(k, m, a.Sig) {
				ok = true
				break
			}
		}
		if !ok {
			v.add(Finding{Kind: AnchorInvalid, Segment: a.Segment, Detail: "signature does not verify with a trusted key"})
		}
		if a.PrevAnchor != prevHash {
			d := "does not chain to the previous anchor: an anchor was removed, inserted or replaced"
			if prev == nil {
				d = "the first anchor has a predecessor: earlier anchors were removed"
			}
			v.add(Finding{Kind: AnchorInvalid, Segment: a.Segment, Detail: d})
		} else if prev != nil && (a.FirstSeq != prev.LastSeq+1 || a.Prev != prev.Last) {
			v.add(Finding{Kind: AnchorInvalid, Segment: a.Segment, Detail: "does not continue the previous segment"})
		} else if prev == nil && (a.FirstSeq != 1 || a.Prev != [32]byte{}) {
			v.add(Finding{Kind: AnchorInvalid, Segment: a.Segment, Detail: "the first anchor does not start the log"})
		}
		if a.LastSeq < a.FirstSeq {
			v.add(Finding{Kind: AnchorInvalid, Segment: a.Segment, Detail: "empty range"})
		}
		prevHash = anchorHash(v.l.logID, a)
		prev = a
	}
}

// finishAnchor closes the anchored segment v.anchors[v.ai]: compares what
// was seen with the anchor, or checks that its absence is a lawful purge,
// and resynchronises the expected chain state to the anchor.
func (v *verifier) finishAnchor() {
	a := &v.anchors[v.ai]
	v.ai++
	v.rep.Segments++
	if v.segCount == 0 {
		switch {
		case a.Purged == 0:
			v.add(Finding{Kind: SegmentMissing, Segment: a.Segment, Seq: a.FirstSeq, LastSeq: a.LastSeq,
				Detail: "its records are gone but no purge removed them"})
		case segmentEnd(a.Segment).Add(v.l.retention).After(time.Unix(0, a.Purged)),
			v.now.Before(segmentEnd(a.Segment).Add(v.l.retention)):
			v.add(Finding{Kind: SegmentMissing, Segment: a.Segment, Seq: a.FirstSeq, LastSeq: a.LastSeq,
				Detail: "marked purged before its retention ended"})
		case heldWhenPurged(v.holds, a.Segment, a.Purged):
			v.add(Finding{Kind: SegmentMissing, Segment: a.Segment, Seq: a.FirstSeq, LastSeq: a.LastSeq,
				Detail: "marked purged while a legal hold covered it"})
		default:
			v.rep.Purged++
		}
	} else if v.segCount != a.LastSeq-a.FirstSeq+1 || v.segLast != a.Last {
		d := fmt.Sprintf("%d records, anchor signed %d", v.segCount, a.LastSeq-a.FirstSeq+1)
		if v.segLast != a.Last {
			d += "; last hash differs from the anchor"
		}
		if v.lastSeq < a.LastSeq && v.segLast != a.Last && v.segCount < a.LastSeq-a.FirstSeq+1 {
			v.add(Finding{Kind: Deleted, Segment: a.Segment, Seq: v.lastSeq + 1, LastSeq: a.LastSeq, Detail: "records at the end of the segment are missing"})
		} else {
			v.add(Finding{Kind: SegmentMismatch, Segment: a.Segment, Detail: d})
		}
	}
	v.segCount = 0
	v.exp, v.expPrev, v.expSeq = a.Last, a.Last, a.LastSeq+1
}

// heldWhenPurged reports whether a hold covered segment seg at the time
// purged (Unix nanoseconds): placed before it and not yet ended. (A hold
// deleted from the store is not seen.)
func heldWhenPurged(holds []Hold, seg, purged int64) bool {
	at := time.Unix(0, purged)
	start, end := segmentEnd(seg).Add(-day), segmentEnd(seg)
	for _, h := range holds {
		if h.Placed.Before(at) && at.Before(h.Until) && h.From.Before(end) && start.Before(h.To) {
			return true
		}
	}
	return false
}

// heldRow is a row whose link was broken, kept until the next row tells
// whether it was reordered, inserted or follows a deletion.
type heldRow struct {
	seq, seg   int64
	prev, hash [32]byte
	id         uuid.UUID
}

func recordID(data []byte) uuid.UUID {
	if len(data) >= fixedHeader {
		return uuid.UUID(data[offIDNr+11 : offIDNr+27])
	}
	return uuid.UUID{}
}

func (v *verifier) row(r *Row, hashOK bool) {
	v.rep.Records++
	// Finish the anchored segments that end before this row.
	if v.held == nil || v.held.seg < r.Segment {
		v.resolveHeld(nil)
		for v.ai < len(v.anchors) && v.anchors[v.ai].Segment < r.Segment {
			v.finishAnchor()
		}
	}
	id := recordID(r.Data)
	f := Finding{Segment: r.Segment, Seq: r.Seq, LastSeq: r.Seq, RecordID: id}
	if r.Segment < v.lastSeg {
		f.Kind, f.Detail = Reordered, "stands after a record of a later segment"
		v.add(f)
	}
	v.lastSeg = max(v.lastSeg, r.Segment)

	colsOK := len(r.Data) >= fixedHeader && knownVersion(r.Data[0])
	if colsOK {
		k, ok := idnrKey(r.Data[offIDNr : offIDNr+11])
		colsOK = ok && k == r.IDNr && int64(binary.BigEndian.Uint64(r.Data[offTime:])) == r.Time
	}
	h := heldRow{seq: r.Seq, seg: r.Segment, prev: r.Prev, hash: r.Hash, id: id}
	if v.held != nil {
		if v.resolveHeld(&h) {
			return
		}
	}
	linkOK := r.Prev == v.exp
	switch {
	case linkOK && hashOK && colsOK:
		if r.Seq != v.expSeq && v.rep.OK() { // after other findings, a shifted position is their consequence
			f.Kind, f.Detail = Reordered, fmt.Sprintf("chains correctly but stands at position %d instead of %d", r.Seq, v.expSeq)
			v.add(f)
		}
	case linkOK && !hashOK:
		f.Kind, f.Detail = Edited, "content does not match its hash"
		v.pendEdit = len(v.rep.Findings)
		v.add(f)
		v.accept(&h)
		return
	case linkOK:
		f.Kind, f.Detail = Edited, "indexed IDNr or time column differs from the hashed record"
		v.add(f)
	case v.lastSeq > 0 && r.Prev == v.expPrev:
		// The previous row was not in the chain: it was inserted.
		if v.pendEdit >= 0 && v.pendEdit < len(v.rep.Findings) {
			v.rep.Findings = v.rep.Findings[:v.pendEdit] // it was not an edit
		}
		v.add(Finding{Kind: Inserted, Segment: v.lastSeg, Seq: v.lastSeq, LastSeq: v.lastSeq, RecordID: v.lastID,
			Detail: "not part of the chain"})
		v.segCount--
		v.exp = v.expPrev
	default:
		v.held = &h
		return
	}
	v.accept(&h)
}

// accept makes h the last row of the chain.
func (v *verifier) accept(h *heldRow) {
	if v.pendEdit >= 0 && v.pendEdit < len(v.rep.Findings) && v.rep.Findings[v.pendEdit].Seq != h.seq {
		v.pendEdit = -1
	}
	v.expPrev, v.exp = v.exp, h.hash
	v.expSeq = h.seq + 1
	v.lastSeq, v.lastID = h.seq, h.id
	if v.ai < len(v.anchors) && v.anchors[v.ai].Segment == h.seg {
		v.segCount++
		v.segLast = h.hash
	}
}

// resolveHeld decides what the held row was, given the next row n (nil at
// the end of a segment or of the log). It reports whether n was consumed.
func (v *verifier) resolveHeld(n *heldRow) bool {
	h := v.held
	if h == nil {
		return false
	}
	v.held = nil
	switch {
	case n != nil && n.prev == v.exp && h.prev == n.hash:
		// n should have come before h: the two were swapped.
		v.add(Finding{Kind: Reordered, Segment: h.seg, Seq: h.seq, LastSeq: n.seq, RecordID: h.id,
			Detail: fmt.Sprintf("records %d and %d are swapped", h.seq, n.seq)})
		v.accept(n)
		v.accept(h)
		v.expSeq = max(h.seq, n.seq) + 1
		return true
	case n != nil && n.prev == v.exp:
		v.add(Finding{Kind: Inserted, Segment: h.seg, Seq: h.seq, LastSeq: h.seq, RecordID: h.id, Detail: "not part of the chain"})
		return false // n is processed normally
	case h.seq > v.expSeq:
		v.add(Finding{Kind: Deleted, Segment: h.seg, Seq: v.expSeq, LastSeq: h.seq - 1,
			Detail: fmt.Sprintf("%d records missing before record %d", h.seq-v.expSeq, h.seq)})
	default:
		v.add(Finding{Kind: BrokenLink, Segment: h.seg, Seq: h.seq, LastSeq: h.seq, RecordID: h.id,
			Detail: "does not chain to the previous record"})
	}
	v.accept(h)
	return false
}

// VerifyAgainst runs [Log.Verify] and also checks the log against a
// checkpoint taken earlier: the log must still hold at least cp.Size
// records and record cp.Size must still have the hash cp.Head (or, if its
// segment was purged, the segment's anchor must agree). A shorter log is
// reported as [TailCut], a different hash as [Rewritten]. A checkpoint
// that does not verify with a trusted key, or belongs to another log, is
// refused with [ErrBadCheckpoint].
func (l *Log) VerifyAgainst(ctx context.Context, cp Checkpoint) (*Report, error) {
	if !cp.Verify(l.trusted...) {
		return nil, fmt.Errorf("%w: signature does not verify", ErrBadCheckpoint)
	}
	if cp.LogID != l.logID {
		return nil, fmt.Errorf("%w: checkpoint of log %s, this is log %s", ErrBadCheckpoint, cp.LogID, l.logID)
	}
	done, err := l.use()
	if err != nil {
		return nil, err
	}
	defer done()
	rep, v, err := l.verify(ctx)
	if err != nil {
		return rep, err
	}
	last, lastSeg := v.lastSeq, v.lastSeg
	if n := len(v.anchors); n > 0 && v.anchors[n-1].LastSeq > last {
		last, lastSeg = v.anchors[n-1].LastSeq, v.anchors[n-1].Segment
	}
	fs, err := l.checkCheckpoint(ctx, &cp, "the given checkpoint", v.anchors, last, max(lastSeg, 0), true)
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	for _, f := range fs {
		v.add(f)
	}
	if !rep.OK() {
		return rep, &TamperError{Report: rep}
	}
	return rep, nil
}

// verifyChunk is how many positions one reader scans at a time (a
// variable so that tests can make chunk boundaries fall between records).
var verifyChunk int64 = 8192

// checkedChunk is one chunk of rows read and hashed by a reader.
type checkedChunk struct {
	rows   []Row
	hashOK []bool
	arena  []byte
	err    error
}

// scanChecked reads all rows in Seq order and calls fn with each row and
// whether its hash matches its content. The log is read in chunks of
// verifyChunk positions by parallel readers, each hashing what it read, so
// that reading the store (the expensive part) runs on all cores; fn sees the
// rows strictly in order. Rows up to head are split into chunks; the last
// chunk is open-ended and also takes what was appended since.
func (l *Log) scanChecked(ctx context.Context, head int64, fn func(r *Row, hashOK bool)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := min(max(runtime.GOMAXPROCS(0), 2), 4)
	type job struct {
		from, to int64
		out      chan *checkedChunk
	}
	jobs := make(chan job)
	order := make(chan chan *checkedChunk, 2*workers)
	free := make(chan *checkedChunk, 3*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var h hasher
			for j := range jobs {
				var c *checkedChunk
				select {
				case c = <-free:
				default:
					c = &checkedChunk{}
				}
				c.rows, c.hashOK, c.arena, c.err = c.rows[:0], c.hashOK[:0], c.arena[:0], nil
				c.err = l.store.Scan(ctx, j.from, j.to, func(r *Row) error {
					start := len(c.arena)
					c.arena = append(c.arena, r.Data...)
					row := *r
					row.Data = c.arena[start:len(c.arena):len(c.arena)]
					c.rows = append(c.rows, row)
					c.hashOK = append(c.hashOK, h.sum(&r.Prev, r.Segment, r.Data) == r.Hash)
					return nil
				})
				j.out <- c
			}
		})
	}
	// The dispatcher hands out chunks in order and queues their results
	// in the same order; order's capacity bounds the chunks in flight.
	go func() {
		defer close(order)
		defer close(jobs)
		for from := int64(1); ; from += verifyChunk {
			to := from + verifyChunk - 1
			if to >= head {
				to = 1 << 62
			}
			out := make(chan *checkedChunk, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{from, to, out}:
			case <-ctx.Done():
				return
			}
			if to == 1<<62 {
				return
			}
		}
	}()
	var err error
	for out := range order {
		var c *checkedChunk
		select {
		case c = <-out:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
		if c.err != nil {
			err = c.err
			break
		}
		for i := range c.rows {
			fn(&c.rows[i], c.hashOK[i])
		}
		select {
		case free <- c:
		default:
		}
	}
	if err == nil {
		// The dispatcher stops early only when ctx ended; then the rows
		// seen are a prefix of the log and must not pass as all of it.
		err = ctx.Err()
	}
	cancel()
	for range order { // let the dispatcher finish
	}
	wg.Wait()
	return err
}
