package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
)

// reopenFlag collects the -reopen terms: key=K, outcome=O, reason=R,
// separated by commas or given as several -reopen flags. Terms of one
// kind are alternatives; the kinds combine with AND (as
// sqlregister.ReopenFilter).
type reopenFlag struct {
	f *sqlregister.ReopenFilter
}

// reopenable are the outcomes sqlregister.Reopen makes pending again.
var reopenable = []registers.Outcome{registers.Review, registers.NotIdentifiable, registers.Rejected, registers.NoSearch}

func (r reopenFlag) String() string {
	if r.f == nil {
		return ""
	}
	var terms []string
	for _, k := range r.f.Keys {
		terms = append(terms, "key="+string(k))
	}
	for _, o := range r.f.Outcomes {
		terms = append(terms, "outcome="+o.String())
	}
	for _, s := range r.f.Reasons {
		terms = append(terms, "reason="+s)
	}
	return strings.Join(terms, ",")
}

func (r reopenFlag) Set(v string) error {
	for term := range strings.SplitSeq(v, ",") {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		kind, val, ok := strings.Cut(term, "=")
		val = strings.TrimSpace(val)
		if !ok || val == "" {
			return fmt.Errorf("%q: want key=K, outcome=O or reason=R", term)
		}
		switch strings.TrimSpace(kind) {
		case "key":
			r.f.Keys = append(r.f.Keys, registers.Key(val))
		case "outcome":
			o, err := registers.ParseOutcome(val)
			if err != nil || !slices.Contains(reopenable, o) {
				return fmt.Errorf("outcome %q: want review, not_identifiable, rejected or no_search (accepted records keep their IDNr)", val)
			}
			r.f.Outcomes = append(r.f.Outcomes, o)
		case "reason":
			r.f.Reasons = append(r.f.Reasons, val)
		default:
			return fmt.Errorf("%q: unknown condition %q (want key, outcome or reason)", term, kind)
		}
	}
	return nil
}

// checkReopen refuses combinations that make no sense with -reopen.
func checkReopen(o *options, set map[string]bool) error {
	if o.reopen == nil {
		return nil
	}
	if len(o.reopen.Keys) == 0 && len(o.reopen.Outcomes) == 0 && len(o.reopen.Reasons) == 0 {
		return errors.New("-reopen: name key=, outcome= or reason=")
	}
	for _, f := range []string{"fresh", "resume", "sync", "create-only"} {
		if set[f] {
			return fmt.Errorf("-reopen only reopens cases and exits: leave out -%s", f)
		}
	}
	return nil
}

// reopen makes the register's settled cases of -reopen pending again (for
// example after the register's own software corrected their data),
// through sqlregister's Reopen: their review-queue entries are removed and
// the fill's checkpoint and lease plan reset, so that the next run
// searches them. Accepted records are never reopened. It does not start a
// fill and never creates the demo register.
func reopen(ctx context.Context, o *options, regPath string, stdout io.Writer) error {
	if o.register == "" && o.postgres == "" {
		if _, err := os.Stat(regPath); err != nil {
			return fmt.Errorf("-reopen: no demo register in %s: %w", o.dir, err)
		}
	}
	opened, err := openRegister(ctx, o, regPath, func(string, ...any) {})
	if err != nil {
		return err
	}
	defer opened.close()
	n, err := opened.reg.Reopen(ctx, *o.reopen)
	if err != nil {
		return fmt.Errorf("-reopen: %w", err)
	}
	filter := reopenFlag{o.reopen}.String()
	if o.jsonSummary {
		return json.NewEncoder(stdout).Encode(struct {
			Register string `json:"register"`
			Filter   string `json:"filter"`
			Reopened int    `json:"reopened"`
		}{opened.name, filter, n})
	}
	_, err = fmt.Fprintf(stdout, "register %s: %d records reopened (%s); the next run searches them again\n", opened.name, n, filter)
	return err
}
