package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// The read-access log and the transport log are chained and signed like
// the records, so that an entry edited, deleted, inserted or appended
// behind the log's back is found by [Log.Verify]:
//
//   - The Log numbers the entries of each log from 1 without gaps (the ID)
//     and chains them: an entry's Hash is SHA-256 over a domain tag, the
//     previous entry's Hash (its Prev) and the entry's canonical encoding.
//   - Every transaction signs its last entry (Sig: ed25519 with the log's
//     key over the log's identity, which log, the ID and the Hash), so the
//     cost is one signature per group commit, not per entry. The newest
//     entry of a log is therefore always signed; entries appended without
//     the key are not.
//   - Purge deletes a prefix of expired entries (by ID) and first stores a
//     signed floor (the first ID kept and the Hash before it) in the
//     store's metadata; Verify starts each log at its floor.
//
// What the chain alone does not show: the newest transactions cut off
// entirely (the entry before them was signed too), as with the open
// segment of the records. The signed checkpoints kept outside the store
// hold each side log's head (checkpoint.go, checkSideHead), so New and
// Verify find such a cut.

// Link is the chain part of an access entry or a transport event, set by
// the Log. Stores keep it as given.
type Link struct {
	Prev [32]byte // Hash of the previous entry of the same log (or the floor's)
	Hash [32]byte // SHA-256 over a domain tag, Prev and the entry's encoding
	Sig  []byte   // ed25519 signature; set on the last entry of each transaction
}

// sideKind names one of the two chained side logs.
type sideKind byte

const (
	sideAccess    sideKind = 'A'
	sideTransport sideKind = 'T'
)

func (k sideKind) String() string {
	if k == sideAccess {
		return "access log"
	}
	return "transport log"
}

func (k sideKind) finding() FindingKind {
	if k == sideAccess {
		return AccessLogTampered
	}
	return TransportLogTampered
}

func (k sideKind) floorKey() string {
	if k == sideAccess {
		return "access_floor"
	}
	return "transport_floor"
}

func sideNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func appendText(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// accessHash is the chain hash of an access entry after prev.
func accessHash(prev *[32]byte, e *AccessEntry) [32]byte {
	b := make([]byte, 0, 128+len(e.Who)+len(e.Reason))
	b = append(b, "regmo/audit/access/v1\n"...)
	b = append(b, prev[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.ID))
	b = binary.BigEndian.AppendUint64(b, uint64(sideNanos(e.Time)))
	b = append(b, byte(e.Purpose))
	b = binary.BigEndian.AppendUint64(b, uint64(int64(e.Count)))
	b = binary.BigEndian.AppendUint64(b, uint64(sideNanos(e.From)))
	b = binary.BigEndian.AppendUint64(b, uint64(sideNanos(e.To)))
	b = appendText(b, e.Who)
	b = appendText(b, e.Reason)
	return sha256.Sum256(b)
}

// transportHash is the chain hash of a transport event after prev.
func transportHash(prev *[32]byte, e *TransportEvent) [32]byte {
	b := make([]byte, 0, 128+len(e.Kind)+len(e.Actor)+len(e.Detail))
	b = append(b, "regmo/audit/transport/v1\n"...)
	b = append(b, prev[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.ID))
	b = binary.BigEndian.AppendUint64(b, uint64(sideNanos(e.Time)))
	b = append(b, e.MessageID[:]...)
	b = appendText(b, e.Kind)
	b = appendText(b, e.Actor)
	b = appendText(b, e.Detail)
	return sha256.Sum256(b)
}

// sideSigMessage is what the signature of an entry covers.
func (l *Log) sideSigMessage(k sideKind, id int64, h *[32]byte) []byte {
	b := make([]byte, 0, 96)
	b = append(b, "regmo/audit/side/v1\n"...)
	b = append(b, l.logID[:]...)
	b = append(b, byte(k))
	b = binary.BigEndian.AppendUint64(b, uint64(id))
	return append(b, h[:]...)
}

func (l *Log) sideSigOK(k sideKind, id int64, h *[32]byte, sig []byte) bool {
	if len(sig) != ed25519.SignatureSize {
		return false
	}
	m := l.sideSigMessage(k, id, h)
	for _, key := range l.trusted {
		if len(key) == ed25519.PublicKeySize && ed25519.Verify(key, m, sig) {
			return true
		}
	}
	return false
}

// sideFloor is where a side log starts after a purge: the first ID kept
// and the Hash of the entry before it, signed.
type sideFloor struct {
	first int64
	prev  [32]byte
	at    int64 // when it was written, Unix nanoseconds
	sig   []byte
}

const sideFloorLen = 8 + 32 + 8 + ed25519.SignatureSize

func (l *Log) floorMessage(k sideKind, f *sideFloor) []byte {
	b := make([]byte, 0, 96)
	b = append(b, "regmo/audit/sidefloor/v1\n"...)
	b = append(b, l.logID[:]...)
	b = append(b, byte(k))
	b = binary.BigEndian.AppendUint64(b, uint64(f.first))
	b = append(b, f.prev[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(f.at))
}

func (f *sideFloor) marshal() []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(f.first))
	b = append(b, f.prev[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(f.at))
	return append(b, f.sig...)
}

// readFloor returns the side log's floor (ok false if there is none);
// valid reports whether it is well formed and signed by a trusted key.
func (l *Log) readFloor(ctx context.Context, k sideKind) (f sideFloor, ok, valid bool, err error) {
	v, err := l.store.Meta(ctx, k.floorKey())
	if err != nil || v == nil {
		return f, false, false, err
	}
	if len(v) != sideFloorLen {
		return f, true, false, nil
	}
	f.first = int64(binary.BigEndian.Uint64(v))
	copy(f.prev[:], v[8:40])
	f.at = int64(binary.BigEndian.Uint64(v[40:]))
	f.sig = v[48:]
	m := l.floorMessage(k, &f)
	for _, key := range l.trusted {
		if len(key) == ed25519.PublicKeySize && ed25519.Verify(key, m, f.sig) {
			return f, true, f.first >= 1, nil
		}
	}
	return f, true, false, nil
}

// sideMeta is the store's MetaWriter of side log k (its capability).
func (l *Log) sideMeta(k sideKind) MetaWriter {
	if k == sideAccess {
		return l.caps.acc
	}
	return l.caps.tr
}

// hasSide reports whether the store keeps side log k.
func (l *Log) hasSide(k sideKind) bool {
	if k == sideAccess {
		return l.caps.acc != nil
	}
	return l.caps.tr != nil
}

func (l *Log) writeFloor(ctx context.Context, k sideKind, first int64, prev [32]byte) error {
	f := sideFloor{first: first, prev: prev, at: l.clock().UnixNano()}
	f.sig = ed25519.Sign(l.key, l.floorMessage(k, &f))
	return l.sideMeta(k).PutMeta(ctx, k.floorKey(), f.marshal())
}

// sideChain is the head of one side log, kept by the Log.
type sideChain struct {
	kind   sideKind
	mu     sync.Mutex // held while chaining and committing a batch
	loaded bool       // id and hash hold the stored head
	id     int64
	hash   [32]byte

	// head is the committed head (id and hash after the last commit that
	// succeeded, or as loaded), published for the checkpoints, which must
	// not wait for a commit in flight; nil until loaded.
	head atomic.Pointer[SideHead]

	// Group commit of concurrent AppendTransport calls: callers queue
	// their events; whoever holds mu commits all that are queued.
	qmu     sync.Mutex
	pending []*sideReq
}

// committed returns the committed head (zero before it is loaded).
func (c *sideChain) committed() SideHead {
	if h := c.head.Load(); h != nil {
		return *h
	}
	return SideHead{}
}

// setHead records a committed head; c.mu is held.
func (c *sideChain) setHead(id int64, h [32]byte) {
	c.id, c.hash = id, h
	c.head.Store(&SideHead{ID: id, Hash: h})
}

type sideReq struct {
	evs  []TransportEvent
	done bool
	err  error
}

// sideLogs are the Log's two side-log heads, created on first use.
type sideLogs struct {
	once    sync.Once
	acc, tr *sideChain
}

func (l *Log) sides() (acc, tr *sideChain) {
	l.side.once.Do(func() {
		l.side.acc, l.side.tr = &sideChain{kind: sideAccess}, &sideChain{kind: sideTransport}
	})
	return l.side.acc, l.side.tr
}

// loadHead reads the side log's head from the store: its newest entry, or
// its floor. A log whose entries were written before they were chained
// (the newest has no Hash, and there is no floor yet) gets a floor after
// them: they stay readable but unprotected. c.mu is held.
func (l *Log) loadHead(ctx context.Context, c *sideChain) error {
	id, hash, ok, err := l.storedSideLast(ctx, c.kind)
	if err != nil {
		return err
	}
	f, fok, _, err := l.readFloor(ctx, c.kind)
	if err != nil {
		return err
	}
	switch {
	case ok && fok && id >= f.first:
		c.id, c.hash = id, hash
	case fok:
		// Nothing kept after the floor (all purged); an invalid floor is
		// Verify's to report.
		c.id, c.hash = max(f.first-1, id), f.prev
	case ok && hash == ([32]byte{}):
		// Entries from before the chain: start it after them.
		if err := l.writeFloor(ctx, c.kind, id+1, [32]byte{}); err != nil {
			return err
		}
		c.id, c.hash = id, [32]byte{}
	default:
		c.id, c.hash = id, hash // hash is zero when the log is empty
	}
	c.loaded = true
	c.head.Store(&SideHead{ID: c.id, Hash: c.hash})
	return nil
}

// loadSideHeads reads the heads of the side logs the store keeps (New
// calls it, so that every checkpoint states them).
func (l *Log) loadSideHeads(ctx context.Context) error {
	acc, tr := l.sides()
	for _, c := range []*sideChain{acc, tr} {
		if !l.hasSide(c.kind) {
			continue
		}
		c.mu.Lock()
		err := l.loadHead(ctx, c)
		c.mu.Unlock()
		if err != nil {
			return fmt.Errorf("audit: reading the %s's head: %w", c.kind, err)
		}
	}
	return nil
}

// storedSideLast returns the ID and hash of the newest entry the store
// holds of side log k (ok false if none). The store has the capability.
func (l *Log) storedSideLast(ctx context.Context, k sideKind) (id int64, hash [32]byte, ok bool, err error) {
	if k == sideAccess {
		e, ok, err := l.caps.acc.LastAccess(ctx)
		return e.ID, e.Hash, ok, err
	}
	e, ok, err := l.caps.tr.LastTransport(ctx)
	return e.ID, e.Hash, ok, err
}

// appendAccess chains, signs and stores access entries in one transaction
// (called by the access committer).
func (l *Log) appendAccess(ctx context.Context, es []AccessEntry) error {
	c, _ := l.sides()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		if err := l.loadHead(ctx, c); err != nil {
			return err
		}
	}
	id, h := c.id, c.hash
	for i := range es {
		e := &es[i]
		id++
		e.ID, e.Prev, e.Sig = id, h, nil
		e.Hash = accessHash(&e.Prev, e)
		h = e.Hash
	}
	if len(es) > 0 {
		last := &es[len(es)-1]
		last.Sig = ed25519.Sign(l.key, l.sideSigMessage(sideAccess, last.ID, &last.Hash))
	}
	if err := l.caps.acc.AppendAccess(ctx, es); err != nil {
		c.loaded = false // the commit may have happened: read the head again
		return err
	}
	c.setHead(id, h)
	return nil
}

