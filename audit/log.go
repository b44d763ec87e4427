package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

// DefaultRetention is two years, as § 9 IDNrG requires.
const DefaultRetention = 730 * 24 * time.Hour

// Options configure a Log. SigningKey is required (or the deliberate
// EphemeralKey); every other zero field means its documented default.
type Options struct {
	Retention time.Duration    // default 2 years (730 days)
	Clock     func() time.Time // default time.Now
	// SigningKey signs segment anchors and checkpoints. It is required:
	// keep it outside the store's database and give the same key (or trust
	// the old one, TrustedKeys) after every restart. Without it New fails
	// with a [*FieldError] wrapping [ErrNoSigningKey], unless EphemeralKey
	// is set.
	SigningKey ed25519.PrivateKey
	// EphemeralKey is the deliberate choice of a fresh key per Log when
	// SigningKey is nil, for tests and demonstrations only: after a
	// restart, Verify reports every anchor of an earlier run as
	// AnchorInvalid, and New refuses the checkpoint file of an earlier run.
	EphemeralKey bool
	Logger       *slog.Logger // default: discard
	// TrustedKeys are further public keys whose anchors and checkpoints
	// Verify accepts (for example the keys before a key rotation). The
	// public key of SigningKey is always trusted.
	TrustedKeys []ed25519.PublicKey
	// MaxBatch bounds the records committed in one transaction; default 8192.
	MaxBatch int

	// CheckpointFile is the file, outside the store, that keeps the log's
	// newest signed checkpoint (size, head hash, latest anchor, time), for
	// example "audit.db.checkpoint" beside the SQLite files. New checks it
	// and refuses a store that is shorter than it or differs from it;
	// Verify checks it too. Empty: no file (see the package doc, "Checkpoints").
	CheckpointFile string
	// Witnesses receive every checkpoint as well, for example a [DirWitness]
	// on another machine's mount, or a [WitnessFunc] that sends it on.
	// Witnesses that can give their checkpoint back ([WitnessReader]) are
	// checked like the file.
	Witnesses []Witness
	// CheckpointEvery: a checkpoint is written after at most this many
	// appended records; default 10,000.
	CheckpointEvery int
	// CheckpointInterval: and at least this often while records are
	// appended; default 10 seconds. One is always written by New and Close.
	CheckpointInterval time.Duration
	// CheckpointReset, if not empty, is the documented reason (at most 120
	// characters, no IDNr) to open a store that does not match its newest
	// checkpoint. New then logs the findings and the reason at error level,
	// records them in the transport log, keeps the old checkpoint file
	// beside the new one (suffix ".reset-<time>") and starts over from
	// what the store holds. Without it, New refuses such a store.
	CheckpointReset string
}

// AccessPurpose is one of the lawful purposes for reading the protocol.
type AccessPurpose uint8

const (
	AccessUnknown       AccessPurpose = iota
	DataProtectionCheck               // Datenschutzkontrolle
	DataSubjectRights                 // Betroffenenrechte (Auskunft, Art. 15 DSGVO)
	Datenschutzcockpit                // delivery to the Datenschutzcockpit
)

func (p AccessPurpose) String() string {
	switch p {
	case DataProtectionCheck:
		return "data-protection-check"
	case DataSubjectRights:
		return "data-subject-rights"
	case Datenschutzcockpit:
		return "datenschutzcockpit"
	}
	return fmt.Sprintf("AccessPurpose(%d)", uint8(p))
}

// Access says who reads the protocol and why; it is itself logged (without the IDNr).
type Access struct {
	Who     string        // user ID or procedure name (required, <= 120)
	Purpose AccessPurpose // required
	Reason  string        // Aktenzeichen or free text (<= 120)
}

// Validate reports a missing or too long field, or a purpose that is not
// lawful (the error then wraps [ErrUnlawfulPurpose]).
func (a *Access) Validate() error {
	if err := checkText(-1, "Access.Who", a.Who, true, MaxText); err != nil {
		return err
	}
	if err := checkText(-1, "Access.Reason", a.Reason, false, MaxText); err != nil {
		return err
	}
	switch a.Purpose {
	case DataProtectionCheck, DataSubjectRights, Datenschutzcockpit:
	default:
		return &FieldError{Index: -1, Field: "Access.Purpose", Reason: "not a lawful purpose", Err: ErrUnlawfulPurpose}
	}
	if ContainsIDNr(a.Who) || ContainsIDNr(a.Reason) {
		return &FieldError{Index: -1, Field: "Access", Reason: "contains an IDNr; the access log must not"}
	}
	return nil
}

