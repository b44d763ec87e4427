package idnr_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
)

var nameVectors = []struct {
	name string
	in   string
	t    idnr.DataType
	bad  []rune // nil: valid
}{
	{"ascii", "Schmidt", idnr.DataTypeA, nil},
	{"umlauts", "Müller-Lüdenscheidt", idnr.DataTypeA, nil},
	{"sharp s", "Großkreutz", idnr.DataTypeA, nil},
	{"capital sharp s", "GROẞKREUTZ", idnr.DataTypeA, nil},
	{"turkish", "Yılmaz Şahin Çağlar Ğ", idnr.DataTypeA, nil},
	{"polish", "Łukasz Wałęsa Źdźbło", idnr.DataTypeA, nil},
	{"nordic", "Søren Åsa Þórsdóttir Ægir", idnr.DataTypeA, nil},
	{"vietnamese", "Nguyễn Thị Phương Trần Đặng", idnr.DataTypeA, nil},
	{"french ligature", "Sœrensen Cœur", idnr.DataTypeA, nil},
	{"nobility", "Graf von Neuenwalde", idnr.DataTypeA, nil},
	{"apostrophes", "O'Brien d’Alembert", idnr.DataTypeA, nil},
	{"N1 marks", "a`~¨´·ʹʺʾʿˈˌ’‡,.-", idnr.DataTypeA, nil},
	{"sequence stays sequence", "C\u0328\u0306aro", idnr.DataTypeA, nil},
	{"sequence with double macron", "K\u035Fhalid", idnr.DataTypeA, nil},
	{"sequence on non-ascii base", "\u1E32\u0304", idnr.DataTypeA, nil},
	{"decomposed umlaut is NFC-equivalent", "Mu\u0308ller", idnr.DataTypeA, nil},
	{"empty", "", idnr.DataTypeA, nil},
	{"digit in name", "Schmidt2", idnr.DataTypeA, []rune{'2'}},
	{"street with digits in B", "Straße des 17. Juni", idnr.DataTypeB, nil},
	{"street with digits in A", "Straße des 17. Juni", idnr.DataTypeA, []rune{'1', '7'}},
	{"house number", "12a/3 (Hinterhaus)", idnr.DataTypeB, nil},
	{"euro in B", "5 € & more", idnr.DataTypeB, nil},
	{"at sign", "a@b", idnr.DataTypeA, []rune{'@'}},
	{"cyrillic", "Иванов", idnr.DataTypeA, []rune{'И', 'в', 'а', 'н', 'о'}},
	{"cyrillic in B", "Иван", idnr.DataTypeB, []rune{'И', 'в', 'а', 'н'}},
	{"greek", "Παπα", idnr.DataTypeB, []rune{'Π', 'α', 'π'}},
	{"emoji", "Anna😀", idnr.DataTypeA, []rune{0x1F600}},
	{"tab", "Anna\tLena", idnr.DataTypeA, []rune{'\t'}},
	{"newline", "Anna\n", idnr.DataTypeB, []rune{'\n'}},
	{"no-break space", "Anna\u00a0Lena", idnr.DataTypeA, []rune{0xA0}},
	{"stray combining mark", "\u0301Anna", idnr.DataTypeA, []rune{0x301}},
	{"mark after non-letter", "Anna-\u0301", idnr.DataTypeA, []rune{0x301}},
	{"letter with unlisted mark", "X\u0327", idnr.DataTypeA, []rune{0x327}},
	{"unlisted double diacritic", "K\u0361h", idnr.DataTypeA, []rune{0x361}},
	{"hangul", "김", idnr.DataTypeB, []rune{'김'}},
	{"duplicates listed once", "a1b1c2", idnr.DataTypeA, []rune{'1', '2'}},
}

func TestCheckName(t *testing.T) {
	for _, tc := range nameVectors {
		t.Run(tc.name, func(t *testing.T) {
			err := idnr.CheckName(tc.in, tc.t)
			if tc.bad == nil {
				require.NoError(t, err)
				return
			}
			var fe *idnr.FieldError
			require.ErrorAs(t, err, &fe)
			assert.ErrorIs(t, err, idnr.ErrNameChars)
			assert.Equal(t, tc.bad, fe.CodePoints)
			assert.Empty(t, fe.Field)
			if len(tc.in) > 3 {
				assert.NotContains(t, err.Error(), tc.in)
			}
			assert.Contains(t, err.Error(), "U+")
			assert.Contains(t, err.Error(), "data type "+tc.t.String())
		})
	}
}

func TestCheckField(t *testing.T) {
	err := idnr.CheckField("Address.Street", "Hauptstraße 5", idnr.DataTypeA)
	var fe *idnr.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Address.Street", fe.Field)
	assert.Equal(t, "idnr: Address.Street: characters outside DIN 91379 data type A (U+0035)", err.Error())
	assert.NoError(t, idnr.CheckField("Address.Street", "Hauptstraße 5", idnr.DataTypeB))

	err = idnr.CheckField("FamilyName", "Mü\xffller", idnr.DataTypeA)
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, idnr.ErrNameUTF8)
	assert.Equal(t, "idnr: FamilyName: not valid UTF-8", err.Error())
}

