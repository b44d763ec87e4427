package audittest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
)

const (
	crashEnv    = "REGMO_AUDIT_CRASH_CHILD"
	crashDayEnv = "REGMO_AUDIT_CRASH_DAY"
)

// CrashChild is the child side of [RunCrash]. Call it first in a test
// named by RunCrash's childTest; outside a crash run it skips the test. In
// a crash run it appends under load (8 writers, batches of 1 to 20
// records) and prints "ack <id>" for every record after its Append
// returned, until it is killed.
func CrashChild(t *testing.T, open func() (audit.Store, error)) {
	if os.Getenv(crashEnv) != "1" {
		t.Skip("crash-test child; runs only under RunCrash")
	}
	dayN, _ := strconv.Atoi(os.Getenv(crashDayEnv))
	st, err := open()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	offset := time.Duration(dayN) * 24 * time.Hour
	l, err := audit.New(context.Background(), st, audit.Options{SigningKey: Key, Clock: func() time.Time { return time.Now().Add(offset) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child new:", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			var buf bytes.Buffer
			for {
				n := 1 + r.IntN(20)
				recs := make([]audit.Record, n)
				for i := range recs {
					recs[i] = NewRecord(r.IntN(1000), time.Time{})
					recs[i].ID = uuid.New()
				}
				if err := l.Append(context.Background(), recs...); err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(4)
				}
				buf.Reset()
				for _, rec := range recs {
					buf.WriteString("ack " + rec.ID.String() + "\n")
				}
				mu.Lock()
				os.Stdout.Write(buf.Bytes())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// RunCrash kills a child process appending under load with SIGKILL at
// random moments, kills times, and checks after every kill that every
// acknowledged record is in the log, that every stored record decodes,
// and that Verify passes. childTest is the name of the test that calls
// [CrashChild] in the same test binary; env is added to the child's
// environment (for example where its database is).
func RunCrash(t *testing.T, h Harness, childTest string, kills int, env []string) {
	acked := map[uuid.UUID]bool{}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for k := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^"+childTest+"$", "-test.count=1")
		cmd.Env = append(os.Environ(), append([]string{crashEnv + "=1", crashDayEnv + "=" + strconv.Itoa(k)}, env...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		must(t, err, "pipe")
		must(t, cmd.Start(), "start child")
		lines := make(chan string, 1024)
		var readErr error
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			readErr = sc.Err()
			close(lines)
		}()
		// Wait until the child is appending, then kill it at a random moment.
		select {
		case l, ok := <-lines:
			if !ok || l != "ready" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("kill %d: child did not start: %q %s", k, l, stderr.String())
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("kill %d: child did not start: %s", k, stderr.String())
		}
		timer := time.After(time.Duration(20+r.IntN(400)) * time.Millisecond)
		n := 0
	loop:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break loop
				}
				if id, found := strings.CutPrefix(l, "ack "); found {
					u, err := uuid.Parse(id)
					if err != nil {
						t.Fatalf("kill %d: bad ack line %q", k, l)
					}
					acked[u] = true
					n++
				}
			case <-timer:
				must(t, cmd.Process.Signal(syscall.SIGKILL), "kill")
				timer = nil
			}
		}
		_ = readErr
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("kill %d: child ended otherwise: %v %s", k, err, stderr.String())
		}
		checkAfterCrash(t, h, k, acked)
		t.Logf("kill %d: %d acknowledged in this run, %d in total", k, n, len(acked))
	}
}

func checkAfterCrash(t *testing.T, h Harness, k int, acked map[uuid.UUID]bool) {
	t.Helper()
	st, err := h.Open()
	must(t, err, "kill %d: reopen", k)
	offset := time.Duration(k) * 24 * time.Hour
	l, err := audit.New(context.Background(), st, audit.Options{SigningKey: Key, Clock: func() time.Time { return time.Now().Add(offset) }})
	must(t, err, "kill %d: audit.New", k)
	defer l.Close()
	rep, err := l.Verify(context.Background())
	must(t, err, "kill %d: verify", k)
	present := make(map[uuid.UUID]bool, rep.Records)
	must(t, st.Scan(context.Background(), 1, 1<<62, func(r *audit.Row) error {
		rec, err := audit.DecodeRecord(r.Data)
		if err != nil {
			return fmt.Errorf("record %d does not decode: %w", r.Seq, err)
		}
		present[rec.ID] = true
		return nil
	}), "kill %d: scan", k)
	missing := 0
	for id := range acked {
		if !present[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("kill %d: %d acknowledged records missing (of %d)", k, missing, len(acked))
	}
	// A store with derived copies (audit/sqlite's person index) has them
	// equal to the records after the crash.
	if c, ok := st.(interface{ CheckIntegrity(context.Context) error }); ok {
		must(t, c.CheckIntegrity(context.Background()), "kill %d: integrity", k)
	}
}
