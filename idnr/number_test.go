package idnr_test

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/regmo/regmo/idnr"
)

// Vectors of ../shared/domain.md ("The IDNr").
var validNumbers = []string{"36574261809", "86095742719", "65929970489", "57549285017", "25768131411"}

var invalidNumbers = []struct {
	name string
	in   string
	err  error
}{
	{"check digit", "36574261890", idnr.ErrCheckDigit},
	{"two digits repeated", "36554266806", idnr.ErrRepetition},
	{"one digit four times", "11112345678", idnr.ErrRepetition},
	{"three in a row", "65299970480", idnr.ErrThreeInARow},
	{"nothing repeated", "12345678903", idnr.ErrRepetition},
	{"leading zero", "01234567896", idnr.ErrLeadingZero},
	{"empty", "", idnr.ErrEmpty},
	{"only separators", " - . ", idnr.ErrEmpty},
	{"ten digits", "3657426180", idnr.ErrLength},
	{"twelve digits", "365742618090", idnr.ErrLength},
	{"letter", "3657426180X", idnr.ErrNonDigit},
	{"comma", "365,742,618,09", idnr.ErrNonDigit},
	{"unicode digit", "３6574261809", idnr.ErrNonDigit},
	{"three in a row at the start", "11123456786", idnr.ErrThreeInARow},
}

// withCheckDigit completes ten digits with their check digit.
func withCheckDigit(t testing.TB, first10 string) string {
	t.Helper()
	c, err := idnr.CheckDigit(first10)
	require.NoError(t, err)
	return first10 + string('0'+c)
}