// appendTransport chains, signs and stores transport events, committing
// the events of concurrent callers together (one transaction, one
// signature). It returns when evs are durable.
func (l *Log) appendTransport(ctx context.Context, evs []TransportEvent) error {
	_, c := l.sides()
	r := &sideReq{evs: evs}
	c.qmu.Lock()
	c.pending = append(c.pending, r)
	c.qmu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.done {
		return r.err
	}
	c.qmu.Lock()
	batch := c.pending
	c.pending = nil
	c.qmu.Unlock()
	err := l.commitTransport(ctx, c, batch)
	for _, b := range batch {
		b.done, b.err = true, err
	}
	return err
}

// commitTransport commits the events of batch; c.mu is held.
func (l *Log) commitTransport(ctx context.Context, c *sideChain, batch []*sideReq) error {
	if err := ctx.Err(); err != nil {
		// Do not commit with a context that ended: another caller's events
		// would fail with it. Use a fresh one; the caller's own wait is
		// bounded by the store's commit.
		ctx = context.WithoutCancel(ctx)
	}
	if !c.loaded {
		if err := l.loadHead(ctx, c); err != nil {
			return err
		}
	}
	var all []TransportEvent
	if len(batch) == 1 {
		all = batch[0].evs
	} else {
		for _, b := range batch {
			all = append(all, b.evs...)
		}
	}
	id, h := c.id, c.hash
	for i := range all {
		e := &all[i]
		id++
		e.ID, e.Prev, e.Sig = id, h, nil
		e.Hash = transportHash(&e.Prev, e)
		h = e.Hash
	}
	if len(all) == 0 {
		return nil
	}
	last := &all[len(all)-1]
	last.Sig = ed25519.Sign(l.key, l.sideSigMessage(sideTransport, last.ID, &last.Hash))
	if err := l.caps.tr.AppendTransport(ctx, all); err != nil {
		c.loaded = false
		return err
	}
	c.setHead(id, h)
	return nil
}

