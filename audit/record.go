package audit

import (
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
)

// Direction tells whether this body sent or received the transfer.
type Direction uint8

const (
	DirectionUnknown Direction = iota
	Sent                       // this body transmitted the data
	Received                   // this body received the data
)

// Result is the outcome of a transfer.
type Result uint8

const (
	ResultUnknown   Result = iota
	Delivered              // data were transferred
	NotIdentifiable        // no unique identification, no data (also the answer for an information block)
	Rejected               // refused, see Record.Reason
)

// Body is a public body taking part in a transfer.
type Body struct {
	Name string // e.g. "Bürgeramt Musterstadt"; at most 120 characters
	ID   string // its identifier, e.g. the DVDV or Behördenkennzeichen; at most 120 characters
}

// Category names a category of basic data transferred. The values are
// stable tokens; the cockpit turns them into German texts.
//
// The categories are the fields of the basic data: a category is the token
// of an [idnr.Fields] field ([idnr.Fields.Token]), derived from the one
// field table in package idnr by [CategoryOf] and [CategoriesOf].
type Category string

// The categories of the basic data, one per field of [idnr.Fields].
var (
	CatIDNr              = CategoryOf(idnr.FieldIDNr)
	CatFamilyName        = CategoryOf(idnr.FieldFamilyName)
	CatFormerNames       = CategoryOf(idnr.FieldFormerNames)
	CatGivenNames        = CategoryOf(idnr.FieldGivenNames)
	CatDoctoralDegree    = CategoryOf(idnr.FieldDoctoralDegree)
	CatBirthDate         = CategoryOf(idnr.FieldBirthDate)
	CatBirthPlace        = CategoryOf(idnr.FieldBirthPlace)
	CatSex               = CategoryOf(idnr.FieldSex)
	CatNationalities     = CategoryOf(idnr.FieldNationalities)
	CatAddress           = CategoryOf(idnr.FieldAddress)
	CatDeathDate         = CategoryOf(idnr.FieldDeathDate)
	CatMoveInDate        = CategoryOf(idnr.FieldMoveInDate)
	CatMoveOutDate       = CategoryOf(idnr.FieldMoveOutDate)
	CatInformationBlocks = CategoryOf(idnr.FieldInformationBlocks)
	CatLastContact       = CategoryOf(idnr.FieldLastContact)
)

// CategoryOf returns the category of a single field (its token), or ""
// unless f is exactly one field.
func CategoryOf(f idnr.Fields) Category { return Category(f.Token()) }

// CategoriesOf returns the categories of the fields of f, in the order of
// the fields.
func CategoriesOf(f idnr.Fields) []Category {
	out := make([]Category, 0, f.Len())
	for x := range f.All() {
		out = append(out, CategoryOf(x))
	}
	return out
}

// Field returns the field of the category, or 0 and false for a token that
// is not one.
func (c Category) Field() (idnr.Fields, bool) { return idnr.ParseField(string(c)) }

// Record is one transfer that used an IDNr, as § 9 IDNrG requires it to be
// logged and as the Datenschutzcockpit shows it: when, between which bodies,
// why, which data.
//
// Text fields are bounded to 120 characters (as BMeldDAV § 11 bounds the
// protocol fields); [Record.Validate] names the first field that is missing
// or too long.
type Record struct {
	// ID identifies the record; Append assigns a version 7 UUID if zero.
	ID uuid.UUID
	// MessageID is the ID of the message that carried the transfer.
	MessageID uuid.UUID
	// RequestID is, for an answer, the MessageID of the request it answers;
	// zero for a request.
	RequestID uuid.UUID
	// Time is when the transfer happened, in UTC; Append sets it from the
	// log's clock if zero.
	Time time.Time

	Direction   Direction
	Own         Body // this register's body
	Counterpart Body // the other body (e.g. the BVA)

	Purpose    string // why: the purpose of the transfer (required)
	LegalBasis string // the legal basis, e.g. "§ 6 Abs. 3 IDNrG" (required)
	FileRef    string // Aktenzeichen, if any
	// Actor is the user ID of the clerk or, for machine retrievals, the
	// name of the procedure (required).
	Actor string

	// IDNr is the person's IDNr (required: § 9 covers transfers using it).
	IDNr idnr.IDNr
	// Categories are the categories of data transferred.
	Categories []Category
	// Items are the content transmitted, field by field, as the
	// Datenschutzcockpit shows it (see [Item], [ItemsOf]). A record holds
	// Items or, in the older form, Content, never both.
	Items []Item
	// Content is the content transmitted as one opaque value (for example
	// its JSON): the form of records written before Items existed, and for
	// content that is not basic data. Empty when Items hold the content or
	// ContentRef points to where it is kept.
	Content    []byte
	ContentRef string

	Result Result
	Reason string // reason code or text for Rejected; at most 120 characters
}
