package sqlregister_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigRejectsInjection(t *testing.T) {
	cols := sqlregister.DefaultColumns()
	bad := []string{
		`people; DROP TABLE people`, `people"`, `"people"`, `peo ple`, `people--`, `1people`,
		`a.b.c`, `people)`, `Müller`, strings.Repeat("a", 64), ``,
	}
	for _, name := range bad {
		t.Run("table "+name, func(t *testing.T) {
			_, err := sqlregister.New(context.Background(), nil, sqlregister.Config{Dialect: sqlregister.SQLite, Table: name, Key: "id", Columns: cols})
			require.Error(t, err)
		})
		t.Run("key "+name, func(t *testing.T) {
			_, err := sqlregister.New(context.Background(), nil, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: name, Columns: cols})
			require.Error(t, err)
		})
		if name == "" {
			continue
		}
		t.Run("column "+name, func(t *testing.T) {
			c := cols
			c.City = name
			_, err := sqlregister.New(context.Background(), nil, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", Columns: c})
			require.ErrorIs(t, err, sqlregister.ErrIdentifier)
			_, err = sqlregister.ParseColumns("city=" + name)
			require.Error(t, err)
		})
	}
	_, err := sqlregister.ParseColumns("family_name=nachname,nosuchfield=x")
	require.ErrorContains(t, err, "unknown field")
	c, err := sqlregister.ParseColumns("family_name=nachname, birth_date=geburtsdatum,city=ort")
	require.NoError(t, err)
	assert.Equal(t, "nachname", c.FamilyName)
	assert.Equal(t, "ort", c.City)
	// The same column twice is refused.
	c.City = "nachname"
	_, err = sqlregister.New(context.Background(), nil, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", Columns: c})
	require.ErrorContains(t, err, "mapped twice")
}

// Values are bound, never spliced: a name that is SQL survives unchanged.
func TestValuesAreBound(t *testing.T) {
	_, reg := population(t, 3)
	reg[0].Person.FamilyName = `O'Brien"); DROP TABLE people; --`
	r, _ := newSQLiteRegister(t, reg)
	got, err := r.Next(context.Background(), "", 10)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, reg[0].Person.FamilyName, got[0].Person.FamilyName)
}

func TestBackfillSQLite(t *testing.T) {
	ctx := context.Background()
	truth, reg := population(t, 3000)
	r, _ := newSQLiteRegister(t, reg)
	ida := &fakeIDA{truth: truth, sent: map[string]int{}}
	var last registers.Progress
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: 128, Workers: 3,
		Progress: func(p registers.Progress) { last = p }})
	require.NoError(t, err)
	rep, err := bf.Run(ctx)
	require.NoError(t, err)

	// i%25 -> no search (120), i%50 subset of those; i%10 (not %25) -> review; rest accepted.
	assert.Equal(t, 3000, rep.People)
	assert.Equal(t, 120, rep.Outcomes["no_search"])
	assert.Equal(t, 120, rep.Reasons["no_search/no_residence_no_given_names"])
	assert.Equal(t, 300-60, rep.Outcomes["review"])
	assert.Equal(t, 3000-120-240, rep.Outcomes["accepted"])
	assert.Equal(t, 3000, last.Done)
	assert.Equal(t, 3000, last.Total)
	assert.Equal(t, rep.Outcomes["accepted"], rep.Totals["accepted"])
	assert.Zero(t, rep.Totals["pending"])

	// Every accepted IDNr is in the register, with replaced data.
	got, err := r.NextWithIDNr(ctx, "", 5000)
	require.NoError(t, err)
	require.Len(t, got, rep.Outcomes["accepted"])
	for _, e := range got {
		want := truth[searchKey(&e.Person)]
		assert.Equal(t, want.IDNr, e.Person.IDNr)
		assert.Equal(t, "Hauptstraße", e.Person.Address.Street)
	}
	// Each person was transferred exactly once.
	for id, n := range ida.sent {
		assert.Equal(t, 1, n, id[len(id)-3:])
	}

	// A second run finds nothing to do and transfers nothing.
	before := ida.calls
	rep2, err := bf.Run(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep2.People)
	assert.Equal(t, before, ida.calls)

	// Review case keeps the candidate; the CSV has no personal data.
	c, ok, err := r.ReviewCase(ctx, "10")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, truth[searchKey(&reg[9].Person)].IDNr, c.Candidate.IDNr)
	var buf bytes.Buffer
	require.NoError(t, registers.WriteCasesCSV(ctx, &buf, r))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, registers.CSVHeader, rows[0])
	assert.Len(t, rows, 1+120+240)
	assert.NotContains(t, buf.String(), "Muster")
	assert.NotContains(t, buf.String(), c.Candidate.IDNr.String())
}

