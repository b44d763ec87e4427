package registers_test

import (
	"strings"
	"testing"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var evidenceTexts = []struct {
	name, text, err string
}{
	{"empty", "", ""},
	{"one", `[{"fields":"family_name+birth_date","kind":"birth_certificate","reference":"G 1/1980","date":"1980-04-02","authority":"Standesamt"}]`, ""},
	{"register date form", `[{"fields":"death_date","kind":"death_certificate","reference":"S 1","date":"07052024","authority":"Standesamt"}]`, ""},
	{"other", `[{"fields":"address","kind":"other","kind_text":"Mietvertrag","reference":"M 1","date":"2020-01-01","authority":"Vermieter"}]`, ""},
	{"not json", `Geburtsurkunde G 1/1980`, "registers: evidence: not a JSON array of evidence objects"},
	{"unknown member", `[{"fields":"family_name","kind":"passport","idnr":"36574261809"}]`, "registers: evidence: not a JSON array of evidence objects"},
	{"unknown field", `[{"fields":"family_name+shoe_size","kind":"passport"}]`, "registers: evidence[0].fields: unknown field token"},
	{"unknown kind", `[{"fields":"family_name","kind":"Mueller"}]`, "registers: evidence[0].kind: unknown kind of document"},
	{"bad date", `[{"fields":"family_name","kind":"passport","date":"1980-13-40"}]`, "registers: evidence[0].date: not a date"},
	{"trailing", `[] []`, "registers: evidence: trailing data"},
	{"too long", "[" + strings.Repeat(" ", registers.MaxEvidenceText) + "]", "registers: evidence: longer than 16384 bytes"},
}

func TestParseEvidence(t *testing.T) {
	for _, tc := range evidenceTexts {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := registers.ParseEvidence(tc.text)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				var ee *registers.EvidenceError
				require.ErrorAs(t, err, &ee)
				return
			}
			require.NoError(t, err)
			again, err := registers.ParseEvidence(registers.FormatEvidence(ev))
			require.NoError(t, err)
			assert.Equal(t, ev, again)
		})
	}
	ev, err := registers.ParseEvidence(evidenceTexts[1].text)
	require.NoError(t, err)
	assert.Equal(t, []ida.Evidence{{Fields: idnr.FieldFamilyName | idnr.FieldBirthDate, Kind: ida.DocBirthCertificate,
		Reference: "G 1/1980", Date: idnr.MustDate(1980, 4, 2), Authority: "Standesamt"}}, ev)
}

// FuzzParseEvidence: any text parses or fails with an *EvidenceError that
// quotes nothing of it; what parses survives FormatEvidence.
func FuzzParseEvidence(f *testing.F) {
	for _, tc := range evidenceTexts {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ev, err := registers.ParseEvidence(text)
		if err != nil {
			var ee *registers.EvidenceError
			require.ErrorAs(t, err, &ee)
			require.NotContains(t, err.Error(), "36574261809")
			return
		}
		again, err := registers.ParseEvidence(registers.FormatEvidence(ev))
		require.NoError(t, err)
		require.Equal(t, len(ev), len(again))
		for i := range ev {
			require.Equal(t, ev[i].Fields, again[i].Fields)
			require.Equal(t, ev[i].Kind, again[i].Kind)
			require.Equal(t, ev[i].Date, again[i].Date)
		}
	})
}
