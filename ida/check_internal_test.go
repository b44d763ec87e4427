package ida

import (
	"strings"
	"testing"
	"time"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

func TestNameKey(t *testing.T) {
	same := [][]string{
		{"Müller", "Mueller", "MULLER", "müller", "Mu\u0308ller"},
		{"Sørensen", "Soerensen", "Sorensen", "Sœrensen"},
		{"Straße", "Strasse"},
		{"Łukasz", "Lukasz"},
		{"Karl-Heinz", "Karl Heinz", "KarlHeinz"},
		{"Öztürk", "Oeztuerk", "Ozturk"},
		{"Þórsdóttir", "Thorsdottir"},
	}
	for _, g := range same {
		for _, s := range g[1:] {
			if nameKey(g[0]) != nameKey(s) {
				t.Errorf("nameKey(%q) = %q, nameKey(%q) = %q; want equal", g[0], nameKey(g[0]), s, nameKey(s))
			}
		}
	}
	differ := [][2]string{{"Müller", "Schmidt"}, {"Meier", "Maier"}, {"Weber", "Webers"}, {"", "A"}}
	for _, d := range differ {
		if nameKey(d[0]) == nameKey(d[1]) {
			t.Errorf("nameKey(%q) == nameKey(%q) = %q", d[0], d[1], nameKey(d[0]))
		}
	}
}

func TestSafeCode(t *testing.T) {
	for code, want := range map[string]string{
		"not-entitled":                 "not-entitled",
		"E123":                         "E123",
		"schema.violation:field_1":     "schema.violation:field_1",
		"":                             maskedCode,
		"person-36574261809":           maskedCode,
		"1980-03-15":                   maskedCode,
		"Anna Müller":                  maskedCode,
		"x\u202e":                      maskedCode,
		strings.Repeat("a", maxCode+1): maskedCode,
	} {
		if got := safeCode(code); got != want {
			t.Errorf("safeCode(%q) = %q, want %q", code, got, want)
		}
	}
}

// A code that has the form of one but is not listed (a double family name
// does) is not passed on; listed codes and the caller's own are.
func TestClientCode(t *testing.T) {
	c := &Client{codes: codeSet([]string{"E471", "Anna Müller"})}
	for code, want := range map[string]string{
		"not-entitled":       "not-entitled",
		"E471":               "E471",
		"mueller-schmidt":    unlistedCode,
		"Mustermann":         unlistedCode,
		"Anna Müller":        maskedCode,
		"person-36574261809": maskedCode,
	} {
		if got := c.code(code); got != want {
			t.Errorf("code(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		v  string
		d  time.Duration
		ok bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"5", 5 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"-5", 0, false},
		{"+5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"86401", RetryAfterCap, true},
		{"99999999999999999999", RetryAfterCap, true},
		{now.Add(3 * time.Second).Format("Mon, 02 Jan 2006 15:04:05 GMT"), 3 * time.Second, true},
		{now.Add(-time.Hour).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"), 0, true},
		{now.Add(1000 * time.Hour).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"), RetryAfterCap, true},
	}
	for _, c := range cases {
		d, ok := parseRetryAfter(c.v, now)
		if d != c.d || ok != c.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", c.v, d, ok, c.d, c.ok)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "5", "-5", "99999999999999999999", "Fri, 02 Jan 2026 03:04:08 GMT", "1e9"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > RetryAfterCap {
			t.Fatalf("parseRetryAfter(%q) = %v out of [0, cap]", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v without ok", v, d)
		}
	})
}

// FuzzScreen checks the guards for server text: a safe code and a
// scrubbed detail never hold an IDNr, and a refusal never quotes the value.
func FuzzScreen(f *testing.F) {
	for _, s := range []string{"not-entitled", "36574261809", "Müller 1980-03-15", "a\x1b[2J\u202e", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c := safeCode(s); audit.ContainsIDNr(c) {
			t.Fatalf("safeCode(%q) = %q holds an IDNr", s, c)
		}
		if d := scrubDetail("x " + s); audit.ContainsIDNr(d) {
			t.Fatalf("scrubDetail kept an IDNr: %q", d)
		}
		name := "Qx" + s + "Zq" // a quoted value would show its markers
		p := idnr.Person{FamilyName: name, GivenNames: "Anna", BirthDate: idnr.MustDate(1980, 3, 15)}
		it := &Item{Outcome: Hit, Person: p, Fields: idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldGivenNames | idnr.FieldBirthDate}
		req := &Request{Kind: KindSearch, Fields: idnr.AllFields, Searches: []Search{{FamilyName: "Müller", BirthDate: p.BirthDate}}}
		if err := vetHit(req, it, 0); err != nil && strings.Contains(err.Error(), name) {
			t.Fatalf("refusal quotes the value: %v", err)
		}
	})
}
