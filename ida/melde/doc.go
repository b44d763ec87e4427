// Package melde is the second identity source of regmo: the retrieval of
// the IDNr and the basic data from a Meldebehörde (population register
// authority) instead of the Bundesverwaltungsamt, as § 6 Abs. 1 IDNrG
// allows. Which route a register takes is configuration: [Client] offers
// the calls the backfill, the sync and the clerks' search again consume
// (Bulk, Lookup, as registers.Identifier and registers.Looker), so a
// vendor passes either an *ida.Client or a *melde.Client.
//
// # One client, another wire and counterpart
//
// A [Client] is an *ida.Client built with this route's codec ([JSONv1]),
// its counterpart ([Config].Authority) and its legal basis ([LegalBasis]).
// Everything else is ida's, not a copy: the request types and their
// validation, the access policy, the transport chain (deadline → policy →
// circuit breaker → retries with backoff, Retry-After and the same message
// ID → rate limiter → codec → HTTP with mutual TLS, bounded answers), the
// check of every answer against its request (another person, fields not
// asked for, values outside DIN 91379 are refused as *ida.AnswerError) and
// the errors and predicates (ida.IsNotIdentifiable, ida.IsRetryable, ...).
// Reports of inaccuracy (§ 10 Abs. 4) and of the last contact go to the
// BVA: this client has no such calls and the codec refuses those kinds.
//
// # Protocol (§ 9 IDNrG)
//
// As on the BVA route, with the Meldebehörde as the other body: a lookup
// is written as sent before it leaves; every person delivered is written
// as received (one record per person: Counterpart = Config.Authority,
// LegalBasis "§ 6 Abs. 1 IDNrG" or a basis that begins with it, the
// categories delivered, the answer item as transmitted as content) before
// the answer is handed out; "none" and rejections go to the transport log
// as counts; transport events never hold an IDNr, a name or a birth date.
// An Auth without a legal basis gets [LegalBasis]; an Auth with another
// basis is refused (*ida.FieldError "Auth.LegalBasis") before anything is
// sent.
//
// # Information blocks
//
// Where an information block (Auskunftssperre, § 51 BMG) applies, the
// Meldebehörde answers neutrally: "none", exactly like no person. The
// client cannot and does not tell the two apart: both are
// ida.NotIdentifiable with ida.ErrNotIdentifiable, no § 9 received record
// and the same transport events.
//
// # Wire format "regmo-melde/1"
//
// The real Melde retrieval speaks OSCI-XMeld, whose schemas regmo does not
// use; this is a JSON-over-HTTPS protocol of this project behind the
// [ida.Codec] interface, and claims no conformance to XMeld. Its member
// names are regmo's own, the person's are idnr's field tokens. Every
// request is POST {base}/melde/v1/{kind} with kind lookup, search,
// fallback or batch, Content-Type application/json and the headers of
// ida (Regmo-Protocol: regmo-melde/1, Regmo-Message-Id, the same on every
// retry, Regmo-Sender). A request is one object:
//
//	{"protocol":"regmo-melde/1","message_id":"…","kind":"batch",
//	 "requester":{"name":"…","id":"…"},"sent":"2026-01-02T03:04:05Z",
//	 "purpose":"…","legal_basis":"§ 6 Abs. 1 IDNrG","file_ref":"…",
//	 "fields":["idnr","family_name","birth_date"],
//	 "queries":[{"seq":0,"by":"residence","family_name":"…",
//	             "birth_date":"1980-03-00","postal_code":"12345","city":"…"},
//	            {"seq":1,"by":"name","family_name":"…","given_names":"…","birth_date":"…"}]}
//
// with "by":"idnr" ("idnr","birth_date" only) for a lookup; lookup, search
// and fallback carry exactly one query, batch up to ida.MaxBulk, with seq
// 0, 1, … in order. The answer (HTTP 200) is one object:
//
//	{"protocol":"regmo-melde/1","message_id":"…","request_id":"<the request's ID>",
//	 "kind":"batch","count":2,
//	 "answers":[{"seq":1,"result":"none"},
//	            {"seq":0,"result":"found","fields":["idnr","family_name","birth_date"],
//	             "person":{"idnr":"…","family_name":"…","birth_date":"…"}}]}
//
// with one answer per query in any order, each seq exactly once, and count
// the number of queries. result is "found" (fields lists what person
// carries, always with the idnr), "none" (nothing else: no person, several,
// or an information block) or "rejected" with "code" and an optional
// "text" (the client keeps listed codes only, as ida does). A message
// refused as a whole gets a 4xx with {"protocol","request_id","code",
// "text"}; 429 and 503 may carry Retry-After. Decoding is strict: unknown
// members, a missing or repeated seq, a wrong count, kind or protocol, an
// answer to another message and trailing data are errors (wrapping
// ida.ErrMalformed or ida.ErrMessageMismatch) that never quote the answer.
//
// # Test server
//
// ida/melde/meldetest is a mock Meldebehörde in the shape of
// net/http/httptest, with answers, "none" and the neutral answer.
//
// # Concurrency
//
// A [Client] and [JSONv1] are safe for concurrent use; the client starts no
// goroutines.
package melde
