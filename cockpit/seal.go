package cockpit

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"

	"github.com/google/uuid"
)

// AlgorithmAES256GCM is the algorithm URI of a sealed answer, as in XML
// Encryption 1.1 (xmlenc11#aes256-gcm); there is no EncryptedKey: the key
// is the cockpit's, given with the request.
const AlgorithmAES256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"

// ContentKeySize is the size of a request's content key (AES-256).
const ContentKeySize = 32

// Errors of [Seal] and [Open].
var (
	ErrKeySize    = errors.New("cockpit: content key must be 32 bytes (AES-256)")
	ErrOpenFailed = errors.New("cockpit: answer does not decrypt with this key and these message IDs")
	ErrNotSealed  = errors.New("cockpit: answer is not encrypted")
)

// Envelope is an answer on the wire: the answer's message ID, the request's
// it answers, and the body, either sealed (Algorithm and Sealed set) or in
// plaintext (Plain set).
type Envelope struct {
	MessageID uuid.UUID
	InReplyTo uuid.UUID // uuid.Nil when the request could not be read
	Algorithm string    // AlgorithmAES256GCM, or "" for plaintext
	// Sealed is the CipherValue of xmlenc11 AES-GCM: nonce (12 bytes) ‖
	// ciphertext ‖ tag (16 bytes).
	Sealed []byte
	Plain  []byte
}

// associatedData binds a sealed body to both message IDs: the answer's and
// the request's (their canonical text, joined by ':').
func associatedData(messageID, inReplyTo uuid.UUID) []byte {
	b := make([]byte, 0, 73)
	b = append(b, messageID.String()...)
	b = append(b, ':')
	return append(b, inReplyTo.String()...)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != ContentKeySize {
		return nil, ErrKeySize
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts body for the envelope's message IDs with AES-256-GCM under
// key, with a fresh random nonce and associatedData(MessageID, InReplyTo)
// as associated data, and sets env.Algorithm and env.Sealed.
func Seal(key []byte, env *Envelope, body []byte) error {
	aead, err := newGCM(key)
	if err != nil {
		return err
	}
	out := make([]byte, 12, 12+len(body)+16)
	if _, err := rand.Read(out); err != nil {
		return err
	}
	env.Sealed = aead.Seal(out, out, body, associatedData(env.MessageID, env.InReplyTo))
	env.Algorithm = AlgorithmAES256GCM
	env.Plain = nil
	return nil
}

// Open decrypts a sealed envelope with key: [ErrNotSealed] for a plaintext
// one, [ErrOpenFailed] when key or a message ID is not the one it was sealed
// with, or the body was changed.
func Open(key []byte, env *Envelope) ([]byte, error) {
	if env.Algorithm == "" {
		return nil, ErrNotSealed
	}
	if env.Algorithm != AlgorithmAES256GCM {
		return nil, errors.New("cockpit: answer sealed with an unknown algorithm")
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(env.Sealed) < 12+16 {
		return nil, ErrOpenFailed
	}
	b, err := aead.Open(nil, env.Sealed[:12], env.Sealed[12:], associatedData(env.MessageID, env.InReplyTo))
	if err != nil {
		return nil, ErrOpenFailed
	}
	return b, nil
}
