package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/regmo/regmo/registers"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressOutput shows the fill's progress: a bar on a terminal, plain
// lines (about every lineEvery, with the counts per outcome) otherwise,
// nothing with -quiet.
type progressOutput struct {
	w         io.Writer
	mode      string // "bar", "lines" or "" (quiet)
	bar       *progressbar.ProgressBar
	last      time.Time
	lineEvery time.Duration
	lastP     registers.Progress
	now       func() time.Time
}

func newProgressOutput(o *options, w io.Writer) *progressOutput {
	p := &progressOutput{w: w, mode: o.progress, lineEvery: 10 * time.Second, now: time.Now}
	if p.mode == "auto" {
		p.mode = "lines"
		if isTerminal(w) {
			p.mode = "bar"
		}
	}
	if o.quiet {
		p.mode = ""
	}
	p.last = p.now()
	return p
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *progressOutput) update(pr registers.Progress) {
	p.lastP = pr
	switch p.mode {
	case "bar":
		if p.bar == nil {
			p.bar = progressbar.NewOptions(max(pr.Total, 1), progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription("backfill"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("people"), progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionFullWidth(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
		}
		_ = p.bar.Set(pr.Done)
	case "lines":
		if now := p.now(); now.Sub(p.last) >= p.lineEvery {
			p.last = now
			fmt.Fprintln(p.w, progressLine(pr))
		}
	}
}

func (p *progressOutput) finish() {
	switch p.mode {
	case "bar":
		if p.bar != nil {
			_ = p.bar.Finish()
		}
	case "lines":
		if p.lastP.Done > 0 {
			fmt.Fprintln(p.w, progressLine(p.lastP))
		}
	}
}

// progressLine is one plain progress line: done of total, rate, ETA and
// the counts per outcome. No personal data.
func progressLine(p registers.Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "progress: %d", p.Done)
	if p.Total > 0 {
		fmt.Fprintf(&b, "/%d (%.1f%%)", p.Total, 100*float64(p.Done)/float64(p.Total))
	}
	fmt.Fprintf(&b, ", %.0f people/s", p.Rate)
	if p.ETA > 0 {
		fmt.Fprintf(&b, ", ETA %s", p.ETA.Round(time.Second))
	}
	for _, o := range []registers.Outcome{registers.Accepted, registers.Review, registers.NotIdentifiable, registers.Rejected, registers.NoSearch} {
		fmt.Fprintf(&b, "; %s %d", o, p.Counts[o])
	}
	return b.String()
}

// newLogger is the engine's operator log on w (text, one line each): info
// and above, warnings and errors only with -quiet or -json-summary.
func newLogger(o *options, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if o.quiet || o.jsonSummary {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// csvFormat is the form of review.csv named by -csv.
func csvFormat(name string) (registers.CSVFormat, error) {
	switch name {
	case "", "standard":
		return registers.CSVStandard, nil
	case "de":
		return registers.CSVGerman, nil
	}
	return registers.CSVFormat{}, fmt.Errorf("-csv %q: want standard or de", name)
}
