package registers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// BackfillConfig configures a [Backfill]. The zero value of every optional
// field means the documented default; the values are copied when the
// Backfill is built, so changing the struct later has no effect.
type BackfillConfig struct {
	// Register is the register to fill (required).
	Register Register
	// IDA sends the searches (required): an *ida.Client.
	IDA Identifier
	// Auth is sent with every request: who asks, why, and which fields
	// (the fields the register keeps). The IDA client checks it against
	// its policy and writes it into the protocol.
	Auth ida.Auth
	// Matcher checks each unique hit (required): FromMatch(match.New()).
	Matcher Matcher

	// Job names the checkpoint; default "backfill".
	Job string
	// BatchSize is the number of people per register transaction; default
	// 500. A batch is sent in bulk messages of at most [ida.MaxBulk]
	// searches.
	BatchSize int
	// Workers is the number of bulk requests in flight; default 4. The IDA
	// client's rate limiter still applies on top.
	Workers int
	// MaxAttempts is how often a failed batch is sent again when Retryable
	// says so (after the IDA client's own retries); default 8. A batch that
	// still fails stops the run with an error; nothing of it is written, and
	// the next run resumes before it.
	MaxAttempts int
	// Backoff is the first pause before a batch is sent again; it doubles
	// with jitter up to 30 s; default 1 s.
	Backoff time.Duration
	// Retryable reports whether a batch error is worth another attempt;
	// default [IsRetryable].
	Retryable func(error) bool
	// Limit stops the run after this many people (0: all).
	Limit int
	// FallbackAfterNotIdentifiable sends, for a person whose search by
	// residence was answered "not identifiable" and whose given names are
	// known, the fallback search by family name, given names and birth
	// date (§ 6 Abs. 3 Nr. 2 IDNrG) as a second request. It treats a
	// residence the BVA cannot confirm (typically an outdated address) as
	// unknown, which is what the fallback search is for; whether that
	// reading fits the register's legal assessment is for the register to
	// decide, so the default is off. Each search is its own protocolled
	// transfer.
	FallbackAfterNotIdentifiable bool

	// Leases makes the run share the register with other processes by
	// leasing key ranges; the register must implement [Leaser]. LeaseRange
	// is the number of records per range (default 20,000), LeaseTTL how
	// long a lease lives without a committed batch (default 2 min), Owner
	// the worker's name (default host name and process ID).
	Leases     bool
	LeaseRange int
	LeaseTTL   time.Duration
	Owner      string

	// Progress, if set, is called from one goroutine at most every
	// ProgressEvery (default 250 ms) and once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration

	// Logger receives operational messages without personal data; default:
	// discard. A run logs a line at the start, one about every LogEvery
	// (default 30 s) with the counts per outcome, the rate and the ETA,
	// one at the end, and a warning when more than [NoSearchWarnShare] of
	// the records settled could not be searched (see backfill_ops.go).
	Logger   *slog.Logger
	LogEvery time.Duration
	// Clock defaults to time.Now.
	Clock func() time.Time
	// Rand returns a number in [0, 1) for the jitter of the pause before a
	// batch is sent again (the pause is between half and all of the current
	// backoff); default math/rand/v2's Float64.
	Rand func() float64
}

// Progress is a snapshot of a running job.
type Progress struct {
	Done    int           // people settled in this run
	Total   int           // people to do at the start (0 if the register cannot count)
	Rate    float64       // people per second, since the start
	ETA     time.Duration // estimated time left (0 if unknown)
	Elapsed time.Duration
	Counts  map[Outcome]int
}

// Backfill is the initial fill (Erstbefüllung) of a register with IDNrs.
// Build it with [NewBackfill]; a Backfill runs one job at a time.
type Backfill struct {
	cfg BackfillConfig
	log *slog.Logger
	// unique: the register keeps IDNrs unique itself ([UniqueIDNrWriter]);
	// otherwise the writer checks them in memory for the run.
	unique bool
}

// Configuration errors.
var (
	ErrNoRegister = errors.New("registers: config: Register is required")
	ErrNoIDA      = errors.New("registers: config: IDA is required")
	ErrNoMatcher  = errors.New("registers: config: Matcher is required")
	ErrNoLeaser   = errors.New("registers: config: Leases needs a register that implements Leaser")
)

