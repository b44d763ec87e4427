// Package idatest provides a mock of the BVA's identity data retrieval for
// integration tests, shaped like net/http/httptest: [NewServer] starts a
// loopback server speaking wire format regmo-ida/1 (see package ida), with
// URL, Client() and a Close that waits; [NewTLSServer] requires mutual TLS;
// [Server.Handler] and [Server.Transport] serve in process.
//
// # Population
//
// The server answers from synthetic people only: a generated population
// ([WithPopulation], default 1,000 people from seed 1) or the caller's
// ([WithPeople]). About 2% of generated people have an information block.
//
// # Answers
//
// The mock answers as the BVA would: a unique hit with the fields asked for
// (restricted per sender by [WithEntitlement]); "not identifiable" for no
// person and for several (there are no hit lists); for a person with an
// information block, data only in the first bulk answer to each sender
// (the initial fill), afterwards and in single requests an answer
// indistinguishable from "not identifiable"; a rejection with a reason
// code ("missing-field", "invalid-field") for a search below the minimum
// fields; a 4xx problem ("schema-violation", "message-id-reused", ...) for a
// message that breaks the format; 429 with Retry-After beyond the
// per-sender rate ([WithRateLimit]).
//
// Matching stands in for the BZSt's, which the law does not describe: the
// family name (or a former name) and the birth date must agree exactly
// after a simple search form (upper case, Ä → AE, Ö → OE, Ü → UE, ß → SS,
// other diacritics dropped, everything but A–Z removed; partial dates
// agree only with the same zeros); postal code, residence, given names
// (every part asked for among the person's), street, house number, sex and
// birth place must agree when given.
//
// # De-duplication
//
// A message is processed at most once per message ID (within
// [WithDedupWindow]); a repeated message gets the same answer again, and a
// different message under a used ID a 409. [Server.Stats] (MaxProcessed),
// [Server.Processed] and [Server.Requests] let tests assert that nothing
// was processed twice.
//
// # Faults
//
// [WithFaults] injects faults by rate from a seeded generator and
// [WithScript] into the first requests in order: 429, 500 and 503 (with
// Retry-After, seconds or HTTP date) before processing; latency, timeouts,
// dropped connections, truncated or malformed bodies, wrong request IDs and
// duplicated answers after processing, so that a retry is answered from the
// de-duplication cache.
//
// # Concurrency
//
// A Server is safe for concurrent use. Close stops the listener, closes
// connections, and waits for every handler to return.
package idatest
