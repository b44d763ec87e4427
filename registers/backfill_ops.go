package registers

import (
	"log/slog"
	"time"
)

// NoSearchWarnShare is the share of settled records that could not be
// searched (outcome [NoSearch]) above which a run logs a warning: a
// register in which more than one in twenty records lacks a usable birth
// date, family name or residence usually has a mapping or format problem
// (a date written "TT.MM.JJJJ" read as ISO, a misspelt column) rather than
// that many incomplete records. Run the preflight ([Preflight]) to see
// which column.
const NoSearchWarnShare = 0.05

// noSearchWarnMin is the number of settled records before a periodic
// check may warn; the end of the run always checks.
const noSearchWarnMin = 1000

// opsState is what the operator's log lines of one run remember.
type opsState struct {
	lastLog time.Time
	warned  bool
}

// logStart logs the start of a run: the job, how many records are to do,
// and the settings. No personal data.
func (b *Backfill) logStart(st *runState) {
	st.ops.lastLog = st.start
	b.log.Info("backfill started", "job", b.cfg.Job, "pending", st.total, "workers", b.cfg.Workers,
		"batch", b.cfg.BatchSize, "leases", b.cfg.Leases, "fallback", b.cfg.FallbackAfterNotIdentifiable)
}

// logProgress logs a progress line about every LogEvery (not at the
// final call: logEnd writes the end line) and the no-search warning.
func (b *Backfill) logProgress(st *runState, p Progress, final bool) {
	now := st.start.Add(p.Elapsed)
	if !final && now.Sub(st.ops.lastLog) >= b.cfg.LogEvery {
		st.ops.lastLog = now
		b.log.Info("backfill progress", "job", b.cfg.Job, "done", p.Done, "pending", p.Total,
			"rate", round1(p.Rate), "eta", p.ETA.Round(time.Second).String(), outcomeGroup(p.Counts))
	}
	if !final && p.Done >= noSearchWarnMin {
		b.warnNoSearch(st, p.Done, p.Counts[NoSearch])
	}
}

// logEnd logs the end of a run with its counts, rate and error (the
// error of this package never holds personal data).
func (b *Backfill) logEnd(st *runState, err error) {
	r := st.report
	counts := r.outcomeCounts()
	b.warnNoSearch(st, r.People, counts[NoSearch])
	args := []any{"job", b.cfg.Job, "done", r.People, "seconds", round1(r.Seconds), "rate", round1(r.PerSec), outcomeGroup(counts)}
	if r.Leases > 0 {
		args = append(args, "leases", r.Leases)
	}
	if err != nil {
		b.log.Error("backfill stopped", append(args, "err", err)...)
		return
	}
	b.log.Info("backfill finished", args...)
}

// warnNoSearch warns once per run when more than NoSearchWarnShare of the
// done records could not be searched, naming the reasons (codes, no data).
func (b *Backfill) warnNoSearch(st *runState, done, noSearch int) {
	if st.ops.warned || done == 0 || float64(noSearch) <= NoSearchWarnShare*float64(done) {
		return
	}
	st.ops.warned = true
	st.mu.Lock()
	var reasons []slog.Attr
	for _, k := range st.report.SortedReasons() {
		if len(k) > len("no_search/") && k[:len("no_search/")] == "no_search/" {
			reasons = append(reasons, slog.Int(k[len("no_search/"):], st.report.Reasons[k]))
		}
	}
	st.mu.Unlock()
	b.log.Warn("many records cannot be searched: check the column mapping and formats (run the preflight)",
		"job", b.cfg.Job, "no_search", noSearch, "done", done,
		"share", round1(100*float64(noSearch)/float64(done)), slog.GroupAttrs("reasons", reasons...))
}

// outcomeGroup is the counts per outcome as a log group, in the order of
// the outcomes, without zeros.
func outcomeGroup(c map[Outcome]int) slog.Attr {
	var as []slog.Attr
	for o := OutcomePending + 1; o < numOutcomes; o++ {
		if n := c[o]; n > 0 {
			as = append(as, slog.Int(o.String(), n))
		}
	}
	return slog.GroupAttrs("outcomes", as...)
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
