package audit_test

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

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(dir)

	st, err := sqlite.Open(filepath.Join(dir, "audit.db"))
	if err != nil {
		panic(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, 32)) // load yours from a secret store
	log, err := audit.New(ctx, st, audit.Options{SigningKey: key})
	if err != nil {
		panic(err)
	}
	defer log.Close()

	id := audittest.IDNr(1)
	err = log.Append(ctx, audit.Record{
		MessageID:   uuid.New(),
		Time:        time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		Direction:   audit.Sent,
		Own:         audit.Body{Name: "Bürgeramt Musterstadt", ID: "BHKZ-01001000"},
		Counterpart: audit.Body{Name: "Bundesverwaltungsamt", ID: "BVA"},
		Purpose:     "Ummeldung",
		LegalBasis:  "§ 6 Abs. 2 IDNrG",
		Actor:       "clerk-17",
		IDNr:        id,
		Categories:  []audit.Category{audit.CatIDNr, audit.CatAddress},
		Result:      audit.Delivered,
	})
	if err != nil {
		panic(err)
	}

	page, err := log.Query(ctx,
		audit.Access{Who: "dsc-gateway", Purpose: audit.Datenschutzcockpit},
		audit.Query{IDNr: id, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	for _, r := range page.Records {
		fmt.Println(r.Time.Format(time.DateOnly), r.Counterpart.Name, r.Purpose, r.Categories, r.IDNr)
	}
	rep, err := log.Verify(ctx)
	fmt.Println("verified", rep.Records, err)
	// Output:
	// 2026-03-02 Bundesverwaltungsamt Ummeldung [idnr address] ********242
	// verified 1 <nil>
}
