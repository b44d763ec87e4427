package sqlregister

import (
	"errors"
	"strings"
	"testing"

	"github.com/regmo/regmo/registers"
)

var (
	gemeindeLfd = keyCodec{{name: "gemeinde", col: `"gemeinde"`}, {name: "lfd_nr", col: `"lfd_nr"`, integer: true}}
	lfdGemeinde = keyCodec{{name: "lfd_nr", col: `"lfd_nr"`, integer: true}, {name: "gemeinde", col: `"gemeinde"`}}
	twoTexts    = keyCodec{{name: "a", col: `"a"`}, {name: "b", col: `"b"`}}
	oneInteger  = keyCodec{{name: "id", col: `"id"`, integer: true}}
	oneText     = keyCodec{{name: "ordnr", col: `"ordnr"`}}
)

// keyCases are the codec's table, also the fuzz seeds.
var keyCases = []struct {
	name  string
	kc    keyCodec
	key   string
	vals  []any // nil: malformed
	error string
}{
	{"gemeinde and number", gemeindeLfd, "09162000/4711", []any{"09162000", int64(4711)}, ""},
	{"negative number", gemeindeLfd, "09162000/-3", []any{"09162000", int64(-3)}, ""},
	{"empty text part", gemeindeLfd, "/1", []any{"", int64(1)}, ""},
	{"slash in text", gemeindeLfd, `A\/B/7`, []any{"A/B", int64(7)}, ""},
	{"backslash in text", gemeindeLfd, `C\\D/7`, []any{`C\D`, int64(7)}, ""},
	{"escape at the end of text", twoTexts, `x\\/y\/`, []any{`x\`, "y/"}, ""},
	{"both empty", twoTexts, "/", []any{"", ""}, ""},
	{"umlauts", twoTexts, "Köln/Straße", []any{"Köln", "Straße"}, ""},
	{"integer first", lfdGemeinde, "12/09162000", []any{int64(12), "09162000"}, ""},
	{"one integer column", oneInteger, "4711", []any{int64(4711)}, ""},
	{"one text column keeps slashes", oneText, `A/B\C`, []any{`A/B\C`}, ""},
	{"one text column empty", oneText, "", []any{""}, ""},

	{"too few parts", gemeindeLfd, "09162000", nil, "column gemeinde,lfd_nr"},
	{"too many parts", gemeindeLfd, "09162000/1/2", nil, "column gemeinde,lfd_nr"},
	{"empty key", gemeindeLfd, "", nil, "column gemeinde,lfd_nr"},
	{"not an integer", gemeindeLfd, "09162000/abc", nil, "column lfd_nr"},
	{"leading zero", gemeindeLfd, "09162000/04711", nil, "column lfd_nr"},
	{"plus sign", gemeindeLfd, "09162000/+1", nil, "column lfd_nr"},
	{"minus zero", gemeindeLfd, "09162000/-0", nil, "column lfd_nr"},
	{"too big", gemeindeLfd, "09162000/9223372036854775808", nil, "column lfd_nr"},
	{"escape in integer", gemeindeLfd, `09162000/1\/`, nil, "column lfd_nr"},
	{"dangling escape", gemeindeLfd, `0916\`, nil, "column gemeinde"},
	{"unknown escape", gemeindeLfd, `0916\n/1`, nil, "column gemeinde"},
	{"one integer column not integer", oneInteger, "4711a", nil, "column id"},
	{"one integer column empty", oneInteger, "", nil, "column id"},
}

func TestKeyCodec(t *testing.T) {
	for _, c := range keyCases {
		t.Run(c.name, func(t *testing.T) {
			vals, err := c.kc.decode(registers.Key(c.key))
			if c.vals == nil {
				var ke *KeyError
				if !errors.As(err, &ke) || !errors.Is(err, ErrKey) {
					t.Fatalf("decode(%q) = %v, %v; want a *KeyError", c.key, vals, err)
				}
				if !strings.Contains(err.Error(), c.error) {
					t.Fatalf("decode(%q): %v; want it to name %q", c.key, err, c.error)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode(%q): %v", c.key, err)
			}
			if len(vals) != len(c.vals) {
				t.Fatalf("decode(%q) = %#v, want %#v", c.key, vals, c.vals)
			}
			for i := range vals {
				if vals[i] != c.vals[i] {
					t.Fatalf("decode(%q) = %#v, want %#v", c.key, vals, c.vals)
				}
			}
			k, err := c.kc.encode(c.vals...)
			if err != nil || string(k) != c.key {
				t.Fatalf("encode(%#v) = %q, %v; want %q", c.vals, k, err, c.key)
			}
		})
	}
	// The database hands integer columns over as int64 or as text.
	if k, err := gemeindeLfd.encode("09162000", "4711"); err != nil || k != "09162000/4711" {
		t.Fatalf("encode with integer text = %q, %v", k, err)
	}
	if _, err := gemeindeLfd.encode("09162000", "x"); !errors.Is(err, ErrKey) {
		t.Fatalf("encode of a non-integer for lfd_nr: %v", err)
	}
	if _, err := gemeindeLfd.encode("09162000"); !errors.Is(err, ErrKey) {
		t.Fatalf("encode of one value for two columns: %v", err)
	}
}

// FuzzKeyDecode: decoding never panics; a key that decodes is the one
// text of its values (encode gives it back), and one that does not is a
// *KeyError naming a key column.
func FuzzKeyDecode(f *testing.F) {
	codecs := []keyCodec{gemeindeLfd, lfdGemeinde, twoTexts, oneInteger, oneText}
	for _, c := range keyCases {
		for i, kc := range codecs {
			if &kc[0] == &c.kc[0] {
				f.Add(uint8(i), c.key)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, key string) {
		kc := codecs[int(which)%len(codecs)]
		vals, err := kc.decode(registers.Key(key))
		if err != nil {
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Column == "" || ke.Reason == "" {
				t.Fatalf("decode(%q): %v is not a *KeyError naming a column", key, err)
			}
			return
		}
		if len(vals) != len(kc) {
			t.Fatalf("decode(%q) = %d values for %d columns", key, len(vals), len(kc))
		}
		for i, v := range vals {
			if _, isInt := v.(int64); isInt != kc[i].integer {
				t.Fatalf("decode(%q): value %d is %T", key, i, v)
			}
		}
		k, err := kc.encode(vals...)
		if err != nil || string(k) != key {
			t.Fatalf("encode(decode(%q)) = %q, %v", key, k, err)
		}
	})
}

// FuzzKeyEncode: every tuple of texts has a key that decodes to it.
func FuzzKeyEncode(f *testing.F) {
	f.Add("09162000", "A/B", int64(4711))
	f.Add(`\`, "/", int64(-1))
	f.Add("", "", int64(0))
	f.Fuzz(func(t *testing.T, a, b string, n int64) {
		for _, c := range []struct {
			kc   keyCodec
			vals []any
		}{{gemeindeLfd, []any{a, n}}, {lfdGemeinde, []any{n, b}}, {twoTexts, []any{a, b}}, {oneText, []any{a}}, {oneInteger, []any{n}}} {
			k, err := c.kc.encode(c.vals...)
			if err != nil {
				t.Fatalf("encode(%#v): %v", c.vals, err)
			}
			got, err := c.kc.decode(k)
			if err != nil {
				t.Fatalf("decode(encode(%#v)) = %q: %v", c.vals, k, err)
			}
			for i := range got {
				if got[i] != c.vals[i] {
					t.Fatalf("decode(encode(%#v)) = %#v", c.vals, got)
				}
			}
		}
	})
}
