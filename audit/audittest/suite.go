package audittest

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

// Factory makes a fresh, empty database for one test and returns its
// harness; it registers its cleanup with t.
type Factory func(t *testing.T) Harness

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

var dpo = audit.Access{Who: "dsb-meier", Purpose: audit.DataProtectionCheck, Reason: "Prüfung 2026-17"}

// Run runs the conformance suite.
func Run(t *testing.T, f Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"AppendQuery", testAppendQuery},
		{"Paging", testPaging},
		{"TimeRange", testTimeRange},
		{"AccessLog", testAccessLog},
		{"Transport", testTransport},
		{"Reopen", testReopen},
		{"Concurrent", testConcurrent},
		{"Invalid", testInvalid},
	}
	tests = append(tests, extraTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := f(t)
			if h.CheckpointFile == "" {
				h.CheckpointFile = filepath.Join(t.TempDir(), "audit.checkpoint")
			}
			tc.fn(t, h)
		})
	}
}

// extraTests are added by the other files of the suite.
var extraTests []struct {
	name string
	fn   func(*testing.T, Harness)
}

func register(name string, fn func(*testing.T, Harness)) {
	extraTests = append(extraTests, struct {
		name string
		fn   func(*testing.T, Harness)
	}{name, fn})
}

func testAppendQuery(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := open(t, h, clock)
	defer l.Close()
	var want []audit.Record
	for i := range 5 {
		r := NewRecord(1, t0.Add(time.Duration(i)*time.Minute))
		r.Direction = audit.Received
		if i == 3 {
			r.Result, r.Reason = audit.Rejected, "E-Policy"
			r.Content, r.ContentRef = nil, "s3://bucket/x"
			r.RequestID = uuid.New()
		}
		want = append(want, r)
		must(t, l.Append(ctx, want[i:i+1]...), "append %d", i)
		if want[i].ID == (uuid.UUID{}) {
			t.Fatalf("Append did not assign an ID")
		}
		must(t, l.Append(ctx, NewRecord(2, t0)), "append other")
	}
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(1)})
	must(t, err, "query")
	if len(p.Records) != 5 || p.Next != "" {
		t.Fatalf("got %d records, next %q; want 5, none", len(p.Records), p.Next)
	}
	for i, got := range p.Records {
		w := want[4-i]
		if !recordsEqual(got, w) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
}

func recordsEqual(a, b audit.Record) bool {
	if len(a.Categories) != len(b.Categories) || string(a.Content) != string(b.Content) ||
		!slices.Equal(a.Items, b.Items) {
		return false
	}
	for i := range a.Categories {
		if a.Categories[i] != b.Categories[i] {
			return false
		}
	}
	a.Categories, b.Categories, a.Content, b.Content, a.Items, b.Items = nil, nil, nil, nil, nil, nil
	return a.Time.Equal(b.Time) && func() bool { a.Time, b.Time = time.Time{}, time.Time{}; return true }() &&
		a.ID == b.ID && a.MessageID == b.MessageID && a.RequestID == b.RequestID && a.IDNr == b.IDNr &&
		a.Direction == b.Direction && a.Own == b.Own && a.Counterpart == b.Counterpart && a.Purpose == b.Purpose &&
		a.LegalBasis == b.LegalBasis && a.FileRef == b.FileRef && a.Actor == b.Actor && a.ContentRef == b.ContentRef &&
		a.Result == b.Result && a.Reason == b.Reason
}

func testPaging(t *testing.T, h Harness) {
	ctx := context.Background()
	l := open(t, h, NewClock(t0))
	defer l.Close()
	for i := range 25 {
		r := NewRecord(7, t0.Add(time.Duration(i)*time.Second))
		r.FileRef = "n" + string(rune('a'+i))
		must(t, l.Append(ctx, r), "append")
	}
	var got []string
	q := audit.Query{IDNr: IDNr(7), Limit: 10}
	for pages := 0; ; pages++ {
		p, err := l.Query(ctx, dpo, q)
		must(t, err, "query")
		for _, r := range p.Records {
			got = append(got, r.FileRef)
		}
		// Appends between pages must not shift the cursor.
		must(t, l.Append(ctx, NewRecord(7, t0.Add(time.Hour))), "append between pages")
		if p.Next == "" {
			if pages != 2 {
				t.Fatalf("pages = %d, want 3", pages+1)
			}
			break
		}
		q.After = p.Next
	}
	if len(got) != 25 {
		t.Fatalf("got %d records over the pages, want 25", len(got))
	}
	for i, s := range got {
		if w := "n" + string(rune('a'+24-i)); s != w {
			t.Fatalf("record %d = %s, want %s (newest first)", i, s, w)
		}
	}
	_, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(7), After: "garbage"})
	var fe *audit.FieldError
	if !errors.As(err, &fe) || fe.Field != "Query.After" {
		t.Fatalf("bad cursor: err = %v, want FieldError on Query.After", err)
	}
}

