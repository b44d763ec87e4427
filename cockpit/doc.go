// Package cockpit answers the Datenschutzcockpit (DSC): for a person's IDNr,
// the transfers of the last two years that used it, from the § 9 IDNrG
// protocol kept by package audit, and the register's current data about
// the person, in the DSC's two stages, every answer encrypted for the
// citizen's browser session.
//
// The DSC, run by the Bundesverwaltungsamt, shows a citizen which public
// bodies exchanged which of their data using the IDNr, when and why. It
// stores nothing beyond a session and asks each register live, expecting
// an answer within 500 ms. A register may use the IDNr in transfers only
// once it answers.
//
// # Two stages
//
// [New] builds a [Service] over a [Source], which *audit.Log satisfies (its
// public Query API only). [Service.Answer] takes a [Request] and returns an
// [Answer] holding exactly one of:
//
//   - stage 1, [Request.Kind] [KindList]: a [ListAnswer]
//     (antwortListeProtokolldaten): one page of the person's protocol
//     entries, newest first: time, direction, own and other body, purpose
//     and legal basis, data categories, result, each code with its German
//     text, and whether there is content; never the content itself. The
//     first page also lists the register's current data sets
//     ([Config.Current], below). Each entry carries an opaque entry ID.
//   - stage 2, [KindContent]: a [ContentAnswer] (antwortInhaltsdaten): the
//     content of the one entry [Request.EntryID] names, asked when the
//     citizen opens it: the content transmitted (or where it is kept), or
//     the current data set.
//   - a [StatusAnswer] (antwortStatus) with a [StatusCode]:
//     "nothing_found" (stage 1, first page, no entries and no current
//     data), "lookup_mismatch", "entry_unknown", "entry_expired",
//     "key_required", "malformed_request" (naming the field), "timeout",
//     "integrity", "internal", and the handler's refusals below.
//
// [Service.List] and [Service.Content] are the two stages as Go calls with
// Go errors ([ErrLookupMismatch], [ErrEntryUnknown], [ErrEntryExpired],
// [ErrInconsistent], [ErrIntegrity], [*RequestError]).
//
// Every protocol read, in either stage, is one audit query with the access
// purpose [audit.Datenschutzcockpit]; the audit package records it in its
// read-access log (who: [Config.Who]; reason: the stage, the client and
// the request's message ID; never the IDNr). Nothing is cached: each
// request reads the protocol again.
//
// The window is [now − Config.Retention, now] with now taken from
// [Config.Clock] (default two years, [DefaultRetention]); a record exactly
// at the lower bound is shown. As defence in depth, the service filters
// the store's answer again: a record outside the window is dropped, and a
// record of another person withholds the whole answer with
// [ErrInconsistent]. Pagination uses the audit log's cursor (positions in
// the append order), so paging is stable while records are appended.
//
// The lookup data: the DSC may send a birth date with the IDNr. The
// protocol holds no birth dates, so the service does not select by it.
// [Config.VerifyPerson] checks it against the register in both stages; a
// mismatch is answered "lookup_mismatch" without reading anything. A
// Config must set VerifyPerson or, deliberately,
// [Config.InsecureSkipVerifyPerson]; [New] refuses a Config with neither
// ([ErrNoVerifyPerson]). The birth date is never echoed, logged or stored.
//
// The clerk's user ID (audit.Record.Actor) and the Aktenzeichen are internal
// to the body and not part of an entry; a data-subject request under
// Art. 15 GDPR reads them with the purpose audit.DataSubjectRights instead.
//
// # Entry IDs
//
// An entry ID is an AES-256-GCM token under a key derived, with
// HMAC-SHA256, from [Config.EntryKey], the request's [Request.SessionID]
// and the IDNr; it seals the record's time and ID (or the register's item
// ID of a current data set) and an expiry ([Config.EntryTTL], default 30
// minutes). It reveals nothing: not the record, its time, its position or
// the person. Stage 2 opens it only with the same IDNr and the same session
// before the expiry, at a register holding the same EntryKey, and then
// reads the record again from the protocol (it must still be the person's
// and inside the window). Every failure is "entry_unknown", which does not
// say why; only an expired ID of the right person and session is
// "entry_expired".
//
// Replay, precisely: presenting an entry ID in a request whose session,
// IDNr or register differs from the stage-1 request that issued it, or
// after its expiry. A replay is refused and reveals nothing. Opening the
// same entry again in its own session before the expiry is not a replay:
// the citizen may reopen an entry; each opening is a read access of its
// own. The service keeps no state, so it cannot make IDs single-use across
// instances; the session and the short lifetime bound their use.
// Instances behind one address must share EntryKey; without one, each
// Service draws a random key and IDs do not survive a restart.
//
// # Encryption
//
// The request carries the content key of the citizen's browser session
// ([Request.ContentKey], 32 bytes, AES-256). Every answer to a request that
// carried one, in both stages, status answers included, is sealed with it
// ([Seal]): AES-256-GCM (xmlenc11#aes256-gcm, [AlgorithmAES256GCM]; no
// EncryptedKey), a fresh random 12-byte nonce per answer, and as associated
// data the answer's message ID and the request's it answers
// ("<answer message_id>:<request message_id>", canonical UUIDs). The
// sealed value is nonce ‖ ciphertext ‖ tag, as xmlenc's CipherValue.
// [Open] and [ReadAnswer] decrypt on the client side; another key, another
// message ID or a changed byte fails with [ErrOpenFailed].
//
// A request without a key is refused with "key_required" unless
// [Config.AllowPlaintext] is set (tests, the example). Refusals before the
// request was read (certificate, allow-list, rate, method, media type,
// size, malformed body) are plaintext status answers, which hold no
// personal data; [ReadAnswer] accepts a plaintext answer to a request with
// a key only if it is a status answer.
//
// # Current data (Bestandsdaten)
//
// A register that implements [CurrentData] and sets [Config.Current] shows
// its current data about the person through the same two stages: stage 1
// lists the items ([CurrentItem]: the register's item ID, title, data
// categories, date) on the first page, each with an entry ID; stage 2
// returns the item's content. Reading the register is logged by the
// register (the read-access log covers the protocol).
//
// # HTTP handler and mTLS
//
// [NewHandler] wraps a Service as an http.Handler for the DSC. Serve it over
// TLS with client certificates required and verified against the CA of the
// administration PKI ([ServerTLSConfig]), and set the http.Server's
// ReadHeaderTimeout and ReadTimeout. Each request goes through, in order:
//
//  1. a deadline ([HandlerConfig.Timeout], default 400 ms, at most 499 ms)
//     from arrival to answer; when it passes, the answer is 503 "timeout"
//     even if the store has not returned yet;
//  2. a verified client certificate (r.TLS.VerifiedChains), else 403
//     "certificate_required";
//  3. the allow-list ([AllowedClient]: subject DN and/or SHA-256 pin of the
//     public key, [SPKIPin]), else 403 "not_allowed";
//  4. the token bucket of that allow-list entry, else 429 "rate_limited"
//     with Retry-After (one limiter per entry, so their number is bounded);
//  5. POST only (405 "method_not_allowed"), the codec's Content-Type (415
//     "unsupported_media_type"), the body at most
//     [HandlerConfig.MaxRequestBytes] (413 "request_too_large");
//  6. strict decoding, else 400 "malformed_request" naming the field;
//  7. [Service.Answer]: 200 with the answer (also "nothing_found"), 400
//     "key_required", 404 "entry_unknown", 410 "entry_expired", 422
//     "lookup_mismatch", 500 "internal" or "integrity", sealed with the
//     request's key.
//
// Every answer carries Cache-Control: no-store. Status answers hold a code
// and a fixed message, never a value from the request. The handler logs
// through [HandlerConfig.Logger] (silent by default) the client's
// allow-list name, the code, the status and the time taken; never the
// IDNr, the birth date, an entry ID, the body or a name; digit runs in
// error texts from below are masked.
//
// # Wire format
//
// [JSONCodec] speaks "regmo-dsc/2", a JSON format of ours (version 1 had
// one stage and no encryption). It is not the XDatenschutzcockpit
// standard, whose schemas are not available, and claims no conformance;
// its shape follows the standard's answers so that an official codec is a
// new [Codec] (server half) and [ClientCodec] (client half), not a
// redesign. The wire structs in codec_wire.go are the single source of the
// format: both halves encode and decode them with encoding/json. A request
// is POSTed as Content-Type application/json:
//
//	{"version":"regmo-dsc/2",
//	 "message_id":"<uuid>",          // required: this request
//	 "session_id":"<uuid>",          // required: the cockpit's session; entry IDs are bound to it
//	 "kind":"list",                  // "list" (stage 1) or "content" (stage 2)
//	 "idnr":"36574261809",           // required, 11 digits
//	 "birth_date":"1980-05-17",      // optional, 00 for unknown parts
//	 "content_key":"<base64>",       // 32 bytes, standard base64; required unless plaintext is allowed
//	 "cursor":"...","limit":50,      // list only: "next" of the previous page; 1..1000
//	 "entry_id":"..."}               // content only: an "id" of the list
//
// Unknown fields, fields given twice, values of the wrong JSON type and
// trailing data are refused. The answer is an envelope:
//
//	{"version":"regmo-dsc/2","message_id":"<uuid>","in_reply_to":"<request message_id>",
//	 "encrypted":{"algorithm":"http://www.w3.org/2009/xmlenc11#aes256-gcm",
//	              "cipher_value":"<base64 of nonce ‖ ciphertext ‖ tag>"}}
//
// or, for a plaintext answer, "body" instead of "encrypted". The body
// (the plaintext of cipher_value) is one of:
//
//	{"list":{"window":{"from":"...","to":"..."},        // antwortListeProtokolldaten
//	  "entries":[{"id":"<entry ID>","message_id":"<uuid>","time":"2026-03-02T09:14:07.12Z",
//	    "direction":{"code":"sent","text":"Übermittlung an"},
//	    "own":{"id":"...","name":"Bürgeramt Musterstadt"},
//	    "counterpart":{"id":"...","name":"Bundesverwaltungsamt"},
//	    "purpose":{"code":"...","text":"..."},"legal_basis":{"code":"...","text":"..."},
//	    "categories":[{"code":"family_name","text":"Familienname"}],
//	    "has_content":true,"result":{"code":"delivered","text":"Daten übermittelt"},
//	    "reason":"..."}],
//	  "current":[{"id":"<entry ID>","title":"Meldedaten","categories":[...],"as_of":"..."}],
//	  "next":"..."}}
//	{"content":{"entry_id":"...","entry":{...}|"current":{...},   // antwortInhaltsdaten
//	  "content_text":"..."|"content_base64":"...","content_ref":"..."}}
//	{"status":{"code":"entry_unknown","message":"..."}}           // antwortStatus
//
// Mapping to XDatenschutzcockpit, by meaning: list ↔ antwortListeProtokolldaten,
// content ↔ antwortInhaltsdaten, status ↔ antwortStatus, encrypted ↔
// EncryptedData with EncryptionMethod aes256-gcm and CipherValue, no
// EncryptedKey. Element names inside the answers are ours.
//
// The server encodes with encoding/json. A hand-written encoder served
// version 1; measured on 2026-11 (loaded 2-core VM, 200 entries with
// content) it took 0.29-0.48 ms per answer against 0.59-0.80 ms for
// encoding/json, a saving of about 0.3 ms on answers whose p99 is tens of
// milliseconds and whose budget is 400 ms, so it was dropped with its
// escaping code and its unsafe string view.
//
// # Texts
//
// [Texts] maps the codes of the protocol to German texts, per register:
// purposes, legal bases, bodies (by identifier), data categories, directions
// and results. Data categories default to the names of § 4 IDNrG
// ([DefaultCategoryTexts]); purposes, legal bases and bodies default to what
// the record holds.
//
// # Concurrency
//
// [Service] and [Handler] are safe for concurrent use and keep no state
// between requests apart from the rate limiters. The handler runs each
// answer in a goroutine so that it can answer at the deadline; such an
// answer ends when the store honours the cancelled context.
// [Handler.Close] waits for all of them; call it after the http.Server has
// shut down.
//
// # Speed
//
// See BenchmarkCockpitLoad (stage 1) and BenchmarkCockpitContent (stage 2)
// in load_test.go for the figures and how to run them; both include the
// sealing on the server and the opening on the client.
package cockpit
