package registers

import (
	"context"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is the account of one run: counts per outcome and per reason,
// throughput, and (if the register implements [Counter]) the totals of the
// whole register afterwards, which include earlier runs. It holds no
// personal data and marshals to JSON as it is.
type Report struct {
	Job      string         `json:"job"`
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	Seconds  float64        `json:"seconds"`
	People   int            `json:"people"`
	PerSec   float64        `json:"people_per_second"`
	Outcomes map[string]int `json:"outcomes"`
	// Reasons counts "outcome/reason", e.g. "no_search/no_birth_date".
	Reasons map[string]int `json:"reasons"`
	// Leases is the number of key ranges this process worked on.
	Leases int `json:"leases,omitempty"`
	// Totals are the register's counts per outcome after the run.
	Totals map[string]int `json:"register_totals,omitempty"`
}

func newReport(job string) *Report {
	return &Report{Job: job, Started: time.Now().UTC(), Outcomes: map[string]int{}, Reasons: map[string]int{}}
}

func (r *Report) add(res *Result) {
	r.People++
	o := res.Outcome.String()
	r.Outcomes[o]++
	if res.Reason != "" {
		r.Reasons[o+"/"+res.Reason]++
	}
}

func (r *Report) outcomeCounts() map[Outcome]int {
	m := make(map[Outcome]int, len(r.Outcomes))
	for k, v := range r.Outcomes {
		if o, err := ParseOutcome(k); err == nil {
			m[o] = v
		}
	}
	return m
}

func (r *Report) finish(now time.Time) {
	r.Finished = now.UTC()
	r.Seconds = r.Finished.Sub(r.Started).Seconds()
	if r.Seconds > 0 {
		r.PerSec = float64(r.People) / r.Seconds
	}
}

func (r *Report) setTotals(c map[Outcome]int) {
	r.Totals = map[string]int{}
	for o, n := range c {
		r.Totals[o.String()] = n
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSVHeader is the header of the clerks' work list written by [WriteCasesCSV].
var CSVHeader = []string{"key", "outcome", "reason", "score", "details", "message_id"}

// WriteCasesCSV writes the clerks' work list: one row per case that needs a
// person (review, not identifiable, rejected, no search), in key order.
//
// The list is an internal work list of the register-keeping body. It holds
// the register key (the clerk opens the record in the register software),
// the outcome, a reason code, the matcher's score and readable details
// (which fields agreed or conflicted, never their values) and the message
// ID of the transfer (to find its protocol record). It holds no name,
// birth date, address or IDNr: a clerk needs none of them to find the
// case, and a file that leaves the register should not carry them.
//
// It writes the standard form (comma, no BOM); [WriteCasesCSVFormat] with
// [CSVGerman] writes the form German spreadsheet programs open directly.
func WriteCasesCSV(ctx context.Context, w io.Writer, src CaseLister) error {
	return WriteCasesCSVFormat(ctx, w, src, CSVStandard)
}

// csvSafe defuses spreadsheet formula injection (a cell starting with =, +,
// -, @ is prefixed with an apostrophe).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SortedReasons returns the reason keys in a stable order, for printing.
func (r *Report) SortedReasons() []string {
	keys := make([]string, 0, len(r.Reasons))
	for k := range r.Reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
