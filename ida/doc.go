// Package ida is a client for the identity data retrieval (IDA) of the
// Bundesverwaltungsamt: lookups by IDNr, searches by basic data, the
// fallback search, bulk searches for the initial fill, reports of suspected
// inaccuracy and of the last administrative contact, each lawful by
// construction, protocolled, and sent through a resilient transport chain.
//
// # Requests
//
// The request types hold only what § 6 Abs. 3 and § 4 Abs. 2 IDNrG allow,
// so a request cannot carry data outside § 4 Abs. 2:
//
//   - [Lookup]: IDNr and birth date ([Client.Lookup]).
//   - [Search] with Kind [ByResidence]: family name, residence (City),
//     postal code and birth date at least ([Client.Search]).
//   - [Search] with Kind [ByName]: the fallback search by family name,
//     given names and birth date ([Client.FallbackSearch]).
//   - [Client.Bulk]: up to [MaxBulk] searches of either kind in one message,
//     each answered on its own.
//   - [InaccuracyReport] (§ 10 Abs. 4, [Client.ReportInaccuracy]) with
//     the [Evidence] for every reported field (kind of document from a
//     closed set, its number or reference, date of issue, issuing
//     authority, the fields it proves), and [LastContact] (§ 4 Abs. 3
//     and 4, [Client.ReportLastContact]).
//   - The BVA's requests to help clarify an error (§ 10 Abs. 5):
//     [Client.Clarifications] fetches them (polled with a cursor, as
//     XTA 2 delivers asynchronously; each is protocolled as received),
//     [Client.ReplyClarification] answers one with evidence, declines it
//     with a reason, or says the person is not in the register (protocolled
//     as sent).
//
// A request that lacks a minimum field or has a malformed one is refused
// before anything is sent, with a *[FieldError] that names the field
// ("Search.PostalCode: required") and never the value. Names are brought
// into NFC and checked against DIN 91379 (data type A for personal names,
// B for places and streets); an error names the offending code points.
// In [Client.Bulk] such a search gets its own Answer with Outcome [Invalid]
// and the others are sent.
//
// # Answers
//
// Each lookup or search gets an [Answer] whose [Outcome] is [Hit] (Person
// with the IDNr and the delivered fields ([idnr.Fields], possibly a subset)),
// [NotIdentifiable] (no data: no person, several persons, or a person with
// an information block after the initial fill, which the BVA makes
// indistinguishable from "no data", and so does this client), [Rejected]
// (a *[RejectedError] with the reason code), [Refused] (the client refused
// the answer after receiving it, an *[AnswerError]; see "Checking
// answers") or, in Bulk only, [Invalid].
// Single calls return the Answer and Answer.Err, so
//
//	a, err := c.Search(ctx, auth, s)
//	switch {
//	case err == nil:              // a.Person.IDNr
//	case ida.IsNotIdentifiable(err):
//	case ida.IsRejected(err):
//	case ida.IsRetryable(err):    // try again later
//	}
//
// # Checking answers
//
// Every answer to a lookup or search (single, fallback or one item of a
// bulk answer) is checked against its request in one place of the client,
// after decoding and before anything of it is protocolled as received or
// handed out. A hit is refused, as an *[AnswerError] with Outcome
// [Refused], when
//
//   - it carries a field the request did not ask for (Auth.Fields plus the
//     IDNr): wrapping [ErrAnswerMismatch], Field naming the fields
//     ("nationalities|address"). Such data are refused, not dropped: they
//     must not reach the register (§ 6 IDNrG, the Berechtigungskonzept),
//     and the § 9 record of a hit keeps the item as transmitted, so the
//     only way to keep them out of every copy is to keep no part of it;
//   - a value is not acceptable basic data (idnr.Person.Validate after
//     bringing the names into NFC): a name outside DIN 91379 data type A,
//     a place, street, house number or country outside type B (control
//     characters such as ESC and NUL, bidi overrides such as U+202E,
//     U+FFFD, which is what the JSON decoder makes of invalid UTF-8), an
//     impossible date, an unknown code: wrapping [ErrAnswerInvalid], Field
//     naming the field ("Address.Street"), never the value; code points
//     are named only for characters that are not letters, digits or marks;
//   - it is not the person asked for: a lookup's hit for another IDNr, or
//     with a birth date not compatible with the one sent; a search's hit
//     whose birth date is not compatible with the searched (partial) date,
//     or whose family name agrees with the searched one neither as family
//     name nor as one of the delivered former names (the BVA also finds a
//     person by a former name). Names are compared in a folded form (NFC,
//     umlauts, ß and ligatures spelled out, other diacritics dropped, upper
//     case A-Z only, then AE, OE and UE read as A, O and U), at most as
//     strict as the DIN 91379 search form, so that an answer the BVA found
//     by the name is never refused. Wraps [ErrAnswerMismatch].
//
// A refused answer is a transport event of kind "answer-refused" (the
// item's position, the field and the reason; no value) and is counted in
// the "answered" event; it has no § 9 received record (a lookup's sent
// record exists, written before sending). It is not retryable and does
// not count against the circuit breaker. In [Client.Bulk] only the items
// that fail are refused; the others are answered.
//
// Not compared: given names, residence, postal code and the other fields
// of a search (a hit's address may be newer than the register's), and a
// family name that is not delivered (the BVA may deliver a subset, even
// the IDNr alone). A caller that searches by a birth name without asking
// for former names gets a hit with a different family name refused. The
// checks catch a mixed-up or misdirected answer and a broken or careless
// server; they cannot catch a server that forges an answer consistent with
// the request, against which mutual TLS is the guard.
//
// # Text from the server
//
// Text from the other side is untrusted: it may hold a name, a birth date
// or an IDNr. The client never puts it unmasked into an error, a log line
// or a transport event: a rejection's free text (4xx problem or rejected
// item) is dropped, and its reason code is kept only if it is one of the
// protocol's [ReasonCodes] or of [Config.ReasonCodes]: a code that has the
// form of one (a letter, then up to 63 letters, digits, '-', '_', '.' or
// ':', no run of more than three digits) but is not listed reads
// "unlisted" (a double family name has that form too), any other reads
// "masked"; a decoder
// error never quotes the body (an unknown member is "unknown member",
// other value errors name our own sentinel or "invalid value"). As a last
// guard, a transport event whose detail still holds something shaped like
// an IDNr has its digits masked, so that the audit log does not refuse
// (and lose) the events of that exchange.
//
// # Authorisation
//
// Every call carries an [Auth]: role, actor (user ID or procedure name),
// purpose, legal basis, Aktenzeichen, and the fields needed. The client's
// [Policy] (the register's Berechtigungskonzept: roles → request kinds,
// purposes, fields) is checked before sending. A refusal is a
// *[PolicyError] and is protocolled: always as a transport event of kind
// "policy-refused" (role, kind, reason; no personal data), and, when the
// refused request would have carried an IDNr (lookup, reports), also as an
// [audit.Record] with Direction Sent and Result Rejected, so that a data
// protection check sees the attempt on that person. A refused search
// carries no IDNr and has no § 9 record.
//
// # Transport
//
// [New] assembles the chain: the caller's context (deadline) → policy →
// circuit breaker (sony/gobreaker; opens after Breaker.Failures consecutive
// failed messages, fails fast with a *[BreakerOpenError] while open,
// probes after Breaker.OpenFor) → retries (hashicorp/go-retryablehttp; at
// most Retry.Max, only for 429, 5xx, connection errors, timeouts and
// unusable answers; exponential backoff with jitter; Retry-After in
// seconds or as an HTTP date is honoured, read as at most [RetryAfterCap]
// (a longer one, like any beyond Retry.MaxRetryAfter, ends the call), while
// a negative or unparseable one means the default backoff, never 0 s;
// every retry is the same message with the same message ID, so the server
// can de-duplicate) → rate limiter
// (x/time/rate, per HTTP attempt, so retries count too) → codec → HTTP with
// mutual TLS (Config.TLS), a per-attempt timeout, no redirects, and a
// bounded answer size. Answers are decoded strictly: unknown or missing
// fields, data outside the delivered fields, a wrong protocol name and an
// answer to another message ID are errors ([DecodeError] wrapping
// [ErrMalformed], [ErrMessageMismatch] or [ErrTooLarge]). None of these
// libraries' types appear in this package's API.
//
// Errors are typed: [FieldError], [PolicyError], [RejectedError],
// [ResponseError], [TransportError], [DecodeError], [BreakerOpenError],
// [ProtocolError], [AnswerError]; and the predicates [IsRetryable],
// [IsNotIdentifiable], [IsRejected], [IsPolicyDenied], [IsInvalid],
// [IsCircuitOpen], [IsTimeout], [IsAnswerRefused] answer what callers ask.
//
// # Protocol
//
// Config.Protocol (an *audit.Log) is mandatory. The rules:
//
//   - A request that carries an IDNr (lookup, reports) is written as an
//     [audit.Record] with Direction Sent, the encoded message as Content,
//     before it leaves (write-ahead: a failed send still has its record;
//     over-reporting, never under-reporting).
//   - Every answer that delivers a person, and passes the checks above, is
//     written as one record per person (Direction Received, the delivered
//     categories, the item as transmitted as Content) before the answer is
//     returned. If that write
//     fails, the answer is withheld and the call fails with a *[ProtocolError].
//   - "Not identifiable" and rejections carry no IDNr and go to the
//     transport log only, as counts per message.
//   - Transport events (sent per attempt, received with status and
//     Retry-After, schema-check result, retry with wait, errors, breaker
//     refusals, the final summary) go to the separate transport log
//     (AppendTransport) once per message, never with an IDNr, a name or a
//     birth date.
//
// # Wire format v1
//
// The XBasisdaten schemas are not available, so the client speaks
// "regmo-ida/1", a JSON-over-HTTPS protocol of this project, implemented
// by [JSONv1] behind the [Codec] interface (an XBasisdaten codec can be
// added later). It makes no claim to XBasisdaten conformance. [Codec] is
// the client's half (requests out, answers and problems in); a codec
// offers the server's half, [ServerCodec], beside it, which ida/idatest
// finds by type assertion. JSONv1's wire structs (jsonv1_wire.go) are the
// one source of the format below; both halves go through encoding/json,
// except the field lists' decoder, kept for its measured saving.
//
// Every request is POST {base}/v1/{kind} with kind one of lookup, search,
// fallback, bulk, inaccuracy, last-contact (and, since 1.1,
// clarifications, clarification-reply), and the headers
//
//	Regmo-Protocol:   regmo-ida/1
//	Regmo-Message-Id: <UUID, the same on every retry>
//	Regmo-Sender:     <Config.Sender.ID>
//	Content-Type:     application/json (bulk: application/x-ndjson)
//
// A single request is one JSON object:
//
//	{"protocol":"regmo-ida/1","message_id":"…","kind":"search",
//	 "sender":{"name":"…","id":"…"},"sent":"2026-01-02T03:04:05Z",
//	 "purpose":"…","legal_basis":"…","file_ref":"…",
//	 "fields":["idnr","family_name","given_names","birth_date","address"],
//	 "search":{"kind":"search","family_name":"…","birth_date":"1980-03-00",
//	           "postal_code":"12345","city":"…"}}
//
// with "lookup":{"idnr","birth_date"}, "inaccuracy":{"idnr","fields",
// "held":{person},"reason","evidence":[…]} or
// "last_contact":{"idnr","date":"YYYY-MM"} in place of "search". Dates are "YYYY-MM-DD" with 00 for unknown parts. A
// bulk request is NDJSON: the header object with "kind":"bulk" and
// "count":n and no payload, then n lines {"seq":i,"search":{…}} in order.
//
// The answer to a single request (HTTP 200) is one object:
//
//	{"protocol":"regmo-ida/1","message_id":"…","request_id":"<the request's ID>",
//	 "kind":"search","result":"hit","fields":[…],"person":{…}}
//
// where result is "hit" (fields lists what person carries: idnr,
// family_name, former_names [{"name","kind"}], given_names,
// doctoral_degree, birth_date, birth_place {"city","country"}, sex (m, w,
// d, x), nationalities, address {street, house_number, supplement,
// postal_code, city, municipality_key, country}, death_date, move_in_date,
// move_out_date, information_blocks (bmg51, bmg52), last_contact),
// "not_identifiable" (nothing else), or "rejected" with "code" and "text"
// (the client keeps the code only).
// Reports are answered with "result":"received","received":"<time>". A
// bulk answer is NDJSON: a header {"protocol","message_id","request_id",
// "kind":"bulk","count":n}, one line {"seq":i,"result":…} per search in
// any order, each seq exactly once, and the trailer {"end":true,"count":n}
// (a missing trailer means a truncated answer). A whole message that is
// refused gets a 4xx with a problem object {"protocol","request_id",
// "code","text"}; 429 and 503 may carry Retry-After.
//
// Revision 1.1 of the format (still "regmo-ida/1": a 1.0 receiver
// refuses the new member as unknown, and a 1.1 receiver refuses a report
// without it, so both sides move together) adds the evidence of a report
// of inaccuracy (§ 10 Abs. 4 IDNrG: the BVA counts a deviation only when
// the register backs it with proof). "evidence" is a list of at most
// [MaxEvidence] objects
//
//	{"fields":["family_name","birth_date"],"kind":"birth_certificate",
//	 "kind_text":"…","reference":"G 1234/1980","date":"1980-03-14",
//	 "authority":"Standesamt Bremen-Mitte"}
//
// where kind is one of the tokens of [DocumentKind] (birth_certificate,
// marriage_certificate, partnership_certificate, death_certificate,
// civil_status_extract, name_change, naturalisation, id_card, passport,
// residence_permit, registration_extract, doctoral_certificate, other),
// kind_text names the document for "other" only, and date is the complete
// date of issue. Every reported field must be among the fields of some
// item, and no item may prove a field not reported ([Evidence],
// [InaccuracyReport.Validate]); the receiver rejects a report that breaks
// this ("missing-evidence", "invalid-field").
//
// Revision 1.1 also adds the BVA's requests to help clarify an error (§ 10
// Abs. 5 IDNrG), fetched as an asynchronous transport (XTA 2) delivers
// them: POST {base}/v1/clarifications with the payload
// "clarifications":{"since":"<cursor>"} ("" for the first fetch) is
// answered with "result":"clarifications", "requests":[…] (at most
// [MaxClarificationPage]) and "next":"<cursor>", each request
//
//	{"reference":"KL-2026-000017","idnr":"…","fields":["family_name"],
//	 "reason":"deviation-reported","issued":"2026-03-01T10:00:00Z"}
//
// with a reason from [ClarificationReasons] and no free text. The client
// decodes the envelope strictly and each request on its own: a request
// with an invalid IDNr, a reference that is too long, holds a control
// character or an IDNr, an unknown member or field is refused alone
// ([ClarificationPage].Refused, a transport event "clarification-refused"),
// the others are protocolled as received and handed out
// ([Client.Clarifications]). POST {base}/v1/clarification-reply with
// "clarification_reply":{"reference","idnr","answer","fields","held",
// "evidence","reason"} answers one (answer "evidence" with fields, held
// values and evidence as in a report, or "declined" / "not_held" with a
// reason; [Client.ReplyClarification]); it is answered with a receipt or
// rejected ("unknown-reference" for a request the BVA did not issue).
//
// # Configuration
//
// The client takes a config struct: some settings are required and
// callers set several (regmo's rule: config structs for that, functional
// options only where every setting is an optional tweak, as in ida/idatest
// and the audit stores). [Config] zero values mean: Codec [JSONv1]; Counterpart the BVA;
// RateLimit 20 attempts/s (burst 20; [NoRateLimit] switches it off);
// Retry.Max 4, WaitMin 100ms, WaitMax 5s, MaxRetryAfter 60s; Breaker
// Failures 5 consecutive failed messages, OpenFor 30s, Probes 1 (negative
// Failures disables it); AttemptTimeout 30s; MaxResponseBytes 64 MiB;
// Clock time.Now, Rand math/rand/v2, NewMessageID uuid.New; Logger silent.
// BaseURL, Sender.ID, Policy and Protocol are required. [Client.Stats]
// reports messages, attempts, retries and breaker transitions.
//
// # Concurrency
//
// A [Client] is safe for concurrent use by many goroutines; it starts no
// goroutines and Close only releases idle connections. Protocol and Codec
// implementations must be safe for concurrent use.
package ida
