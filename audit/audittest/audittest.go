// Package audittest is the conformance suite for implementations of
// [audit.Store], and test helpers for packages that use the audit log: valid
// synthetic IDNrs and records.
//
// A store package runs the suite from its own tests:
//
//	func TestConformance(t *testing.T) {
//		audittest.Run(t, func(t *testing.T) audittest.Harness { ... })
//	}
//
// Besides [Run] (behaviour, tamper, checkpoint, retention and legal-hold
// tests), the package has the crash test ([RunCrash] with [CrashChild]:
// a child process appending under load is SIGKILLed at random moments) and
// the shared benchmarks ([BenchAppend], [BenchPlain], [BenchVerify],
// [BenchQuery10M]), so that both stores are measured the same way.
//
// The suite needs no testify; it uses only the testing package. Its
// helpers ([IDNr], [NewRecord], [Clock], [Key]) are synthetic and safe to
// use in other packages' tests.
package audittest

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// Harness is what the suite needs from a store package.
type Harness struct {
	// Open opens the store under test. Every call opens the same database,
	// so that reopening after Close shows what is durable.
	Open func() (audit.Store, error)
	// Exec runs raw SQL on the database, with ? placeholders (the harness
	// rewrites them if its database needs another form). Tamper tests use
	// it to attack the tables behind the Log's back.
	Exec func(query string, args ...any) error
	// Tables names the store's tables.
	Tables Tables
	// CheckpointFile is the Log's checkpoint file (Options.CheckpointFile)
	// for this database; [Run] sets it to a file in the test's temporary
	// directory when it is empty.
	CheckpointFile string
}

// Tables are the store's table names as used in SQL.
type Tables struct {
	Records, Anchors, Access, Transport, Holds string
}

// IDNr returns a valid synthetic IDNr, the same for the same i. Numbers are
// drawn at random (seeded by i), so two different i may rarely give the
// same number; among a few hundred the chance is negligible.
func IDNr(i int) idnr.IDNr {
	r := rand.New(rand.NewPCG(uint64(i), 0x9e3779b97f4a7c15))
	for {
		p := r.Perm(10)
		if p[0] == 0 {
			continue
		}
		p[9] = p[r.IntN(8)+1] // exactly one digit twice, not three times
		var s [11]byte
		for k := range 10 {
			s[k] = byte('0' + p[k])
		}
		c, err := idnr.CheckDigit(string(s[:10]))
		if err != nil {
			continue
		}
		s[10] = '0' + c
		id, err := idnr.ParseStrict(string(s[:]))
		if err == nil {
			return id
		}
	}
}

// Key is a fixed ed25519 key for tests.
var Key = ed25519.NewKeyFromSeed([]byte("regmo audit test key, not secret"))

// NewRecord returns a valid record for person p (see IDNr) at time t.
func NewRecord(p int, t time.Time) audit.Record {
	return audit.Record{
		MessageID:   uuid.New(),
		Time:        t,
		Direction:   audit.Sent,
		Own:         audit.Body{Name: "Bürgeramt Musterstadt", ID: "BHKZ-01001000"},
		Counterpart: audit.Body{Name: "Bundesverwaltungsamt", ID: "BVA-IDA"},
		Purpose:     "Erstbefüllung IDNr",
		LegalBasis:  "§ 6 Abs. 3 IDNrG",
		FileRef:     "AZ 12-" + strconv.Itoa(p),
		Actor:       "backfill",
		IDNr:        IDNr(p),
		Categories:  []audit.Category{audit.CatIDNr, audit.CatFamilyName, audit.CatGivenNames, audit.CatBirthDate},
		Content:     []byte(`{"familyName":"Mustermann","givenNames":"Erika","birthDate":"1964-08-12"}`),
		Result:      audit.Delivered,
	}
}

// Clock is a settable clock for tests, safe for concurrent use.
type Clock struct{ ns chanInt }

type chanInt chan int64

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock {
	c := &Clock{ns: make(chanInt, 1)}
	c.ns <- t.UnixNano()
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	n := <-c.ns
	c.ns <- n
	return time.Unix(0, n).UTC()
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	<-c.ns
	c.ns <- t.UnixNano()
}

// Add moves the clock.
func (c *Clock) Add(d time.Duration) {
	n := <-c.ns
	c.ns <- n + int64(d)
}

func open(t *testing.T, h Harness, clock *Clock) *audit.Log {
	t.Helper()
	l, err := openWith(h, clock, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return l
}

// openWith opens the Log with the suite's options (the test key, clock,
// h.CheckpointFile), changed by edit if it is not nil.
func openWith(h Harness, clock *Clock, edit func(*audit.Options)) (*audit.Log, error) {
	st, err := h.Open()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	opts := audit.Options{SigningKey: Key, CheckpointFile: h.CheckpointFile}
	if clock != nil {
		opts.Clock = clock.Now
	}
	if edit != nil {
		edit(&opts)
	}
	l, err := audit.New(context.Background(), st, opts)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("audit.New: %w", err)
	}
	return l, nil
}

func must(t *testing.T, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
