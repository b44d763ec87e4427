package audittest

import (
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
)

// Attacks on the length and the open segment of the log, which only the
// checkpoints kept outside the store reveal, and on legal holds.
func init() {
	register("CheckpointCutSignedSegments", testCutSigned)
	register("CheckpointAllRecordsDeleted", testDeleteAll)
	register("CheckpointOpenSegmentRecomputed", testRecomputeOpen)
	register("CheckpointFileDeleted", testCheckpointFileDeleted)
	register("CheckpointOtherKey", testCheckpointOtherKey)
	register("CheckpointMigration", testCheckpointMigration)
	register("CheckpointPurged", testCheckpointPurged)
	register("CheckpointWitness", testCheckpointWitness)
	register("TamperHeldSegmentPurged", testHeldSegmentPurged)
}

// attackerKey signs nothing the log trusts.
var attackerKey = ed25519.NewKeyFromSeed([]byte("an attacker's key, not the log's"))

// finding returns the first finding of kind k, or fails the test.
func finding(t *testing.T, what string, rep *audit.Report, err error, k audit.FindingKind) audit.Finding {
	t.Helper()
	var te *audit.TamperError
	if !errors.Is(err, audit.ErrTampered) || !errors.As(err, &te) {
		t.Fatalf("%s: err = %v, want a TamperError", what, err)
	}
	if rep == nil {
		rep = te.Report
	}
	for _, f := range rep.Findings {
		if f.Kind == k {
			return f
		}
	}
	t.Fatalf("%s: no %v finding in %v", what, k, rep.Findings)
	return audit.Finding{}
}

// refused opens the log and expects New to refuse it with a finding of kind k.
func refused(t *testing.T, h Harness, clock *Clock, k audit.FindingKind) audit.Finding {
	t.Helper()
	l, err := openWith(h, clock, nil)
	if err == nil {
		l.Close()
		t.Fatalf("New opened a log that does not match its checkpoint")
	}
	f := finding(t, "New", nil, err, k)
	if !strings.Contains(err.Error(), "CheckpointReset") {
		t.Fatalf("New's error does not name the way out: %v", err)
	}
	return f
}

// reset opens the log with Options.CheckpointReset and checks that the old
// checkpoint file was kept aside (if there was one: wantKept).
func reset(t *testing.T, h Harness, clock *Clock, wantKept int) *audit.Log {
	t.Helper()
	l, err := openWith(h, clock, func(o *audit.Options) { o.CheckpointReset = "Wiederherstellung, Ticket 4711" })
	must(t, err, "open with CheckpointReset")
	kept, _ := filepath.Glob(h.CheckpointFile + ".reset-*")
	if len(kept) != wantKept {
		t.Fatalf("old checkpoint files kept: %v, want %d", kept, wantKept)
	}
	return l
}

// A log cut back through signed segments (records and anchors) is shorter
// than its checkpoint: Verify reports it, New refuses it.
func testCutSigned(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	_, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records+` WHERE seq > 10`), "cut records")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Anchors+` WHERE seg >= ?`, seg1), "cut anchors")
	rep, err := l.Verify(ctx)
	f := finding(t, "Verify", rep, err, audit.TailCut)
	if f.Seq != 11 || f.LastSeq != 30 {
		t.Fatalf("tail cut at %d..%d, want 11..30: %v", f.Seq, f.LastSeq, f)
	}
	must(t, l.Close(), "close")
	refused(t, h, clock, audit.TailCut)
	l = reset(t, h, clock, 1)
	rep, err = l.Verify(ctx)
	must(t, err, "verify after the reset")
	if rep.Records != 10 {
		t.Fatalf("after the reset: %+v", rep)
	}
	must(t, l.Close(), "close")
	l = open(t, h, clock) // the reset's checkpoint is the new reference
	must(t, l.Close(), "close")
}

// Deleting every record and anchor no longer gives "0 records, verified".
func testDeleteAll(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	defer l.Close()
	_, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records), "delete records")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Anchors), "delete anchors")
	rep, err := l.Verify(ctx)
	f := finding(t, "Verify", rep, err, audit.TailCut)
	if f.Seq != 1 || f.LastSeq != 30 || rep.Records != 0 {
		t.Fatalf("tail cut %v, %d records", f, rep.Records)
	}
	must(t, l.Close(), "close")
	refused(t, h, clock, audit.TailCut)
}

