package audittest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
)

func init() {
	register("VerifyClean", testVerifyClean)
	register("TamperEdit", func(t *testing.T, h Harness) { tamper(t, h, "edit") })
	register("TamperEditColumn", func(t *testing.T, h Harness) { tamper(t, h, "editcol") })
	register("TamperEditOpen", func(t *testing.T, h Harness) { tamper(t, h, "editopen") })
	register("TamperDelete", func(t *testing.T, h Harness) { tamper(t, h, "delete") })
	register("TamperDeleteSegmentEnd", func(t *testing.T, h Harness) { tamper(t, h, "deleteend") })
	register("TamperInsert", func(t *testing.T, h Harness) { tamper(t, h, "insert") })
	register("TamperReorder", func(t *testing.T, h Harness) { tamper(t, h, "reorder") })
	register("TamperSegmentRemoved", func(t *testing.T, h Harness) { tamper(t, h, "segment") })
	register("TamperSegmentFakePurge", func(t *testing.T, h Harness) { tamper(t, h, "fakepurge") })
	register("TamperSegmentAndAnchorRemoved", func(t *testing.T, h Harness) { tamper(t, h, "segmentanchor") })
	register("TamperFirstSegmentAndAnchorRemoved", func(t *testing.T, h Harness) { tamper(t, h, "firstsegmentanchor") })
	register("TamperAnchorSignature", func(t *testing.T, h Harness) { tamper(t, h, "anchorsig") })
	register("CheckpointTailCut", testTailCut)
	register("CheckpointRewrite", testRewrite)
	register("CheckpointEncoding", testCheckpointEncoding)
	register("Retention", testRetention)
	register("LegalHold", testLegalHold)
}

// build appends 10 records on each of three days (two closed segments and
// an open one) and returns the log, the clock and the first day.
func build(t *testing.T, h Harness) (*audit.Log, *Clock) {
	t.Helper()
	ctx := context.Background()
	clock := NewClock(t0)
	l := open(t, h, clock)
	for d := range 3 {
		clock.Set(t0.Add(time.Duration(d) * 24 * time.Hour))
		for i := range 10 {
			must(t, l.Append(ctx, NewRecord(100*d+i, time.Time{})), "append")
		}
	}
	return l, clock
}

func testVerifyClean(t *testing.T, h Harness) {
	l, _ := build(t, h)
	defer l.Close()
	rep, err := l.Verify(context.Background())
	must(t, err, "verify")
	if rep.Records != 30 || rep.Segments != 2 || !rep.OK() {
		t.Fatalf("report = %+v", rep)
	}
	// Reopen: the chain continues across restarts.
	must(t, l.Close(), "close")
	l = open(t, h, NewClock(t0.Add(72*time.Hour)))
	defer l.Close()
	must(t, l.Append(context.Background(), NewRecord(1, time.Time{})), "append after reopen")
	rep, err = l.Verify(context.Background())
	must(t, err, "verify after reopen")
	if rep.Records != 31 || rep.Segments != 3 {
		t.Fatalf("after reopen: %+v", rep)
	}
}

const seg1 = 20515 // UTC day of t0 + 1 day (2026-03-03)

