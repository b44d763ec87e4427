package peoplefile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/regmo/regmo/idnr/idnrtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	people := idnrtest.New(3).Population(200)
	var b bytes.Buffer
	require.NoError(t, Write(&b, people))
	got, err := Read(&b)
	require.NoError(t, err)
	require.Len(t, got, len(people))
	for i := range people {
		assert.Equal(t, From(people[i]), From(got[i]))
	}
}

func TestReadRefuses(t *testing.T) {
	const ok = `{"idnr":"65929970489","family_name":"Muster","given_names":"Erika","birth_date":"1964-08-12"}`
	for name, c := range map[string]struct{ in, field string }{
		"idnr":    {`{"idnr":"12345","family_name":"Muster","birth_date":"1964-08-12"}`, "idnr"},
		"date":    {`{"idnr":"65929970489","family_name":"Muster","birth_date":"12.08.1964"}`, "birth_date"},
		"unknown": {`{"idnr":"65929970489","family_name":"Muster","birth_date":"1964-08-12","geheim":"Muster"}`, "geheim"},
		"type":    {`{"idnr":65929970489}`, "idnr"},
		"sex":     {`{"idnr":"65929970489","family_name":"Muster","birth_date":"1964-08-12","sex":"q"}`, "sex"},
		"twice":   {ok + "\n" + ok, "idnr"},
		"json":    {`{"idnr":`, ""},
	} {
		_, err := Read(strings.NewReader(c.in))
		var le *LineError
		require.ErrorAs(t, err, &le, name)
		assert.ErrorIs(t, err, ErrInvalid)
		assert.Equal(t, c.field, le.Field, name)
		assert.NotContains(t, err.Error(), "Muster", name)
		assert.NotContains(t, err.Error(), "1964", name)
	}
	_, err := Read(strings.NewReader("\n\n"))
	assert.Error(t, err)
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"idnr":"65929970489","family_name":"Muster","given_names":"Erika","birth_date":"1964-08-12"}`))
	f.Add([]byte("{}\n{\"idnr\":1}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		people, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, people); err != nil {
			t.Fatal(err)
		}
		again, err := Read(&out)
		if err != nil {
			t.Fatalf("written people do not read back: %v", err)
		}
		if len(again) != len(people) {
			t.Fatal("count differs")
		}
	})
}