// NewBackfill checks the configuration and applies the defaults.
func NewBackfill(cfg BackfillConfig) (*Backfill, error) {
	if cfg.Register == nil {
		return nil, ErrNoRegister
	}
	if cfg.IDA == nil {
		return nil, ErrNoIDA
	}
	if cfg.Matcher == nil {
		return nil, ErrNoMatcher
	}
	if cfg.Job == "" {
		cfg.Job = "backfill"
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Retryable == nil {
		cfg.Retryable = IsRetryable
	}
	if cfg.LeaseRange <= 0 {
		cfg.LeaseRange = 20000
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 2 * time.Minute
	}
	if cfg.Owner == "" {
		h, _ := os.Hostname()
		cfg.Owner = h + "/" + strconv.Itoa(os.Getpid())
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 250 * time.Millisecond
	}
	if cfg.LogEvery <= 0 {
		cfg.LogEvery = 30 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	b := &Backfill{cfg: cfg, log: cfg.Logger}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if u, ok := cfg.Register.(UniqueIDNrWriter); ok && u.UniqueIDNrs() {
		b.unique = true
	}
	if cfg.Leases {
		if _, ok := cfg.Register.(Leaser); !ok {
			return nil, ErrNoLeaser
		}
	}
	return b, nil
}

// batchJob is one batch on its way through the pipeline.
type batchJob struct {
	seq      int
	entries  []Entry
	searches []ida.Search
	idx      []int // idx[i] is the entry of searches[i]
	results  []Result
	last     Key
}

// run state shared by the pipeline of one job (or one lease).
type runState struct {
	mu     sync.Mutex
	report *Report
	done   int
	total  int
	start  time.Time
	// assigned holds, for a register that does not keep IDNrs unique
	// itself, the IDNrs accepted in this run and their records (the
	// writer goroutine's only; nil otherwise).
	assigned map[idnr.IDNr]Key
	ops      opsState // the operator's log lines (backfill_ops.go)
}

// Run fills the register: it reads the unsettled people from the
// checkpoint on, searches them in bulk, matches each unique hit and
// writes the results batch by batch. It returns when every person is
// settled, when ctx ends, or on the first error that retries cannot cure;
// the report covers this run (see [Report]). Running it again resumes.
func (b *Backfill) Run(ctx context.Context) (*Report, error) {
	st := &runState{report: newReport(b.cfg.Job), start: b.cfg.Clock()}
	if !b.unique {
		st.assigned = map[idnr.IDNr]Key{}
	}
	if c, ok := b.cfg.Register.(Counter); ok {
		if counts, err := c.Counts(ctx); err == nil {
			st.total = counts[OutcomePending]
		}
	}
	if b.cfg.Limit > 0 && (st.total == 0 || st.total > b.cfg.Limit) {
		st.total = b.cfg.Limit
	}
	b.logStart(st)
	var err error
	if b.cfg.Leases {
		err = b.runLeases(ctx, st)
	} else {
		after := Key("")
		if cp, ok := b.cfg.Register.(Checkpointer); ok {
			if after, err = cp.Checkpoint(ctx, b.cfg.Job); err != nil {
				return nil, fmt.Errorf("registers: reading checkpoint: %w", err)
			}
		}
		err = b.pipeline(ctx, st, b.cfg.Register, after, "", nil)
	}
	b.progress(st, true)
	st.report.finish(b.cfg.Clock())
	if c, ok := b.cfg.Register.(Counter); ok {
		if counts, cerr := c.Counts(context.WithoutCancel(ctx)); cerr == nil {
			st.report.setTotals(counts)
		}
	}
	b.logEnd(st, err)
	return st.report, err
}

func (b *Backfill) runLeases(ctx context.Context, st *runState) error {
	l := b.cfg.Register.(Leaser)
	if err := l.PlanLeases(ctx, b.cfg.Job, b.cfg.LeaseRange); err != nil {
		return fmt.Errorf("registers: planning leases: %w", err)
	}
	for {
		if b.limitReached(st) {
			return nil
		}
		lease, ok, err := l.AcquireLease(ctx, b.cfg.Job, b.cfg.Owner, b.cfg.LeaseTTL)
		if err != nil {
			return fmt.Errorf("registers: acquiring lease: %w", err)
		}
		if !ok {
			return nil
		}
		b.log.Info("lease acquired", "lease", lease.ID, "owner", lease.Owner)
		st.report.Leases++
		if err := b.pipeline(ctx, st, b.cfg.Register, lease.After, lease.Upto, &lease); err != nil {
			if errors.Is(err, ErrLeaseLost) && ctx.Err() == nil {
				// Another worker took the range over after our lease
				// expired (a long outage); it continues from the lease's
				// checkpoint. Go on with the next range.
				b.log.Warn("lease lost, taking the next range", "lease", lease.ID)
				continue
			}
			return err
		}
		if b.limitReached(st) {
			return nil
		}
		if err := l.CompleteLease(ctx, lease); err != nil {
			return fmt.Errorf("registers: completing lease: %w", err)
		}
	}
}

func (b *Backfill) limitReached(st *runState) bool {
	if b.cfg.Limit <= 0 {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.done >= b.cfg.Limit
}

// pipeline runs reader -> workers -> writer for keys in (after, upto].
func (b *Backfill) pipeline(ctx context.Context, st *runState, r Reader, after, upto Key, lease *Lease) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	jobs := make(chan *batchJob, b.cfg.Workers)
	done := make(chan *batchJob, b.cfg.Workers)
	var wg sync.WaitGroup

	// Reader.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		if err := b.read(ctx, st, r, after, upto, jobs); err != nil {
			cancel(err)
		}
	}()

	// Workers. A batch whose answers arrived is always handed to the
	// writer, even after cancellation: its transfers are protocolled, so
	// it should be written rather than searched again.
	var ww sync.WaitGroup
	for range b.cfg.Workers {
		ww.Add(1)
		go func() {
			defer ww.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain: the reader stops soon
				}
				if err := b.identify(ctx, j); err != nil {
					cancel(err)
					continue
				}
				done <- j
			}
		}()
	}
	go func() { ww.Wait(); close(done) }()

	// Writer (this goroutine): commits batches as they come, advancing the
	// checkpoint over the contiguous prefix of committed batches, until
	// the workers are finished.
	werr := b.write(ctx, st, done, lease, cancel)
	wg.Wait()
	if werr != nil {
		return werr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func (b *Backfill) read(ctx context.Context, st *runState, r Reader, after, upto Key, jobs chan<- *batchJob) error {
	rr, _ := r.(RangeReader)
	seq := 0
	read := 0
	for {
		limit := b.cfg.BatchSize
		if b.cfg.Limit > 0 {
			st.mu.Lock()
			left := b.cfg.Limit - st.done - read
			st.mu.Unlock()
			if left <= 0 {
				return nil
			}
			limit = min(limit, left)
		}
		var entries []Entry
		var err error
		if rr != nil && (upto != "" || b.cfg.Leases) {
			entries, err = rr.NextRange(ctx, after, upto, limit)
		} else {
			entries, err = r.Next(ctx, after, limit)
		}
		if err != nil {
			return fmt.Errorf("registers: reading register: %w", err)
		}
		if len(entries) == 0 {
			return nil
		}
		read += len(entries)
		j := &batchJob{seq: seq, entries: entries, last: entries[len(entries)-1].Key}
		seq++
		j.results = make([]Result, len(entries))
		for i := range entries {
			e := &entries[i]
			j.results[i].Key = e.Key
			s, err := BuildSearch(&e.Person)
			if err != nil {
				var ns *NoSearchError
				reason := "invalid"
				if errors.As(err, &ns) {
					reason = ns.Reason
				}
				if e.Defect != "" {
					reason = e.Defect
				}
				j.results[i].Outcome = NoSearch
				j.results[i].Reason = reason
				continue
			}
			j.searches = append(j.searches, s)
			j.idx = append(j.idx, i)
		}
		select {
		case jobs <- j:
		case <-ctx.Done():
			return nil
		}
		after = j.last
		if len(entries) < limit {
			return nil
		}
	}
}

// identify sends the batch's searches (with retries) and decides each answer.
func (b *Backfill) identify(ctx context.Context, j *batchJob) error {
	if len(j.searches) == 0 {
		return nil
	}
	answers, err := b.send(ctx, j.searches)
	if err != nil {
		return err
	}
	if b.cfg.FallbackAfterNotIdentifiable {
		var again []ida.Search
		var at []int
		for k := range answers {
			if answers[k].Outcome != ida.NotIdentifiable || j.searches[k].Kind != ida.ByResidence {
				continue
			}
			p := &j.entries[j.idx[k]].Person
			given := strings.Join(strings.Fields(p.GivenNames), " ")
			if given == "" || !validName(given) {
				continue
			}
			s := &j.searches[k]
			again = append(again, ida.Search{Kind: ida.ByName, FamilyName: s.FamilyName, BirthDate: s.BirthDate, GivenNames: given})
			at = append(at, k)
		}
		if len(again) > 0 {
			more, err := b.send(ctx, again)
			if err != nil {
				return err
			}
			for i, k := range at {
				if more[i].Outcome != ida.NotIdentifiable {
					answers[k] = more[i]
				}
			}
		}
	}
	for k := range answers {
		a := &answers[k]
		i := j.idx[k]
		j.results[i] = ResultOf(b.cfg.Matcher, j.results[i].Key, &j.entries[i].Person, a)
		// A value the register could not read is not replaced.
		j.results[i].Fields &^= j.entries[i].unreadable()
	}
	return nil
}

// send sends searches in messages of at most [ida.MaxBulk], each again
// with backoff while the error is retryable, and returns one answer per
// search.
func (b *Backfill) send(ctx context.Context, searches []ida.Search) ([]ida.Answer, error) {
	if len(searches) <= ida.MaxBulk {
		return b.sendOne(ctx, searches)
	}
	out := make([]ida.Answer, 0, len(searches))
	for len(searches) > 0 {
		n := min(len(searches), ida.MaxBulk)
		as, err := b.sendOne(ctx, searches[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
		searches = searches[n:]
	}
	return out, nil
}

// sendOne sends one bulk message, again with backoff while the error is
// retryable.
func (b *Backfill) sendOne(ctx context.Context, searches []ida.Search) ([]ida.Answer, error) {
	pause := b.cfg.Backoff
	for attempt := 1; ; attempt++ {
		answers, err := b.cfg.IDA.Bulk(ctx, b.cfg.Auth, searches)
		if err == nil && len(answers) != len(searches) {
			err = fmt.Errorf("registers: IDA returned %d answers for %d searches", len(answers), len(searches))
		}
		if err == nil {
			return answers, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt >= b.cfg.MaxAttempts || !b.cfg.Retryable(err) {
			return nil, fmt.Errorf("registers: batch of %d searches failed after %d attempts: %w", len(searches), attempt, err)
		}
		b.log.Warn("batch failed, retrying", "attempt", attempt, "err", err)
		d := pause/2 + time.Duration(b.cfg.Rand()*float64(pause/2+1))
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		pause = min(pause*2, 30*time.Second)
	}
}

// write commits batches in arrival order; the checkpoint only covers the
// contiguous prefix of committed batches.
func (b *Backfill) write(ctx context.Context, st *runState, done <-chan *batchJob, lease *Lease, cancel context.CancelCauseFunc) error {
	committed := map[int]Key{} // committed batches beyond the contiguous prefix
	next := 0
	ticker := time.NewTicker(b.cfg.ProgressEvery)
	defer ticker.Stop()
	var failed error
	for {
		var j *batchJob
		select {
		case x, ok := <-done:
			if !ok {
				return failed
			}
			j = x
		case <-ticker.C:
			b.progress(st, false)
			continue
		}
		if failed != nil {
			continue // drain so that the workers can finish
		}
		if st.assigned != nil {
			for i := range j.results {
				res := &j.results[i]
				if res.Outcome != Accepted {
					continue
				}
				if holder, ok := st.assigned[res.Person.IDNr]; ok && holder != res.Key {
					res.SetIDNrAssigned(holder)
					continue
				}
				st.assigned[res.Person.IDNr] = res.Key
			}
		}
		committed[j.seq] = j.last
		var cp Key
		for {
			k, ok := committed[next]
			if !ok {
				break
			}
			cp = k
			delete(committed, next)
			next++
		}
		if err := b.commit(ctx, j, cp, lease); err != nil {
			failed = err
			cancel(err) // stop reading and sending
			continue
		}
		st.mu.Lock()
		st.done += len(j.results)
		for i := range j.results {
			st.report.add(&j.results[i])
		}
		st.mu.Unlock()
	}
}

func (b *Backfill) commit(ctx context.Context, j *batchJob, cp Key, lease *Lease) error {
	// A batch that was fully answered is written even if ctx ends now, so
	// that the transfers already protocolled are not repeated.
	err := b.cfg.Register.WriteBatch(context.WithoutCancel(ctx), Batch{Results: j.results, Job: b.cfg.Job, Checkpoint: cp, Lease: lease})
	if err != nil {
		return fmt.Errorf("registers: writing batch: %w", err)
	}
	return nil
}

func (b *Backfill) progress(st *runState, final bool) {
	st.mu.Lock()
	now := b.cfg.Clock()
	el := now.Sub(st.start)
	p := Progress{Done: st.done, Total: st.total, Elapsed: el, Counts: st.report.outcomeCounts()}
	st.mu.Unlock()
	if el > 0 {
		p.Rate = float64(p.Done) / el.Seconds()
	}
	if p.Rate > 0 && p.Total > p.Done {
		p.ETA = time.Duration(float64(p.Total-p.Done) / p.Rate * float64(time.Second))
	}
	b.logProgress(st, p, final)
	if b.cfg.Progress != nil {
		b.cfg.Progress(p)
	}
}
