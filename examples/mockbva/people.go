package main

import (
	"encoding/pem"
	"errors"

	"github.com/regmo/regmo/idnr"
)

// dumpPerson is the NDJSON form of a synthetic person for -dump-people.
type dumpPerson struct {
	IDNr              string   `json:"idnr"`
	FamilyName        string   `json:"family_name"`
	FormerNames       []string `json:"former_names,omitempty"`
	GivenNames        string   `json:"given_names"`
	DoctoralDegree    string   `json:"doctoral_degree,omitempty"`
	BirthDate         string   `json:"birth_date"`
	BirthPlace        string   `json:"birth_place,omitempty"`
	Sex               string   `json:"sex,omitempty"`
	Nationalities     []string `json:"nationalities,omitempty"`
	Street            string   `json:"street,omitempty"`
	HouseNumber       string   `json:"house_number,omitempty"`
	PostalCode        string   `json:"postal_code,omitempty"`
	City              string   `json:"city,omitempty"`
	InformationBlocks []string `json:"information_blocks,omitempty"`
}

func person(p idnr.Person) dumpPerson {
	d := dumpPerson{
		IDNr: p.IDNr.String(), FamilyName: p.FamilyName, FormerNames: p.FormerNames, GivenNames: p.GivenNames,
		DoctoralDegree: p.DoctoralDegree, BirthDate: p.BirthDate.String(), BirthPlace: p.BirthPlace.City,
		Sex: p.Sex.String(), Nationalities: p.Nationalities, Street: p.Address.Street,
		HouseNumber: p.Address.HouseNumber, PostalCode: p.Address.PostalCode, City: p.Address.City,
	}
	for _, b := range p.InformationBlocks {
		d.InformationBlocks = append(d.InformationBlocks, b.String())
	}
	return d
}

func pemDecode(data []byte) ([]byte, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	return b.Bytes, nil
}