// Query selects one person's records.
type Query struct {
	IDNr  idnr.IDNr // required
	From  time.Time // inclusive; zero: now minus retention
	To    time.Time // exclusive; zero: no upper bound
	Limit int       // default 100, max 1000
	// After is the cursor of the previous page (Page.Next); empty for the first page.
	After string
}

// Page is one page of a query, newest first. The strings of a record share
// one buffer, its encoding: a string kept from a record keeps that
// encoding in memory until it is dropped.
type Page struct {
	Records []Record
	Next    string // cursor for the next page; empty when there is none
}

// Log is the tamper-evident § 9 protocol. See the package documentation.
type Log struct {
	store     Store
	retention time.Duration
	clock     func() time.Time
	key       ed25519.PrivateKey
	trusted   []ed25519.PublicKey
	logger    *slog.Logger
	maxBatch  int
	logID     uuid.UUID

	closeMu sync.RWMutex // held for reading while sending to reqs
	closed  bool
	useMu   sync.RWMutex // held for reading while a read or side write uses the store
	reqs    chan *appendReq
	done    chan struct{} // closed when the committer has exited

	accReqs chan *accessReq // read-access entries for the access committer
	accDone chan struct{}   // closed when the access committer has exited

	hasher    hasher      // used by the committer only
	idScratch []uuid.UUID // used by the committer only

	mu sync.Mutex // guards st (read by Checkpoint; written by the committer)
	// purgeMu keeps Verify and Purge apart: a Verify reads the anchors
	// first and the records later, and must not see records vanish in
	// between.
	purgeMu sync.RWMutex
	st      chainState
	stErr   error // set when the state could not be reloaded after a failed commit

	side sideLogs // the chained access and transport logs (side.go)

	cps *checkpointer // nil: no checkpoint file or witness (checkpoint.go)
}

type chainState struct {
	seq        int64    // last Seq
	hash       [32]byte // hash of the last row
	seg        int64    // segment of the last row (valid if seq > 0)
	segOpen    bool     // seg has rows and no anchor yet
	segFirst   int64    // first Seq of the open segment
	segPrev    [32]byte // chain hash before the open segment
	anchorHash [32]byte // hash of the last anchor (zero if none)
}

type accessReq struct {
	e    AccessEntry
	done chan error
}

type appendReq struct {
	rows []Row // ID, Data, Time, IDNr filled in; chain fields by the committer; none: only rotate
	done chan error
	err  error // set by the committer when it refuses the request
}

const metaLogID = "log_id"

