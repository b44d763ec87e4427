package audittest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
)

// The newest transactions of the access or the transport log cut off
// whole (their signed last entry with them) leave a chain that verifies on
// its own; the checkpoints kept outside the store carry each side log's
// head, so Verify reports the cut and New refuses the store.
func init() {
	register("CheckpointAccessTailCut", func(t *testing.T, h Harness) { testSideCut(t, h, "access", "cut") })
	register("CheckpointTransportTailCut", func(t *testing.T, h Harness) { testSideCut(t, h, "transport", "cut") })
	register("CheckpointAccessHeadRewritten", func(t *testing.T, h Harness) { testSideCut(t, h, "access", "rewrite") })
	register("CheckpointTransportHeadRewritten", func(t *testing.T, h Harness) { testSideCut(t, h, "transport", "rewrite") })
	register("CheckpointSidePurged", testSideCutPurged)
}

// testSideCut: buildSide leaves six entries in each log, every transaction
// signed. "cut" deletes the newest transactions (entries 5 and 6 of the
// access log, the last transaction's events 5 and 6 of the transport log),
// so that entry 4, signed, is the head; "rewrite" replaces the newest
// entry with a forged one chained correctly (no key: it is not signed, so
// it carries no signature).
func testSideCut(t *testing.T, h Harness, which, how string) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := buildSide(t, h, clock)
	_, err := l.Verify(ctx)
	must(t, err, "verify before")
	_, err = l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	tab, col, want := h.Tables.Access, "reason", audit.AccessLogTampered
	if which == "transport" {
		tab, col, want = h.Tables.Transport, "detail", audit.TransportLogTampered
	}
	switch how {
	case "cut":
		must(t, h.Exec(`DELETE FROM `+tab+` WHERE id > 4`), "cut the newest %s entries", which)
	case "rewrite":
		// Entry 6 becomes a copy of entry 5 with the last link redone:
		// the chain holds, but the head's hash is not the signed one.
		must(t, h.Exec(`DELETE FROM `+tab+` WHERE id = 6`), "delete the head")
		must(t, h.Exec(`INSERT INTO `+tab+` SELECT id + 1, `+strings.TrimPrefix(cols(which), "id, ")+` FROM `+tab+` WHERE id = 5`), "forge")
		must(t, h.Exec(`UPDATE `+tab+` SET `+col+` = 'forged', sig = NULL, prev = (SELECT hash FROM `+tab+` WHERE id = 5) WHERE id = 6`), "relink")
	}
	rep, err := l.Verify(ctx)
	f := finding(t, "Verify", rep, err, want)
	if how == "cut" && !strings.Contains(f.Detail, "checkpoint") {
		t.Fatalf("finding %v does not name the checkpoint", f)
	}
	if strings.Contains(err.Error(), "forged") {
		t.Fatalf("error shows an entry's text: %v", err)
	}
	must(t, l.Close(), "close")
	refused(t, h, clock, want)
	l = reset(t, h, clock, 1)
	defer l.Close()
	if how == "cut" {
		_, err = l.Verify(ctx)
		must(t, err, "verify after the reset")
	}
}

// testSideCutPurged: a checkpoint whose side-log heads were purged
// lawfully (Purge leaves a signed floor) is not a cut.
func testSideCutPurged(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := buildSide(t, h, clock)
	_, err := l.Checkpoint(ctx)
	must(t, err, "checkpoint")
	clock.Set(t0.Add(audit.DefaultRetention + 10*24*time.Hour))
	_, err = l.Purge(ctx)
	must(t, err, "purge")
	_, err = l.Verify(ctx)
	must(t, err, "verify after purge")
	must(t, l.Close(), "close")
	l = open(t, h, clock)
	defer l.Close()
	_, err = l.Verify(ctx)
	must(t, err, "verify after reopen")
}
