package registers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// MaxPreflightKeys is the most example keys a [PreflightReport] keeps per
// reason or column.
const MaxPreflightKeys = 10

// PreflightOptions configure [Preflight].
type PreflightOptions struct {
	// BatchSize is the page size of the reads (default 1000).
	BatchSize int
}

// KeySample is how many records have one problem, with the keys of the
// first few (at most [MaxPreflightKeys], in read order). It holds keys
// only, never values.
type KeySample struct {
	Count int   `json:"count"`
	Keys  []Key `json:"keys"`
}

func (s *KeySample) add(k Key) {
	s.Count++
	if len(s.Keys) < MaxPreflightKeys {
		s.Keys = append(s.Keys, k)
	}
}

// PreflightReport is what [Preflight] found. It marshals to JSON and holds
// counts, reason codes, column tokens and register keys: no name, birth
// date, address or IDNr.
type PreflightReport struct {
	// Records is the number of pending records read (those a backfill
	// would search).
	Records int `json:"records"`
	// Primary counts the records that form the primary search (family
	// name, place, postcode, birth date); PrimaryWithFallback those of
	// them that could also form the fallback search (given names known),
	// which the backfill tries after "not identifiable".
	Primary             int `json:"primary_search"`
	PrimaryWithFallback int `json:"primary_with_fallback"`
	// FallbackOnly counts the records that form only the fallback search
	// (family name, given names, birth date).
	FallbackOnly int `json:"fallback_only"`
	// NoSearch counts the records that form no search; NoSearchReasons
	// breaks them down by the reason the backfill would record.
	NoSearch        int                   `json:"no_search"`
	NoSearchReasons map[string]*KeySample `json:"no_search_reasons"`
	// Unparsed counts, per column (field token), the records whose value
	// in that column could not be read or cannot be sent; see [Preflight]
	// for what is detected. A record with two such columns counts in both.
	Unparsed map[string]*KeySample `json:"unparsed"`
	// RecordsWithUnparsed counts the records with at least one such value.
	RecordsWithUnparsed int `json:"records_with_unparsed"`
	// ExistingIDNrs counts the register's own IDNr problems by reason
	// ([ReasonIDNrInvalidInRegister], [ReasonIDNrDuplicateInRegister]);
	// ExistingChecked says whether the register could list them (it
	// implements [CaseLister]).
	ExistingIDNrs   map[string]*KeySample `json:"existing_idnr_problems"`
	ExistingChecked bool                  `json:"existing_checked"`
	Seconds         float64               `json:"seconds"`
}