// Inside the open segment no key is needed to delete a record and chain
// the rest anew; the signed head of the checkpoint shows it.
func testRecomputeOpen(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	defer l.Close()
	_, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	// Records 21-30 are persons 200-209 in the open segment. Delete
	// record 25 (person 204) and re-append the records after it with a
	// correct chain, through a Log with another key and no checkpoints.
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records+` WHERE seq >= 25`), "delete")
	forge := func(persons ...int) {
		st, err := h.Open()
		must(t, err, "attacker's store")
		a, err := audit.New(ctx, st, audit.Options{SigningKey: attackerKey, Clock: clock.Now})
		must(t, err, "attacker's log")
		for _, p := range persons {
			must(t, a.Append(ctx, NewRecord(p, time.Time{})), "forge")
		}
		must(t, a.Close(), "attacker's close")
	}
	forge(205, 206, 207, 208, 209)
	rep, err := l.Verify(ctx)
	f := finding(t, "Verify after deleting one record", rep, err, audit.TailCut)
	if f.Seq != 30 || rep.Records != 29 {
		t.Fatalf("tail cut %v, %d records", f, rep.Records)
	}
	// One more forged record makes the length right; the head hash differs.
	forge(210)
	rep, err = l.Verify(ctx)
	f = finding(t, "Verify after recomputing the chain", rep, err, audit.Rewritten)
	if f.Seq != 30 {
		t.Fatalf("rewritten at %d, want 30: %v", f.Seq, f)
	}
	must(t, l.Close(), "close")
	refused(t, h, clock, audit.Rewritten)
}

// A deleted checkpoint file is reported; New refuses to start over silently.
func testCheckpointFileDeleted(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	defer l.Close()
	_, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	must(t, os.Remove(h.CheckpointFile), "delete the checkpoint file")
	rep, err := l.Verify(ctx)
	finding(t, "Verify", rep, err, audit.CheckpointMissing)
	must(t, l.Close(), "close")
	refused(t, h, clock, audit.CheckpointMissing)
	l = reset(t, h, clock, 0)
	_, err = l.Verify(ctx)
	must(t, err, "verify after the reset")
}

// A Log opened with another key (for example a throw-away one after a
// restart) cannot verify the checkpoint and refuses to open.
func testCheckpointOtherKey(t *testing.T, h Harness) {
	l, clock := build(t, h)
	must(t, l.Close(), "close")
	_, err := openWith(h, clock, func(o *audit.Options) { o.SigningKey = attackerKey })
	finding(t, "New with another key", nil, err, audit.CheckpointInvalid)
	// Garbage in the file is refused too.
	must(t, os.WriteFile(h.CheckpointFile, []byte("not a checkpoint\n"), 0o600), "write")
	refused(t, h, clock, audit.CheckpointInvalid)
}

// An existing log without checkpoints gets its first one and says so.
func testCheckpointMigration(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l, err := openWith(h, clock, func(o *audit.Options) { o.CheckpointFile = "" })
	must(t, err, "open without checkpoints")
	must(t, l.Append(ctx, NewRecord(1, time.Time{}), NewRecord(2, time.Time{})), "append")
	rep, err := l.Verify(ctx)
	must(t, err, "verify")
	if len(rep.Notes) == 0 || !strings.Contains(strings.Join(rep.Notes, "\n"), "checkpoint") {
		t.Fatalf("no note on the missing checkpoints: %q", rep.Notes)
	}
	must(t, l.Close(), "close")
	l = open(t, h, clock)
	defer l.Close()
	if _, err := os.Stat(h.CheckpointFile); err != nil {
		t.Fatalf("no first checkpoint written: %v", err)
	}
	rep, err = l.Verify(ctx)
	must(t, err, "verify")
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "since record 2") {
		t.Fatalf("notes do not say since when checkpoints are kept: %q", rep.Notes)
	}
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records+` WHERE seq = 2`), "cut")
	rep, err = l.Verify(ctx)
	finding(t, "Verify after a cut", rep, err, audit.TailCut)
}

