package audit

import (
	"encoding/binary"
	"errors"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

// The canonical encoding of a record, which is what the chain hashes and
// what the stores keep. Version 1 is the form of a record without Items;
// version 2 that of a record with Items. A record without Items is still
// written as version 1, byte for byte as before Items existed, so that old
// and new records chain alike and no stored record is ever rewritten. Fixed-width fields first, so that the
// indexed copies of Time and IDNr can be checked against it cheaply:
//
//	version   1 byte  (1)
//	time      8 bytes big-endian Unix nanoseconds (UTC)
//	idnr      11 ASCII digits
//	id, message id, request id   16 bytes each
//	direction, result            1 byte each
//	then each as uvarint length + bytes (minimal uvarint):
//	own name, own id, counterpart name, counterpart id, purpose, legal basis,
//	file ref, actor, content ref, reason,
//	categories (uvarint count, then each length-prefixed), then
//	version 1: content (length-prefixed bytes);
//	version 2: items (uvarint count, 1..MaxItems, then each as field token,
//	part, value, each length-prefixed); no content.
//
// Decoding is strict: exactly one encoding decodes to a given record (a
// version 2 encoding without items, or with an unknown field or part, is
// refused).
const (
	encVersion  = 1
	encItems    = 2 // version of a record with Items
	offTime     = 1
	offIDNr     = 9
	fixedHeader = 1 + 8 + 11 + 16*3 + 2
)

var errEncoding = errors.New("audit: malformed record encoding")

func appendBytes(b []byte, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// knownVersion reports whether v is the version byte of an encoding.
func knownVersion(v byte) bool { return v == encVersion || v == encItems }

// encodeRecord appends the canonical encoding of r (which must be valid).
func encodeRecord(b []byte, r *Record) []byte {
	v := byte(encVersion)
	if len(r.Items) > 0 {
		v = encItems
	}
	b = append(b, v)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Time.UnixNano()))
	b = append(b, r.IDNr.String()...)
	b = append(b, r.ID[:]...)
	b = append(b, r.MessageID[:]...)
	b = append(b, r.RequestID[:]...)
	b = append(b, byte(r.Direction), byte(r.Result))
	for _, s := range [...]string{r.Own.Name, r.Own.ID, r.Counterpart.Name, r.Counterpart.ID,
		r.Purpose, r.LegalBasis, r.FileRef, r.Actor, r.ContentRef, r.Reason} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Categories)))
	for _, c := range r.Categories {
		b = appendString(b, string(c))
	}
	if v == encVersion {
		return appendBytes(b, r.Content)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Items)))
	for i := range r.Items {
		it := &r.Items[i]
		b = appendString(b, it.Field.Token())
		b = appendString(b, it.Part)
		b = appendString(b, it.Value)
	}
	return b
}