// Preflight reads every pending record of the register once, in key order
// and by keyset pages, and reports what a backfill would do with it,
// without sending anything: it has no IDA client and writes nothing.
//
//   - Per record, which search [BuildSearch] forms: the primary search, the
//     fallback search only, or none (with the reason the backfill records:
//     the register's [Entry.Defect] if it reported one, else the
//     [NoSearchError] reason).
//   - Per column, the records whose value could not be read: every column
//     of the reader's [Entry.Defects] (sqlregister reports each date that
//     does not parse in the configured format, birth, death, move-in and
//     move-out date, and each sex code it does not know; a reader that
//     reports only [Entry.Defect] has its code "<token>_invalid" name the
//     column <token>), a postal_code that is not five digits on a domestic
//     address, and a family_name or given_names with characters that
//     cannot be sent (digits, control characters). A record counts under
//     each of its columns; a defect in a field the search does not need
//     (death date, sex, ...) does not make it a no-search record.
//   - If reader is a [CaseLister], the register's own IDNr problems
//     (records it settled itself with [ReasonIDNrInvalidInRegister] or
//     [ReasonIDNrDuplicateInRegister]; sqlregister finds them when it is
//     opened).
//
// Memory is one page plus the counts and at most [MaxPreflightKeys] keys
// per reason and column.
func Preflight(ctx context.Context, reader Reader, opts PreflightOptions) (*PreflightReport, error) {
	if reader == nil {
		return nil, errors.New("registers: preflight: no reader")
	}
	limit := opts.BatchSize
	if limit <= 0 {
		limit = 1000
	}
	start := time.Now()
	rep := &PreflightReport{
		NoSearchReasons: map[string]*KeySample{},
		Unparsed:        map[string]*KeySample{},
		ExistingIDNrs:   map[string]*KeySample{},
	}
	sample := func(m map[string]*KeySample, name string, k Key) {
		s := m[name]
		if s == nil {
			s = &KeySample{}
			m[name] = s
		}
		s.add(k)
	}
	var after Key
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		entries, err := reader.Next(ctx, after, limit)
		if err != nil {
			return nil, fmt.Errorf("registers: preflight: reading after key %q: %w", after, err)
		}
		for i := range entries {
			e := &entries[i]
			rep.Records++
			if cols := unparsedColumns(e); len(cols) > 0 {
				rep.RecordsWithUnparsed++
				for _, col := range cols {
					sample(rep.Unparsed, col, e.Key)
				}
			}
			s, err := BuildSearch(&e.Person)
			if err != nil {
				reason := "invalid"
				var ns *NoSearchError
				if errors.As(err, &ns) {
					reason = ns.Reason
				}
				if e.Defect != "" {
					reason = e.Defect
				}
				rep.NoSearch++
				sample(rep.NoSearchReasons, reason, e.Key)
				continue
			}
			if s.Kind == ida.ByResidence {
				rep.Primary++
				if g := strings.Join(strings.Fields(e.Person.GivenNames), " "); g != "" && validName(g) {
					rep.PrimaryWithFallback++
				}
			} else {
				rep.FallbackOnly++
			}
		}
		if len(entries) < limit {
			break
		}
		last := entries[len(entries)-1].Key
		if last == after {
			// A reader that does not advance would loop forever.
			return nil, fmt.Errorf("registers: preflight: the reader returned key %q again", last)
		}
		after = last
	}
	if cl, ok := reader.(CaseLister); ok {
		rep.ExistingChecked = true
		err := cl.Cases(ctx, func(c Case) error {
			if c.Reason == ReasonIDNrInvalidInRegister || c.Reason == ReasonIDNrDuplicateInRegister {
				sample(rep.ExistingIDNrs, c.Reason, c.Key)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("registers: preflight: listing the register's cases: %w", err)
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// unparsedColumns returns the columns (tokens) of e whose values could not
// be read or cannot be sent, each once.
func unparsedColumns(e *Entry) []string {
	var out []string
	add := func(col string) {
		if col != "" && !slices.Contains(out, col) {
			out = append(out, col)
		}
	}
	for _, d := range e.Defects {
		add(d.Column)
	}
	if e.Defect != "" && len(e.Defects) == 0 {
		// A reader that reports only the blocking defect.
		add(strings.TrimSuffix(e.Defect, "_invalid"))
	}
	p := &e.Person
	if plz := strings.TrimSpace(p.Address.PostalCode); plz != "" && strings.TrimSpace(p.Address.Country) == "" && !idnr.IsPostalCode(plz) {
		add("postal_code")
	}
	if f := strings.TrimSpace(p.FamilyName); f != "" && !validName(f) {
		add(idnr.FieldFamilyName.Token())
	}
	if g := strings.TrimSpace(p.GivenNames); g != "" && !validName(g) {
		add(idnr.FieldGivenNames.Token())
	}
	return out
}

// String is a short human summary: counts, reasons and up to
// [MaxPreflightKeys] keys each.
func (r *PreflightReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "preflight: %d pending records read in %.1f s, nothing sent\n", r.Records, r.Seconds)
	fmt.Fprintf(&b, "  primary search (family name, place, postcode, birth date): %d (%d of them could also use the fallback)\n", r.Primary, r.PrimaryWithFallback)
	fmt.Fprintf(&b, "  fallback search only (family name, given names, birth date): %d\n", r.FallbackOnly)
	fmt.Fprintf(&b, "  no search possible: %d\n", r.NoSearch)
	writeSamples(&b, r.NoSearchReasons)
	if len(r.Unparsed) > 0 {
		fmt.Fprintf(&b, "  values that could not be read, by column (%d records):\n", r.RecordsWithUnparsed)
		writeSamples(&b, r.Unparsed)
	} else {
		b.WriteString("  values that could not be read: none found\n")
	}
	switch {
	case !r.ExistingChecked:
		b.WriteString("  the register's own IDNrs: not checked (the register lists no cases)\n")
	case len(r.ExistingIDNrs) == 0:
		b.WriteString("  the register's own IDNrs: no problems\n")
	default:
		b.WriteString("  the register's own IDNrs with problems:\n")
		writeSamples(&b, r.ExistingIDNrs)
	}
	return b.String()
}

func writeSamples(b *strings.Builder, m map[string]*KeySample) {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := m[n]
		keys := make([]string, len(s.Keys))
		for i, k := range s.Keys {
			keys[i] = string(k)
		}
		more := ""
		if s.Count > len(s.Keys) {
			more = ", ..."
		}
		fmt.Fprintf(b, "    %s: %d (keys %s%s)\n", n, s.Count, strings.Join(keys, ", "), more)
	}
}
