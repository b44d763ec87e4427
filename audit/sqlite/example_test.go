package sqlite_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/audittest"
	"github.com/regmo/regmo/audit/sqlite"
)

// Open a store in three files beside each other, write a record through
// an audit.Log, and check the files and the chain.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlite-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// Every setting has a working default; options are small tweaks.
	st, err := sqlite.Open(filepath.Join(dir, "audit.db"), sqlite.WithReaders(2))
	if err != nil {
		panic(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, 32)) // in production: audit.LoadOrCreateSigningKey
	log, err := audit.New(ctx, st, audit.Options{SigningKey: key})
	if err != nil {
		panic(err)
	}
	err = log.Append(ctx, audit.Record{
		MessageID:   uuid.New(),
		Time:        time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		Direction:   audit.Sent,
		Own:         audit.Body{Name: "Bürgeramt Musterstadt", ID: "BHKZ-01001000"},
		Counterpart: audit.Body{Name: "Bundesverwaltungsamt", ID: "BVA"},
		Purpose:     "Ummeldung",
		LegalBasis:  "§ 6 Abs. 2 IDNrG",
		Actor:       "clerk-17",
		IDNr:        audittest.IDNr(1),
		Categories:  []audit.Category{audit.CatIDNr},
		Result:      audit.Delivered,
	})
	if err != nil {
		panic(err)
	}
	rep, err := log.Verify(ctx)
	fmt.Println("verified", rep.Records, err)
	fmt.Println("integrity", st.CheckIntegrity(ctx))
	if err := log.Close(); err != nil { // closes the store too
		panic(err)
	}

	for _, name := range []string{"audit.db", "audit.db-access", "audit.db-person"} {
		_, err := os.Stat(filepath.Join(dir, name))
		fmt.Println(name, err == nil)
	}
	// Output:
	// verified 1 <nil>
	// integrity <nil>
	// audit.db true
	// audit.db-access true
	// audit.db-person true
}