// A checkpoint whose records were purged lawfully is checked against the
// segments' anchors; the log opens and verifies.
func testCheckpointPurged(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	_, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	clock.Set(t0.Add(800 * 24 * time.Hour))
	res, err := l.Purge(ctx)
	must(t, err, "purge")
	if len(res.Segments) != 3 {
		t.Fatalf("purged %v", res.Segments)
	}
	rep, err := l.Verify(ctx)
	must(t, err, "verify after purge")
	if rep.Records != 0 || rep.Purged != 3 {
		t.Fatalf("after purge: %+v", rep)
	}
	must(t, l.Close(), "close")
	l = open(t, h, clock)
	defer l.Close()
	must(t, l.Append(ctx, NewRecord(1, time.Time{})), "append")
	_, err = l.Verify(ctx)
	must(t, err, "verify after reopen")
	// Cutting the anchors of purged segments is still a cut.
	must(t, l.Close(), "close")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records), "delete records")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Anchors+` WHERE seg > ?`, seg1-1), "delete anchors")
	refused(t, h, clock, audit.TailCut)
}

// A witness directory keeps the checkpoints too; it is checked like the
// file, so deleting the file alone does not hide a cut.
func testCheckpointWitness(t *testing.T, h Harness) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := NewClock(t0)
	withWitness := func(o *audit.Options) { o.Witnesses = []audit.Witness{audit.DirWitness(dir)} }
	l, err := openWith(h, clock, withWitness)
	must(t, err, "open")
	var sent []audit.Checkpoint
	must(t, l.Append(ctx, NewRecord(1, time.Time{}), NewRecord(2, time.Time{}), NewRecord(3, time.Time{})), "append")
	must(t, l.Close(), "close")
	l, err = openWith(h, clock, func(o *audit.Options) {
		withWitness(o)
		o.Witnesses = append(o.Witnesses, audit.WitnessFunc(func(_ context.Context, cp audit.Checkpoint) error {
			sent = append(sent, cp)
			return nil
		}))
	})
	must(t, err, "reopen")
	if len(sent) != 1 || sent[0].Size != 3 || !sent[0].Verify(l.PublicKey()) {
		t.Fatalf("callback witness got %+v", sent)
	}
	must(t, l.Close(), "close")
	must(t, os.Remove(h.CheckpointFile), "delete the checkpoint file")
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records+` WHERE seq = 3`), "cut")
	_, err = openWith(h, clock, withWitness)
	finding(t, "New", nil, err, audit.TailCut)
}

// A segment under a legal hold whose records are deleted and whose anchor
// is marked purged is found: Verify checks the holds.
func testHeldSegmentPurged(t *testing.T, h Harness) {
	ctx := context.Background()
	l, clock := build(t, h)
	defer l.Close()
	_, err := l.PlaceHold(ctx, audit.Hold{From: t0.Add(30 * time.Hour), To: t0.Add(31 * time.Hour),
		Until: t0.Add(800 * 24 * time.Hour), Reason: "VG Musterstadt 3 K 17/26", Who: "dsb-meier"})
	must(t, err, "hold")
	clock.Set(t0.Add(740 * 24 * time.Hour))
	res, err := l.Purge(ctx)
	must(t, err, "purge")
	if len(res.Held) != 1 || res.Held[0] != seg1 {
		t.Fatalf("purge: %+v", res)
	}
	// A hold placed after a lawful purge does not make that purge unlawful.
	clock.Add(time.Minute)
	_, err = l.PlaceHold(ctx, audit.Hold{From: t0, To: t0.Add(time.Hour), Until: t0.Add(900 * 24 * time.Hour),
		Reason: "nachträglich", Who: "dsb-meier"})
	must(t, err, "later hold")
	_, err = l.Verify(ctx)
	must(t, err, "verify after the lawful purge")
	clock.Add(time.Hour)
	must(t, h.Exec(`DELETE FROM `+h.Tables.Records+` WHERE seg = ?`, seg1), "delete the held segment")
	must(t, h.Exec(`UPDATE `+h.Tables.Anchors+` SET purged = ? WHERE seg = ?`, clock.Now().UnixNano(), seg1), "mark it purged")
	rep, err := l.Verify(ctx)
	f := finding(t, "Verify", rep, err, audit.SegmentMissing)
	if f.Segment != seg1 || f.Seq != 11 || !strings.Contains(f.Detail, "hold") {
		t.Fatalf("finding %v, want the held segment %d from record 11", f, seg1)
	}
}
