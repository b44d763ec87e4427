package cockpit

import "io"

// Codec is the server half of a wire format: it reads the cockpit's
// requests and writes the answers. [JSONCodec] is ours; an official
// XDatenschutzcockpit codec can be added behind this interface without
// touching [Handler] or [Service]. The shape follows the standard's
// answers: a body is one of antwortListeProtokolldaten ([ListAnswer]),
// antwortInhaltsdaten ([ContentAnswer]) and antwortStatus
// ([StatusAnswer]), carried in an [Envelope] that holds it sealed
// (xmlenc11 AES-256-GCM) or, where allowed, in plaintext.
type Codec interface {
	// ContentType is the media type of requests and answers, e.g.
	// "application/json".
	ContentType() string
	// DecodeRequest reads one request. A malformed request gives a
	// *RequestError naming the field, never containing its value; errors of
	// r (such as *http.MaxBytesError) are returned wrapped.
	DecodeRequest(r io.Reader) (Request, error)
	// MarshalAnswer writes the body of an answer (before sealing).
	MarshalAnswer(a *Answer) ([]byte, error)
	// EncodeEnvelope writes the answer on the wire.
	EncodeEnvelope(w io.Writer, env *Envelope) error
}

// ClientCodec is the client half of a wire format: what the cockpit (or a
// test, or the example) uses to ask and to read the answers.
type ClientCodec interface {
	ContentType() string
	// EncodeRequest writes one request.
	EncodeRequest(w io.Writer, req *Request) error
	// DecodeEnvelope reads an answer's envelope.
	DecodeEnvelope(r io.Reader) (Envelope, error)
	// UnmarshalAnswer reads a body that MarshalAnswer wrote.
	UnmarshalAnswer(body []byte) (Answer, error)
}

// ReadAnswer reads one answer with c and opens it with key, the content key
// the request carried: a sealed body is decrypted ([Open]) and its message
// IDs checked; a plaintext body is accepted only when key is nil or it is
// a status answer (a refusal before the key was read). The answer's IDs are
// the envelope's.
func ReadAnswer(c ClientCodec, r io.Reader, key []byte) (Answer, error) {
	env, err := c.DecodeEnvelope(r)
	if err != nil {
		return Answer{}, err
	}
	body := env.Plain
	if env.Algorithm != "" {
		if key == nil {
			return Answer{}, errNoKeyToOpen
		}
		if body, err = Open(key, &env); err != nil {
			return Answer{}, err
		}
	}
	a, err := c.UnmarshalAnswer(body)
	if err != nil {
		return Answer{}, err
	}
	if env.Algorithm == "" && key != nil && a.Status == nil {
		return Answer{}, ErrNotSealed
	}
	a.MessageID, a.InReplyTo = env.MessageID, env.InReplyTo
	return a, nil
}
