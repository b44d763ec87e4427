package registers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A small dirty register: every way a record can fail to form a search,
// values that do not parse, and the register's own invalid and doubly held
// IDNrs, counted with their keys and never their values.
func TestPreflightDirtyRegister(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reg.db")
	r, db := openSQLiteRegister(t, path)
	bd, err := idnr.ParseDate("1980-05-17")
	require.NoError(t, err)
	res := idnr.Address{City: "Köln", PostalCode: "50667"}
	id := idnr.MustParse("65929970489")
	entries := []registers.Entry{
		{Key: "1", Person: idnr.Person{FamilyName: "Muster", GivenNames: "Anna", BirthDate: bd, Address: res}},                                              // primary + fallback
		{Key: "2", Person: idnr.Person{FamilyName: "Muster", BirthDate: bd, Address: res}},                                                                  // primary only
		{Key: "3", Person: idnr.Person{FamilyName: "Muster", GivenNames: "Berta", BirthDate: bd}},                                                           // fallback only
		{Key: "4", Person: idnr.Person{GivenNames: "Carla", BirthDate: bd, Address: res}},                                                                   // no family name
		{Key: "5", Person: idnr.Person{FamilyName: "Muster", GivenNames: "Dora", Address: res}},                                                             // no birth date
		{Key: "6", Person: idnr.Person{FamilyName: "Muster", BirthDate: bd}},                                                                                // no residence, no given names
		{Key: "7", Person: idnr.Person{FamilyName: "Muster", GivenNames: "Emma", BirthDate: bd, Address: res}},                                              // birth date made unreadable below
		{Key: "8", Person: idnr.Person{FamilyName: "Muster", GivenNames: "Frieda", BirthDate: bd, Address: idnr.Address{City: "Köln", PostalCode: "5066"}}}, // bad postcode: fallback
		{Key: "9", Person: idnr.Person{FamilyName: "Must3r", GivenNames: "Gerda", BirthDate: bd, Address: res}},                                             // family name charset
		{Key: "10", Person: idnr.Person{FamilyName: "Muster", GivenNames: "Hanna", BirthDate: bd, Address: res}},                                            // IDNr invalid (below)
		{Key: "11", Person: idnr.Person{IDNr: id, FamilyName: "Muster", GivenNames: "Ida", BirthDate: bd, Address: res}},
		{Key: "12", Person: idnr.Person{IDNr: id, FamilyName: "Muster", GivenNames: "Jana", BirthDate: bd, Address: res}}, // same IDNr: duplicate
	}
	insertAll(t, r, entries)
	_, err = db.ExecContext(ctx, `UPDATE people SET birth_date = '31.02.1980' WHERE id = 7`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE people SET idnr = '12345' WHERE id = 10`)
	require.NoError(t, err)
	// Reopen: the check of the register's own IDNrs runs on open.
	r, err = sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true,
		Columns: sqlregister.DefaultColumns(), Write: sqlregister.DefaultColumns().Mapped()})
	require.NoError(t, err)

	rep, err := registers.Preflight(ctx, r, registers.PreflightOptions{BatchSize: 3})
	require.NoError(t, err)
	assert.Equal(t, 9, rep.Records, "pending records: 10, 11, 12 are the register's own IDNr cases")
	assert.Equal(t, 2, rep.Primary)
	assert.Equal(t, 1, rep.PrimaryWithFallback)
	assert.Equal(t, 2, rep.FallbackOnly) // 3, 8
	assert.Equal(t, 5, rep.NoSearch)
	ks := func(keys ...registers.Key) []registers.Key { return keys }
	assert.Equal(t, map[string]*registers.KeySample{
		registers.ReasonNoFamilyName:       {Count: 1, Keys: ks("4")},
		registers.ReasonNoBirthDate:        {Count: 1, Keys: ks("5")},
		registers.ReasonNoResidenceNoGiven: {Count: 1, Keys: ks("6")},
		"birth_date_invalid":               {Count: 1, Keys: ks("7")},
		registers.ReasonFamilyNameCharset:  {Count: 1, Keys: ks("9")},
	}, rep.NoSearchReasons)
	assert.Equal(t, map[string]*registers.KeySample{
		"birth_date":  {Count: 1, Keys: ks("7")},
		"postal_code": {Count: 1, Keys: ks("8")},
		"family_name": {Count: 1, Keys: ks("9")},
	}, rep.Unparsed)
	assert.True(t, rep.ExistingChecked)
	assert.Equal(t, map[string]*registers.KeySample{
		registers.ReasonIDNrInvalidInRegister:   {Count: 1, Keys: ks("10")},
		registers.ReasonIDNrDuplicateInRegister: {Count: 2, Keys: ks("11", "12")},
	}, rep.ExistingIDNrs)

	// Keys only: no value of the register in the JSON or the summary.
	js, err := json.Marshal(rep)
	require.NoError(t, err)
	for _, out := range []string{string(js), rep.String()} {
		for _, v := range []string{"Muster", "Must3r", "Anna", "Köln", "50667", "5066", "1980", "31.02", "12345", id.String()} {
			assert.NotContains(t, out, v)
		}
	}
	assert.Contains(t, rep.String(), "birth_date_invalid: 1 (keys 7)")

	// Preflight wrote nothing: a second pass finds the same.
	again, err := registers.Preflight(ctx, r, registers.PreflightOptions{})
	require.NoError(t, err)
	again.Seconds = rep.Seconds
	assert.Equal(t, rep, again)
}

// At most MaxPreflightKeys keys per reason, the count stays exact.
func TestPreflightKeysBounded(t *testing.T) {
	var es []registers.Entry
	for i := range 25 {
		es = append(es, registers.Entry{Key: registers.Key(fmt.Sprintf("%03d", i)), Person: idnr.Person{GivenNames: "Anna"}})
	}
	rep, err := registers.Preflight(context.Background(), sliceReader(es), registers.PreflightOptions{BatchSize: 7})
	require.NoError(t, err)
	s := rep.NoSearchReasons[registers.ReasonNoFamilyName]
	require.NotNil(t, s)
	assert.Equal(t, 25, s.Count)
	assert.Len(t, s.Keys, registers.MaxPreflightKeys)
	assert.False(t, rep.ExistingChecked)
	assert.Contains(t, rep.String(), "not checked")
}

// A reader that returns the same page again is an error, not a loop.
func TestPreflightStuckReader(t *testing.T) {
	_, err := registers.Preflight(context.Background(), stuckReader{}, registers.PreflightOptions{BatchSize: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "again")
}

type sliceReader []registers.Entry

func (s sliceReader) Next(_ context.Context, after registers.Key, limit int) ([]registers.Entry, error) {
	i := 0
	for i < len(s) && after != "" && s[i].Key <= after {
		i++
	}
	return s[i:min(i+limit, len(s))], nil
}

type stuckReader struct{}

func (stuckReader) Next(context.Context, registers.Key, int) ([]registers.Entry, error) {
	return []registers.Entry{{Key: "1"}}, nil
}

// BenchmarkPreflight measures one preflight pass over a SQLite register of
// REGMO_PREFLIGHT_N records (default 20,000; the figure in doc.go is for
// 1,000,000). The fixture is built once per size and cached in
// REGMO_PREFLIGHT_DIR if set (building 1,000,000 records takes minutes).
func BenchmarkPreflight(b *testing.B) {
	n := 20000
	if v := os.Getenv("REGMO_PREFLIGHT_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	dir := os.Getenv("REGMO_PREFLIGHT_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, "preflight-"+strconv.Itoa(n)+".db")
	_, statErr := os.Stat(path)
	r, _ := openSQLiteRegister(b, path)
	if statErr != nil {
		w := makeWorld(5, min(n, 100000))
		es := make([]registers.Entry, 0, 5000)
		for i := 0; i < n; i++ {
			e := w.entries[i%len(w.entries)]
			e.Key = registers.Key(strconv.Itoa(i + 1))
			es = append(es, e)
			if len(es) == cap(es) || i == n-1 {
				require.NoError(b, r.Insert(context.Background(), es))
				es = es[:0]
			}
		}
	}
	runtime.GC()
	b.ReportAllocs()
	var rep *registers.PreflightReport
	for b.Loop() {
		var err error
		rep, err = registers.Preflight(context.Background(), r, registers.PreflightOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	if rep.Records != n {
		b.Fatalf("read %d records, want %d", rep.Records, n)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "records/s")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapsys-MiB")
}