func tamper(t *testing.T, h Harness, kind string) {
	ctx := context.Background()
	l, _ := build(t, h)
	defer l.Close()
	r, a := h.Tables.Records, h.Tables.Anchors
	exec := func(q string, args ...any) {
		t.Helper()
		must(t, h.Exec(q, args...), "tamper %q", q)
	}
	// Records 1-10 are segment seg1-1, 11-20 segment seg1, 21-30 open.
	var want audit.FindingKind
	var wantSeq int64
	wantSeg := int64(seg1)
	switch kind {
	case "edit": // replace record 15's content with record 12's
		exec(`UPDATE ` + r + ` SET data = (SELECT data FROM ` + r + ` WHERE seq = 12) WHERE seq = 15`)
		want, wantSeq = audit.Edited, 15
	case "editcol": // move record 15 to another person in the index only
		exec(`UPDATE ` + r + ` SET idnr = idnr + 1 WHERE seq = 15`)
		want, wantSeq = audit.Edited, 15
	case "editopen":
		exec(`UPDATE ` + r + ` SET data = (SELECT data FROM ` + r + ` WHERE seq = 22) WHERE seq = 25`)
		want, wantSeq, wantSeg = audit.Edited, 25, seg1+1
	case "delete":
		exec(`DELETE FROM ` + r + ` WHERE seq = 15`)
		want, wantSeq = audit.Deleted, 15
	case "deleteend":
		exec(`DELETE FROM ` + r + ` WHERE seq = 20`)
		want, wantSeq = audit.Deleted, 20
	case "insert": // make room after record 14 and insert a forged record there
		exec(`UPDATE ` + r + ` SET seq = -seq - 1 WHERE seq > 14`)
		exec(`UPDATE ` + r + ` SET seq = -seq WHERE seq < 0`)
		exec(`INSERT INTO ` + r + ` (seq, seg, time, idnr, prev, hash, data) SELECT 15, seg, time, idnr, hash, prev, data FROM ` + r + ` WHERE seq = 14`)
		want, wantSeq = audit.Inserted, 15
	case "reorder":
		exec(`UPDATE ` + r + ` SET seq = -1 WHERE seq = 15`)
		exec(`UPDATE ` + r + ` SET seq = 15 WHERE seq = 16`)
		exec(`UPDATE ` + r + ` SET seq = 16 WHERE seq = -1`)
		want, wantSeq = audit.Reordered, 15
	case "segment":
		exec(`DELETE FROM `+r+` WHERE seg = ?`, seg1)
		want, wantSeq = audit.SegmentMissing, 11
	case "fakepurge":
		exec(`DELETE FROM `+r+` WHERE seg = ?`, seg1)
		exec(`UPDATE `+a+` SET purged = ? WHERE seg = ?`, t0.Add(3*24*time.Hour).UnixNano(), seg1)
		want, wantSeq = audit.SegmentMissing, 11
	case "segmentanchor":
		exec(`DELETE FROM `+r+` WHERE seg = ?`, seg1)
		exec(`DELETE FROM `+a+` WHERE seg = ?`, seg1)
		want, wantSeq, wantSeg = audit.Deleted, 11, seg1+1
	case "firstsegmentanchor":
		exec(`DELETE FROM `+r+` WHERE seg = ?`, seg1-1)
		exec(`DELETE FROM `+a+` WHERE seg = ?`, seg1-1)
		want, wantSeq = audit.AnchorInvalid, 0
	case "anchorsig":
		exec(`UPDATE `+a+` SET closed = closed + 1 WHERE seg = ?`, seg1)
		want, wantSeq = audit.AnchorInvalid, 0
	default:
		t.Fatalf("unknown tampering %s", kind)
	}
	rep, err := l.Verify(ctx)
	var te *audit.TamperError
	if !errors.Is(err, audit.ErrTampered) || !errors.As(err, &te) || te.Report != rep {
		t.Fatalf("%s: Verify err = %v, want a TamperError", kind, err)
	}
	f := rep.Findings[0]
	if f.Kind != want || f.Seq != wantSeq || f.Segment != wantSeg {
		t.Fatalf("%s: first finding %v (seq %d, segment %d), want %v at record %d in segment %d; all: %v",
			kind, f, f.Seq, f.Segment, want, wantSeq, wantSeg, rep.Findings)
	}
	for _, id := range []int{0, 100, 200, 5, 105, 205} {
		if strings.Contains(err.Error(), IDNr(id).String()) {
			t.Fatalf("error shows an IDNr: %v", err)
		}
	}
	t.Logf("%s: %v", kind, err)
}

func testTailCut(t *testing.T, h Harness) {
	ctx := context.Background()
	l, _ := build(t, h)
	defer l.Close()
	cp, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	if cp.Size != 30 {
		t.Fatalf("checkpoint size %d", cp.Size)
	}
	_, err = l.VerifyAgainst(ctx, cp)
	must(t, err, "verify against a fresh checkpoint")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records+` WHERE seq > 27`), "cut")
	// Verify sees a cut-off tail of the open segment in the checkpoint
	// file the Log keeps (Options.CheckpointFile) ...
	rep, err := l.Verify(ctx)
	if f := finding(t, "Verify", rep, err, audit.TailCut); f.Seq != 28 {
		t.Fatalf("Verify after a cut: %v", f)
	}
	// ... and VerifyAgainst in a checkpoint kept elsewhere.
	rep, err = l.VerifyAgainst(ctx, cp)
	if !errors.Is(err, audit.ErrTampered) || rep.Findings[0].Kind != audit.TailCut || rep.Findings[0].Seq != 28 {
		t.Fatalf("VerifyAgainst after a cut: %v", err)
	}
}

func testRewrite(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	cp, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	must(t, l.Close(), "close")
	// Rewrite the open segment consistently: drop it and re-append other
	// records with a correct chain (no key is needed for unsigned rows).
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records+` WHERE seq > 20`), "drop")
	// New refuses the cut log (the Log's checkpoint file says 30); open it
	// as an operator would who accepts the loss, and re-append.
	refused(t, h, clock, audit.TailCut)
	l, err = openWith(h, clock, func(o *audit.Options) { o.CheckpointReset = "test: rewrite" })
	must(t, err, "open with reset")
	defer l.Close()
	for i := range 12 {
		must(t, l.Append(ctx, NewRecord(900+i, time.Time{})), "re-append")
	}
	_, err = l.Verify(ctx)
	must(t, err, "verify")
	rep, err := l.VerifyAgainst(ctx, cp)
	if !errors.Is(err, audit.ErrTampered) || rep.Findings[0].Kind != audit.Rewritten || rep.Findings[0].Seq != 30 {
		t.Fatalf("VerifyAgainst after a rewrite: %v", err)
	}
	// A checkpoint of another key is refused.
	bad := cp
	bad.Size++
	if _, err := l.VerifyAgainst(ctx, bad); !errors.Is(err, audit.ErrBadCheckpoint) {
		t.Fatalf("forged checkpoint: %v", err)
	}
}