type decoder struct {
	b   []byte
	err bool
	// view: the strings and the content may share b's memory (which the
	// caller owns and never changes) instead of being copied.
	view bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != uvarintLen(v) {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func (d *decoder) bytes(max int) []byte {
	n := d.uvarint()
	if d.err || n > uint64(max) || n > uint64(len(d.b)) {
		d.err = true
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) text() string { return d.textMax(4 * MaxText) }

// textMax reads a length-prefixed UTF-8 text of at most max bytes.
func (d *decoder) textMax(max int) string {
	s := d.bytes(max)
	if !d.err && !utf8.Valid(s) {
		d.err = true
	}
	if d.view && len(s) > 0 {
		return unsafe.String(&s[0], len(s))
	}
	return string(s)
}

// decodeRecord decodes a canonical encoding. It checks the encoding, not
// the record's validity; the chain is what vouches for the content.
func decodeRecord(b []byte) (Record, error) { return decodeRecordIn(b, false) }

// decodeRecordView decodes b into a record whose strings and content share
// b's memory: no copies, two allocations fewer per field. b must be owned
// by the caller and never change afterwards (Log.Query decodes the rows
// Store.Records hands over).
func decodeRecordView(b []byte) (Record, error) { return decodeRecordIn(b, true) }

func decodeRecordIn(b []byte, view bool) (Record, error) {
	var r Record
	if len(b) < fixedHeader || !knownVersion(b[0]) {
		return r, errEncoding
	}
	r.Time = time.Unix(0, int64(binary.BigEndian.Uint64(b[offTime:]))).UTC()
	id, err := decodeIDNr(b[offIDNr : offIDNr+11])
	if err != nil {
		return r, errEncoding
	}
	r.IDNr = id
	p := offIDNr + 11
	r.ID = uuid.UUID(b[p : p+16])
	r.MessageID = uuid.UUID(b[p+16 : p+32])
	r.RequestID = uuid.UUID(b[p+32 : p+48])
	r.Direction = Direction(b[p+48])
	r.Result = Result(b[p+49])
	d := decoder{b: b[fixedHeader:], view: view}
	r.Own.Name = d.text()
	r.Own.ID = d.text()
	r.Counterpart.Name = d.text()
	r.Counterpart.ID = d.text()
	r.Purpose = d.text()
	r.LegalBasis = d.text()
	r.FileRef = d.text()
	r.Actor = d.text()
	r.ContentRef = d.text()
	r.Reason = d.text()
	n := d.uvarint()
	if n > MaxCategories {
		d.err = true
	}
	if !d.err && n > 0 {
		r.Categories = make([]Category, 0, n)
		for range n {
			r.Categories = append(r.Categories, Category(d.text()))
		}
	}
	if b[0] == encItems {
		r.Items = d.items()
	} else if c := d.bytes(MaxContent); len(c) > 0 {
		if view {
			r.Content = c // capped: an append by the caller reallocates
		} else {
			r.Content = append([]byte(nil), c...)
		}
	}
	if d.err || len(d.b) != 0 {
		return Record{}, errEncoding
	}
	return r, nil
}

// items reads the items of a version 2 encoding: at least one, each a
// known field with a part that fits it.
func (d *decoder) items() []Item {
	n := d.uvarint()
	if d.err || n == 0 || n > MaxItems || n > uint64(len(d.b))/3 {
		d.err = true
		return nil
	}
	out := make([]Item, n)
	for k := range out {
		tok := d.text()
		f, ok := idnr.ParseField(tok)
		out[k] = Item{Field: f, Part: d.text(), Value: d.textMax(4 * MaxItemValue)}
		if d.err || !ok || !validPart(f, out[k].Part) {
			d.err = true
			return nil
		}
	}
	return out
}

// decodeIDNr reads the 11 canonical digits as written by encodeRecord. It
// accepts every number Append accepted (test numbers included).
func decodeIDNr(b []byte) (idnr.IDNr, error) {
	return idnr.ParseStrict(string(b), idnr.AllowLeadingZero|idnr.StdnumCompatible)
}

// idnrKey is the integer form of the IDNr digits kept in the stores' index
// column; ok is false if b is not 11 digits.
func idnrKey(b []byte) (int64, bool) {
	if len(b) != 11 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// IDNrKey is the integer form of an IDNr that the stores index (the 11
// digits read as a decimal number). Stores use it; callers need not.
func IDNrKey(id idnr.IDNr) int64 {
	k, _ := idnrKey([]byte(id.String()))
	return k
}

// EncodeRecord returns the canonical encoding of r, the bytes the chain
// hashes; r must be valid ([Record.Validate]).
func EncodeRecord(r *Record) ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return encodeRecord(nil, r), nil
}

// DecodeRecord decodes the canonical encoding kept in [Row.Data]. It is
// strict: it accepts only what EncodeRecord produces, never panics, and
// never shows the content in its error.
func DecodeRecord(data []byte) (Record, error) { return decodeRecord(data) }
