package audittest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

// The read-access log and the transport log are chained and signed: an
// entry edited, deleted, inserted or appended behind the log's back is a
// finding of Verify, and Purge removes expired entries without one.

func init() {
	register("SideLogClean", testSideClean)
	register("SideLogPurge", testSidePurge)
	for _, k := range []string{"edit", "delete", "append", "appendsigned", "editsecond", "deletefirst"} {
		register("TamperAccess_"+k, func(t *testing.T, h Harness) { tamperSide(t, h, "access", k) })
		register("TamperTransport_"+k, func(t *testing.T, h Harness) { tamperSide(t, h, "transport", k) })
	}
}

var msgID = uuid.MustParse("7e57e57e-0000-4000-8000-000000000001")

// buildSide writes six access entries and six transport events, in
// several transactions each (so that some entries are signed and some not).
func buildSide(t *testing.T, h Harness, clock *Clock) *audit.Log {
	t.Helper()
	ctx := context.Background()
	l := open(t, h, clock)
	must(t, l.Append(ctx, NewRecord(1, time.Time{})), "append")
	for i := range 3 {
		_, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(1)})
		must(t, err, "query %d", i)
		_, err = l.Accesses(ctx, dpo, audit.AccessQuery{Limit: 1})
		must(t, err, "accesses %d", i)
		must(t, l.AppendTransport(ctx,
			audit.TransportEvent{MessageID: msgID, Kind: "sent", Actor: "ida", Detail: "bulk 1"},
			audit.TransportEvent{MessageID: msgID, Kind: "received", Actor: "ida", Detail: "200"}), "transport %d", i)
	}
	return l
}

func testSideClean(t *testing.T, h Harness) {
	l := buildSide(t, h, NewClock(t0))
	_, err := l.Verify(context.Background())
	must(t, err, "verify")
	must(t, l.Close(), "close")
	// Reopened, the chains continue.
	l = buildSide(t, h, NewClock(t0.Add(time.Hour)))
	defer l.Close()
	_, err = l.Verify(context.Background())
	must(t, err, "verify after reopen")
	evs, err := l.Transport(context.Background(), msgID)
	must(t, err, "transport")
	if len(evs) != 12 {
		t.Fatalf("%d transport events, want 12", len(evs))
	}
}

func tamperSide(t *testing.T, h Harness, which, kind string) {
	ctx := context.Background()
	l := buildSide(t, h, NewClock(t0))
	defer l.Close()
	tab, col, want := h.Tables.Access, "reason", audit.AccessLogTampered
	if which == "transport" {
		tab, col, want = h.Tables.Transport, "detail", audit.TransportLogTampered
	}
	exec := func(q string, args ...any) {
		t.Helper()
		must(t, h.Exec(q, args...), "tamper %q", q)
	}
	var wantSeq int64
	switch kind {
	case "edit": // a different text in entry 3
		exec(`UPDATE `+tab+` SET `+col+` = ? WHERE id = 3`, "forged")
		wantSeq = 3
	case "delete":
		exec(`DELETE FROM ` + tab + ` WHERE id = 3`)
		wantSeq = 3
	case "deletefirst": // a prefix deleted outside a purge
		exec(`DELETE FROM ` + tab + ` WHERE id <= 2`)
		wantSeq = 1
	case "editsecond": // another entry, another text
		exec(`UPDATE `+tab+` SET `+col+` = ? WHERE id = 2`, "x")
		wantSeq = 2
	case "append": // a copy of the last entry appended as a new one
		exec(`INSERT INTO ` + tab + ` SELECT id + 1, ` + strings.TrimPrefix(cols(which), "id, ") + ` FROM ` + tab + ` WHERE id = (SELECT max(id) FROM ` + tab + `)`)
		wantSeq = -1 // the new entry's ID
	case "appendsigned": // the same, but linked to the last entry (no key to sign it)
		exec(`INSERT INTO ` + tab + ` SELECT id + 1, ` + strings.TrimPrefix(cols(which), "id, ") + ` FROM ` + tab + ` WHERE id = (SELECT max(id) FROM ` + tab + `)`)
		exec(`UPDATE ` + tab + ` SET prev = (SELECT hash FROM ` + tab + ` WHERE id = (SELECT max(id) - 1 FROM ` + tab + `)) WHERE id = (SELECT max(id) FROM ` + tab + `)`)
		wantSeq = -1
	}
	rep, err := l.Verify(ctx)
	var te *audit.TamperError
	if !errors.Is(err, audit.ErrTampered) || !errors.As(err, &te) {
		t.Fatalf("%s %s: Verify err = %v, want a TamperError", which, kind, err)
	}
	f := rep.Findings[0]
	if f.Kind != want || (wantSeq > 0 && f.Seq != wantSeq) || (wantSeq < 0 && f.Seq < 6) {
		t.Fatalf("%s %s: first finding %v (seq %d), want %v at %d; all: %v", which, kind, f, f.Seq, want, wantSeq, rep.Findings)
	}
	if strings.Contains(err.Error(), "forged") || strings.Contains(err.Error(), "Prüfung") {
		t.Fatalf("error shows an entry's text: %v", err)
	}
	t.Logf("%s %s: %v", which, kind, err)
}

func cols(which string) string {
	if which == "transport" {
		return "id, time, message_id, kind, actor, detail, prev, hash, sig"
	}
	return "id, time, who, purpose, reason, count, qfrom, qto, prev, hash, sig"
}

// testSidePurge: Purge removes the expired entries of both logs (a prefix)
// and leaves a signed floor; Verify passes, the chains go on, and a prefix
// deleted beyond the floor is still found.
func testSidePurge(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := buildSide(t, h, clock)
	defer l.Close()
	clock.Set(t0.Add(audit.DefaultRetention + 10*24*time.Hour))
	// Entries of the new day, which stay.
	_, err := l.Accesses(ctx, dpo, audit.AccessQuery{Limit: 1})
	must(t, err, "accesses")
	must(t, l.AppendTransport(ctx, audit.TransportEvent{MessageID: msgID, Kind: "sent", Actor: "ida", Detail: "late"}), "transport")
	_, err = l.Purge(ctx)
	must(t, err, "purge")
	p, err := l.Accesses(ctx, dpo, audit.AccessQuery{Limit: 100})
	must(t, err, "accesses")
	if len(p.Entries) != 1 || p.Entries[0].ID != 7 {
		t.Fatalf("after purge the access log holds %+v, want entry 7 only", p.Entries)
	}
	evs, err := l.Transport(ctx, msgID)
	must(t, err, "transport")
	if len(evs) != 1 || evs[0].Detail != "late" {
		t.Fatalf("after purge the transport log holds %d events", len(evs))
	}
	_, err = l.Verify(ctx)
	must(t, err, "verify after purge")
	must(t, l.AppendTransport(ctx, audit.TransportEvent{MessageID: msgID, Kind: "sent", Actor: "ida", Detail: "later"}), "transport")
	_, err = l.Verify(ctx)
	must(t, err, "verify after purge and append")
	// Deleting the first kept entry is not a purge.
	must(t, h.Exec(`DELETE FROM `+h.Tables.Transport+` WHERE id = 7`), "delete")
	rep, err := l.Verify(ctx)
	if !errors.Is(err, audit.ErrTampered) || rep.Findings[0].Kind != audit.TransportLogTampered {
		t.Fatalf("deleted entry after the floor: %v", err)
	}
}
