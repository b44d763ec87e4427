package registers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// WrittenIDNr is an IDNr the engines wrote into a record, with the message
// ID the register stored with it (the IDA answer that delivered it; see
// [Result.MessageID]). It prints the IDNr masked.
type WrittenIDNr struct {
	Key  Key
	IDNr idnr.IDNr // zero if the register holds a value that is not a valid IDNr
	// MessageID is as the register stored it ("" if none).
	MessageID string
}

// String returns "key 17: IDNr ********809, message <id>", the IDNr masked.
func (w WrittenIDNr) String() string {
	m := w.MessageID
	if m == "" {
		m = "none"
	}
	return "key " + string(w.Key) + ": IDNr " + w.IDNr.Masked() + ", message " + m
}

// WrittenLister is the optional capability [VerifyProtocol] needs: it lists
// the records that hold an IDNr the engines wrote (accepted by the
// backfill, a sync or a clerk), in key order after the given key, at most
// limit ("WHERE key > ? ORDER BY key LIMIT ?", as [Reader]); fewer means
// the end. IDNrs the register held before regmo are not listed.
type WrittenLister interface {
	WrittenIDNrs(ctx context.Context, after Key, limit int) ([]WrittenIDNr, error)
}

// ProtocolChecker is what [VerifyProtocol] reads the § 9 protocol
// through; *audit.Log implements it ([audit.Log.HasRecords]).
type ProtocolChecker interface {
	HasRecords(ctx context.Context, a audit.Access, keys []audit.RecordKey) ([]bool, error)
}

// VerifyProtocolOptions configure [VerifyProtocol]; the zero value means
// the documented defaults.
type VerifyProtocolOptions struct {
	// Access is how the check is entered in the protocol's read-access log;
	// default Who "regmo-verify-protocol", Purpose
	// audit.DataProtectionCheck.
	Access audit.Access
	// BatchSize is the number of records read and checked at once;
	// default 1000 (at most 10,000).
	BatchSize int
	// Workers is the number of batches checked at once; default 4.
	Workers int
	// MaxListed bounds the missing records kept in the report's Missing
	// list (default 1000); all are counted, and all are passed to
	// OnMissing.
	MaxListed int
	// OnMissing, if set, is called, in key order, for every written IDNr
	// whose record is missing; an error stops the check and is returned.
	OnMissing func(Unprotocolled) error
}

// Reasons of an [Unprotocolled] record.
const (
	// ReasonNoMessage: the register stored no message ID with the IDNr.
	ReasonNoMessage = "no_message"
	// ReasonBadMessage: the stored message ID is not a UUID.
	ReasonBadMessage = "bad_message"
	// ReasonBadIDNr: the register holds a value that is not a valid IDNr.
	ReasonBadIDNr = "idnr_invalid"
	// ReasonNoRecord: the protocol holds no record of that message with
	// that IDNr.
	ReasonNoRecord = "no_record"
)

// Unprotocolled is a written IDNr whose protocol record is missing, and why.
type Unprotocolled struct {
	WrittenIDNr
	Reason string // ReasonNoRecord, ReasonNoMessage, ReasonBadMessage, ReasonBadIDNr
}

// String returns the record (IDNr masked) and the reason.
func (u Unprotocolled) String() string { return u.WrittenIDNr.String() + ": " + u.Reason }

// ProtocolReport is the result of [VerifyProtocol].
type ProtocolReport struct {
	Checked int // written IDNrs checked
	// Unprotocolled counts the written IDNrs whose record is missing;
	// Missing lists the first of them (see MaxListed), in key order.
	Unprotocolled int
	Missing       []Unprotocolled
	Seconds       float64
}

// OK reports whether every written IDNr has its protocol record.
func (r *ProtocolReport) OK() bool { return r.Unprotocolled == 0 }

