// Package cockpit answers the Datenschutzcockpit (DSC): for a person's IDNr,
// the transfers of the last two years that used it, from the § 9 IDNrG
// protocol kept by package audit, with German texts, newest first, one page
// at a time.
//
// The DSC, run by the Bundesverwaltungsamt, shows a citizen which public
// bodies exchanged which of their data using the IDNr, when and why. It
// stores nothing and asks each register live, expecting an answer within
// 500 ms. A register may use the IDNr in transfers only once it answers.
//
// # Query service
//
// [New] builds a [Service] over a [Source], which *audit.Log satisfies.
// [Service.Lookup] takes a [Request] (IDNr, optional birth date, cursor,
// page size) and returns a [Response] of [Entry] values: time, direction,
// own and counterpart body, purpose and legal basis, data categories, the
// content transmitted or a reference to it, and the result, each code
// together with its text.
//
// Every lookup is one audit query with the access purpose
// [audit.Datenschutzcockpit]; the audit package records that read in its
// read-access log (who: [Config.Who]; reason: the client and the DSC's
// request ID; never the IDNr). Nothing is cached: each request reads the
// protocol again.
//
// The window is [now − Config.Retention, now] with now taken from
// [Config.Clock] (default two years, [DefaultRetention]); a record exactly
// at the lower bound is shown. As defence in depth, Lookup filters the
// store's answer again: a record outside the window is dropped, and a record
// of another person withholds the whole answer with [ErrInconsistent].
// Pagination uses the audit log's cursor (positions in the append order), so
// paging is stable while records are appended: records appended after the
// first page never appear in later pages, and no record that existed when
// paging started is skipped or shown twice.
//
// The lookup data: like the IDA lookup, the DSC may send a birth date with
// the IDNr. The protocol holds no birth dates, so the service does not
// select by it. The codec checks its form; [Config.VerifyPerson] checks it
// against the register and a mismatch is answered with [ErrLookupMismatch]
// ("lookup_mismatch") without reading the protocol. A Config must set
// VerifyPerson or, deliberately, [Config.InsecureSkipVerifyPerson] (the
// birth date is then ignored and any admitted client gets any IDNr's
// transfers); [New] refuses a Config with neither, with a [*ConfigError]
// wrapping [ErrNoVerifyPerson]. The birth date is never echoed, logged or
// stored.
//
// The clerk's user ID (audit.Record.Actor) and the Aktenzeichen are internal
// to the body and not part of an entry; a data-subject request under
// Art. 15 GDPR reads them with the purpose audit.DataSubjectRights instead.
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
//  7. the lookup: 422 "lookup_mismatch", 500 "internal", or 200 with the page.
//
// Every answer carries Cache-Control: no-store. Error answers hold a code and
// a fixed message, never a value from the request. The handler logs through
// [HandlerConfig.Logger] (silent by default) the client's allow-list name,
// the code, the status and the time taken; never the IDNr, the birth date,
// the body or a name; digit runs in error texts from below are masked.
//
// # Wire format
//
// [JSONCodec] speaks "regmo-dsc/1", a JSON format of ours. It is not the
// XDatenschutzcockpit standard, whose schemas are not available; an official
// codec can be added behind the [Codec] interface. A request is POSTed as
// Content-Type application/json:
//
//	{"version":"regmo-dsc/1",
//	 "request_id":"7d3c0f4e-5b7a-4c1e-9a51-3f1b2a7c9d10",  // optional UUID, echoed
//	 "idnr":"36574261809",                                 // required, 11 digits
//	 "birth_date":"1980-05-17",                            // optional, 00 for unknown parts
//	 "cursor":"...",                                       // optional, "next" of the previous page
//	 "limit":50}                                           // optional, 1..1000, capped by the service
//
// Unknown fields, fields given twice, values of the wrong JSON type and
// trailing data are refused. The answer:
//
//	{"version":"regmo-dsc/1","request_id":"...",
//	 "window":{"from":"2024-11-24T10:00:00Z","to":"2026-11-24T10:00:00Z"},
//	 "entries":[{
//	   "id":"<uuid>","message_id":"<uuid>","time":"2026-03-02T09:14:07.120Z",
//	   "direction":{"code":"sent","text":"Übermittlung an"},
//	   "own":{"id":"...","name":"Bürgeramt Musterstadt"},
//	   "counterpart":{"id":"...","name":"Bundesverwaltungsamt"},
//	   "purpose":{"code":"...","text":"..."},
//	   "legal_basis":{"code":"§ 6 Abs. 3 IDNrG","text":"..."},
//	   "categories":[{"code":"family_name","text":"Familienname"}],
//	   "content_text":"...",        // or "content_base64" when not UTF-8, or neither
//	   "content_ref":"...",         // where the content is kept, if not inline
//	   "result":{"code":"delivered","text":"Daten übermittelt"},
//	   "reason":"..."}],            // for a rejected transfer
//	 "next":"..."}                  // absent on the last page
//
// An error answer is {"version":"regmo-dsc/1","request_id":"...",
// "error":{"code":"malformed_request","message":"..."}} with the codes of
// [ErrorCode]. Clients use [JSONCodec.EncodeRequest] and
// [JSONCodec.DecodeResponse].
//
// # Texts
//
// [Texts] maps the codes of the protocol to German texts, per register:
// purposes, legal bases, bodies (by identifier), data categories, directions
// and results. Data categories default to the names of § 4 IDNrG
// ([DefaultCategoryTexts]: "Familienname", "Geburtsdatum", "Anschrift", ...);
// purposes, legal bases and bodies default to what the record holds, since
// audit records keep them as text already.
//
// # Concurrency
//
// [Service] and [Handler] are safe for concurrent use and keep no state
// between requests apart from the rate limiters. The handler runs each
// lookup in a goroutine so that it can answer at the deadline; such a lookup
// ends when the store honours the cancelled context. [Handler.Close] waits
// for all of them; call it after the http.Server has shut down.
package cockpit