func testTimeRange(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := open(t, h, clock)
	defer l.Close()
	for i := range 10 {
		must(t, l.Append(ctx, NewRecord(3, t0.Add(time.Duration(i)*time.Hour))), "append")
	}
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(3), From: t0.Add(2 * time.Hour), To: t0.Add(5 * time.Hour)})
	must(t, err, "query")
	if len(p.Records) != 3 {
		t.Fatalf("got %d records in [2h, 5h), want 3", len(p.Records))
	}
	if !p.Records[0].Time.Equal(t0.Add(4*time.Hour)) || !p.Records[2].Time.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("wrong records: %v .. %v", p.Records[0].Time, p.Records[2].Time)
	}
	// Default From is now minus the retention.
	clock.Set(t0.Add(audit.DefaultRetention + 5*time.Hour + time.Minute))
	p, err = l.Query(ctx, dpo, audit.Query{IDNr: IDNr(3)})
	must(t, err, "query")
	if len(p.Records) != 4 {
		t.Fatalf("got %d records within the retention, want 4", len(p.Records))
	}
	p, err = l.Query(ctx, dpo, audit.Query{IDNr: IDNr(4)})
	must(t, err, "query")
	if len(p.Records) != 0 || p.Next != "" {
		t.Fatalf("unknown person: %d records", len(p.Records))
	}
}

func testAccessLog(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := open(t, h, clock)
	defer l.Close()
	must(t, l.Append(ctx, NewRecord(1, t0), NewRecord(1, t0)), "append")
	cockpit := audit.Access{Who: "dsc-gateway", Purpose: audit.Datenschutzcockpit}
	_, err := l.Query(ctx, cockpit, audit.Query{IDNr: IDNr(1)})
	must(t, err, "query")
	for _, bad := range []audit.Access{
		{Who: "x", Purpose: audit.AccessUnknown},
		{Who: "x", Purpose: 99},
	} {
		_, err = l.Query(ctx, bad, audit.Query{IDNr: IDNr(1)})
		var fe *audit.FieldError
		if !errors.Is(err, audit.ErrUnlawfulPurpose) || !errors.As(err, &fe) || fe.Field != "Access.Purpose" {
			t.Fatalf("purpose %d: err = %v, want ErrUnlawfulPurpose on Access.Purpose", bad.Purpose, err)
		}
	}
	_, err = l.Query(ctx, audit.Access{Purpose: audit.DataSubjectRights}, audit.Query{IDNr: IDNr(1)})
	if err == nil {
		t.Fatalf("query without Who accepted")
	}
	p, err := l.Accesses(ctx, dpo, audit.AccessQuery{})
	must(t, err, "accesses")
	if len(p.Entries) != 1 {
		t.Fatalf("access log has %d entries, want 1 (refused queries are not reads)", len(p.Entries))
	}
	e := p.Entries[0]
	if e.Who != "dsc-gateway" || e.Purpose != audit.Datenschutzcockpit || e.Count != 2 || !e.Time.Equal(t0) {
		t.Fatalf("access entry = %+v", e)
	}
	// The DPO's own reading is recorded too.
	p, err = l.Accesses(ctx, dpo, audit.AccessQuery{})
	must(t, err, "accesses")
	if len(p.Entries) != 2 || p.Entries[0].Who != dpo.Who {
		t.Fatalf("access log after reading it: %+v", p.Entries)
	}
}

func testTransport(t *testing.T, h Harness) {
	ctx := context.Background()
	l := open(t, h, NewClock(t0))
	defer l.Close()
	m := uuid.New()
	evs := []audit.TransportEvent{
		{MessageID: m, Kind: "sent", Actor: "ida-client", Detail: "POST /v1/search 1 item"},
		{MessageID: m, Kind: "schema-check", Actor: "ida-client", Detail: "ok"},
		{MessageID: m, Kind: "received", Actor: "ida-client", Detail: "HTTP 200, 812 bytes"},
	}
	must(t, l.AppendTransport(ctx, evs...), "append transport")
	must(t, l.AppendTransport(ctx, audit.TransportEvent{MessageID: uuid.New(), Kind: "sent"}), "other message")
	got, err := l.Transport(ctx, m)
	must(t, err, "transport")
	if len(got) != 3 || got[0].Kind != "sent" || got[2].Kind != "received" || !got[1].Time.Equal(t0) || got[2].Detail != evs[2].Detail {
		t.Fatalf("transport events = %+v", got)
	}
	id := IDNr(5)
	for _, d := range []string{id.String(), "person " + id.Grouped() + " not found", "x" + id.String() + "y"} {
		err := l.AppendTransport(ctx, audit.TransportEvent{MessageID: m, Kind: "error", Detail: d})
		var fe *audit.FieldError
		if !errors.As(err, &fe) || fe.Field != "Detail" {
			t.Fatalf("detail with an IDNr: err = %v, want FieldError on Detail", err)
		}
		if containsDigits(err.Error(), id.String()) {
			t.Fatalf("error shows the IDNr: %v", err)
		}
	}
	// A § 9 query does not see transport events and vice versa.
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: id})
	must(t, err, "query")
	if len(p.Records) != 0 {
		t.Fatalf("transport events leaked into the protocol")
	}
}