func TestCheckNameCapsCodePoints(t *testing.T) {
	var b strings.Builder
	for r := rune(0x400); r < 0x400+100; r++ {
		b.WriteRune(r)
	}
	err := idnr.CheckName(b.String(), idnr.DataTypeA)
	fes := idnr.FieldErrors(err)
	require.Len(t, fes, 1)
	assert.Len(t, fes[0].CodePoints, 16)
}

// Every letter and sequence of DIN 91379 passes in NFC and in NFD.
func TestCheckNameAllLetters(t *testing.T) {
	letters := allDINLetters(t)
	require.Len(t, letters, 649)
	for _, l := range letters {
		assert.NoError(t, idnr.CheckName(l, idnr.DataTypeA), "%U", []rune(l))
		assert.NoError(t, idnr.CheckName("Ab"+l+"cd "+l, idnr.DataTypeB), "%U", []rune(l))
		assert.Equal(t, l, idnr.NormalizeName(l))
	}
}

func TestNormalizeName(t *testing.T) {
	assert.Equal(t, "Müller", idnr.NormalizeName("Mu\u0308ller"))
	assert.Equal(t, "Ångström", idnr.NormalizeName("A\u030Angstro\u0308m"))
	assert.Equal(t, "Schmidt", idnr.NormalizeName("Schmidt"))
	assert.Equal(t, " a  b ", idnr.NormalizeName(" a  b "), "nothing but NFC")
	s := "Müller"
	assert.Equal(t, s, idnr.NormalizeName(s))
	allocs := testing.AllocsPerRun(100, func() { _ = idnr.NormalizeName("Schmidt-Hoffmann") })
	assert.Zero(t, allocs)
	allocs = testing.AllocsPerRun(100, func() { _ = idnr.NormalizeName("Müller-Lüdenscheidt") })
	assert.Zero(t, allocs, "NFC input needs no copy")
	allocs = testing.AllocsPerRun(100, func() { _ = idnr.CheckName("Nguyễn Thị Phương", idnr.DataTypeA) })
	assert.Zero(t, allocs)
}

func TestPersonNormalize(t *testing.T) {
	shared := []string{"Mu\u0308ller", "Schmidt"}
	p := idnr.Person{FamilyName: "Scho\u0308n", FormerNames: shared, Address: idnr.Address{Street: "Hauptstrasse"}}
	q := p
	p.Normalize()
	assert.Equal(t, "Schön", p.FamilyName)
	assert.Equal(t, []string{"Müller", "Schmidt"}, p.FormerNames)
	assert.Equal(t, "Mu\u0308ller", q.FormerNames[0], "the copy's slice is untouched")
	assert.NoError(t, p.Validate())
	assert.ErrorIs(t, q.Validate(), idnr.ErrNotNFC)
}

func FuzzCheckName(f *testing.F) {
	for _, tc := range nameVectors {
		f.Add(tc.in, tc.t == idnr.DataTypeB)
	}
	f.Fuzz(func(t *testing.T, s string, b bool) {
		dt := idnr.DataTypeA
		if b {
			dt = idnr.DataTypeB
		}
		err := idnr.CheckName(s, dt)
		n := idnr.NormalizeName(s)
		if errN := idnr.CheckName(n, dt); (err == nil) != (errN == nil) {
			t.Fatalf("CheckName disagrees with CheckName(NormalizeName): %v / %v", err, errN)
		}
		if err == nil {
			if !utf8.ValidString(s) {
				t.Fatal("invalid UTF-8 passed")
			}
			if dt == idnr.DataTypeA && idnr.CheckName(s, idnr.DataTypeB) != nil {
				t.Fatal("A valid but B invalid")
			}
			return
		}
		var fe *idnr.FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("not a FieldError: %T", err)
		}
		if !errors.Is(err, idnr.ErrNameUTF8) && len(fe.CodePoints) == 0 {
			t.Fatal("no code points listed")
		}
		if len(s) >= 4 && strings.Contains(err.Error(), s) {
			t.Fatal("error contains the value")
		}
	})
}

func BenchmarkCheckNameASCII(b *testing.B) {
	s := "Schmidt-Hoffmann Ann" // 20 characters
	b.ReportAllocs()
	for b.Loop() {
		if idnr.CheckName(s, idnr.DataTypeA) != nil {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkCheckNameDiacritics(b *testing.B) {
	s := "Müller-Lüdenscheidtß" // 20 characters, 3 of them non-ASCII
	b.ReportAllocs()
	for b.Loop() {
		if idnr.CheckName(s, idnr.DataTypeA) != nil {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkCheckNameHeavy(b *testing.B) {
	s := "Nguyễn Thị Phương Łę" // 20 characters, 8 of them non-ASCII
	b.ReportAllocs()
	for b.Loop() {
		if idnr.CheckName(s, idnr.DataTypeA) != nil {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkNormalizeNameASCII(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = idnr.NormalizeName("Schmidt-Hoffmann Ann")
	}
}

func BenchmarkNormalizeNameNFC(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = idnr.NormalizeName("Müller-Lüdenscheidtß")
	}
}

func BenchmarkNormalizeNameNFD(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = idnr.NormalizeName("Mu\u0308ller-Lu\u0308denscheidtß")
	}
}
