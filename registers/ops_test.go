package registers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logSink collects slog JSON lines and tells when a message was seen.
type logSink struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	want  string
	seen  chan struct{}
	fired bool
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fired && bytes.Contains(p, []byte(`"msg":"`+s.want+`"`)) {
		s.fired = true
		close(s.seen)
	}
	return s.buf.Write(p)
}

func (s *logSink) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(s.buf.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		out = append(out, m)
	}
	return out
}

// gatedBVA answers like bva, but its first Bulk waits until the log shows
// a progress line, so that the test sees one without timing assumptions.
type gatedBVA struct {
	bva
	gate <-chan struct{}
	once sync.Once
}

func (g *gatedBVA) Bulk(ctx context.Context, a ida.Auth, ss []ida.Search) ([]ida.Answer, error) {
	g.once.Do(func() {
		select {
		case <-g.gate:
		case <-time.After(20 * time.Second):
		}
	})
	return g.bva.Bulk(ctx, a, ss)
}

// The operator's log: a start line, progress lines with counts per outcome,
// rate and ETA, an end line, and a warning when more than 5% of the records
// cannot be searched, naming the reason codes. No personal data.
func TestBackfillOperatorLog(t *testing.T) {
	reg := &memRegister{settled: map[registers.Key]registers.Result{}}
	for i := range 100 {
		p := idnr.Person{FamilyName: "Familie" + string(rune('a'+i%26)), GivenNames: "Vorname", BirthDate: idnr.MustDate(1970, 1, 1+i%28)}
		if i%10 == 0 {
			p.FamilyName = "" // no_search: 10 of 100
		}
		reg.people = append(reg.people, registers.Entry{Key: registers.Key(strconv.Itoa(1000 + i)), Person: p})
	}
	sink := &logSink{want: "backfill progress", seen: make(chan struct{})}
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { // every reading is 31 s later
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(31 * time.Second)
		return now
	}
	bf, err := registers.NewBackfill(registers.BackfillConfig{
		Register: reg, IDA: &gatedBVA{gate: sink.seen},
		Auth:    ida.Auth{Role: "r", Actor: "a", Purpose: "p", LegalBasis: "b", Fields: idnr.AllFields},
		Matcher: registers.FromMatch(match.New()), BatchSize: 10, Workers: 1,
		ProgressEvery: time.Millisecond, Clock: clock,
		Logger: slog.New(slog.NewJSONHandler(sink, nil)),
	})
	require.NoError(t, err)
	_, err = bf.Run(context.Background())
	require.NoError(t, err)

	lines := sink.lines(t)
	byMsg := map[string][]map[string]any{}
	for _, l := range lines {
		byMsg[l["msg"].(string)] = append(byMsg[l["msg"].(string)], l)
	}
	require.Len(t, byMsg["backfill started"], 1)
	require.NotEmpty(t, byMsg["backfill progress"])
	require.Len(t, byMsg["backfill finished"], 1)
	p := byMsg["backfill progress"][0]
	for _, k := range []string{"done", "pending", "rate", "eta"} {
		assert.Contains(t, p, k)
	}
	end := byMsg["backfill finished"][0]
	assert.Equal(t, float64(100), end["done"])
	assert.Equal(t, map[string]any{"no_search": float64(10), "not_identifiable": float64(90)}, end["outcomes"])
	warn := findMsg(lines, "many records cannot be searched")
	require.NotNil(t, warn, "10%% no_search must warn")
	assert.Equal(t, "WARN", warn["level"])
	assert.Equal(t, float64(10), warn["no_search"])
	assert.Equal(t, map[string]any{"no_family_name": float64(10)}, warn["reasons"])
	assert.Len(t, lines, 3+len(byMsg["backfill progress"]), "one warning only")
	sink.mu.Lock()
	out := sink.buf.String()
	sink.mu.Unlock()
	assert.NotContains(t, out, "Familie")
	assert.NotContains(t, out, "Vorname")
	assert.NotContains(t, out, "1970")
}

// At or below 5% no warning.
func TestBackfillOperatorLogNoWarning(t *testing.T) {
	reg := &memRegister{settled: map[registers.Key]registers.Result{}}
	for i := range 100 {
		p := idnr.Person{FamilyName: "F", GivenNames: "V", BirthDate: idnr.MustDate(1970, 1, 1)}
		if i%20 == 0 {
			p.FamilyName = "" // 5 of 100
		}
		reg.people = append(reg.people, registers.Entry{Key: registers.Key(strconv.Itoa(1000 + i)), Person: p})
	}
	sink := &logSink{want: "-", seen: make(chan struct{})}
	bf, err := registers.NewBackfill(registers.BackfillConfig{
		Register: reg, IDA: bva{},
		Auth:    ida.Auth{Role: "r", Actor: "a", Purpose: "p", LegalBasis: "b", Fields: idnr.AllFields},
		Matcher: registers.FromMatch(match.New()), Logger: slog.New(slog.NewJSONHandler(sink, nil)),
	})
	require.NoError(t, err)
	_, err = bf.Run(context.Background())
	require.NoError(t, err)
	assert.Nil(t, findMsg(sink.lines(t), "many records cannot be searched"))
}

func findMsg(lines []map[string]any, prefix string) map[string]any {
	for _, l := range lines {
		if strings.HasPrefix(l["msg"].(string), prefix) {
			return l
		}
	}
	return nil
}