// New opens the protocol kept in store. It starts one committer goroutine;
// [Log.Close] stops it and closes the store.
func New(ctx context.Context, store Store, opts Options) (*Log, error) {
	if store == nil {
		return nil, &FieldError{Index: -1, Field: "store", Reason: "required"}
	}
	l := &Log{
		store:     store,
		retention: opts.Retention,
		clock:     opts.Clock,
		key:       opts.SigningKey,
		logger:    opts.Logger,
		maxBatch:  opts.MaxBatch,
		reqs:      make(chan *appendReq, 1024),
		done:      make(chan struct{}),
		accReqs:   make(chan *accessReq, 1024),
		accDone:   make(chan struct{}),
	}
	if l.retention <= 0 {
		l.retention = DefaultRetention
	}
	if l.clock == nil {
		l.clock = time.Now
	}
	if l.maxBatch <= 0 {
		l.maxBatch = 8192
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	if l.key == nil {
		if !opts.EphemeralKey {
			return nil, &FieldError{Index: -1, Field: "Options.SigningKey", Reason: "required (or set Options.EphemeralKey for a throw-away key)", Err: ErrNoSigningKey}
		}
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		l.key = k
	} else if len(l.key) != ed25519.PrivateKeySize {
		return nil, &FieldError{Index: -1, Field: "Options.SigningKey", Reason: "not an ed25519 private key"}
	}
	l.trusted = append([]ed25519.PublicKey{l.key.Public().(ed25519.PublicKey)}, opts.TrustedKeys...)

	id := uuid.New()
	v, err := store.PutMetaIfAbsent(ctx, metaLogID, id[:])
	if err != nil {
		return nil, fmt.Errorf("audit: reading the log identity: %w", err)
	}
	if len(v) != 16 {
		return nil, errors.New("audit: store holds a malformed log identity")
	}
	l.logID = uuid.UUID(v)
	if err := l.reload(ctx); err != nil {
		return nil, err
	}
	if err := l.loadSideHeads(ctx); err != nil {
		return nil, err
	}
	if err := l.openCheckpoints(ctx, opts); err != nil {
		return nil, err
	}
	go l.commitLoop()
	go l.accessLoop()
	l.startCheckpoints()
	return l, nil
}

// LogID is the random identity of the log, fixed when its store was first used.
func (l *Log) LogID() uuid.UUID { return l.logID }

// PublicKey is the key that verifies this log's anchors and checkpoints.
func (l *Log) PublicKey() ed25519.PublicKey { return l.key.Public().(ed25519.PublicKey) }

// reload reads the chain state from the store.
func (l *Log) reload(ctx context.Context) error {
	last, lastOK, a, aOK, err := l.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("audit: reading the chain head: %w", err)
	}
	var st chainState
	if aOK {
		st.anchorHash = anchorHash(l.logID, &a)
		st.seq, st.hash, st.seg = a.LastSeq, a.Last, a.Segment
	}
	if lastOK {
		st.seq, st.hash, st.seg = last.Seq, last.Hash, last.Segment
		if !aOK || a.Segment != last.Segment {
			st.segOpen = true
			st.segFirst, st.segPrev = 1, [32]byte{}
			if aOK {
				st.segFirst, st.segPrev = a.LastSeq+1, a.Last
			}
		}
	}
	l.mu.Lock()
	l.st, l.stErr = st, nil
	l.mu.Unlock()
	return nil
}

// Append validates recs and appends them to the protocol. It returns when
// all of them are durable, or with an error when none of them was appended:
// a [*FieldError] names the first invalid record and field. A zero ID is
// replaced by a new version 7 UUID, a zero Time by the clock's time (both
// in the caller's slice, so the caller learns them).
//
// If ctx ends after the records were handed to the committer, Append
// returns an error wrapping [ErrOutcomeUnknown] and ctx.Err(): the records
// may still become durable.
func (l *Log) Append(ctx context.Context, recs ...Record) error {
	if len(recs) == 0 {
		return nil
	}
	rows := make([]Row, len(recs))
	size := 0
	for i := range recs {
		r := &recs[i]
		if r.Time.IsZero() {
			r.Time = l.clock()
		}
		r.Time = r.Time.UTC()
		if err := r.validate(i); err != nil {
			return err
		}
		if r.ID == (uuid.UUID{}) {
			r.ID = newRecordID()
		}
		size += fixedHeader + 64 + len(r.Content)
	}
	buf := make([]byte, 0, size)
	for i := range recs {
		start := len(buf)
		buf = encodeRecord(buf, &recs[i])
		rows[i] = Row{ID: recs[i].ID, Time: recs[i].Time.UnixNano(), IDNr: IDNrKey(recs[i].IDNr), Data: buf[start:len(buf):len(buf)]}
	}
	return l.submit(ctx, &appendReq{rows: rows, done: make(chan error, 1)})
}

func (l *Log) submit(ctx context.Context, req *appendReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return ErrClosed
	}
	select {
	case l.reqs <- req:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return ctx.Err()
	}
	l.closeMu.RUnlock()
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, ctx.Err())
	}
}

// Close flushes the pending appends, waits for the committer to stop and
// closes the store. Calls after Close return ErrClosed.
func (l *Log) Close() error {
	l.closeMu.Lock()
	if l.closed {
		l.closeMu.Unlock()
		return ErrClosed
	}
	l.closed = true
	close(l.reqs)
	l.closeMu.Unlock()
	<-l.done
	cpErr := l.closeCheckpoints() // the last checkpoint, of everything committed
	l.useMu.Lock()                // wait for queries and other users of the store
	defer l.useMu.Unlock()
	close(l.accReqs) // no query is left to send an access entry
	<-l.accDone
	return errors.Join(cpErr, l.store.Close())
}

