package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Checkpoint is a signed statement of the log's state: its first Size
// records chain to Head, Anchor was its newest anchor, and the read-access
// log and the transport log ended at the entries Access and Transport. The
// Log keeps its newest checkpoint outside the store
// (Options.CheckpointFile, Options.Witnesses) and checks it in New and
// Verify; exported (MarshalText) and kept elsewhere, an auditor checks it
// with [Log.VerifyAgainst]. Either way a log (or a side log) cut back
// below the checkpoint, or whose history up to it was rewritten, is found.
type Checkpoint struct {
	LogID  uuid.UUID // the log's random identity, fixed when its store was created
	Size   int64     // records appended so far (the Seq of the last one)
	Head   [32]byte  // chain hash of record Size (zero when Size is 0)
	Anchor [32]byte  // hash of the newest anchor (zero when there is none)
	// Access and Transport are the newest entries of the read-access log
	// and of the transport log (ID 0: none, or a version 2 checkpoint,
	// which did not cover them).
	Access    SideHead
	Transport SideHead
	Time      time.Time // when the checkpoint was taken
	Sig       []byte    // ed25519 over the encoding without Sig

	v2 bool // decoded from version 2 (no side heads); encoded and verified as such
}

// SideHead is the newest entry of a chained side log: its ID and its chain
// hash ([Link.Hash]).
type SideHead struct {
	ID   int64
	Hash [32]byte
}

const (
	checkpointLenV2 = 1 + 16 + 8 + 32 + 32 + 8 + ed25519.SignatureSize
	checkpointLen   = checkpointLenV2 + 2*(8+32)
)

// checkpointVersion is the first byte of the binary form. Version 3 adds
// the side logs' heads; version 2 (size, head, anchor) is still read, and
// checks the records only. Version 1 had no Anchor; it was never written
// outside tests and is not read.
const checkpointVersion = 3

func (c *Checkpoint) message() []byte {
	b := make([]byte, 0, 192)
	if c.v2 {
		b = append(b, "regmo/audit/checkpoint/v2\n"...)
	} else {
		b = append(b, "regmo/audit/checkpoint/v3\n"...)
	}
	b = c.appendBody(b)
	return binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
}

// appendBody appends the fields between the version and the time.
func (c *Checkpoint) appendBody(b []byte) []byte {
	b = append(b, c.LogID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Size))
	b = append(b, c.Head[:]...)
	b = append(b, c.Anchor[:]...)
	if !c.v2 {
		for _, h := range []*SideHead{&c.Access, &c.Transport} {
			b = binary.BigEndian.AppendUint64(b, uint64(h.ID))
			b = append(b, h.Hash[:]...)
		}
	}
	return b
}

// MarshalBinary encodes the checkpoint in its fixed 241-byte form (161
// bytes for one decoded from version 2).
func (c Checkpoint) MarshalBinary() ([]byte, error) {
	if len(c.Sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: not signed", ErrBadCheckpoint)
	}
	b := make([]byte, 0, checkpointLen)
	if c.v2 {
		b = append(b, 2)
	} else {
		b = append(b, checkpointVersion)
	}
	b = c.appendBody(b)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
	return append(b, c.Sig...), nil
}

// UnmarshalBinary decodes the form of MarshalBinary (version 3, or 2). It
// checks the form, not the signature: [Log.VerifyAgainst] and
// [Checkpoint.Verify] do.
func (c *Checkpoint) UnmarshalBinary(b []byte) error {
	bad := fmt.Errorf("%w: malformed", ErrBadCheckpoint)
	switch {
	case len(b) == checkpointLen && b[0] == checkpointVersion:
	case len(b) == checkpointLenV2 && b[0] == 2:
	default:
		return bad
	}
	d := Checkpoint{v2: b[0] == 2}
	size := int64(binary.BigEndian.Uint64(b[17:]))
	if size < 0 {
		return bad
	}
	d.LogID = uuid.UUID(b[1:17])
	d.Size = size
	copy(d.Head[:], b[25:57])
	copy(d.Anchor[:], b[57:89])
	rest := b[89:]
	if !d.v2 {
		for _, h := range []*SideHead{&d.Access, &d.Transport} {
			h.ID = int64(binary.BigEndian.Uint64(rest))
			copy(h.Hash[:], rest[8:40])
			rest = rest[40:]
			if h.ID < 0 {
				return bad
			}
		}
	}
	d.Time = time.Unix(0, int64(binary.BigEndian.Uint64(rest))).UTC()
	d.Sig = append([]byte(nil), rest[8:]...)
	*c = d
	return nil
}

