package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
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

// Log is the tamper-evident § 9 protocol. See the package documentation.
//
// Goroutines, what each owns, and the lock order:
//
//   - The committer (commitLoop, append.go) owns the record chain: it
//     alone chains and commits records and anchors, and it alone writes st
//     (under mu, so that checkpoints read a consistent state), hasher and
//     idScratch. Append, Rotate and Purge hand it requests through reqs.
//   - The access committer (accessLoop, access.go) owns the read-access
//     log's group commit: Query, Accesses and HasRecords hand it entries
//     through accReqs. The access log's head (side.acc) is chained under
//     side.acc.mu, which the access committer, Purge and Verify take.
//   - The transport log has no goroutine: the caller that holds side.tr.mu
//     commits what all callers queued (side.go).
//   - The checkpoint writer (checkpointLoop, checkpoint.go; only with a
//     checkpoint file or witness) writes checkpoints on a timer and when
//     the committer asks; cps.mu serialises all checkpoint writes.
//
// Every public method that uses the store or a goroutine enters the
// lifecycle guard (life) and leaves it when it returns; Close marks the
// Log closed (later calls fail with ErrClosed), waits until every call has
// left, and only then closes reqs and accReqs, waits for the two
// committers, writes the last checkpoint and closes the store. No
// goroutine outlives Close.
//
// Lock order (a lock is only taken while holding those before it):
// purgeMu -> side.acc.mu / side.tr.mu -> side.tr.qmu, and
// purgeMu -> cps.mu -> mu (Verify reads this Log's last checkpoint).
// life.mu and mu are held for a few instructions and nothing is taken
// under them. The side logs' committed heads are published atomically, so
// a checkpoint never waits for a side commit.
type Log struct {
	store     Store
	caps      capabilities // the store's optional parts (store.go)
	retention time.Duration
	clock     func() time.Time
	key       ed25519.PrivateKey
	trusted   []ed25519.PublicKey
	logger    *slog.Logger
	maxBatch  int
	logID     uuid.UUID

	life lifecycle

	reqs chan *appendReq // appends for the committer; closed by Close
	done chan struct{}   // closed when the committer has exited

	accReqs chan *accessReq // read-access entries for the access committer; closed by Close
	accDone chan struct{}   // closed when the access committer has exited

	hasher    hasher      // used by the committer only
	idScratch []uuid.UUID // used by the committer only

	mu sync.Mutex // guards st and stErr (written by the committer, read by checkpoints and Verify)
	// purgeMu keeps Verify and Purge apart: a Verify reads the anchors
	// first and the records later, and must not see records vanish in
	// between.
	purgeMu sync.RWMutex
	st      chainState
	stErr   error // set when the state could not be reloaded after a failed commit

	side sideLogs // the chained access and transport logs (side.go)

	cps *checkpointer // nil: no checkpoint file or witness (checkpoint.go)
}

// lifecycle is the Log's one guard of its lifetime: calls enter and
// leave it; close refuses new calls and waits for those in flight.
type lifecycle struct {
	mu     sync.Mutex
	closed bool
	calls  sync.WaitGroup // calls that entered and have not left
}

// enter registers a call; it fails with ErrClosed once Close has begun.
func (g *lifecycle) enter() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	g.calls.Add(1)
	return nil
}

func (g *lifecycle) leave() { g.calls.Done() }

// close marks the Log closed and waits for the calls in flight; false if
// it was closed before.
func (g *lifecycle) close() bool {
	g.mu.Lock()
	was := g.closed
	g.closed = true
	g.mu.Unlock()
	if was {
		return false
	}
	g.calls.Wait() // no call enters after closed is set
	return true
}

const metaLogID = "log_id"

// New opens the protocol kept in store. It starts the committer, the
// access committer and (with checkpoints) the checkpoint writer;
// [Log.Close] stops them and closes the store. The store's optional
// capabilities ([AccessLogStore], [TransportLogStore], [HoldStore]) are
// found here; Options.CheckpointReset needs the transport log.
func New(ctx context.Context, store Store, opts Options) (*Log, error) {
	if store == nil {
		return nil, &FieldError{Index: -1, Field: "store", Reason: "required"}
	}
	l := &Log{
		store:     store,
		caps:      findCapabilities(store),
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

// Close waits for the calls in flight (the appends among them become
// durable or fail), stops the committers, writes the last checkpoint and
// closes the store. Calls after Close return ErrClosed.
func (l *Log) Close() error {
	if !l.life.close() {
		return ErrClosed
	}
	close(l.reqs) // no call is left to send one
	<-l.done
	close(l.accReqs)
	<-l.accDone
	cpErr := l.closeCheckpoints() // the last checkpoint, of everything committed
	return errors.Join(cpErr, l.store.Close())
}

// use enters the lifecycle guard for a call that uses the store or a
// committer; it fails with ErrClosed once Close has begun. Call the
// returned func when done.
func (l *Log) use() (func(), error) {
	if err := l.life.enter(); err != nil {
		return nil, err
	}
	return l.life.leave, nil
}

// handOff queues req for a committer and waits for its answer. If ctx
// ends before req is queued, ctx's error is returned (nothing was done);
// if it ends after, the error wraps ErrOutcomeUnknown.
func handOff[R any](ctx context.Context, queue chan<- R, req R, answer <-chan error) error {
	select {
	case queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, ctx.Err())
	}
}
