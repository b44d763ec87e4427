package cockpit

import (
	"errors"
	"reflect"
	"strings"
	"time"
)

// The wire structs of [JSONCodec] ("regmo-dsc/2") are the single source of
// its format: the server encodes them with encoding/json, both halves
// decode them with encoding/json, and the request's field names (for the
// strict check of unknown and repeated fields) are read from their tags.

// Version is the version tag of [JSONCodec]'s wire format.
const Version = "regmo-dsc/2"

var errNoKeyToOpen = errors.New("cockpit: answer is sealed but no key was given")

type wireRequest struct {
	Version    string `json:"version"`
	MessageID  string `json:"message_id"`
	SessionID  string `json:"session_id"`
	Kind       string `json:"kind"` // "list" | "content"
	IDNr       string `json:"idnr"`
	BirthDate  string `json:"birth_date,omitempty"`
	ContentKey string `json:"content_key,omitempty"` // standard base64 of 32 bytes
	Cursor     string `json:"cursor,omitempty"`
	Limit      *int   `json:"limit,omitempty"`
	EntryID    string `json:"entry_id,omitempty"`
}

// requestFields are wireRequest's JSON names.
var requestFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[wireRequest]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = true
	}
	return m
}()

var kindNames = map[Kind]string{KindList: "list", KindContent: "content"}

type wireEnvelope struct {
	Version   string         `json:"version"`
	MessageID string         `json:"message_id"`
	InReplyTo string         `json:"in_reply_to,omitempty"`
	Encrypted *wireEncrypted `json:"encrypted,omitempty"`
	Body      *wireBody      `json:"body,omitempty"`
}

// wireEncrypted is xmlenc's EncryptedData, reduced: the algorithm and the
// CipherValue (nonce ‖ ciphertext ‖ tag, standard base64). The plaintext is
// a wireBody.
type wireEncrypted struct {
	Algorithm   string `json:"algorithm"`
	CipherValue []byte `json:"cipher_value"`
}

// wireBody holds exactly one of the three answers.
type wireBody struct {
	List    *wireList    `json:"list,omitempty"`    // antwortListeProtokolldaten
	Content *wireContent `json:"content,omitempty"` // antwortInhaltsdaten
	Status  *wireStatus  `json:"status,omitempty"`  // antwortStatus
}

type wireList struct {
	Window  wireWindow    `json:"window"`
	Entries []wireEntry   `json:"entries"`
	Current []wireCurrent `json:"current,omitempty"`
	Next    string        `json:"next,omitempty"`
}

type wireWindow struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

type wireCode struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

type wireParty struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireEntry struct {
	ID          string     `json:"id"`
	MessageID   string     `json:"message_id"`
	Time        time.Time  `json:"time"`
	Direction   wireCode   `json:"direction"`
	Own         wireParty  `json:"own"`
	Counterpart wireParty  `json:"counterpart"`
	Purpose     wireCode   `json:"purpose"`
	LegalBasis  wireCode   `json:"legal_basis"`
	Categories  []wireCode `json:"categories"`
	HasContent  bool       `json:"has_content"`
	Result      wireCode   `json:"result"`
	Reason      string     `json:"reason,omitempty"`
}

type wireCurrent struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Categories []wireCode `json:"categories"`
	AsOf       *time.Time `json:"as_of,omitempty"`
}

type wireContent struct {
	EntryID       string       `json:"entry_id"`
	Entry         *wireEntry   `json:"entry,omitempty"`
	Current       *wireCurrent `json:"current,omitempty"`
	ContentText   *string      `json:"content_text,omitempty"`
	ContentBase64 []byte       `json:"content_base64,omitempty"`
	ContentRef    string       `json:"content_ref,omitempty"`
}

type wireStatus struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
