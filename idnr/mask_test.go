package idnr_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secrets of the values below that no log line may show.
var maskSecrets = []string{"36574261809", "86095742719", "Schönberger", "Karl", "Oberländer", "1961", "17031961", "03-17", "Hauptstr"}

type nestHolder struct {
	ID     idnr.IDNr
	P      idnr.Person
	Born   idnr.Date
	PP     *idnr.Person
	IDs    []idnr.IDNr
	ByName map[string]idnr.IDNr
	hidden idnr.IDNr
}

func maskPeople() (idnr.IDNr, idnr.IDNr, idnr.Person) {
	a, b := idnr.MustParse("36574261809"), idnr.MustParse("86095742719")
	p := idnr.Person{IDNr: a, FamilyName: "Schönberger", GivenNames: "Karl", BirthDate: idnr.MustDate(1961, 3, 17),
		FormerNames: []string{"Oberländer"}, Address: idnr.Address{Street: "Hauptstr", City: "Musterstadt"}}
	return a, b, p
}

// TestSlogMasksNested: slog's handlers print IDNrs, dates and people held
// in slices, maps, structs and pointers masked, not only direct values.
func TestSlogMasksNested(t *testing.T) {
	a, b, p := maskPeople()
	born := p.BirthDate
	values := map[string]any{
		"slice":      []idnr.IDNr{a, b},
		"array":      [2]idnr.IDNr{a, b},
		"ptr":        &a,
		"map":        map[string]idnr.IDNr{"x": a},
		"struct":     nestHolder{ID: a, P: p, Born: born, PP: &p, IDs: []idnr.IDNr{b}, ByName: map[string]idnr.IDNr{"y": b}, hidden: a},
		"structptr":  &nestHolder{ID: b, P: p},
		"people":     []idnr.Person{p},
		"personptr":  &p,
		"dates":      []idnr.Date{born},
		"anonstruct": struct{ ID idnr.IDNr }{a},
		"anyslice":   []any{a, p, born},
	}
	for name, v := range values {
		for _, h := range []string{"text", "json"} {
			t.Run(name+"/"+h, func(t *testing.T) {
				var buf bytes.Buffer
				var lg *slog.Logger
				if h == "text" {
					lg = slog.New(slog.NewTextHandler(&buf, nil))
				} else {
					lg = slog.New(slog.NewJSONHandler(&buf, nil))
				}
				lg.Info("msg", "v", v)
				out := buf.String()
				for _, s := range maskSecrets {
					assert.NotContains(t, out, s)
				}
				want := "809" // the masked form keeps the last three digits
				if name == "dates" {
					want = "****-**-**"
				}
				assert.Contains(t, out, want, out)
			})
		}
	}
}

// TestMaskAttrMasksMapKeys: map keys go through MarshalText in
// encoding/json, which must keep the full number for the wire; the
// handler option [idnr.MaskAttr] masks them too.
func TestMaskAttrMasksMapKeys(t *testing.T) {
	a, _, p := maskPeople()
	for _, h := range []string{"text", "json"} {
		var buf bytes.Buffer
		opts := &slog.HandlerOptions{ReplaceAttr: idnr.MaskAttr}
		var lg *slog.Logger
		if h == "text" {
			lg = slog.New(slog.NewTextHandler(&buf, opts))
		} else {
			lg = slog.New(slog.NewJSONHandler(&buf, opts))
		}
		lg.Info("msg", "byid", map[idnr.IDNr]idnr.Person{a: p}, "n", 3, slog.Group("g", "ids", []idnr.IDNr{a}))
		out := buf.String()
		for _, s := range maskSecrets {
			assert.NotContains(t, out, s, h)
		}
		assert.Contains(t, out, "********809", h)
		assert.Contains(t, out, "n=3"[:1], h)
	}
}

// TestMaskedLogValue: idnr.Masked wraps any value for slog.
func TestMaskedLogValue(t *testing.T) {
	a, b, p := maskPeople()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", idnr.Masked(map[idnr.IDNr][]idnr.Person{a: {p}, b: nil}))
	var got map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	v := got["v"].(map[string]any)
	assert.Contains(t, v, "********809")
	assert.Contains(t, v, "********719")
	for _, s := range maskSecrets {
		assert.False(t, strings.Contains(buf.String(), s), s)
	}
}

// TestJSONMasked: encoding/json prints the personal-data types masked;
// the full text is there only through MarshalText (and String).
func TestJSONMasked(t *testing.T) {
	a, _, p := maskPeople()
	j, err := json.Marshal(struct {
		ID   idnr.IDNr
		Zero idnr.IDNr
		P    idnr.Person
		D    idnr.Date
	}{a, idnr.IDNr{}, p, p.BirthDate})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ID":"********809","Zero":"","P":{"idnr":"********809","birth":"****-**-**","given_names":1,"former_names":1,"address":true},"D":"****-**-**"}`, string(j))
	txt, err := a.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "36574261809", string(txt))
}
