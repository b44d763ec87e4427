package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// fillDemo writes a few transfers for three synthetic people, spread over
// the last thirty months (so some lie outside the two-year window).
func fillDemo(ctx context.Context, l *audit.Log, now time.Time) (int, error) {
	own := audit.Body{Name: "Bürgeramt Musterstadt (Meldebehörde)", ID: "demo:meldebehoerde-musterstadt"}
	bva := audit.Body{Name: "Bundesverwaltungsamt (Registermodernisierungsbehörde)", ID: "demo:bva"}
	people := []struct {
		id           string
		family, born string
	}{
		{"36574261809", "Musterfrau", "1980-05-17"},
		{"86095742719", "Schönhuber-Alpenglück", "1975-11-02"},
		{"65929970489", "Graf von Neuenwalde", "1990-00-00"},
	}
	cats := []audit.Category{audit.CatIDNr, audit.CatFamilyName, audit.CatGivenNames, audit.CatBirthDate, audit.CatAddress}
	var recs []audit.Record
	for i, p := range people {
		id := idnr.MustParse(p.id)
		content, _ := json.Marshal(map[string]string{"idnr": p.id, "family_name": p.family, "birth_date": p.born})
		for k, age := range []time.Duration{30 * 24 * time.Hour * 30, 20 * 24 * time.Hour * 30, 200 * 24 * time.Hour, 3 * 24 * time.Hour} {
			t := now.Add(-age - time.Duration(i)*time.Hour).UTC()
			reqID := uuid.New()
			recs = append(recs,
				audit.Record{MessageID: reqID, Time: t, Direction: audit.Sent, Own: own, Counterpart: bva,
					Purpose: []string{"Erstbefüllung", "Datenpflege"}[min(k, 1)], LegalBasis: "§ 6 Abs. 3 IDNrG", Actor: "regmo-backfill",
					IDNr: id, Categories: []audit.Category{audit.CatIDNr, audit.CatBirthDate}, Result: audit.Delivered},
				audit.Record{MessageID: uuid.New(), RequestID: reqID, Time: t.Add(180 * time.Millisecond), Direction: audit.Received,
					Own: own, Counterpart: bva, Purpose: []string{"Erstbefüllung", "Datenpflege"}[min(k, 1)],
					LegalBasis: "§ 6 Abs. 3 IDNrG", Actor: "regmo-backfill", IDNr: id, Categories: cats, Content: content,
					Result: audit.Delivered})
		}
	}
	if err := l.Append(ctx, recs...); err != nil {
		return 0, err
	}
	return len(recs), nil
}
