package audit

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A valid test number (check digit computed by hand with MOD 11,10).
var testID = mustTestID()

func mustTestID() idnr.IDNr {
	for _, s := range []string{"86095742719", "47036892816", "65929970489", "57549285017", "25768131411"} {
		if id, err := idnr.ParseStrict(s); err == nil {
			return id
		}
	}
	panic("no valid test IDNr")
}

func sample() Record {
	return Record{
		ID:          uuid.MustParse("6f1f8c5e-7d0a-4c55-9a53-0c1f4e8a2b11"),
		MessageID:   uuid.MustParse("0b8e7c2a-1111-4c55-9a53-0c1f4e8a2b11"),
		RequestID:   uuid.MustParse("0b8e7c2a-2222-4c55-9a53-0c1f4e8a2b11"),
		Time:        time.Date(2026, 3, 2, 10, 0, 0, 123456789, time.UTC),
		Direction:   Received,
		Own:         Body{Name: "Bürgeramt Musterstadt", ID: "BHKZ-01001000"},
		Counterpart: Body{Name: "Bundesverwaltungsamt", ID: "BVA"},
		Purpose:     "Auskunft", LegalBasis: "§ 6 Abs. 3 IDNrG", FileRef: "AZ 1", Actor: "clerk-7",
		IDNr:       testID,
		Categories: []Category{CatIDNr, CatAddress},
		Content:    []byte(`{"a":1}`),
		ContentRef: "ref",
		Result:     Rejected, Reason: "E42",
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	r := sample()
	b, err := EncodeRecord(&r)
	require.NoError(t, err)
	got, err := DecodeRecord(b)
	require.NoError(t, err)
	assert.Equal(t, r, got)
	// Empty optional fields round-trip as nil/empty.
	r.Categories, r.Content, r.FileRef, r.ContentRef, r.RequestID = nil, nil, "", "", uuid.UUID{}
	b2, err := EncodeRecord(&r)
	require.NoError(t, err)
	got, err = DecodeRecord(b2)
	require.NoError(t, err)
	assert.Equal(t, r, got)
	// Every truncation and every extension is refused, never a panic.
	for i := range len(b) {
		_, err := DecodeRecord(b[:i])
		assert.ErrorIs(t, err, errEncoding, "truncated at %d", i)
	}
	_, err = DecodeRecord(append(bytes.Clone(b), 0))
	assert.ErrorIs(t, err, errEncoding)
	// A non-minimal varint is refused (exactly one encoding per record).
	nm := bytes.Clone(b[:fixedHeader])
	nm = append(nm, 0x95, 0x00) // 21 as a two-byte varint
	nm = append(nm, b[fixedHeader+1:]...)
	_, err = DecodeRecord(nm)
	assert.ErrorIs(t, err, errEncoding)
}

func TestHashCoversEverything(t *testing.T) {
	r := sample()
	b, _ := EncodeRecord(&r)
	var prev [32]byte
	h := rowHash(&prev, 7, b)
	assert.NotEqual(t, h, rowHash(&prev, 8, b), "segment")
	prev[0] = 1
	assert.NotEqual(t, h, rowHash(&prev, 7, b), "prev")
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 1
		assert.NotEqual(t, h, rowHash(&[32]byte{}, 7, c), "byte %d", i)
	}
}

func TestValidate(t *testing.T) {
	r := sample()
	require.NoError(t, r.Validate())
	r.Purpose = ""
	err := r.Validate()
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Purpose", fe.Field)
	assert.Equal(t, -1, fe.Index)
	assert.True(t, errors.Is(err, ErrInvalid))
	assert.Equal(t, "audit: Purpose: required", err.Error())
	r = sample()
	r.Own = Body{ID: "x"} // an identifier alone is enough
	assert.NoError(t, r.Validate())
	r.Time = time.Time{}
	assert.ErrorAs(t, r.Validate(), &fe)
	assert.Equal(t, "Time", fe.Field)
}