func testCheckpointEncoding(t *testing.T, h Harness) {
	l, _ := build(t, h)
	defer l.Close()
	cp, err := l.Checkpoint(context.Background())
	must(t, err, "checkpoint")
	txt, err := cp.MarshalText()
	must(t, err, "marshal")
	var back audit.Checkpoint
	must(t, back.UnmarshalText(txt), "unmarshal")
	if back.Size != cp.Size || back.Head != cp.Head || !back.Time.Equal(cp.Time) || back.LogID != cp.LogID || !back.Verify(l.PublicKey()) {
		t.Fatalf("round trip: %+v vs %+v", back, cp)
	}
	_, err = l.VerifyAgainst(context.Background(), back)
	must(t, err, "verify against decoded")
	if err := back.UnmarshalText(txt[:len(txt)-2]); !errors.Is(err, audit.ErrBadCheckpoint) {
		t.Fatalf("truncated: %v", err)
	}
}

func testRetention(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	defer l.Close()
	day0End := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	boundary := day0End.Add(audit.DefaultRetention)
	clock.Set(boundary.Add(-time.Nanosecond))
	res, err := l.Purge(ctx)
	must(t, err, "purge")
	if len(res.Segments) != 0 {
		t.Fatalf("purged %v one nanosecond before the boundary", res.Segments)
	}
	clock.Set(boundary)
	res, err = l.Purge(ctx)
	must(t, err, "purge")
	if len(res.Segments) != 1 || res.Segments[0] != seg1-1 {
		t.Fatalf("at the boundary purged %v, want [%d]", res.Segments, seg1-1)
	}
	rep, err := l.Verify(ctx)
	must(t, err, "verify after purge")
	if rep.Records != 20 || rep.Purged != 1 {
		t.Fatalf("after purge: %+v", rep)
	}
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(3), From: t0.Add(-time.Hour)})
	must(t, err, "query")
	if len(p.Records) != 0 {
		t.Fatalf("purged record still returned")
	}
	// Everything expires, the open segment is sealed and purged too; the
	// log goes on and verifies.
	clock.Set(boundary.Add(10 * 24 * time.Hour))
	res, err = l.Purge(ctx)
	must(t, err, "purge")
	if len(res.Segments) != 2 {
		t.Fatalf("second purge: %v", res.Segments)
	}
	must(t, l.Append(ctx, NewRecord(1, time.Time{})), "append after purge")
	rep, err = l.Verify(ctx)
	must(t, err, "verify after full purge")
	if rep.Records != 1 || rep.Purged != 3 {
		t.Fatalf("after full purge: %+v", rep)
	}
}

func testLegalHold(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	defer l.Close()
	if _, err := l.PlaceHold(ctx, audit.Hold{From: t0, To: t0.Add(time.Hour), Until: t0.Add(1000 * 24 * time.Hour), Who: "dsb"}); err == nil {
		t.Fatalf("hold without reason accepted")
	}
	// Hold day 1 (seg1) until 800 days after t0.
	id, err := l.PlaceHold(ctx, audit.Hold{From: t0.Add(30 * time.Hour), To: t0.Add(31 * time.Hour),
		Until: t0.Add(800 * 24 * time.Hour), Reason: "VG Musterstadt 3 K 17/26", Who: "dsb-meier"})
	must(t, err, "hold")
	clock.Set(t0.Add(740 * 24 * time.Hour))
	res, err := l.Purge(ctx)
	must(t, err, "purge")
	if fmt.Sprint(res.Segments) != fmt.Sprint([]int64{seg1 - 1, seg1 + 1}) || fmt.Sprint(res.Held) != fmt.Sprint([]int64{seg1}) {
		t.Fatalf("purge with hold: %+v", res)
	}
	_, err = l.Verify(ctx)
	must(t, err, "verify with held segment")
	hs, err := l.Holds(ctx)
	must(t, err, "holds")
	if len(hs) != 1 || hs[0].Reason != "VG Musterstadt 3 K 17/26" || hs[0].ID != id {
		t.Fatalf("holds = %+v", hs)
	}
	// The hold expires by itself at Until.
	clock.Set(t0.Add(800 * 24 * time.Hour))
	res, err = l.Purge(ctx)
	must(t, err, "purge")
	if len(res.Segments) != 1 || res.Segments[0] != seg1 {
		t.Fatalf("after the hold ended: %+v", res)
	}
	must(t, l.ReleaseHold(ctx, id), "release")
	rep, err := l.Verify(ctx)
	must(t, err, "verify")
	if rep.Purged != 3 {
		t.Fatalf("report %+v", rep)
	}
}