// MarshalText encodes the checkpoint as unpadded base64url of MarshalBinary.
func (c Checkpoint) MarshalText() ([]byte, error) {
	b, err := c.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return []byte(base64.RawURLEncoding.EncodeToString(b)), nil
}

// UnmarshalText decodes the form of MarshalText.
func (c *Checkpoint) UnmarshalText(t []byte) error {
	b, err := base64.RawURLEncoding.DecodeString(string(t))
	if err != nil {
		return fmt.Errorf("%w: malformed", ErrBadCheckpoint)
	}
	return c.UnmarshalBinary(b)
}

// Verify reports whether the checkpoint is signed by one of keys.
func (c *Checkpoint) Verify(keys ...ed25519.PublicKey) bool {
	if len(c.Sig) != ed25519.SignatureSize {
		return false
	}
	m := c.message()
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, m, c.Sig) {
			return true
		}
	}
	return false
}

// Defaults of the checkpoint options.
const (
	DefaultCheckpointEvery    = 10000
	DefaultCheckpointInterval = 10 * time.Second
)

// metaCheckpoints marks in the store that the log keeps checkpoints: 8
// bytes of the first checkpoint's Size, 8 bytes of its time (Unix
// nanoseconds). A log with this mark and no checkpoint anywhere has lost
// them.
const metaCheckpoints = "checkpoints_since"

// checkpointer writes the log's checkpoints to its witnesses.
type checkpointer struct {
	sources  []Witness // the checkpoint file first, then Options.Witnesses
	names    []string
	every    int64
	interval time.Duration
	since    []byte // the store's metaCheckpoints value

	mu      sync.Mutex // serialises writes; guards last and written
	last    Checkpoint // the last checkpoint every source took
	written bool

	lastSize atomic.Int64 // last.Size, read by the committer
	kick     chan struct{}
	stop     chan struct{}
	done     chan struct{}
}

func witnessName(w Witness, i int) string {
	if s, ok := w.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("witness %d", i)
}

