package cockpit_test

import (
	"bytes"
	"context"
	"crypto/rand"
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

func ExampleService_Answer() {
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
		Result: audit.Delivered, Content: []byte(`{"family_name":"Mustermann"}`),
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
	// The cockpit's session with the citizen, and the content key of the
	// citizen's browser session that comes with each request.
	session := uuid.New()
	key := make([]byte, cockpit.ContentKeySize)
	_, _ = rand.Read(key)
	ask := cockpit.Request{Kind: cockpit.KindList, MessageID: uuid.New(), SessionID: session,
		IDNr: person, BirthDate: idnr.MustDate(1962, 3, 17), ContentKey: key}
	a := svc.Answer(ctx, ask)
	fmt.Println("wrong birth date:", a.Status.Code)

	// Stage 1: the list, sealed for the browser and opened there.
	ask.MessageID, ask.BirthDate = uuid.New(), idnr.MustDate(1961, 3, 17)
	list, err := roundTrip(svc.Answer(ctx, ask), key)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("window from", list.List.From.Format(time.DateOnly))
	for _, e := range list.List.Entries {
		fmt.Println(e.Time.Format(time.DateTime), e.DirectionText, e.Counterpart.Name)
		fmt.Println(" ", e.PurposeText, "/", e.LegalBasisText)
		for _, c := range e.Categories {
			fmt.Println("  -", c.Text)
		}
		fmt.Println(" ", e.ResultText)
	}

	// Stage 2: the citizen opens the entry.
	open := cockpit.Request{Kind: cockpit.KindContent, MessageID: uuid.New(), SessionID: session,
		IDNr: person, BirthDate: idnr.MustDate(1961, 3, 17), ContentKey: key, EntryID: list.List.Entries[0].ID}
	content, err := roundTrip(svc.Answer(ctx, open), key)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("content:", string(content.Content.Content))

	// The same entry ID in another session opens nothing.
	open.SessionID, open.MessageID = uuid.New(), uuid.New()
	fmt.Println("other session:", svc.Answer(ctx, open).Status.Code)
	// Output:
	// wrong birth date: lookup_mismatch
	// window from 2024-11-24
	// 2026-11-21 10:00:00 Übermittlung an Bundesverwaltungsamt
	//   Erstbefüllung des Melderegisters / § 6 Abs. 3 IDNrG
	//   - Familienname
	//   - Geburtsdatum
	//   Daten übermittelt
	// content: {"family_name":"Mustermann"}
	// other session: entry_unknown
}

// roundTrip seals an answer as the handler does and opens it as the
// browser does.
func roundTrip(a cockpit.Answer, key []byte) (cockpit.Answer, error) {
	c := cockpit.JSONCodec{}
	body, err := c.MarshalAnswer(&a)
	if err != nil {
		return cockpit.Answer{}, err
	}
	env := cockpit.Envelope{MessageID: a.MessageID, InReplyTo: a.InReplyTo}
	if err := cockpit.Seal(key, &env, body); err != nil {
		return cockpit.Answer{}, err
	}
	var wire bytes.Buffer
	if err := c.EncodeEnvelope(&wire, &env); err != nil {
		return cockpit.Answer{}, err
	}
	out, err := cockpit.ReadAnswer(c, &wire, key)
	if err == nil && out.Status != nil {
		err = errors.New(string(out.Status.Code))
	}
	return out, err
}
