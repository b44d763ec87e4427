package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
)

// The demo register: people from idnrtest (the truth, held by the mock BVA)
// and the register's copies of them with realistic defects. Everything is
// derived from (seed, people), which the demo keeps in the table demo_meta,
// so that a resumed run rebuilds the same truth for the mock.

const demoTable = "people"

// demoMeta returns the stored seed and size of the demo register, or ok ==
// false if there is none yet.
func demoMeta(ctx context.Context, db *sql.DB) (seed uint64, people int, ok bool, err error) {
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS demo_meta (seed TEXT NOT NULL, people INTEGER NOT NULL, complete INTEGER NOT NULL)"); err != nil {
		return 0, 0, false, err
	}
	var s string
	var complete int
	err = db.QueryRowContext(ctx, "SELECT seed, people, complete FROM demo_meta").Scan(&s, &people, &complete)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	if complete != 1 {
		return 0, 0, false, errors.New("the demo register was not created completely; run again with -fresh")
	}
	seed, err = strconv.ParseUint(s, 10, 64)
	return seed, people, err == nil, err
}

// truthStream calls fn with chunks of the demo population in a fixed
// order; the same (seed, people) always gives the same people: the first
// people of idnrtest.New(seed).Population(people), which is also what
// ida/idatest (and examples/mockbva) hold for WithPopulation(people, seed).
func truthStream(seed uint64, people int, fn func(first int, chunk []idnr.Person) error) error {
	all := idnrtest.New(seed).Population(people)[:people]
	const chunk = 10000
	for first := 0; first < len(all); first += chunk {
		if err := fn(first, all[first:min(first+chunk, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

// unknownAtBZSt reports whether person i is missing from the mock BVA's
// data (about 0.2%: for example moved abroad long ago).
func unknownAtBZSt(seed uint64, i int) bool {
	return rand.New(rand.NewPCG(seed, uint64(i)^0x9e3779b97f4a7c15)).IntN(500) == 0
}

// duplicateOfPrevious reports whether the register's record i is a second
// record of person i-1 instead of a record of person i (about 0.25%: the
// classic duplicate, for example a person registered twice under slightly
// different data). The BVA answers both with the same IDNr; the backfill
// writes it on the first and sends the second to review
// ("idnr_already_assigned").
func duplicateOfPrevious(seed uint64, i int) bool {
	return i > 0 && rand.New(rand.NewPCG(seed^0x5deece66d, uint64(i))).IntN(400) == 0
}

// registerCopy returns the register's record of truth person i: a
// realistic copy with defects (idnrtest.RegisterCopy), and a few records
// that cannot form a search (no birth date; no address and no given names)
// or need the fallback search (no address).
func registerCopy(seed uint64, i int, p idnr.Person) idnr.Person {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	c, _ := idnrtest.RegisterCopy(rng, p)
	switch x := rng.IntN(1000); {
	case x < 3:
		c.BirthDate = idnr.Date{}
	case x < 5:
		c.Address = idnr.Address{}
		c.GivenNames = ""
	case x < 10:
		c.Address = idnr.Address{}
	}
	return c
}

// createDemo fills the register table with the register's copies of the
// demo population (a few of them second copies of the previous person; see
// duplicateOfPrevious).
func createDemo(ctx context.Context, db *sql.DB, reg *sqlregister.Register, seed uint64, people int, progress func(int)) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM demo_meta"); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO demo_meta (seed, people, complete) VALUES (?, ?, 0)", strconv.FormatUint(seed, 10), people); err != nil {
		return err
	}
	entries := make([]registers.Entry, 0, 10000)
	err := truthStream(seed, people, func(first int, ps []idnr.Person) error {
		entries = entries[:0]
		for k := range ps {
			i := first + k
			src := ps[k]
			if k > 0 && duplicateOfPrevious(seed, i) {
				src = ps[k-1]
			}
			entries = append(entries, registers.Entry{Key: registers.Key(strconv.Itoa(i + 1)), Person: registerCopy(seed, i, src)})
		}
		if err := reg.Insert(ctx, entries); err != nil {
			return fmt.Errorf("inserting demo people: %w", err)
		}
		progress(first + len(ps))
		return nil
	})
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "UPDATE demo_meta SET complete = 1")
	return err
}

// demoTruth returns the people the mock BVA holds.
func demoTruth(seed uint64, people int) ([]idnr.Person, error) {
	out := make([]idnr.Person, 0, people)
	err := truthStream(seed, people, func(first int, ps []idnr.Person) error {
		for k := range ps {
			if !unknownAtBZSt(seed, first+k) {
				out = append(out, ps[k])
			}
		}
		return nil
	})
	return out, err
}
