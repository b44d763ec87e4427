package sqlregister_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pgRegister creates a register table in a schema of its own and returns a
// function that opens further handles (for a second worker).
func pgRegister(t *testing.T, entries []registers.Entry) (*sqlregister.Register, func() *sqlregister.Register) {
	t.Helper()
	dsn := os.Getenv("REGMO_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("REGMO_TEST_POSTGRES_DSN is not set")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("regmo_sqlreg_%d", rand.Uint64()%1e12)
	admin, err := sqlregister.OpenPostgres(ctx, dsn)
	require.NoError(t, err)
	_, err = admin.ExecContext(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	require.NoError(t, sqlregister.CreateTable(ctx, admin, sqlregister.PostgreSQL, schema+".people"))
	open := func() *sqlregister.Register {
		db, err := sqlregister.OpenPostgres(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		r, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.PostgreSQL, Table: schema + ".people", Key: "id",
			IntegerKey: true, Columns: sqlregister.DefaultColumns()})
		require.NoError(t, err)
		return r
	}
	r := open()
	for i := 0; i < len(entries); i += 5000 {
		require.NoError(t, r.Insert(ctx, entries[i:min(i+5000, len(entries))]))
	}
	return r, open
}

func TestBackfillPostgres(t *testing.T) {
	ctx := context.Background()
	truth, reg := population(t, 2000)
	r, _ := pgRegister(t, reg)
	ida := &fakeIDA{truth: truth, sent: map[string]int{}}
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: 100, Workers: 3})
	require.NoError(t, err)
	rep, err := bf.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2000, rep.People)
	assert.Equal(t, 80, rep.Outcomes["no_search"])
	assert.Equal(t, 160, rep.Outcomes["review"])
	cp, err := r.Checkpoint(ctx, "backfill")
	require.NoError(t, err)
	assert.Equal(t, registers.Key("2000"), cp)
	got, err := r.NextWithIDNr(ctx, "", 5000)
	require.NoError(t, err)
	assert.Len(t, got, rep.Outcomes["accepted"])
	for _, e := range got {
		assert.Equal(t, truth[searchKey(&e.Person)].IDNr, e.Person.IDNr)
	}
	rep2, err := bf.Run(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep2.People)
}

// Two engines with their own connection pools (as two processes would
// have) fill one PostgreSQL register by leasing key ranges: every person
// is processed exactly once and none is skipped.
func TestLeasesPostgresTwoWorkers(t *testing.T) {
	ctx := context.Background()
	truth, reg := population(t, 6000)
	_, open := pgRegister(t, reg)
	ida := &fakeIDA{truth: truth, sent: map[string]int{}}
	reps := twoLeaseWorkers(ctx, t, open, ida, 100, 500)
	t.Logf("worker 0: %d people in %d leases; worker 1: %d people in %d leases", reps[0].People, reps[0].Leases, reps[1].People, reps[1].Leases)
	assert.Equal(t, 6000, reps[0].People+reps[1].People, "nothing skipped, nothing twice")
	assert.Positive(t, reps[0].People)
	assert.Positive(t, reps[1].People)
	for id, n := range ida.sent {
		require.Equal(t, 1, n, "person ********%s transferred %d times", id[8:], n)
	}
	assert.Equal(t, 6000-240, len(ida.sent)) // every searchable person (all but the 240 without a search) once
	counts, err := open().Counts(ctx)
	require.NoError(t, err)
	assert.Zero(t, counts[registers.OutcomePending])
}

// twoLeaseWorkers runs two backfills sharing the register by leases, as two
// processes would (each with its own connection from open), and returns
// their reports.
func twoLeaseWorkers(ctx context.Context, t *testing.T, open func() *sqlregister.Register, ida registers.Identifier, batch, leaseRange int) []*registers.Report {
	t.Helper()
	var wg sync.WaitGroup
	reps := make([]*registers.Report, 2)
	errs := make([]error, 2)
	for w := range 2 {
		r := open()
		wg.Go(func() {
			bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: batch, Workers: 2,
				Leases: true, LeaseRange: leaseRange, Owner: fmt.Sprintf("worker-%d", w)})
			if err != nil {
				errs[w] = err
				return
			}
			reps[w], errs[w] = bf.Run(ctx)
		})
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	return reps
}
