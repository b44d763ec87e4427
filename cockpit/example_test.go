package cockpit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/audit/sqlite"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
)

func ExampleService_Lookup() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "cockpit-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(filepath.Join(dir, "audit.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	log, err := audit.New(ctx, store, audit.Options{Clock: clock, EphemeralKey: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer log.Close()

	person := idnr.MustParse("36574261809")
	err = log.Append(ctx, audit.Record{
		MessageID: uuid.New(), Time: now.Add(-72 * time.Hour), Direction: audit.Sent,
		Own:         audit.Body{Name: "Bürgeramt Musterstadt", ID: "mst"},
		Counterpart: audit.Body{Name: "BVA", ID: "bva"},
		Purpose:     "initial-fill", LegalBasis: "§ 6 Abs. 3 IDNrG", Actor: "backfill",
		IDNr: person, Categories: []audit.Category{audit.CatFamilyName, audit.CatBirthDate},
		Result: audit.Delivered,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The register's birth dates (here a map; a real register asks its
	// database): the cockpit answers only when the birth date it sends
	// fits the person's.
	births := map[idnr.IDNr]idnr.Date{person: idnr.MustDate(1961, 3, 17)}
	verify := func(_ context.Context, id idnr.IDNr, birth idnr.Date) error {
		if b, ok := births[id]; ok && !birth.IsZero() && b.Compatible(birth) {
			return nil
		}
		return cockpit.ErrLookupMismatch
	}
	svc, err := cockpit.New(log, cockpit.Config{Clock: clock, VerifyPerson: verify, Texts: cockpit.Texts{
		Purposes: map[string]string{"initial-fill": "Erstbefüllung des Melderegisters"},
		Bodies:   map[string]string{"bva": "Bundesverwaltungsamt"},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.Lookup(ctx, cockpit.Request{IDNr: person, BirthDate: idnr.MustDate(1962, 3, 17)})
	fmt.Println("wrong birth date:", errors.Is(err, cockpit.ErrLookupMismatch))
	resp, err := svc.Lookup(ctx, cockpit.Request{IDNr: person, BirthDate: idnr.MustDate(1961, 3, 17)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("window from", resp.From.Format(time.DateOnly))
	for _, e := range resp.Entries {
		fmt.Println(e.Time.Format(time.DateTime), e.DirectionText, e.Counterpart.Name)
		fmt.Println(" ", e.PurposeText, "/", e.LegalBasisText)
		for _, c := range e.Categories {
			fmt.Println("  -", c.Text)
		}
		fmt.Println(" ", e.ResultText)
	}
	// Output:
	// wrong birth date: true
	// window from 2024-11-24
	// 2026-11-21 10:00:00 Übermittlung an Bundesverwaltungsamt
	//   Erstbefüllung des Melderegisters / § 6 Abs. 3 IDNrG
	//   - Familienname
	//   - Geburtsdatum
	//   Daten übermittelt
}
