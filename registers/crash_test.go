package registers_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The crash child: when REGMO_CRASH_CHILD is set, the test binary runs one
// backfill of the register at REGMO_CRASH_REGISTER with the protocol at
// REGMO_CRASH_AUDIT, prints "ready" once it starts, and exits 0 when the
// register is complete. The parent kills it with SIGKILL at random moments.
func TestMain(m *testing.M) {
	if os.Getenv("REGMO_CRASH_CHILD") != "" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

func crashChild() int {
	seed, _ := strconv.ParseUint(os.Getenv("REGMO_CRASH_SEED"), 10, 64)
	n, _ := strconv.Atoi(os.Getenv("REGMO_CRASH_PEOPLE"))
	t := &childT{}
	w := makeWorld(seed, n)
	r, db := openSQLiteRegister(t, os.Getenv("REGMO_CRASH_REGISTER"))
	defer db.Close()
	s := newStack(t, w.truth, os.Getenv("REGMO_CRASH_AUDIT"))
	defer s.close()
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: s.client, Auth: s.auth, Matcher: theMatcher, BatchSize: 250, Workers: 3})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("ready")
	if _, err := bf.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// childT lets the test helpers run outside a test.
type childT struct{ testing.TB }

func (childT) Helper() {}
func (childT) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
func (childT) FailNow() { os.Exit(3) }

// TestCrashResume kills the backfill with SIGKILL at random moments and
// resumes it each time. The final register must equal that of an
// uninterrupted run; the protocol must verify; every IDNr written must
// have its protocol record (the one whose message ID the register
// stores), and exactly one.
//
// Default: 8,000 people, 4 kills. REGMO_LONG=1: 200,000 people, 10 kills.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	n, kills := 8000, 4
	if os.Getenv("REGMO_LONG") != "" {
		n, kills = 200000, 10
	}
	const seed = 7
	dir := t.TempDir()
	w := makeWorld(seed, n)

	// The uninterrupted reference run.
	refReg, refDB := openSQLiteRegister(t, filepath.Join(dir, "ref.db"))
	defer refDB.Close()
	insertAll(t, refReg, w.entries)
	ref := newStack(t, w.truth, filepath.Join(dir, "ref-audit.db"))
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: refReg, IDA: ref.client, Auth: ref.auth, Matcher: theMatcher, BatchSize: 250, Workers: 3})
	require.NoError(t, err)
	rep, err := bf.Run(context.Background())
	require.NoError(t, err)
	ref.close()
	require.Equal(t, n, rep.People)
	want := readState(t, refDB)

	// The crashed and resumed run.
	regPath, auditPath := filepath.Join(dir, "crash.db"), filepath.Join(dir, "crash-audit.db")
	crashReg, crashDB := openSQLiteRegister(t, regPath)
	insertAll(t, crashReg, w.entries)
	crashDB.Close()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	killed := 0
	for run := 0; ; run++ {
		require.Less(t, run, kills+20, "backfill does not finish")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "REGMO_CRASH_CHILD=1", "REGMO_CRASH_SEED="+strconv.Itoa(seed),
			"REGMO_CRASH_PEOPLE="+strconv.Itoa(n), "REGMO_CRASH_REGISTER="+regPath, "REGMO_CRASH_AUDIT="+auditPath)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if sc.Text() == "ready" {
					ready <- true
				}
			}
			close(ready)
		}()
		<-ready
		if killed < kills {
			// Kill somewhere in the run: early, in the middle, near the end.
			time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			if err == nil {
				t.Logf("run %d finished before the kill", run)
				break
			}
			killed++
			continue
		}
		require.NoError(t, cmd.Wait(), "final run")
		break
	}
	t.Logf("%d people, killed %d times", n, killed)

	// Same final state as the uninterrupted run.
	crashReg, crashDB = openSQLiteRegister(t, regPath)
	defer crashDB.Close()
	got := readState(t, crashDB)
	require.Equal(t, len(want), len(got))
	diff := 0
	for k, v := range want {
		if got[k] != v {
			diff++
			if diff < 5 {
				t.Errorf("key %s: got %q, want %q", k, got[k], v)
			}
		}
	}
	require.Zero(t, diff, "records that differ from the uninterrupted run")

	// The protocol verifies, and every IDNr written has its record.
	verifyAudit(t, auditPath)
	recs := protocolled(t, auditPath)
	written, dup, multi := 0, 0, 0
	ctx := context.Background()
	for key, v := range got {
		idn := v[:11]
		if v[0] == '|' {
			continue
		}
		written++
		msg, err := crashReg.MessageOf(ctx, registers.Key(key))
		require.NoError(t, err)
		found := 0
		all := recs[idnr.MustParse(idn)]
		for _, m := range all {
			if m == msg {
				found++
			}
		}
		// The message that delivered the IDNr has its record. Exactly one,
		// unless the BVA delivered the same person for two searches of
		// that message (two register records answered by one person):
		// then each delivery has its record.
		require.GreaterOrEqual(t, found, 1, "key %s: no protocol record of the message that delivered the IDNr", key)
		if found > 1 {
			var searches int
			require.NoError(t, crashDB.QueryRow(`SELECT count(*) FROM people WHERE regmo_message = ?`, msg).Scan(&searches))
			require.LessOrEqual(t, found, searches, "key %s: more records than searches in the message", key)
			multi++
		}
		if len(all) > 1 {
			dup++
		}
	}
	t.Logf("%d IDNrs written, each with its protocol record; %d people were retrieved again after a kill (a second, protocolled transfer); %d delivered twice within one message (for two register records)", written, dup, multi)
	assert.Positive(t, written)
}