func TestParseValid(t *testing.T) {
	for _, s := range validNumbers {
		t.Run(s, func(t *testing.T) {
			id, err := idnr.Parse(s)
			require.NoError(t, err)
			assert.False(t, id.IsZero())
			assert.Equal(t, s, id.String())
			strict, err := idnr.ParseStrict(s)
			require.NoError(t, err)
			assert.Equal(t, id, strict)
			assert.NoError(t, idnr.Validate(s))
			assert.NoError(t, idnr.Validate(s, idnr.StdnumCompatible))
			assert.Equal(t, id, idnr.MustParse(s))
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range invalidNumbers {
		t.Run(tc.name, func(t *testing.T) {
			id, err := idnr.Parse(tc.in)
			require.ErrorIs(t, err, tc.err)
			assert.Equal(t, tc.err, err, "exactly this sentinel")
			assert.True(t, id.IsZero())
			if tc.in != "" && len(tc.in) > 3 {
				assert.NotContains(t, err.Error(), tc.in)
			}
		})
	}
}

// TestDomainVectorsReasons makes sure each invalid vector of domain.md fails
// only for the reason domain.md gives: fixing that one thing makes it valid
// or leaves it failing for the named rule alone.
func TestDomainVectorsReasons(t *testing.T) {
	// Check digit: the first ten digits are fine, the right check digit passes.
	_, err := idnr.Parse(withCheckDigit(t, "3657426189"))
	require.NoError(t, err)
	// Three in a row: python-stdnum (no adjacency rule) accepts the first ten
	// digits; only the check digit of the vector is then also wrong or right.
	_, err = idnr.Parse(withCheckDigit(t, "6529997048"), idnr.StdnumCompatible)
	require.NoError(t, err)
	_, err = idnr.Parse("65299970480", idnr.StdnumCompatible)
	assert.NoError(t, err, "python-stdnum accepts the three-in-a-row vector")
	// Every invalid vector but the first carries the right check digit, so
	// it fails for the named rule alone.
	for _, s := range []string{"36554266806", "11112345678", "65299970480", "12345678903", "01234567896"} {
		c, err := idnr.CheckDigit(s[:10])
		require.NoError(t, err)
		assert.Equal(t, s[10]-'0', c, s)
	}
	// The repetition vectors fail whatever the check digit is.
	for _, first10 := range []string{"3655426680", "1111234567", "1234567890"} {
		_, err := idnr.Parse(withCheckDigit(t, first10), idnr.StdnumCompatible)
		assert.ErrorIs(t, err, idnr.ErrRepetition, first10)
	}
	// Leading zero: 01234567896 has nothing repeated, so it would also fail
	// the repetition rule; the leading-zero error comes first.
	_, err = idnr.Parse("01234567896", idnr.AllowLeadingZero)
	assert.ErrorIs(t, err, idnr.ErrRepetition)
}

func TestParseSeparators(t *testing.T) {
	for _, s := range []string{
		"36574261809",
		"36 574 261 809",
		"36.574.261.809",
		"36-574-261-809",
		"365/742/618/09",
		" 36574261809 ",
		"\t36 574\t261 809",
		"36\u00a0574\u00a0261\u00a0809",
		"3 6 5 7 4 2 6 1 8 0 9",
	} {
		id, err := idnr.Parse(s)
		require.NoError(t, err, "%q", s)
		assert.Equal(t, "36574261809", id.String())
		if s != "36574261809" {
			_, err := idnr.ParseStrict(s)
			assert.Error(t, err, "ParseStrict must reject %q", s)
		}
	}
	_, err := idnr.Parse("36574261809\u00a0\u00a1")
	assert.ErrorIs(t, err, idnr.ErrNonDigit)
	_, err = idnr.Parse("36574261809\xc2")
	assert.ErrorIs(t, err, idnr.ErrNonDigit)
}

func TestOptions(t *testing.T) {
	lead := withCheckDigit(t, "0123456788") // 8 twice, leading zero
	_, err := idnr.Parse(lead)
	assert.ErrorIs(t, err, idnr.ErrLeadingZero)
	id, err := idnr.Parse(lead, idnr.AllowLeadingZero)
	require.NoError(t, err)
	assert.Equal(t, lead, id.String())
	assert.NoError(t, idnr.Validate(lead, idnr.AllowLeadingZero))
	assert.ErrorIs(t, idnr.Validate(lead), idnr.ErrLeadingZero)

	row := withCheckDigit(t, "6529997048")
	_, err = idnr.Parse(row)
	assert.ErrorIs(t, err, idnr.ErrThreeInARow)
	_, err = idnr.Parse(row, idnr.StdnumCompatible)
	assert.NoError(t, err)
	_, err = idnr.ParseStrict(row, idnr.StdnumCompatible|idnr.AllowLeadingZero)
	assert.NoError(t, err)

	// Three times but not in a row is valid by default.
	assert.NoError(t, idnr.Validate("65929970489"))
	// Strict parsing: UnmarshalText uses the default rules.
	var x idnr.IDNr
	assert.ErrorIs(t, x.UnmarshalText([]byte(lead)), idnr.ErrLeadingZero)
}

func TestParseStrictErrors(t *testing.T) {
	for in, want := range map[string]error{
		"":             idnr.ErrEmpty,
		"3657426180":   idnr.ErrLength,
		"365742618090": idnr.ErrLength,
		"36 574261809": idnr.ErrNonDigit,
		"3657426180a":  idnr.ErrNonDigit,
		"36574261890":  idnr.ErrCheckDigit,
	} {
		_, err := idnr.ParseStrict(in)
		assert.ErrorIs(t, err, want, "%q", in)
	}
}

func TestCheckDigit(t *testing.T) {
	for _, s := range validNumbers {
		c, err := idnr.CheckDigit(s[:10])
		require.NoError(t, err)
		assert.Equal(t, s[10]-'0', c)
	}
	_, err := idnr.CheckDigit("123")
	assert.ErrorIs(t, err, idnr.ErrLength)
	_, err = idnr.CheckDigit("123456789x")
	assert.ErrorIs(t, err, idnr.ErrNonDigit)
}

func TestMustParsePanicsWithoutNumber(t *testing.T) {
	defer func() {
		r := recover()
		require.NotNil(t, r)
		assert.NotContains(t, fmt.Sprint(r), "36574261890")
	}()
	idnr.MustParse("36574261890")
}

func TestForms(t *testing.T) {
	id := idnr.MustParse("36574261809")
	assert.Equal(t, "36574261809", id.String())
	assert.Equal(t, "36 574 261 809", id.Grouped())
	assert.Equal(t, "********809", id.Masked())
	var zero idnr.IDNr
	assert.True(t, zero.IsZero())
	assert.Equal(t, "", zero.String())
	assert.Equal(t, "", zero.Grouped())
	assert.Equal(t, "<none>", zero.Masked())
	back, err := idnr.Parse(id.Grouped())
	require.NoError(t, err)
	assert.Equal(t, id, back)
}

type holder struct {
	ID      idnr.IDNr
	Birth   idnr.Date
	private idnr.IDNr
}

func TestMaskedEverywhere(t *testing.T) {
	for _, s := range validNumbers {
		id := idnr.MustParse(s)
		h := holder{ID: id, private: id}
		var outs []string
		for _, f := range []string{"%v", "%s", "%d", "%q", "%#v", "%+v", "%x", "%X", "%o", "%20v", "%-20s", "%T %v"} {
			outs = append(outs, fmt.Sprintf(f, id), fmt.Sprintf(f, &id), fmt.Sprintf(f, h), fmt.Sprintf(f, &h))
		}
		outs = append(outs, fmt.Sprint(id), fmt.Sprintln(id, h), fmt.Sprint([]idnr.IDNr{id}), fmt.Sprint(map[idnr.IDNr]int{id: 1}))
		outs = append(outs, fmt.Errorf("lookup %v: %w", id, idnr.ErrCheckDigit).Error())

		for _, handler := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		} {
			var buf bytes.Buffer
			log := slog.New(handler(&buf))
			log.Info("msg", "id", id, "ptr", &id, "any", any(id), slog.Any("attr", id))
			log.Info("person", "p", idnr.Person{IDNr: id, FamilyName: "Müller"}, "pp", &idnr.Person{IDNr: id})
			log.With("id", id).WithGroup("g").Info("grouped", "id", id)
			outs = append(outs, buf.String())
		}
		for _, out := range outs {
			assert.NotContains(t, out, s, "full digits leaked: %s", out)
			assert.NotContains(t, out, id.Grouped())
		}
		assert.Contains(t, fmt.Sprintf("%v", id), "********"+s[8:])
		assert.Equal(t, `"`+id.Masked()+`"`, fmt.Sprintf("%q", id))
	}
}

func TestPersonNeverPrintsData(t *testing.T) {
	p := idnr.Person{
		IDNr: idnr.MustParse("36574261809"), FamilyName: "Schönberger", GivenNames: "Karl-Heinz",
		BirthDate: idnr.MustDate(1961, 3, 17), FormerNames: []string{"Oberländer"},
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "p", p)
	for _, out := range []string{fmt.Sprintf("%v", p), fmt.Sprintf("%+v", &p), fmt.Sprintf("%#v", p), buf.String()} {
		for _, secret := range []string{"36574261809", "Schönberger", "Karl", "Oberländer", "1961", "17031961"} {
			assert.NotContains(t, out, secret)
		}
	}
}

type doc struct {
	XMLName xml.Name  `xml:"doc" json:"-"`
	ID      idnr.IDNr `json:"id" xml:"id"`
	Other   idnr.IDNr `json:"other" xml:"other"`
	Birth   idnr.Date `json:"birth" xml:"birth"`
	Death   idnr.Date `json:"death" xml:"death,attr"`
	Sex     idnr.Sex  `json:"sex" xml:"sex"`
	Kind    idnr.NameKind
	Block   idnr.InformationBlock
	Contact idnr.MonthYear
}

func TestJSONAndXMLRoundTrip(t *testing.T) {
	in := doc{
		ID: idnr.MustParse("86095742719"), Birth: idnr.MustDate(1980, 5, 0), Death: idnr.MustDate(2020, 0, 0),
		Sex: idnr.Female, Kind: idnr.BirthName, Block: idnr.BlockRisk, Contact: idnr.MonthYear{Year: 2025, Month: 11},
	}
	// JSON prints the IDNr and the dates masked (slog's JSON handler and
	// any other accidental print); it reads the full text, so a wire
	// format writes it explicitly (MarshalText, String) and reads it back.
	j, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"********719","other":"","birth":"****-**-00","death":"****-00-00","sex":"w","Kind":"birth","Block":"bmg51","Contact":"2025-11"}`, string(j))
	var masked doc
	assert.Error(t, json.Unmarshal(j, &masked), "the masked form does not read back")
	full := `{"id":"86095742719","other":"","birth":"1980-05-00","death":"2020-00-00","sex":"w","Kind":"birth","Block":"bmg51","Contact":"2025-11"}`
	var outJ doc
	require.NoError(t, json.Unmarshal([]byte(full), &outJ))
	assert.Equal(t, in, outJ)

	x, err := xml.Marshal(in)
	require.NoError(t, err)
	assert.Contains(t, string(x), "<id>86095742719</id>")
	assert.Contains(t, string(x), `death="2020-00-00"`)
	var outX doc
	require.NoError(t, xml.Unmarshal(x, &outX))
	outX.XMLName = xml.Name{}
	assert.Equal(t, in, outX)

	var bad doc
	err = json.Unmarshal([]byte(`{"id":"36574261890"}`), &bad)
	assert.ErrorIs(t, err, idnr.ErrCheckDigit)
	assert.NotContains(t, err.Error(), "36574261890")
	assert.Error(t, json.Unmarshal([]byte(`{"id":"36 574 261 809"}`), &bad), "JSON is strict")
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"birth":"1981-02-29"}`), &bad), idnr.ErrDateDay)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"sex":"f"}`), &bad), idnr.ErrSex)
}

func TestSQL(t *testing.T) {
	id := idnr.MustParse("57549285017")
	var _ sql.Scanner = &id
	var _ driver.Valuer = id
	v, err := id.Value()
	require.NoError(t, err)
	assert.Equal(t, "57549285017", v)
	v, err = idnr.IDNr{}.Value()
	require.NoError(t, err)
	assert.Nil(t, v)

	for _, src := range []any{"57549285017", []byte("57549285017"), int64(57549285017)} {
		var got idnr.IDNr
		require.NoError(t, got.Scan(src), "%T", src)
		assert.Equal(t, id, got)
	}
	var got idnr.IDNr = id
	require.NoError(t, got.Scan(nil))
	assert.True(t, got.IsZero())
	for _, src := range []any{"57549285018", int64(-1), int64(0), int64(123), 3.5, int64(1234567890123)} {
		assert.Error(t, got.Scan(src), "%v", src)
	}
	// A leading-zero test number stored as an integer loses its zero and is rejected.
	assert.Error(t, got.Scan(int64(1234567896)))
}

func FuzzParse(f *testing.F) {
	for _, s := range validNumbers {
		f.Add(s)
		f.Add(idnr.MustParse(s).Grouped())
	}
	for _, tc := range invalidNumbers {
		f.Add(tc.in)
	}
	f.Add("36\u00a0574.261-809")
	f.Fuzz(func(t *testing.T, s string) {
		for _, opts := range [][]idnr.Option{nil, {idnr.AllowLeadingZero}, {idnr.StdnumCompatible}, {idnr.AllowLeadingZero | idnr.StdnumCompatible}} {
			x, err := idnr.Parse(s, opts...)
			if err != nil {
				if !x.IsZero() {
					t.Fatal("error with a non-zero IDNr")
				}
				if len(s) >= 11 && strings.Contains(err.Error(), s) {
					t.Fatal("error contains the input")
				}
				continue
			}
			if x.IsZero() {
				t.Fatal("no error but zero IDNr")
			}
			y, err := idnr.Parse(x.String(), opts...)
			if err != nil || y != x {
				t.Fatalf("Parse(String()) = %v, %v", y, err)
			}
			z, err := idnr.ParseStrict(x.String(), opts...)
			if err != nil || z != x {
				t.Fatalf("ParseStrict(String()) = %v, %v", z, err)
			}
			g, err := idnr.Parse(x.Grouped(), opts...)
			if err != nil || g != x {
				t.Fatalf("Parse(Grouped()) = %v, %v", g, err)
			}
			if strings.Contains(fmt.Sprintf("%v %s %d %#v", x, x, x, x), x.String()) {
				t.Fatal("fmt leaks the number")
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = idnr.Parse("36574261809")
	}
}

func BenchmarkParseGrouped(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = idnr.Parse("36 574 261 809")
	}
}

func BenchmarkParseStrict(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = idnr.ParseStrict("36574261809")
	}
}

func BenchmarkString(b *testing.B) {
	id := idnr.MustParse("36574261809")
	b.ReportAllocs()
	for b.Loop() {
		_ = id.String()
	}
}
