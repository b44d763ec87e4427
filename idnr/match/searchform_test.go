package match_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/regmo/regmo/idnr/match"
)

var searchFormCases = []struct {
	name, in, want string
}{
	{"oe ligature", "Sœrensen", "SOERENSEN"},
	{"umlaut", "Sörensen", "SOERENSEN"},
	{"transliterated", "Soerensen", "SOERENSEN"},
	{"no diacritics differs", "Sorensen", "SORENSEN"},
	{"hyphen removed", "Karl-Heinz", "KARLHEINZ"},
	{"joined", "Karlheinz", "KARLHEINZ"},
	{"sharp s and space", "Lange Straße", "LANGESTRASSE"},
	{"capital sharp s", "GROẞ", "GROSS"},
	{"a ring", "Ångström", "AANGSTROEM"},
	{"o stroke", "Øre", "OERE"},
	{"l stroke", "Łódź", "LODZ"},
	{"thorn", "Þórr", "THORR"},
	{"apostrophe and digits", "O'Brien 3", "OBRIEN"},
	{"nobility", "Graf von Neuenwalde", "GRAFVONNEUENWALDE"},
	{"empty", "", ""},
	{"only separators", " - ' .", ""},
	{"cyrillic removed", "Иван", ""},
	{"sequence with diaeresis", "Ụ̈ber", "UEBER"},
	{"sequence C ogonek breve", "C̨̆a", "CA"},
	{"decomposed input", "Mu\u0308ller", "MUELLER"},
	{"decomposed sharp-s-free", "A\u030Angstro\u0308m", "AANGSTROEM"},
	{"angstrom sign (singleton)", "\u212Bngstr\u00F6m", "AANGSTROEM"},
	{"already search form", "MUELLER", "MUELLER"},
	{"lower ascii", "mueller", "MUELLER"},
}

func TestSearchForm(t *testing.T) {
	for _, tc := range searchFormCases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, match.SearchForm(tc.in))
			assert.Equal(t, tc.want, string(match.AppendSearchForm(nil, tc.in)))
			assert.Equal(t, "X"+tc.want, string(match.AppendSearchForm([]byte("X"), tc.in)))
		})
	}
}

// TestSearchFormBMeldDAV reproduces the examples of the BMeldDAV.
func TestSearchFormBMeldDAV(t *testing.T) {
	sf := match.SearchForm
	assert.Equal(t, sf("Sœrensen"), sf("Sörensen"))
	assert.Equal(t, sf("Sörensen"), sf("Soerensen"))
	assert.NotEqual(t, sf("Soerensen"), sf("Sorensen"))
	assert.Equal(t, sf("Karl-Heinz"), sf("Karlheinz"))
	assert.Equal(t, "LANGESTRASSE", sf("Lange Straße"))
}

// TestSearchFormTable checks every entry of DIN 91379 table 9, composed and
// (where it differs) decomposed.
func TestSearchFormTable(t *testing.T) {
	n := 0
	for from, to := range match.SearchFormTable() {
		n++
		require.Equal(t, to, match.SearchForm(from), "U+%04X", []rune(from))
		require.Equal(t, to, match.SearchForm(norm.NFD.String(from)), "NFD U+%04X", []rune(from))
		require.Equal(t, "A"+to+"Z", match.SearchForm("a"+from+"-z"), "in context U+%04X", []rune(from))
	}
	assert.Equal(t, 649, n)
}

func TestSearchFormAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		buf = match.AppendSearchForm(buf[:0], "Müller-Lüdenscheidt")
	})
	assert.Zero(t, allocs)
	allocs = testing.AllocsPerRun(100, func() {
		_ = match.SearchForm("MUELLER")
	})
	assert.Zero(t, allocs)
}

func checkSearchForm(t *testing.T, s string) {
	got := match.SearchForm(s)
	for i := 0; i < len(got); i++ {
		if got[i] < 'A' || got[i] > 'Z' {
			t.Fatalf("search form has byte %#x outside A-Z", got[i])
		}
	}
	if again := match.SearchForm(got); again != got {
		t.Fatalf("search form not idempotent")
	}
	if utf8.ValidString(s) {
		if nfc := match.SearchForm(norm.NFC.String(s)); nfc != got {
			t.Fatalf("search form differs for the NFC form of the input")
		}
	}
}

func FuzzSearchForm(f *testing.F) {
	for _, tc := range searchFormCases {
		f.Add(tc.in)
	}
	f.Add("\xff\xfe")
	f.Add("a\u0308\u0323")
	f.Fuzz(checkSearchForm)
}

var phoneticCases = []struct{ in, want string }{
	{"Müller-Lüdenscheidt", "65752682"},
	{"Meier", "67"},
	{"Mayr", "67"},
	{"Maier", "67"},
	{"Meyer", "67"},
	{"Wikipedia", "3412"},
	{"Breschnew", "17863"},
	{"Anna", "06"},
	{"Christoph", "47823"},
	{"Xaver", "4837"},
	{"Acht", "042"},
	{"", ""},
	{"---", ""},
}

func TestPhonetic(t *testing.T) {
	for _, tc := range phoneticCases {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, match.Phonetic(tc.in))
			assert.Equal(t, tc.want, string(match.AppendPhonetic(nil, match.SearchForm(tc.in))))
		})
	}
}

func TestPhoneticAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		buf = match.AppendPhonetic(buf[:0], "MUELLERLUEDENSCHEIDT")
	})
	assert.Zero(t, allocs)
}
