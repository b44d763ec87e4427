package match_test

import (
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
)

var sinkString string

// BenchmarkSearchForm measures the search form of 10-letter German names:
// one plain ASCII, one with an umlaut.
func BenchmarkSearchForm(b *testing.B) {
	for _, name := range []string{"Schumacher", "Schröderin", "Müller-Lüdenscheidt"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = match.SearchForm(name)
			}
		})
	}
}

func BenchmarkAppendSearchForm(b *testing.B) {
	buf := make([]byte, 0, 64)
	for _, name := range []string{"Schumacher", "Schröderin"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf = match.AppendSearchForm(buf[:0], name)
			}
		})
	}
}

func BenchmarkPhonetic(b *testing.B) {
	b.Run("Phonetic", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkString = match.Phonetic("Müller-Lüdenscheidt")
		}
	})
	b.Run("AppendPhonetic", func(b *testing.B) {
		buf := make([]byte, 0, 32)
		b.ReportAllocs()
		for b.Loop() {
			buf = match.AppendPhonetic(buf[:0], "MUELLERLUEDENSCHEIDT")
		}
	})
}

// benchPair is a register record (dirty: transliterated, one given name,
// partial birth date, outdated address) and the BZSt's clean record.
func benchPair() (reg, cand idnr.Person) {
	cand = person()
	cand.FormerNames = []string{"Schäfer"}
	cand.FormerNameKinds = []idnr.NameKind{idnr.BirthName}
	reg = cand
	reg.IDNr = idnr.IDNr{}
	reg.FamilyName = "Mueller"
	reg.FormerNames = nil
	reg.GivenNames = "Hans-Georg"
	reg.Address.Street = "Hauptstr."
	return reg, cand
}

var sinkOutcome match.Outcome

func BenchmarkDecidePrepared(b *testing.B) {
	m := match.New()
	r, c := benchPair()
	reg := m.Prepare(r)
	cands := []match.Prepared{m.Prepare(c)}
	b.ReportAllocs()
	for b.Loop() {
		sinkOutcome = m.DecidePrepared(&reg, cands)
	}
	if sinkOutcome.Decision != match.Accept {
		b.Fatal(sinkOutcome.String())
	}
}

// BenchmarkDecidePreparedHitList compares one record with 1,000 prepared
// candidates (the Melde retrieval's cap).
func BenchmarkDecidePreparedHitList(b *testing.B) {
	m := match.New()
	r, c := benchPair()
	reg := m.Prepare(r)
	cands := make([]match.Prepared, 1000)
	for i := range cands {
		x := c
		x.BirthDate = idnr.MustDate(1900+i%100, 1+i%12, 1+i%28)
		cands[i] = m.Prepare(x)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkOutcome = m.DecidePrepared(&reg, cands)
	}
}

// BenchmarkDecide includes the preparation of both records.
func BenchmarkDecide(b *testing.B) {
	m := match.New()
	r, c := benchPair()
	cands := []idnr.Person{c}
	b.ReportAllocs()
	for b.Loop() {
		sinkOutcome = m.Decide(r, cands)
	}
	if sinkOutcome.Decision != match.Accept {
		b.Fatal(sinkOutcome.String())
	}
}

func BenchmarkPrepare(b *testing.B) {
	m := match.New()
	_, c := benchPair()
	var p match.Prepared
	b.ReportAllocs()
	for b.Loop() {
		p = m.Prepare(c)
	}
	_ = p
}
