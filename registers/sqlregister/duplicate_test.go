package sqlregister_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// duplicates returns copies (new keys from..) of the register's records
// that the fake BVA identifies and the fake matcher accepts: every 7th such
// record once, every 77th a second time. groups maps the original key to
// all keys of the same person.
func duplicates(reg []registers.Entry, from int) (dups []registers.Entry, groups map[registers.Key][]registers.Key) {
	groups = map[registers.Key][]registers.Key{}
	k := from
	for i := 1; i <= len(reg); i++ {
		if i%7 != 0 || i%10 == 0 || i%25 == 0 || i%50 == 0 {
			continue
		}
		copies := 1
		if i%77 == 0 {
			copies = 2
		}
		orig := reg[i-1]
		groups[orig.Key] = append(groups[orig.Key], orig.Key)
		for range copies {
			d := orig
			d.Key = registers.Key(strconv.Itoa(k))
			k++
			dups = append(dups, d)
			groups[orig.Key] = append(groups[orig.Key], d.Key)
		}
	}
	return dups, groups
}

// checkNoDoubleIDNr asserts that of every group exactly one record holds
// the IDNr and every other one is a review case "idnr_already_assigned"
// naming the holder, without an IDNr.
func checkNoDoubleIDNr(t *testing.T, r *sqlregister.Register, groups map[registers.Key][]registers.Key) {
	t.Helper()
	ctx := context.Background()
	with, err := r.NextWithIDNr(ctx, "", 1_000_000)
	require.NoError(t, err)
	holds := map[registers.Key]idnr.IDNr{}
	byIDNr := map[idnr.IDNr]int{}
	for _, e := range with {
		holds[e.Key] = e.Person.IDNr
		byIDNr[e.Person.IDNr]++
	}
	for id, n := range byIDNr {
		require.Equal(t, 1, n, "IDNr %s on %d records", id.Masked(), n)
	}
	cases := map[registers.Key]registers.Case{}
	require.NoError(t, r.Cases(ctx, func(c registers.Case) error { cases[c.Key] = c; return nil }))
	for orig, keys := range groups {
		var holder registers.Key
		for _, k := range keys {
			if _, ok := holds[k]; ok {
				require.Empty(t, holder, "group %s: two holders", orig)
				holder = k
			}
		}
		require.NotEmpty(t, holder, "group %s: nobody holds the IDNr", orig)
		for _, k := range keys {
			if k == holder {
				continue
			}
			c, ok := cases[k]
			require.True(t, ok, "record %s: no case", k)
			assert.Equal(t, registers.Review, c.Outcome, "record %s", k)
			assert.Equal(t, registers.ReasonIDNrAssigned, c.Reason, "record %s", k)
			require.NotEmpty(t, c.Details)
			assert.Equal(t, registers.IDNrAssignedText+": Datensatz "+string(holder), c.Details[0])
		}
	}
}

func countDups(groups map[registers.Key][]registers.Key) int {
	n := 0
	for _, k := range groups {
		n += len(k) - 1
	}
	return n
}

// The same person twice (or three times) in the register: one record gets
// the IDNr, the others go to review, whether the copies fall into one batch
// or into different ones.
func TestDuplicateIDNrOneRun(t *testing.T) {
	for _, batch := range []int{50, 5000} {
		t.Run(fmt.Sprintf("batch%d", batch), func(t *testing.T) {
			ctx := context.Background()
			truth, reg := population(t, 1000)
			dups, groups := duplicates(reg, 1001)
			r, _ := newSQLiteRegister(t, append(reg, dups...))
			ida := &fakeIDA{truth: truth, sent: map[string]int{}}
			bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: batch, Workers: 3})
			require.NoError(t, err)
			rep, err := bf.Run(ctx)
			require.NoError(t, err)
			require.NotZero(t, countDups(groups))
			assert.Equal(t, countDups(groups), rep.Reasons["review/"+registers.ReasonIDNrAssigned])
			checkNoDoubleIDNr(t, r, groups)
		})
	}
}

// The copies arrive after the first run filled the originals (and through
// a new handle, so nothing is remembered in memory): the IDNrs stored in
// the register count.
func TestDuplicateIDNrAcrossRuns(t *testing.T) {
	ctx := context.Background()
	truth, reg := population(t, 1000)
	dups, groups := duplicates(reg, 1001)
	r, path := newSQLiteRegister(t, reg)
	ida := &fakeIDA{truth: truth, sent: map[string]int{}}
	bf, err := registers.NewBackfill(registers.BackfillConfig{Register: r, IDA: ida, Matcher: fakeMatcher, BatchSize: 100})
	require.NoError(t, err)
	rep, err := bf.Run(ctx)
	require.NoError(t, err)
	assert.Zero(t, rep.Reasons["review/"+registers.ReasonIDNrAssigned])

	db, err := sqlregister.OpenSQLite(path)
	require.NoError(t, err)
	defer db.Close()
	r2, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true, Columns: sqlregister.DefaultColumns()})
	require.NoError(t, err)
	require.NoError(t, r2.Insert(ctx, dups))
	bf2, err := registers.NewBackfill(registers.BackfillConfig{Register: r2, IDA: ida, Matcher: fakeMatcher, BatchSize: 100})
	require.NoError(t, err)
	rep2, err := bf2.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(dups), rep2.People)
	assert.Equal(t, len(dups), rep2.Reasons["review/"+registers.ReasonIDNrAssigned])
	checkNoDoubleIDNr(t, r2, groups)
	for orig := range groups {
		with, err := r2.NextWithIDNr(ctx, registers.Key(strconv.Itoa(mustAtoi(t, orig)-1)), 1)
		require.NoError(t, err)
		require.Len(t, with, 1)
		assert.Equal(t, orig, with[0].Key, "the record filled first keeps its IDNr")
	}
}

func mustAtoi(t *testing.T, k registers.Key) int {
	n, err := strconv.Atoi(strings.TrimSpace(string(k)))
	require.NoError(t, err)
	return n
}

// Two workers (own pools, as two processes) lease key ranges of one
// PostgreSQL register that holds copies of the same people in different
// ranges: the database decides, so no IDNr lands on two records.
func TestDuplicateIDNrPostgresTwoWorkers(t *testing.T) {
	ctx := context.Background()
	truth, reg := population(t, 3000)
	// The copies follow the originals in key order, so the worker that
	// claims an IDNr and the one that meets its copy are usually different
	// processes; only the database knows what the other one stored.
	dups, groups := duplicates(reg, 3001)
	_, open := pgRegister(t, append(reg, dups...))
	ida := &fakeIDA{truth: truth, sent: map[string]int{}}
	reps := twoLeaseWorkers(ctx, t, open, ida, 50, 250)
	assert.Equal(t, len(reg)+len(dups), reps[0].People+reps[1].People)
	assert.Equal(t, countDups(groups), reps[0].Reasons["review/"+registers.ReasonIDNrAssigned]+reps[1].Reasons["review/"+registers.ReasonIDNrAssigned])
	checkNoDoubleIDNr(t, open(), groups)
}