// errStopScan ends a scan early.
var errStopScan = errors.New("stop")

// sideEntry is what Verify and Purge need of an access entry or transport
// event.
type sideEntry struct {
	id   int64
	time int64
	link *Link
	hash [32]byte // recomputed
}

// scanSide calls fn for every entry of the side log with ID >= from, by ID.
func (l *Log) scanSide(ctx context.Context, k sideKind, from int64, fn func(*sideEntry) error) error {
	var se sideEntry
	if k == sideAccess {
		return l.caps.acc.ScanAccess(ctx, from, func(e *AccessEntry) error {
			se = sideEntry{id: e.ID, time: sideNanos(e.Time), link: &e.Link, hash: accessHash(&e.Prev, e)}
			return fn(&se)
		})
	}
	return l.caps.tr.ScanTransport(ctx, from, func(e *TransportEvent) error {
		se = sideEntry{id: e.ID, time: sideNanos(e.Time), link: &e.Link, hash: transportHash(&e.Prev, e)}
		return fn(&se)
	})
}

// verifySide checks one side log from its floor: IDs without gaps, every
// entry's hash and link, every signature present, and that the newest
// entry is signed. Findings name entry IDs only.
func (l *Log) verifySide(ctx context.Context, k sideKind, rep *Report) error {
	if !l.hasSide(k) {
		rep.Notes = append(rep.Notes, "the store keeps no "+k.String())
		return nil
	}
	add := func(first, last int64, d string) {
		if len(rep.Findings) < maxFindings {
			rep.Findings = append(rep.Findings, Finding{Kind: k.finding(), Seq: first, LastSeq: last, Detail: d})
		}
	}
	// The head is read once per Log; that starts the chain after entries
	// from before it (see loadHead) before they are judged.
	acc, tr := l.sides()
	c := acc
	if k == sideTransport {
		c = tr
	}
	c.mu.Lock()
	var err error
	if !c.loaded {
		err = l.loadHead(ctx, c)
	}
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("audit: verify: %s: %w", k, err)
	}
	f, fok, fvalid, err := l.readFloor(ctx, k)
	if err != nil {
		return err
	}
	expID, exp := int64(1), [32]byte{}
	if fok {
		if !fvalid {
			add(0, 0, "its purge floor does not verify with a trusted key")
		} else {
			expID, exp = f.first, f.prev
		}
	}
	var lastID, lastSigned int64
	err = l.scanSide(ctx, k, 1, func(e *sideEntry) error {
		if e.id < expID && fok {
			return nil // below the floor: purged on the next Purge
		}
		switch {
		case e.id > expID:
			add(expID, e.id-1, fmt.Sprintf("%d entries missing before entry %d", e.id-expID, e.id))
		case e.id < expID: // only without a floor: IDs start at 1
			add(e.id, e.id, "not a position of the log")
		}
		switch {
		case e.hash != e.link.Hash:
			add(e.id, e.id, "content does not match its hash (edited)")
		case e.link.Prev != exp:
			add(e.id, e.id, "does not chain to the previous entry (an entry was deleted, inserted or replaced)")
		}
		if len(e.link.Sig) > 0 {
			if l.sideSigOK(k, e.id, &e.link.Hash, e.link.Sig) {
				lastSigned = e.id
			} else {
				add(e.id, e.id, "signature does not verify with a trusted key")
			}
		}
		expID, exp, lastID = e.id+1, e.link.Hash, e.id
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit: verify: %s: %w", k, err)
	}
	if lastID > 0 && lastSigned < lastID {
		add(lastSigned+1, lastID, "entries after the last signed one: appended without the log's key")
	}
	return nil
}