// A batch that fails (transport) is retried; a batch that keeps failing
// stops the run without writing it, and the next run resumes before it.
func TestBackfillRetryAndResume(t *testing.T) {
	ctx := context.Background()
	truth, reg := population(t, 1000)
	r, _ := newSQLiteRegister(t, reg)
	boom := errors.New("503")
	ida := &fakeIDA{truth: truth, sent: map[string]int{}, fail: func(call int) error {
		if call%3 == 0 || (call >= 6 && call <= 100) {
			return boom
		}
		return nil
	}}
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: 100, Workers: 1,
		MaxAttempts: 3, Backoff: time.Millisecond})
	require.NoError(t, err)
	rep, err := bf.Run(ctx)
	require.ErrorIs(t, err, boom)
	assert.Less(t, rep.People, 1000)
	ida.fail = nil
	rep2, err := bf.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1000, rep.People+rep2.People)
	counts, err := r.Counts(ctx)
	require.NoError(t, err)
	assert.Zero(t, counts[registers.OutcomePending])
	for _, n := range ida.sent {
		assert.Equal(t, 1, n)
	}
}

func TestLeasesSQLite(t *testing.T) {
	ctx := context.Background()
	truth, reg := population(t, 2000)
	r, _ := newSQLiteRegister(t, reg)
	ida := &fakeIDA{truth: truth, sent: map[string]int{}}
	var reps []*registers.Report
	errs := make(chan error, 2)
	done := make(chan *registers.Report, 2)
	for w := range 2 {
		go func() {
			bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: 50, Workers: 2,
				Leases: true, LeaseRange: 100, Owner: "w" + string(rune('0'+w))})
			if err != nil {
				errs <- err
				return
			}
			rep, err := bf.Run(ctx)
			errs <- err
			done <- rep
		}()
	}
	for range 2 {
		require.NoError(t, <-errs)
		reps = append(reps, <-done)
	}
	assert.Equal(t, 2000, reps[0].People+reps[1].People)
	assert.Equal(t, 21, reps[0].Leases+reps[1].Leases) // 20 full ranges and the open-ended tail
	for _, n := range ida.sent {
		assert.Equal(t, 1, n)
	}
	counts, err := r.Counts(ctx)
	require.NoError(t, err)
	assert.Zero(t, counts[registers.OutcomePending])
}

// Cancelling a run (Ctrl-C) writes the batches whose answers arrived, so a
// resumed run transfers nobody twice.
func TestBackfillCancelWritesAnsweredBatches(t *testing.T) {
	truth, reg := population(t, 3000)
	r, _ := newSQLiteRegister(t, reg)
	ctx, cancel := context.WithCancel(context.Background())
	ida := &fakeIDA{truth: truth, sent: map[string]int{}}
	ida.fail = func(call int) error {
		if call == 5 {
			cancel()
		}
		return nil
	}
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: 100, Workers: 3})
	require.NoError(t, err)
	rep, err := bf.Run(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, rep.People, 3000)
	ida.fail = nil
	rep2, err := bf.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3000, rep.People+rep2.People)
	for _, n := range ida.sent {
		require.Equal(t, 1, n)
	}
}