// openCheckpoints sets up the checkpoints of opts, checks the newest kept
// ones against the store and writes a checkpoint of what the store holds.
// It refuses a store that does not match unless opts.CheckpointReset says
// why it is accepted. Called by New before the goroutines start.
func (l *Log) openCheckpoints(ctx context.Context, opts Options) error {
	c := &checkpointer{every: int64(opts.CheckpointEvery), interval: opts.CheckpointInterval,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if c.every <= 0 {
		c.every = DefaultCheckpointEvery
	}
	if c.interval <= 0 {
		c.interval = DefaultCheckpointInterval
	}
	if opts.CheckpointFile != "" {
		c.sources = append(c.sources, FileWitness(opts.CheckpointFile))
	}
	for i, w := range opts.Witnesses {
		if w == nil {
			return &FieldError{Index: -1, Field: fmt.Sprintf("Options.Witnesses[%d]", i), Reason: "nil"}
		}
		c.sources = append(c.sources, w)
	}
	for i, w := range c.sources {
		c.names = append(c.names, witnessName(w, i))
	}
	reason := opts.CheckpointReset
	if reason != "" && l.caps.tr == nil {
		return &FieldError{Index: -1, Field: "Options.CheckpointReset", Reason: "the store keeps no transport log, where the reset must be recorded", Err: ErrNoCapability}
	}
	if reason != "" {
		if err := checkText(-1, "Options.CheckpointReset", reason, true, MaxText); err != nil {
			return err
		}
		if ContainsIDNr(reason) {
			return &FieldError{Index: -1, Field: "Options.CheckpointReset", Reason: "contains an IDNr"}
		}
	}
	if len(c.sources) == 0 {
		l.logger.Warn("audit: no checkpoint file or witness configured: a cut tail, a deleted log or a rewritten open segment cannot be detected")
		return nil
	}
	since, err := l.store.Meta(ctx, metaCheckpoints)
	if err != nil {
		return fmt.Errorf("audit: reading the checkpoint mark: %w", err)
	}
	anchors, err := l.store.Anchors(ctx)
	if err != nil {
		return fmt.Errorf("audit: reading the anchors: %w", err)
	}
	l.mu.Lock()
	last, lastSeg := l.st.seq, l.st.seg
	l.mu.Unlock()
	if n := len(anchors); n > 0 && anchors[n-1].LastSeq > last {
		last, lastSeg = anchors[n-1].LastSeq, anchors[n-1].Segment
	}
	kept, err := c.read(ctx, l.logID)
	if err != nil {
		return err
	}
	var findings []Finding
	readers, found := 0, 0
	for _, k := range kept {
		readers++
		switch {
		case k.err != nil:
			findings = append(findings, Finding{Kind: CheckpointInvalid, Segment: lastSeg, Detail: k.name + ": " + k.err.Error()})
		case k.ok:
			found++
			fs, err := l.checkCheckpoint(ctx, &k.cp, k.name, anchors, last, lastSeg, false)
			if err != nil {
				return err
			}
			findings = append(findings, fs...)
		}
	}
	switch {
	case found > 0 || readers == 0 || len(findings) > 0:
	case since != nil:
		findings = append(findings, Finding{Kind: CheckpointMissing, Segment: lastSeg,
			Detail: "the log keeps checkpoints since " + sinceText(since) + ", but no checkpoint file or witness holds one"})
	case last > 0:
		l.logger.Warn("audit: the log has records but no checkpoint: writing the first one now; the records before it are protected by their anchors only",
			"records", last)
	}
	if len(findings) > 0 {
		rep := &Report{Findings: findings}
		if reason == "" {
			return fmt.Errorf("audit: the store does not match the newest checkpoint kept outside it; "+
				"to accept what it holds, open it with Options.CheckpointReset set to the documented reason: %w", &TamperError{Report: rep})
		}
		if err := l.resetCheckpoints(ctx, c, reason, rep); err != nil {
			return err
		}
	}
	l.cps = c
	if _, err := l.writeCheckpoint(ctx, true); err != nil {
		l.cps = nil
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	if since == nil {
		l.cps.mu.Lock()
		cp := l.cps.last
		l.cps.mu.Unlock()
		v := binary.BigEndian.AppendUint64(nil, uint64(cp.Size))
		v = binary.BigEndian.AppendUint64(v, uint64(cp.Time.UnixNano()))
		if since, err = l.store.PutMetaIfAbsent(ctx, metaCheckpoints, v); err != nil {
			l.cps = nil
			return fmt.Errorf("audit: writing the checkpoint mark: %w", err)
		}
	}
	l.cps.since = since
	return nil
}

// resetCheckpoints accepts a store that does not match its checkpoints:
// it logs the findings and the reason, records them in the transport log
// and keeps the old checkpoint files aside.
func (l *Log) resetCheckpoints(ctx context.Context, c *checkpointer, reason string, rep *Report) error {
	now := l.clock().UTC()
	var sum strings.Builder
	for i, f := range rep.Findings {
		if i == 3 {
			sum.WriteString("; ...")
			break
		}
		if i > 0 {
			sum.WriteString("; ")
		}
		sum.WriteString(f.String())
	}
	l.logger.Error("audit: checkpoint reset: opening a store that does not match its newest checkpoint",
		"reason", reason, "findings", len(rep.Findings), "first", sum.String())
	detail := []rune("reason: " + reason + "; " + sum.String())
	if len(detail) > MaxDetail {
		detail = detail[:MaxDetail]
	}
	ev := TransportEvent{Time: now, MessageID: uuid.New(), Kind: "audit-checkpoint-reset", Actor: "audit", Detail: string(detail)}
	if err := ev.validate(0); err != nil {
		return err
	}
	if err := l.AppendTransport(ctx, ev); err != nil {
		return fmt.Errorf("audit: recording the checkpoint reset: %w", err)
	}
	for i, w := range c.sources {
		if fw, ok := w.(*fileWitness); ok {
			if err := fw.keepAside(l.logID, now); err != nil {
				return fmt.Errorf("audit: keeping the old checkpoint of %s: %w", c.names[i], err)
			}
		}
	}
	return nil
}

func sinceText(v []byte) string {
	if len(v) != 16 {
		return "an unknown time (malformed mark)"
	}
	size := int64(binary.BigEndian.Uint64(v))
	t := time.Unix(0, int64(binary.BigEndian.Uint64(v[8:]))).UTC()
	return fmt.Sprintf("record %d (%s)", size, t.Format(time.RFC3339))
}

// keptCheckpoint is what one readable witness holds.
type keptCheckpoint struct {
	name string
	cp   Checkpoint
	ok   bool
	err  error // the kept checkpoint does not decode (wraps ErrBadCheckpoint)
}

// read returns the newest checkpoint of every source that can be read
// back. Other errors than a malformed checkpoint are returned.
func (c *checkpointer) read(ctx context.Context, logID uuid.UUID) ([]keptCheckpoint, error) {
	var out []keptCheckpoint
	for i, w := range c.sources {
		r, ok := w.(WitnessReader)
		if !ok {
			continue
		}
		k := keptCheckpoint{name: c.names[i]}
		var err error
		k.cp, k.ok, err = r.Latest(ctx, logID)
		if err != nil {
			if !errors.Is(err, ErrBadCheckpoint) {
				return nil, fmt.Errorf("audit: reading the checkpoint of %s: %w", k.name, err)
			}
			k.err = err
		}
		out = append(out, k)
	}
	return out, nil
}

// checkCheckpoint compares cp, kept in src, with the store: its anchors,
// last (the highest position the store holds, in a row or an anchor,
// which lies in segment lastSeg) and the row at cp.Size. In Verify
// (inVerify), a record missing at cp.Size is left to the chain's findings.
func (l *Log) checkCheckpoint(ctx context.Context, cp *Checkpoint, src string, anchors []Anchor, last, lastSeg int64, inVerify bool) ([]Finding, error) {
	if !cp.Verify(l.trusted...) {
		return []Finding{{Kind: CheckpointInvalid, Segment: lastSeg,
			Detail: src + ": signature does not verify with a trusted key (another signing key, or forged)"}}, nil
	}
	if cp.LogID != l.logID {
		return []Finding{{Kind: CheckpointInvalid, Segment: lastSeg,
			Detail: fmt.Sprintf("%s: checkpoint of log %s, the store holds log %s: the store was replaced or its identity deleted", src, cp.LogID, l.logID)}}, nil
	}
	of := fmt.Sprintf("the checkpoint of %s in %s", cp.Time.Format(time.RFC3339), src)
	fs, err := l.checkRecordsHead(ctx, cp, of, anchors, last, lastSeg, inVerify)
	if err != nil {
		return nil, err
	}
	for _, k := range []sideKind{sideAccess, sideTransport} {
		sfs, err := l.checkSideHead(ctx, k, cp.sideHead(k), of, inVerify)
		if err != nil {
			return nil, fmt.Errorf("audit: checking the checkpoint: %s: %w", k, err)
		}
		fs = append(fs, sfs...)
	}
	return fs, nil
}

// checkRecordsHead is the records' part of checkCheckpoint.
func (l *Log) checkRecordsHead(ctx context.Context, cp *Checkpoint, of string, anchors []Anchor, last, lastSeg int64, inVerify bool) ([]Finding, error) {
	if cp.Size == 0 {
		return nil, nil
	}
	if last < cp.Size {
		return []Finding{{Kind: TailCut, Segment: lastSeg, Seq: last + 1, LastSeq: cp.Size,
			Detail: fmt.Sprintf("the log ends at record %d, %s has %d", last, of, cp.Size)}}, nil
	}
	var fs []Finding
	var found bool
	var h [32]byte
	var seg int64
	err := l.store.Scan(ctx, cp.Size, cp.Size, func(r *Row) error {
		found, h, seg = true, r.Hash, r.Segment
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: checking the checkpoint: %w", err)
	}
	switch {
	case found && h != cp.Head:
		fs = append(fs, Finding{Kind: Rewritten, Segment: seg, Seq: cp.Size, LastSeq: cp.Size,
			Detail: "the record's hash differs from " + of})
	case found:
	default:
		// Record cp.Size is gone but the log goes on: purged, or deleted.
		var a *Anchor
		for i := range anchors {
			if anchors[i].FirstSeq <= cp.Size && cp.Size <= anchors[i].LastSeq {
				a = &anchors[i]
				break
			}
		}
		switch {
		case a != nil && a.Purged != 0:
			if a.LastSeq == cp.Size && a.Last != cp.Head {
				fs = append(fs, Finding{Kind: Rewritten, Segment: a.Segment, Seq: cp.Size, LastSeq: cp.Size,
					Detail: "the purged segment's anchor differs from " + of})
			}
		case !inVerify:
			f := Finding{Kind: Deleted, Seq: cp.Size, LastSeq: cp.Size, Detail: "the record " + of + " ends with is gone"}
			if a != nil {
				f.Segment = a.Segment
			}
			fs = append(fs, f)
		}
	}
	if cp.Anchor != ([32]byte{}) {
		in := false
		for i := range anchors {
			if anchorHash(l.logID, &anchors[i]) == cp.Anchor {
				in = true
				break
			}
		}
		if !in {
			fs = append(fs, Finding{Kind: Rewritten, Segment: lastSeg,
				Detail: "the newest anchor of " + of + " is not in the log: anchors were replaced"})
		}
	}
	return fs, nil
}

func (c *Checkpoint) sideHead(k sideKind) SideHead {
	if k == sideAccess {
		return c.Access
	}
	return c.Transport
}

// checkSideHead compares the head of side log k kept in a checkpoint with
// the store, as checkRecordsHead does for the records: the store must hold
// at least as many entries (or a signed floor above them, after a purge),
// and the entry at the checkpoint's ID must have its hash. In Verify an
// entry missing while later ones are kept is left to verifySide's gap
// finding.
func (l *Log) checkSideHead(ctx context.Context, k sideKind, cp SideHead, of string, inVerify bool) ([]Finding, error) {
	if cp.ID == 0 {
		return nil, nil
	}
	if !l.hasSide(k) {
		return []Finding{{Kind: k.finding(), Seq: 1, LastSeq: cp.ID,
			Detail: fmt.Sprintf("%s has %d entries of the %s, the store keeps none", of, cp.ID, k)}}, nil
	}
	lastID, _, _, err := l.storedSideLast(ctx, k)
	if err != nil {
		return nil, err
	}
	f, fok, fvalid, err := l.readFloor(ctx, k)
	if err != nil {
		return nil, err
	}
	if fok && fvalid {
		lastID = max(lastID, f.first-1)
	}
	if lastID < cp.ID {
		return []Finding{{Kind: k.finding(), Seq: lastID + 1, LastSeq: cp.ID,
			Detail: fmt.Sprintf("the %s ends at entry %d, %s has %d: its newest entries were cut off", k, lastID, of, cp.ID)}}, nil
	}
	var found bool
	var h [32]byte
	err = l.scanSide(ctx, k, cp.ID, func(e *sideEntry) error {
		found, h = e.id == cp.ID, e.link.Hash
		return errStopScan
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return nil, err
	}
	rewritten := Finding{Kind: k.finding(), Seq: cp.ID, LastSeq: cp.ID,
		Detail: "the entry's hash differs from " + of + " (rewritten)"}
	switch {
	case found && h != cp.Hash:
		return []Finding{rewritten}, nil
	case found:
	case fok && fvalid && f.first > cp.ID:
		// Purged: the floor right after it keeps its hash.
		if f.first == cp.ID+1 && f.prev != cp.Hash {
			rewritten.Detail = "the purge floor after the entry differs from " + of + " (rewritten)"
			return []Finding{rewritten}, nil
		}
	case !inVerify:
		return []Finding{{Kind: k.finding(), Seq: cp.ID, LastSeq: cp.ID, Detail: "the entry " + of + " ends with is gone"}}, nil
	}
	return nil, nil
}

// signCheckpoint returns a signed checkpoint of the committed state.
func (l *Log) signCheckpoint() Checkpoint {
	l.mu.Lock()
	st := l.st
	l.mu.Unlock()
	acc, tr := l.sides()
	c := Checkpoint{LogID: l.logID, Size: st.seq, Head: st.hash, Anchor: st.anchorHash,
		Access: acc.committed(), Transport: tr.committed(), Time: l.clock().UTC()}
	c.Sig = ed25519.Sign(l.key, c.message())
	return c
}

// writeCheckpoint signs the committed state and puts it to every source,
// unless force is false and the state is the one of the last checkpoint
// written (which it then returns).
func (l *Log) writeCheckpoint(ctx context.Context, force bool) (Checkpoint, error) {
	c := l.cps
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := l.signCheckpoint()
	if !force && c.written && cp.sameState(&c.last) {
		return c.last, nil
	}
	var errs []error
	for i, w := range c.sources {
		if err := w.Put(ctx, cp); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.names[i], err))
		}
	}
	if len(errs) > 0 {
		return cp, errors.Join(errs...)
	}
	c.last, c.written = cp, true
	c.lastSize.Store(cp.Size)
	return cp, nil
}

// sameState reports whether c and d state the same log state (all but the
// time and the signature).
func (c *Checkpoint) sameState(d *Checkpoint) bool {
	return c.Size == d.Size && c.Head == d.Head && c.Anchor == d.Anchor && c.Access == d.Access && c.Transport == d.Transport && c.v2 == d.v2
}

// Checkpoint returns a signed checkpoint of the log's current state (what
// has been committed). If the log keeps checkpoints (Options.CheckpointFile,
// Options.Witnesses), it is written there first; an error says that
// writing failed. Export it with MarshalText to keep it elsewhere too.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	done, err := l.use()
	if err != nil {
		return Checkpoint{}, err
	}
	defer done()
	if err := ctx.Err(); err != nil {
		return Checkpoint{}, err
	}
	if l.cps == nil {
		return l.signCheckpoint(), nil
	}
	cp, err := l.writeCheckpoint(ctx, false)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	return cp, nil
}

