package idnrtest

import (
	"encoding/json"

	"github.com/regmo/regmo/idnr"
)

// A Case is test data kept as JSON (idnr/match's evaluation set): its
// people are written in full, every field under its Go name, the IDNr as 11
// digits and dates as "YYYY-MM-DD", as encoding/json wrote a Person before
// idnr.Person, IDNr and Date marshalled masked. Unmarshalling needs no help:
// the fields read their full text.

// MarshalJSON implements json.Marshaler with the people in full.
func (c Case) MarshalJSON() ([]byte, error) {
	cands := make([]fullPerson, len(c.Candidates))
	for i := range c.Candidates {
		cands[i] = disclose(&c.Candidates[i])
	}
	return json.Marshal(struct {
		Kind       DefectKind   `json:"kind"`
		Register   fullPerson   `json:"register"`
		Candidates []fullPerson `json:"candidates"`
		Truth      int          `json:"truth"`
	}{c.Kind, disclose(&c.Register), cands, c.Truth})
}

// personFields has the fields of idnr.Person without its methods; the
// fields that marshal masked are shadowed in fullPerson by text forms.
type personFields idnr.Person

type fullPerson struct {
	personFields
	IDNr        fullText
	BirthDate   fullText
	DeathDate   fullText
	MoveInDate  fullText
	MoveOutDate fullText
}

// fullText marshals as the JSON string of its MarshalText.
type fullText struct {
	v interface{ MarshalText() ([]byte, error) }
}

func (f fullText) MarshalJSON() ([]byte, error) {
	b, err := f.v.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

func disclose(p *idnr.Person) fullPerson {
	return fullPerson{personFields: personFields(*p), IDNr: fullText{p.IDNr}, BirthDate: fullText{p.BirthDate},
		DeathDate: fullText{p.DeathDate}, MoveInDate: fullText{p.MoveInDate}, MoveOutDate: fullText{p.MoveOutDate}}
}