// purgeSide deletes the expired prefix of each side log the store keeps: the entries
// from the oldest on up to the first that is not older than before (or
// that is not intact: evidence is kept). It writes the signed floor first,
// then deletes; a crash between the two leaves entries below the floor,
// which Verify skips and the next Purge deletes.
func (l *Log) purgeSide(ctx context.Context, before time.Time) error {
	acc, tr := l.sides()
	for _, c := range []*sideChain{acc, tr} {
		if !l.hasSide(c.kind) {
			continue
		}
		c.mu.Lock()
		n, err := l.purgeSideOne(ctx, c, before.UnixNano())
		if err == nil && c.kind == sideAccess {
			err = l.caps.acc.PurgeAccess(ctx, n)
		} else if err == nil {
			err = l.caps.tr.PurgeTransport(ctx, n)
		}
		c.mu.Unlock()
		if err != nil {
			return fmt.Errorf("%s: %w", c.kind, err)
		}
	}
	return nil
}

// purgeSideOne writes the new floor of c and returns the ID below which
// entries are to be deleted. c.mu is held, so no entry is appended
// meanwhile.
func (l *Log) purgeSideOne(ctx context.Context, c *sideChain, before int64) (int64, error) {
	if !c.loaded {
		if err := l.loadHead(ctx, c); err != nil {
			return 0, err
		}
	}
	f, fok, fvalid, err := l.readFloor(ctx, c.kind)
	if err != nil {
		return 0, err
	}
	first := int64(1)
	if fok && fvalid {
		first = f.first
	}
	var cut int64 // the last entry to delete
	var cutHash [32]byte
	expID, exp := first, [32]byte{}
	if fok && fvalid {
		exp = f.prev
	}
	err = l.scanSide(ctx, c.kind, 1, func(e *sideEntry) error {
		if e.time >= before {
			return errStopScan
		}
		if e.id >= first {
			// Only an intact chain is purged: a tampered entry and what
			// follows stay for Verify to report.
			if e.hash != e.link.Hash || e.id != expID || e.link.Prev != exp {
				return errStopScan
			}
			expID, exp = e.id+1, e.link.Hash
		}
		cut, cutHash = e.id, e.link.Hash
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return 0, err
	}
	if cut >= first {
		if err := l.writeFloor(ctx, c.kind, cut+1, cutHash); err != nil {
			return 0, err
		}
	}
	return cut + 1, nil
}