// use marks a call that uses the store outside the committer; it fails
// with ErrClosed once Close has begun. Call the returned func when done.
func (l *Log) use() (func(), error) {
	l.useMu.RLock()
	l.closeMu.RLock()
	closed := l.closed
	l.closeMu.RUnlock()
	if closed {
		l.useMu.RUnlock()
		return nil, ErrClosed
	}
	return l.useMu.RUnlock, nil
}

// commitLoop is the one committer: it takes what is queued (up to
// maxBatch records), chains it, commits it in one transaction and answers
// every waiter.
func (l *Log) commitLoop() {
	defer close(l.done)
	var batch []*appendReq
	var carry *appendReq
	for {
		batch = batch[:0]
		n := 0
		if carry != nil {
			batch, n, carry = append(batch, carry), len(carry.rows), nil
		} else {
			r, ok := <-l.reqs
			if !ok {
				return
			}
			batch, n = append(batch, r), len(r.rows)
		}
	drain:
		for n < l.maxBatch {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break drain
				}
				if n+len(r.rows) > l.maxBatch && n > 0 {
					carry = r
					break drain
				}
				batch, n = append(batch, r), n+len(r.rows)
			default:
				break drain
			}
		}
		err := l.commit(batch)
		for _, r := range batch {
			if r.err != nil && err == nil {
				r.done <- r.err
			} else {
				r.done <- err
			}
			r.err = nil
		}
		if err != nil {
			l.logger.Error("audit: commit failed", "records", n, "err", err)
			if rerr := l.reload(context.Background()); rerr != nil {
				l.mu.Lock()
				l.stErr = rerr
				l.mu.Unlock()
			}
		}
	}
}

func (l *Log) commit(batch []*appendReq) error {
	fastTried, err := l.commitOnce(batch, true)
	if err == nil || !fastTried {
		return err
	}
	// The batch was committed without looking its IDs up, and the commit
	// failed. Either the unique index refused a retried record, or the
	// commit happened and only its answer was lost. Read the chain state
	// back from the store (so that a commit that happened is not chained
	// again) and commit once more with the IDs looked up: records stored
	// with the same content are acknowledged, not stored twice.
	if rerr := l.reload(context.Background()); rerr != nil {
		return errors.Join(err, rerr)
	}
	_, err = l.commitOnce(batch, false)
	return err
}

// commitOnce chains batch onto the current state and commits it. With
// fast, a batch without repeated IDs is committed without looking its IDs
// up (the store's unique index refuses one that repeats a stored ID; this
// saves a query, on PostgreSQL a round trip, per commit); fastTried
// reports that this path was taken.
func (l *Log) commitOnce(batch []*appendReq, fast bool) (fastTried bool, err error) {
	l.mu.Lock()
	st, stErr := l.st, l.stErr
	l.mu.Unlock()
	if stErr != nil {
		if err := l.reload(context.Background()); err != nil {
			return false, err
		}
		l.mu.Lock()
		st = l.st
		l.mu.Unlock()
	}
	now := l.clock()
	today := segmentOf(now)
	var anchors []Anchor
	if st.segOpen && today > st.seg {
		anchors = append(anchors, l.closeSegment(&st, now))
	}
	var rows []Row
	if fast {
		rows, fast = l.fastRows(batch)
	}
	if !fast {
		if rows, err = l.dedup(batch); err != nil {
			return false, err
		}
	}
	if err := l.chainAndCommit(&st, rows, anchors, today); err != nil {
		return fast && len(rows) > 0, err
	}
	l.mu.Lock()
	l.st = st
	l.mu.Unlock()
	l.committed(st.seq)
	return false, nil
}

