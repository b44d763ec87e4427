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
type Category string

const (
	CatIDNr              Category = "idnr"
	CatFamilyName        Category = "family_name"
	CatFormerNames       Category = "former_names"
	CatGivenNames        Category = "given_names"
	CatDoctoralDegree    Category = "doctoral_degree"
	CatBirthDate         Category = "birth_date"
	CatBirthPlace        Category = "birth_place"
	CatSex               Category = "sex"
	CatNationalities     Category = "nationalities"
	CatAddress           Category = "address"
	CatDeathDate         Category = "death_date"
	CatMoveInDate        Category = "move_in_date"
	CatMoveOutDate       Category = "move_out_date"
	CatInformationBlocks Category = "information_blocks"
	CatLastContact       Category = "last_contact"
)

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
	// Content is the content transmitted (for example its JSON), or empty
	// when ContentRef points to where it is kept.
	Content    []byte
	ContentRef string

	Result Result
	Reason string // reason code or text for Rejected; at most 120 characters
}