func TestContainsIDNr(t *testing.T) {
	s := testID.String()
	g := testID.Grouped()
	for _, c := range []struct {
		in   string
		want bool
	}{
		{s, true},
		{"id=" + s + ";", true},
		{g, true},
		{s[:3] + "." + s[3:6] + "." + s[6:], true},
		{s[:10], false},
		{s + "0", false},       // 12 digits: not an IDNr
		{"12345678901", false}, // 11 digits, invalid
		{"5 " + s, true},       // a preceding number does not hide it
		{"HTTP 200, 812 bytes", false},
		{"", false},
		{"2026-03-02T10:00:00Z", false},
	} {
		assert.Equal(t, c.want, ContainsIDNr(c.in), "%q", c.in)
	}
}

func TestCheckpointEncoding(t *testing.T) {
	c := Checkpoint{LogID: uuid.New(), Size: 42, Time: time.Unix(1700000000, 5).UTC(), Sig: make([]byte, 64)}
	c.Head[3] = 9
	b, err := c.MarshalBinary()
	require.NoError(t, err)
	var d Checkpoint
	require.NoError(t, d.UnmarshalBinary(b))
	assert.Equal(t, c, d)
	_, err = Checkpoint{}.MarshalBinary()
	assert.ErrorIs(t, err, ErrBadCheckpoint)
}

func FuzzDecodeRecord(f *testing.F) {
	r := sample()
	b, _ := EncodeRecord(&r)
	f.Add(b)
	r.Categories, r.Content = nil, nil
	b, _ = EncodeRecord(&r)
	f.Add(b)
	f.Add([]byte{1})
	ri := sampleItems()
	b, _ = EncodeRecord(&ri)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := DecodeRecord(data)
		if err != nil {
			return
		}
		if again := encodeRecord(nil, &rec); !bytes.Equal(again, data) {
			t.Fatalf("decode/encode not canonical:\n%x\n%x", data, again)
		}
	})
}

func FuzzRecordRoundTrip(f *testing.F) {
	f.Add("Bürgeramt", "BVA", "Zweck", "§ 6", "AZ", "clerk", []byte("x"), uint8(1), uint8(3), "cat", int64(1700000000000000000))
	f.Fuzz(func(t *testing.T, own, cp, purpose, basis, fileRef, actor string, content []byte, dir, res uint8, cat string, ns int64) {
		r := Record{MessageID: uuid.New(), Time: time.Unix(0, ns).UTC(), Direction: Direction(dir), Own: Body{Name: own},
			Counterpart: Body{ID: cp}, Purpose: purpose, LegalBasis: basis, FileRef: fileRef, Actor: actor,
			IDNr: testID, Categories: []Category{Category(cat)}, Content: content, Result: Result(res), Reason: "r"}
		b, err := EncodeRecord(&r)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("not a FieldError: %v", err)
			}
			return
		}
		got, err := DecodeRecord(b)
		if err != nil {
			t.Fatalf("decode of a valid record: %v", err)
		}
		if len(got.Content) == 0 {
			got.Content = r.Content[:0:0]
			if r.Content == nil {
				got.Content = nil
			}
		}
		if !got.Time.Equal(r.Time) || got.Purpose != r.Purpose || got.Own != r.Own || got.Counterpart != r.Counterpart ||
			!bytes.Equal(got.Content, r.Content) || got.Categories[0] != r.Categories[0] || got.Actor != r.Actor {
			t.Fatalf("round trip differs")
		}
	})
}

func FuzzCheckpoint(f *testing.F) {
	c := Checkpoint{LogID: uuid.New(), Size: 42, Time: time.Unix(1700000000, 5).UTC(), Sig: make([]byte, 64)}
	b, _ := c.MarshalBinary()
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Checkpoint
		if err := c.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := c.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("checkpoint not canonical")
		}
		_ = c.Verify(make([]byte, 32))
		var d Checkpoint
		_ = d.UnmarshalText(data)
	})
}

func FuzzContainsIDNr(f *testing.F) {
	f.Add(testID.Grouped())
	f.Add("5 " + testID.String())
	f.Fuzz(func(t *testing.T, s string) {
		_ = ContainsIDNr(s)
	})
}