// fastRows returns the rows of batch as one slice if no ID repeats within
// the batch (fast true); otherwise the caller must deduplicate.
func (l *Log) fastRows(batch []*appendReq) (rows []Row, fast bool) {
	n := 0
	for _, r := range batch {
		n += len(r.rows)
	}
	if len(batch) == 1 {
		rows = batch[0].rows
	} else {
		rows = make([]Row, 0, n)
		for _, r := range batch {
			rows = append(rows, r.rows...)
		}
	}
	if n <= 1 {
		return rows, true
	}
	l.idScratch = l.idScratch[:0]
	for i := range rows {
		l.idScratch = append(l.idScratch, rows[i].ID)
	}
	slices.SortFunc(l.idScratch, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	for i := 1; i < len(l.idScratch); i++ {
		if l.idScratch[i] == l.idScratch[i-1] {
			return nil, false
		}
	}
	return rows, true
}

// chainAndCommit chains rows onto st (advancing it) and commits them with
// anchors. On error st is left advanced; the caller discards it.
func (l *Log) chainAndCommit(st *chainState, rows []Row, anchors []Anchor, today int64) error {
	h := &l.hasher
	for i := range rows {
		if !st.segOpen {
			// A new segment: today's, but never one that is already closed
			// (the clock may have gone back).
			if st.seq == 0 && st.anchorHash == ([32]byte{}) {
				st.seg = today
			} else {
				st.seg = max(today, st.seg+1)
			}
			st.segOpen, st.segFirst, st.segPrev = true, st.seq+1, st.hash
		}
		r := &rows[i]
		r.Seq, r.Segment, r.Prev = st.seq+1, st.seg, st.hash
		r.Hash = h.sum(&r.Prev, r.Segment, r.Data)
		st.seq, st.hash = r.Seq, r.Hash
	}
	if len(rows) == 0 && len(anchors) == 0 {
		return nil
	}
	if err := l.store.Commit(context.Background(), rows, anchors); err != nil {
		return fmt.Errorf("audit: commit: %w", err)
	}
	return nil
}

// dedup makes appends idempotent by record ID: it returns the rows of
// batch to store, leaving out every record whose ID is stored (or earlier
// in the batch) with the same encoding, and refuses (sets err on) every
// request with a record whose ID is stored with a different one.
func (l *Log) dedup(batch []*appendReq) ([]Row, error) {
	n := 0
	for _, r := range batch {
		n += len(r.rows)
	}
	if n == 0 {
		return nil, nil
	}
	ids := make([]uuid.UUID, 0, n)
	for _, r := range batch {
		for i := range r.rows {
			ids = append(ids, r.rows[i].ID)
		}
	}
	stored, err := l.store.Stored(context.Background(), ids)
	if err != nil {
		return nil, fmt.Errorf("audit: checking record IDs: %w", err)
	}
	if len(stored) == 0 && len(batch) == 1 && !hasDupIDs(ids) {
		return batch[0].rows, nil
	}
	rows := make([]Row, 0, n)
	taken := make(map[uuid.UUID][]byte, n) // IDs of rows already in rows
	for _, r := range batch {
		start := len(rows)
		for i := range r.rows {
			row := &r.rows[i]
			data, ok := stored[row.ID]
			if !ok {
				data, ok = taken[row.ID]
			}
			if !ok {
				rows = append(rows, *row)
				taken[row.ID] = row.Data
				continue
			}
			if string(data) == string(row.Data) {
				continue // stored already: acknowledged, not stored twice
			}
			r.err = &FieldError{Index: i, Field: "ID", Reason: "already stored with different content", Err: ErrDuplicateID}
			for _, kept := range rows[start:] {
				delete(taken, kept.ID)
			}
			rows = rows[:start]
			break
		}
	}
	return rows, nil
}

func hasDupIDs(ids []uuid.UUID) bool {
	if len(ids) < 2 {
		return false
	}
	seen := make(map[uuid.UUID]struct{}, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; ok {
			return true
		}
		seen[id] = struct{}{}
	}
	return false
}

// closeSegment builds the signed anchor of the open segment in st and
// updates st.
func (l *Log) closeSegment(st *chainState, now time.Time) Anchor {
	a := Anchor{
		Segment:    st.seg,
		FirstSeq:   st.segFirst,
		LastSeq:    st.seq,
		Prev:       st.segPrev,
		Last:       st.hash,
		PrevAnchor: st.anchorHash,
		Closed:     now.UnixNano(),
	}
	a.Sig = ed25519.Sign(l.key, anchorMessage(l.logID, &a))
	st.anchorHash = anchorHash(l.logID, &a)
	st.segOpen = false
	return a
}

// Rotate closes the open segment if its UTC day is over, writing its
// signed anchor. Appends and [Log.Purge] do this on their own; call it to
// seal yesterday's records without waiting for the next append.
func (l *Log) Rotate(ctx context.Context) error {
	return l.submit(ctx, &appendReq{done: make(chan error, 1)})
}

// Query returns one page of a person's records, newest first (by their
// position in the log), and records the access a in the read-access log
// (without the IDNr) before it returns any data. An unlawful purpose is
// refused with a [*FieldError] wrapping [ErrUnlawfulPurpose].
func (l *Log) Query(ctx context.Context, a Access, q Query) (Page, error) {
	if err := a.Validate(); err != nil {
		return Page{}, err
	}
	done, err := l.use()
	if err != nil {
		return Page{}, err
	}
	defer done()
	if q.IDNr.IsZero() {
		return Page{}, &FieldError{Index: -1, Field: "Query.IDNr", Reason: "required"}
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return Page{}, &FieldError{Index: -1, Field: "Query.Limit", Reason: "must be 0..1000"}
	}
	now := l.clock()
	from, to := q.From, q.To
	if from.IsZero() {
		from = now.Add(-l.retention)
	}
	toN := int64(1<<63 - 1)
	if !to.IsZero() {
		toN = to.UnixNano()
	}
	before := int64(1<<63 - 1)
	if q.After != "" {
		s, err := decodeCursor(q.After)
		if err != nil {
			return Page{}, &FieldError{Index: -1, Field: "Query.After", Reason: "not a cursor of this log"}
		}
		before = s
	}
	rows, err := l.store.Records(ctx, IDNrKey(q.IDNr), from.UnixNano(), toN, before, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("audit: query: %w", err)
	}
	var p Page
	if len(rows) > limit {
		rows = rows[:limit]
		p.Next = encodeCursor(rows[limit-1].Seq)
	}
	p.Records = make([]Record, 0, len(rows))
	for i := range rows {
		// The rows' encodings are ours (see Store.Records): the record's
		// strings are views into them, no copies.
		r, err := decodeRecordView(rows[i].Data[:len(rows[i].Data):len(rows[i].Data)])
		if err != nil || IDNrKey(r.IDNr) != rows[i].IDNr {
			return Page{}, fmt.Errorf("audit: query: record %d is damaged (run Verify): %w", rows[i].Seq, errEncoding)
		}
		p.Records = append(p.Records, r)
	}
	e := AccessEntry{Time: now.UTC(), Who: a.Who, Purpose: a.Purpose, Reason: a.Reason, Count: len(p.Records), From: from.UTC()}
	if !to.IsZero() {
		e.To = to.UTC()
	}
	if err := l.recordAccess(ctx, e); err != nil {
		return Page{}, fmt.Errorf("audit: recording the access: %w", err)
	}
	return p, nil
}

// recordAccess hands e to the access committer and returns when it is
// durable. The caller holds l.use(), so Close has not closed accReqs.
func (l *Log) recordAccess(ctx context.Context, e AccessEntry) error {
	req := &accessReq{e: e, done: make(chan error, 1)}
	select {
	case l.accReqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, ctx.Err())
	}
}