// String summarises the report, IDNrs masked.
func (r *ProtocolReport) String() string {
	if r.OK() {
		return fmt.Sprintf("%d written IDNrs, each with its protocol record", r.Checked)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d written IDNrs without their protocol record", r.Unprotocolled, r.Checked)
	for i, m := range r.Missing {
		if i == 5 {
			b.WriteString("; ...")
			break
		}
		b.WriteString("; " + m.String())
	}
	return b.String()
}

// ErrUnprotocolled is wrapped by the [*UnprotocolledError] that
// [VerifyProtocol] returns when a written IDNr lacks its protocol record.
var ErrUnprotocolled = errors.New("registers: written IDNrs without their protocol record")

// ErrNoWrittenLister is returned by [VerifyProtocol] for a register that
// does not implement [WrittenLister].
var ErrNoWrittenLister = errors.New("registers: the register cannot list its written IDNrs (WrittenLister)")

// UnprotocolledError carries the report of a failed [VerifyProtocol].
type UnprotocolledError struct{ Report *ProtocolReport }

func (e *UnprotocolledError) Error() string { return "registers: " + e.Report.String() }

func (e *UnprotocolledError) Unwrap() error { return ErrUnprotocolled }

// VerifyProtocol checks that the register and the § 9 protocol vouch for
// each other: every IDNr the engines wrote into the register must have the
// protocol record of the transfer that delivered it (the record with that
// IDNr and the message ID the register stored with it). It reports every
// written IDNr whose record is missing, stored no message, or is not a
// valid IDNr; an IDNr written outside regmo without its transfer, or a
// protocol record deleted from the log, is found this way (and
// [audit.Log.Verify] finds what the chain shows).
//
// It reads the register in key order by pages and checks each page with
// one [ProtocolChecker.HasRecords] call, so memory stays bounded whatever
// the register's size; the protocol logs one read access per page. The
// register must implement [WrittenLister]. Records purged after the
// protocol's retention are gone: run the check within two years of the
// fill, or read a report on an older register with that in mind.
//
// It returns the report and, when something is missing, an
// [*UnprotocolledError] wrapping [ErrUnprotocolled]; other errors stop the
// check.
func VerifyProtocol(ctx context.Context, reg Register, proto ProtocolChecker, opts VerifyProtocolOptions) (*ProtocolReport, error) {
	wl, ok := reg.(WrittenLister)
	if !ok {
		return nil, ErrNoWrittenLister
	}
	if proto == nil {
		return nil, errors.New("registers: VerifyProtocol needs a ProtocolChecker")
	}
	if opts.Access == (audit.Access{}) {
		opts.Access = audit.Access{Who: "regmo-verify-protocol", Purpose: audit.DataProtectionCheck,
			Reason: "Abgleich der IDNr im Register mit dem Protokoll"}
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	opts.BatchSize = min(opts.BatchSize, 10000)
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.MaxListed <= 0 {
		opts.MaxListed = 1000
	}
	start := time.Now()
	rep := &ProtocolReport{}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// reader -> workers -> collector in key order; at most Workers pages
	// in flight.
	type page struct {
		ws   []WrittenIDNr
		done chan []Unprotocolled
		err  error
	}
	work := make(chan *page)
	order := make(chan *page, opts.Workers)
	for range opts.Workers {
		go func() {
			for p := range work {
				m, err := checkPage(ctx, proto, opts.Access, p.ws)
				p.err = err
				p.done <- m
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(work)
		after := Key("")
		for {
			ws, err := wl.WrittenIDNrs(ctx, after, opts.BatchSize)
			if err != nil {
				readErr <- fmt.Errorf("registers: reading written IDNrs: %w", err)
				return
			}
			if len(ws) == 0 {
				readErr <- nil
				return
			}
			p := &page{ws: ws, done: make(chan []Unprotocolled, 1)}
			select {
			case order <- p:
			case <-ctx.Done():
				readErr <- context.Cause(ctx)
				return
			}
			select {
			case work <- p:
			case <-ctx.Done():
				p.err = context.Cause(ctx)
				p.done <- nil
				readErr <- p.err
				return
			}
			if len(ws) < opts.BatchSize {
				readErr <- nil
				return
			}
			after = ws[len(ws)-1].Key
		}
	}()
	var failed error
	for p := range order {
		m := <-p.done
		if failed != nil {
			continue // drain
		}
		if p.err != nil {
			failed = p.err
			cancel(failed)
			continue
		}
		rep.Checked += len(p.ws)
		rep.Unprotocolled += len(m)
		for _, u := range m {
			if len(rep.Missing) < opts.MaxListed {
				rep.Missing = append(rep.Missing, u)
			}
			if opts.OnMissing != nil {
				if err := opts.OnMissing(u); err != nil {
					failed = err
					cancel(err)
					break
				}
			}
		}
	}
	if err := <-readErr; err != nil && failed == nil {
		failed = err
	}
	rep.Seconds = time.Since(start).Seconds()
	if failed != nil {
		return rep, failed
	}
	if !rep.OK() {
		return rep, &UnprotocolledError{Report: rep}
	}
	return rep, nil
}

// checkPage returns the written IDNrs of one page whose record is missing.
func checkPage(ctx context.Context, proto ProtocolChecker, a audit.Access, ws []WrittenIDNr) ([]Unprotocolled, error) {
	var missing []Unprotocolled
	keys := make([]audit.RecordKey, 0, len(ws))
	at := make([]int, 0, len(ws))
	bad := make([]string, len(ws))
	for i := range ws {
		w := &ws[i]
		switch {
		case w.IDNr.IsZero():
			bad[i] = ReasonBadIDNr
		case w.MessageID == "":
			bad[i] = ReasonNoMessage
		default:
			id, err := uuid.Parse(w.MessageID)
			if err != nil {
				bad[i] = ReasonBadMessage
				continue
			}
			keys = append(keys, audit.RecordKey{IDNr: w.IDNr, MessageID: id})
			at = append(at, i)
		}
	}
	found := make([]bool, len(ws))
	if len(keys) > 0 {
		ok, err := proto.HasRecords(ctx, a, keys)
		if err != nil {
			return nil, fmt.Errorf("registers: checking the protocol: %w", err)
		}
		if len(ok) != len(keys) {
			return nil, errors.New("registers: the protocol answered " + strconv.Itoa(len(ok)) + " of " + strconv.Itoa(len(keys)) + " checks")
		}
		for j, i := range at {
			found[i] = ok[j]
		}
	}
	for i := range ws {
		switch {
		case bad[i] != "":
			missing = append(missing, Unprotocolled{WrittenIDNr: ws[i], Reason: bad[i]})
		case !found[i]:
			missing = append(missing, Unprotocolled{WrittenIDNr: ws[i], Reason: ReasonNoRecord})
		}
	}
	return missing, nil
}