// startCheckpoints starts the goroutine that writes checkpoints every
// interval and when the committer asks (every c.every records).
func (l *Log) startCheckpoints() {
	if l.cps == nil {
		return
	}
	go l.checkpointLoop()
}

func (l *Log) checkpointLoop() {
	c := l.cps
	defer close(c.done)
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if _, err := l.writeCheckpoint(ctx, false); err != nil {
			l.logger.Error("audit: writing a checkpoint failed", "err", err)
		}
		cancel()
	}
}

// committed is called by the committer after each commit with the new
// last position: it asks for a checkpoint every c.every records.
func (l *Log) committed(seq int64) {
	if c := l.cps; c != nil && seq-c.lastSize.Load() >= c.every {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// closeCheckpoints stops the checkpoint goroutine and writes the last
// checkpoint; the committer has stopped.
func (l *Log) closeCheckpoints() error {
	c := l.cps
	if c == nil {
		return nil
	}
	close(c.stop)
	<-c.done
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := l.writeCheckpoint(ctx, false); err != nil {
		l.logger.Error("audit: writing the last checkpoint failed", "err", err)
		return fmt.Errorf("audit: writing the checkpoint: %w", err)
	}
	return nil
}

// verifyCheckpoints checks, at the end of Verify, the checkpoints kept
// when it began (kept, read before the anchors) and the last one this Log
// wrote, against what the verification saw.
func (l *Log) verifyCheckpoints(ctx context.Context, v *verifier, kept []keptCheckpoint) error {
	c := l.cps
	if c == nil {
		v.rep.Notes = append(v.rep.Notes, "no checkpoint file or witness is configured: a cut tail of the log, a deleted log or a rewritten open segment cannot be detected")
		return nil
	}
	last, lastSeg := v.lastSeq, v.lastSeg
	if n := len(v.anchors); n > 0 && v.anchors[n-1].LastSeq > last {
		last, lastSeg = v.anchors[n-1].LastSeq, v.anchors[n-1].Segment
	}
	if lastSeg < 0 {
		lastSeg = 0
	}
	c.mu.Lock()
	own, ownOK := c.last, c.written
	c.mu.Unlock()
	if ownOK {
		kept = append(kept, keptCheckpoint{name: "this Log's last checkpoint (in memory)", cp: own, ok: true})
	}
	var done []Checkpoint
	for _, k := range kept {
		switch {
		case k.err != nil:
			v.add(Finding{Kind: CheckpointInvalid, Segment: lastSeg, Detail: k.name + ": " + k.err.Error()})
			continue
		case !k.ok:
			v.add(Finding{Kind: CheckpointMissing, Segment: lastSeg,
				Detail: k.name + " holds no checkpoint of this log, which keeps them since " + sinceText(c.since) + " (deleted, or writing failed)"})
			continue
		}
		dup := false
		for _, d := range done {
			if d.sameState(&k.cp) && string(d.Sig) == string(k.cp.Sig) {
				dup = true
			}
		}
		if dup {
			continue
		}
		done = append(done, k.cp)
		fs, err := l.checkCheckpoint(ctx, &k.cp, k.name, v.anchors, last, lastSeg, true)
		if err != nil {
			return err
		}
		for _, f := range fs {
			v.add(f)
		}
	}
	v.rep.Notes = append(v.rep.Notes, "checkpoints kept since "+sinceText(c.since))
	return nil
}