// accessLoop group-commits read-access entries: whatever is queued while
// one transaction is in flight goes into the next, so concurrent queries
// share one durable write. It runs apart from the record committer, so a
// query never waits for a large batch of records.
func (l *Log) accessLoop() {
	defer close(l.accDone)
	var batch []*accessReq
	var es []AccessEntry
	for {
		r, ok := <-l.accReqs
		if !ok {
			return
		}
		batch, es = append(batch[:0], r), append(es[:0], r.e)
	drain:
		for len(batch) < 1024 {
			select {
			case r, ok := <-l.accReqs:
				if !ok {
					break drain
				}
				batch, es = append(batch, r), append(es, r.e)
			default:
				break drain
			}
		}
		err := l.appendAccess(context.Background(), es)
		if err != nil {
			l.logger.Error("audit: access log commit failed", "entries", len(es), "err", err)
		}
		for _, r := range batch {
			r.done <- err
		}
		clear(batch)
	}
}

func encodeCursor(seq int64) string {
	b := binary.AppendUvarint([]byte{'c'}, uint64(seq))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'c' {
		return 0, errEncoding
	}
	v, n := binary.Uvarint(b[1:])
	if n != len(b)-1 || v == 0 || v > 1<<62 {
		return 0, errEncoding
	}
	return int64(v), nil
}