func containsDigits(s, d string) bool {
	for i := 0; i+len(d) <= len(s); i++ {
		if s[i:i+len(d)] == d {
			return true
		}
	}
	return false
}

func testReopen(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := open(t, h, clock)
	must(t, l.Append(ctx, NewRecord(1, time.Time{}), NewRecord(1, time.Time{})), "append")
	id := l.LogID()
	must(t, l.Close(), "close")
	if err := l.Append(ctx, NewRecord(1, t0)); !errors.Is(err, audit.ErrClosed) {
		t.Fatalf("append after close: %v, want ErrClosed", err)
	}
	l = open(t, h, clock)
	defer l.Close()
	if l.LogID() != id {
		t.Fatalf("log identity changed on reopen")
	}
	must(t, l.Append(ctx, NewRecord(1, t0)), "append after reopen")
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(1)})
	must(t, err, "query")
	if len(p.Records) != 3 || !p.Records[2].Time.Equal(t0) {
		t.Fatalf("after reopen: %d records", len(p.Records))
	}
}

func testConcurrent(t *testing.T, h Harness) {
	ctx := context.Background()
	l := open(t, h, nil)
	var wg sync.WaitGroup
	const writers, each = 16, 25
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := l.Append(ctx, NewRecord(w, time.Time{})); err != nil {
					errs <- err
					return
				}
				_ = i
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for w := range writers {
		p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(w)})
		must(t, err, "query")
		if len(p.Records) != each {
			t.Fatalf("writer %d: %d records, want %d", w, len(p.Records), each)
		}
	}
	must(t, l.Close(), "close")
}

func testInvalid(t *testing.T, h Harness) {
	ctx := context.Background()
	l := open(t, h, NewClock(t0))
	defer l.Close()
	long := string(make([]rune, 121))
	for i := range []rune(long) {
		_ = i
	}
	long = ""
	for range 121 {
		long += "ä"
	}
	cases := []struct {
		field string
		edit  func(*audit.Record)
	}{
		{"MessageID", func(r *audit.Record) { r.MessageID = uuid.UUID{} }},
		{"Direction", func(r *audit.Record) { r.Direction = 0 }},
		{"Own", func(r *audit.Record) { r.Own = audit.Body{} }},
		{"Counterpart", func(r *audit.Record) { r.Counterpart = audit.Body{} }},
		{"Own.Name", func(r *audit.Record) { r.Own.Name = long }},
		{"Counterpart.ID", func(r *audit.Record) { r.Counterpart.ID = long }},
		{"Purpose", func(r *audit.Record) { r.Purpose = "" }},
		{"Purpose", func(r *audit.Record) { r.Purpose = long }},
		{"LegalBasis", func(r *audit.Record) { r.LegalBasis = "" }},
		{"FileRef", func(r *audit.Record) { r.FileRef = long }},
		{"Actor", func(r *audit.Record) { r.Actor = "" }},
		{"IDNr", func(r *audit.Record) { r.IDNr = IDNr(0); r.IDNr = [1]audit.Record{}[0].IDNr }},
		{"Content", func(r *audit.Record) { r.Content = make([]byte, audit.MaxContent+1) }},
		{"ContentRef", func(r *audit.Record) { r.ContentRef = long }},
		{"Result", func(r *audit.Record) { r.Result = 0 }},
		{"Reason", func(r *audit.Record) { r.Result = audit.Rejected; r.Reason = "" }},
		{"Reason", func(r *audit.Record) { r.Reason = long }},
		{"Purpose", func(r *audit.Record) { r.Purpose = "\xff" }},
		{"Categories[1]", func(r *audit.Record) { r.Categories[1] = "" }},
	}
	for _, c := range cases {
		good := NewRecord(9, t0)
		bad := NewRecord(9, t0)
		c.edit(&bad)
		err := l.Append(ctx, good, bad)
		var fe *audit.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Index != 1 || !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("%s: err = %v, want FieldError on item 1", c.field, err)
			continue
		}
		if containsDigits(err.Error(), IDNr(9).String()) || containsDigits(err.Error(), "Mustermann") {
			t.Errorf("%s: error shows personal data: %v", c.field, err)
		}
	}
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(9)})
	must(t, err, "query")
	if len(p.Records) != 0 {
		t.Fatalf("a refused Append stored %d records", len(p.Records))
	}
	for _, lim := range []int{-1, 1001} {
		if _, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(9), Limit: lim}); err == nil {
			t.Errorf("limit %d accepted", lim)
		}
	}
	if _, err := l.Query(ctx, dpo, audit.Query{}); err == nil {
		t.Errorf("query without IDNr accepted")
	}
}
