package audittest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

func init() {
	register("ItemsRoundTrip", testItemsRoundTrip)
	register("ItemsMixedWithOldRecords", testItemsMixed)
	register("TamperItemValue", testTamperItem)
}

// NewItemsRecord returns a valid record for person p (see IDNr) at time t
// whose content is kept as items ([audit.Record.Items]): the basic data a
// lookup answer delivers, among them multi-valued fields and fields made
// of parts.
func NewItemsRecord(p int, t time.Time) audit.Record {
	r := NewRecord(p, t)
	r.Direction = audit.Received
	person := idnr.Person{
		IDNr: IDNr(p), FamilyName: "Graf von Neuenwalde", GivenNames: "Erika Maria",
		FormerNames: []string{"Müller", "Schmidt"}, FormerNameKinds: []idnr.NameKind{idnr.BirthName},
		BirthDate: idnr.MustDate(1964, 8, 12), Nationalities: []string{"DEU", "FRA"},
		Address: idnr.Address{Street: "Heidestraße", HouseNumber: "17", PostalCode: "51147", City: "Köln"},
	}
	f := idnr.FieldIDNr | idnr.FieldFamilyName | idnr.FieldFormerNames | idnr.FieldGivenNames |
		idnr.FieldBirthDate | idnr.FieldNationalities | idnr.FieldAddress
	r.Categories = audit.CategoriesOf(f)
	r.Content, r.Items = nil, audit.ItemsOf(&person, f)
	return r
}

func testItemsRoundTrip(t *testing.T, h Harness) {
	ctx := context.Background()
	l := open(t, h, NewClock(t0))
	want := NewItemsRecord(1, t0)
	must(t, l.Append(ctx, want), "append")
	must(t, l.Close(), "close")
	l = open(t, h, NewClock(t0.Add(time.Hour)))
	defer l.Close()
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(1)})
	must(t, err, "query")
	if len(p.Records) != 1 {
		t.Fatalf("got %d records", len(p.Records))
	}
	got := p.Records[0]
	if want.ID = got.ID; !recordsEqual(got, want) || len(got.Items) != 12 {
		t.Fatalf("round trip: got %d items, want %d (or another field differs)", len(got.Items), len(want.Items))
	}
	if got.Items[2] != (audit.Item{Field: idnr.FieldFormerNames, Part: "birth", Value: "Müller"}) {
		t.Fatalf("item 2 = %+v", got.Items[2])
	}
	// A record with items and one without, in one Append, stay distinct.
	old := NewRecord(1, t0.Add(time.Minute))
	must(t, l.Append(ctx, NewItemsRecord(1, t0.Add(2*time.Minute)), old), "append both forms")
	p, err = l.Query(ctx, dpo, audit.Query{IDNr: IDNr(1)})
	must(t, err, "query")
	if len(p.Records) != 3 {
		t.Fatalf("mixed append: %d records", len(p.Records))
	}
	for _, r := range p.Records {
		if r.Time.Equal(old.Time) != (len(r.Items) == 0) || (len(r.Items) == 0 && string(r.Content) != string(old.Content)) {
			t.Fatalf("mixed append: record at %v has %d items, %d bytes of content", r.Time, len(r.Items), len(r.Content))
		}
	}
}

// testItemsMixed: records written in the old form (opaque Content, the
// version 1 encoding) before records with items stay readable as they were,
// and Verify passes over a log that mixes both, across segments and a
// reopen.
func testItemsMixed(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := open(t, h, clock)
	var want []audit.Record
	for i := range 4 {
		r := NewRecord(3, t0.Add(time.Duration(i)*time.Minute))
		r.ID = uuid.New()
		must(t, l.Append(ctx, r), "append old %d", i)
		want = append(want, r)
	}
	must(t, l.Close(), "close")
	clock.Set(t0.Add(25 * time.Hour)) // a new segment
	l = open(t, h, clock)
	defer l.Close()
	for i := range 4 {
		r := NewItemsRecord(3, t0.Add(25*time.Hour+time.Duration(i)*time.Minute))
		if i%2 == 1 {
			r = NewRecord(3, r.Time)
		}
		r.ID = uuid.New()
		must(t, l.Append(ctx, r), "append new %d", i)
		want = append(want, r)
	}
	rep, err := l.Verify(ctx)
	must(t, err, "verify")
	if rep.Records != 8 || !rep.OK() {
		t.Fatalf("verify: %+v", rep)
	}
	p, err := l.Query(ctx, dpo, audit.Query{IDNr: IDNr(3)})
	must(t, err, "query")
	slices.Reverse(want)
	if len(p.Records) != len(want) {
		t.Fatalf("got %d records, want %d", len(p.Records), len(want))
	}
	for i := range want {
		if !recordsEqual(p.Records[i], want[i]) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, p.Records[i], want[i])
		}
	}
}

// testTamperItem changes one item's value (same length, a valid encoding)
// in the stored record: Verify reports the record as edited.
func testTamperItem(t *testing.T, h Harness) {
	ctx := context.Background()
	clock := NewClock(t0)
	l := open(t, h, clock)
	defer l.Close()
	var target audit.Record
	for i := range 5 {
		r := NewItemsRecord(10+i, t0.Add(time.Duration(i)*time.Second))
		r.ID = uuid.New()
		must(t, l.Append(ctx, r), "append %d", i)
		if i == 2 {
			target = r
		}
	}
	_, err := l.Verify(ctx)
	must(t, err, "verify before")
	forged := target
	forged.Items = slices.Clone(target.Items)
	for k := range forged.Items {
		if forged.Items[k].Field == idnr.FieldFamilyName {
			forged.Items[k].Value = "Graf von Neuenwaldx"
		}
	}
	data, err := audit.EncodeRecord(&forged)
	must(t, err, "encode the forgery")
	orig, _ := audit.EncodeRecord(&target)
	if len(data) != len(orig) {
		t.Fatalf("forgery changes the length")
	}
	must(t, h.Exec(`UPDATE `+h.Tables.Records+` SET data = ? WHERE seq = 3`, data), "tamper")
	rep, err := l.Verify(ctx)
	f := finding(t, "Verify", rep, err, audit.Edited)
	if f.Seq != 3 || f.RecordID != target.ID {
		t.Fatalf("finding %+v, want record 3", f)
	}
}