// AccessQuery selects entries of the read-access log.
type AccessQuery struct {
	From  time.Time // inclusive; zero: the beginning
	To    time.Time // exclusive; zero: no upper bound
	Limit int       // default 100, max 1000
	After string    // cursor of the previous page
}

// AccessPage is one page of the read-access log, newest first.
type AccessPage struct {
	Entries []AccessEntry
	Next    string
}

// Accesses reads the read-access log, for the data-protection officer. The
// reading is itself recorded as an access with a's purpose.
func (l *Log) Accesses(ctx context.Context, a Access, q AccessQuery) (AccessPage, error) {
	if err := a.Validate(); err != nil {
		return AccessPage{}, err
	}
	done, err := l.use()
	if err != nil {
		return AccessPage{}, err
	}
	defer done()
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > 1000:
		return AccessPage{}, &FieldError{Index: -1, Field: "AccessQuery.Limit", Reason: "must be 0..1000"}
	}
	toN := int64(1<<63 - 1)
	if !q.To.IsZero() {
		toN = q.To.UnixNano()
	}
	fromN := int64(-1 << 63)
	if !q.From.IsZero() {
		fromN = q.From.UnixNano()
	}
	before := int64(1<<63 - 1)
	if q.After != "" {
		s, err := decodeCursor(q.After)
		if err != nil {
			return AccessPage{}, &FieldError{Index: -1, Field: "AccessQuery.After", Reason: "not a cursor of this log"}
		}
		before = s
	}
	es, err := l.store.Accesses(ctx, fromN, toN, before, limit+1)
	if err != nil {
		return AccessPage{}, fmt.Errorf("audit: reading the access log: %w", err)
	}
	var p AccessPage
	if len(es) > limit {
		es = es[:limit]
		p.Next = encodeCursor(es[limit-1].ID)
	}
	p.Entries = es
	e := AccessEntry{Time: l.clock().UTC(), Who: a.Who, Purpose: a.Purpose, Reason: "access log: " + a.Reason, Count: len(es), From: q.From.UTC(), To: q.To.UTC()}
	if len([]rune(e.Reason)) > MaxText {
		e.Reason = string([]rune(e.Reason)[:MaxText])
	}
	if err := l.recordAccess(ctx, e); err != nil {
		return AccessPage{}, fmt.Errorf("audit: recording the access: %w", err)
	}
	return p, nil
}

// TransportEvent is an event of the separate BSI TR-03176 transport log. It never holds an IDNr.
type TransportEvent struct {
	Time      time.Time
	MessageID uuid.UUID
	Kind      string // "sent", "received", "schema-check", "error", ...
	Actor     string
	Detail    string // no personal data
	// ID (the position in the transport log, from 1) and Link are set by
	// the Log when it stores the event (see side.go).
	ID int64
	Link
}

// AppendTransport validates and stores transport events durably, in one
// transaction, apart from the § 9 protocol. A zero Time is set from the
// clock. An event whose Kind, Actor or Detail contains an IDNr is refused.
func (l *Log) AppendTransport(ctx context.Context, evs ...TransportEvent) error {
	if len(evs) == 0 {
		return nil
	}
	cp := make([]TransportEvent, len(evs))
	for i, e := range evs {
		if e.Time.IsZero() {
			e.Time = l.clock()
		}
		e.Time = e.Time.UTC()
		if err := e.validate(i); err != nil {
			return err
		}
		cp[i] = e
	}
	done, err := l.use()
	if err != nil {
		return err
	}
	defer done()
	if err := l.appendTransport(ctx, cp); err != nil {
		return fmt.Errorf("audit: transport log: %w", err)
	}
	return nil
}

// Transport returns the transport events of one message, oldest first.
func (l *Log) Transport(ctx context.Context, messageID uuid.UUID) ([]TransportEvent, error) {
	done, err := l.use()
	if err != nil {
		return nil, err
	}
	defer done()
	evs, err := l.store.Transport(ctx, messageID)
	if err != nil {
		return nil, fmt.Errorf("audit: transport log: %w", err)
	}
	return evs, nil
}

// newRecordID returns a version 7 UUID: time-ordered, so that the store's
// unique index on record IDs takes its inserts at one end instead of at
// random places (callers that set their own IDs may use uuid.NewV7 too).
func newRecordID() uuid.UUID {
	if id, err := uuid.NewV7(); err == nil {
		return id
	}
	return uuid.New()
}
