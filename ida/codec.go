package ida

import (
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// Protocol v1 constants: the protocol name carried in every message and the
// HTTP headers of the wire format (see the package documentation, "Wire
// format v1").
const (
	ProtocolV1 = "regmo-ida/1"

	HeaderProtocol  = "Regmo-Protocol"   // protocol name, "regmo-ida/1"
	HeaderMessageID = "Regmo-Message-Id" // the message's ID (UUID); the same on every retry
	HeaderRequestID = "Regmo-Request-Id" // on answers: the ID of the request answered
	HeaderSender    = "Regmo-Sender"     // the sending body's ID (Config.Sender.ID)
)

// Request is a request message as a [Codec] encodes it. Exactly one of
// Lookup, Searches, Inaccuracy, LastContact and Reply is set, according to
// Kind (a fetch of clarification requests carries only Since).
type Request struct {
	MessageID  uuid.UUID
	Kind       Kind
	Sender     audit.Body
	Sent       time.Time
	Purpose    string
	LegalBasis string
	FileRef    string
	// Fields are the fields asked for (always including the IDNr).
	Fields idnr.Fields

	Lookup *Lookup
	// Searches holds one search for KindSearch and KindFallback and one or
	// more for KindBulk; Item.Seq refers to the position here.
	Searches    []Search
	Inaccuracy  *InaccuracyReport
	LastContact *LastContact
	// Since is the cursor of a fetch of clarification requests ("" for
	// the first).
	Since string
	// Reply is the answer to a clarification request.
	Reply *ClarificationReply
}

// Response is an answer message as a [Codec] decodes it.
type Response struct {
	MessageID uuid.UUID // the answer's own ID
	RequestID uuid.UUID // the request's MessageID
	Kind      Kind
	// Received is set on receipts for reports: when the BVA received it.
	Received time.Time
	// Items holds one answer per search or lookup, in Seq order (empty for
	// receipts).
	Items []Item
	// Clarifications are the requests of an answer to a fetch, in order,
	// and Next its cursor.
	Clarifications []ClarificationItem
	Next           string
}

// ClarificationItem is one clarification request inside a [Response]: as
// decoded (Request), as transmitted (Raw, the content of its protocol
// record), or the reason it could not be decoded (Err; the client refuses
// that item alone). The client checks the decoded request itself.
type ClarificationItem struct {
	Request ClarificationRequest
	Raw     []byte
	Err     error
}

// Item is the answer to one lookup or search inside a [Response].
type Item struct {
	Seq     int
	Outcome Outcome // Hit, NotIdentifiable or Rejected
	Person  idnr.Person
	Fields  idnr.Fields
	Code    string // rejection reason code
	Text    string // rejection text, no personal data
	// Raw is the item as transmitted; the client keeps it as the content of
	// the protocol record. A codec may leave it nil.
	Raw []byte
}

// Problem is the body of a non-success HTTP answer: a whole message
// rejected (4xx) or a server problem (429, 5xx).
type Problem struct {
	RequestID uuid.UUID
	Code      string
	Text      string
}

// Codec is the client half of one wire format: it writes requests and
// reads answers and problems. [JSONv1] is the default; an official
// XBasisdaten codec could take its place without changing callers.
// Config.Codec takes a Codec.
//
// A Codec must be safe for concurrent use. Decoders must be strict: unknown
// or missing fields, a wrong protocol name and trailing data are errors, and
// DecodeResponse must reject an answer whose RequestID is not req.MessageID
// (wrapping [ErrMessageMismatch]). A decoding error that wraps
// [ErrMalformed] or [ErrMessageMismatch] is retried as the same message and
// ends as a *[DecodeError] carrying its text as the reason, so that text
// must name the problem, never a value from the answer (ida/melde's codec
// is one such codec outside this package).
type Codec interface {
	// Name is the protocol name, e.g. "regmo-ida/1".
	Name() string
	// Endpoint is the path, relative to the base URL, for requests of kind k.
	Endpoint(k Kind) string
	// ContentType is the media type of request and answer bodies of kind k.
	ContentType(k Kind) string

	EncodeRequest(w io.Writer, r *Request) error
	DecodeResponse(r io.Reader, req *Request) (*Response, error)
	DecodeProblem(r io.Reader) (*Problem, error)
}

// ServerCodec is the server half of a wire format: it reads requests and
// writes answers and problems, so that a mock (ida/idatest) or a gateway
// speaks the same format. A codec offers it beside [Codec] (the mock finds
// it by type assertion on the Codec it is given); [JSONv1] implements both.
// The same rules apply: safe for concurrent use, strict decoding.
type ServerCodec interface {
	// DecodeRequest reads a request of kind k (from the endpoint). It
	// checks the structure; the minimum fields of a search are for the
	// receiver to check, so that it can answer with a reason code.
	DecodeRequest(r io.Reader, k Kind) (*Request, error)
	EncodeResponse(w io.Writer, resp *Response) error
	EncodeProblem(w io.Writer, p *Problem) error
}
