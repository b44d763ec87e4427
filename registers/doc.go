// Package registers connects a register to the identity-data retrieval: it
// fills the IDNr into every record (the initial fill, Erstbefüllung) and then
// keeps the basic data current, for registers of a few thousand records on
// one machine up to millions shared by several machines.
//
// It builds on [github.com/regmo/regmo/ida] (the lawful, protocolled IDA
// client), [github.com/regmo/regmo/idnr/match] (does the answer belong to
// the register's person?) and [github.com/regmo/regmo/audit] (the § 9
// protocol the ida client writes). [github.com/regmo/regmo/registers/sqlregister]
// implements the interfaces for a register table in PostgreSQL or SQLite.
//
// # Interfaces
//
// Register software implements a few small interfaces, declared here where
// they are consumed, in the spirit of database/sql/driver:
//
//   - [Register] for the backfill: a [Reader] (the people without an IDNr
//     that are not settled yet, in key order, as keyset pages) and a
//     [BatchWriter] (all results of a batch and the checkpoint in one
//     transaction: accepted IDNrs with the basic data that replace the
//     register's own, the outcome of everyone else, the review cases).
//   - [SyncRegister] for the sync: a [SyncReader] and a [SyncWriter].
//
// Optional capabilities are discovered by type assertion:
// [UniqueIDNrWriter], [Checkpointer], [Leaser] with [RangeReader] (key
// ranges for parallel workers), [CaseLister] (the clerks' work list),
// [Counter], [CheckpointResetter] (sync).
//
// The IDA is consumed through [Identifier], [Looker] and
// [InaccuracyReporter], which speak package ida's own request and answer
// types ([ida.Search], [ida.Answer], [ida.Lookup]): an *ida.Client is passed
// as it is, with the [ida.Auth] of the job in the configuration, and tests
// pass fakes that build ida answers. The matcher is consumed through
// [Matcher], which returns idnr/match's own [match.Outcome]; [FromMatch]
// adapts a *match.Matcher, and fakes build match outcomes.
//
// # One vocabulary
//
// The fields of the basic data are [idnr.Fields] (the one field table:
// tokens, German names, reading and copying a field of a Person); the
// engines compare and replace fields with its methods, and the reasons of
// a report name fields by their tokens. Three outcome types remain because
// they mean different things, and each is used under its own name from
// where it is made to where it is read: [ida.Outcome] is what the IDA
// answered (ida.Hit, ida.NotIdentifiable, ...), [match.Decision] whether a
// hit is the register's person (match.Accept, match.Review, match.Reject),
// and [Outcome] what happened to the register's record (Accepted, Review,
// ..., Updated); the backfill turns the first two into the third in one
// place.
//
// [Profiles] lists the 50 registers of the Anlage zu § 1 IDNrG
// ([AnlageVersion]): number, exact name, the legal basis the entry names,
// whether municipalities keep it, and the basic data each keeps (field sets
// not read from the register's own law are marked unverified);
// [NewProfile] describes a register outside the Anlage.
//
// # Backfill
//
// [Backfill] runs the initial fill as a pipeline: a reader goroutine reads
// keyset pages of [BackfillConfig.BatchSize] people and builds for each the
// smallest lawful [ida.Search] ([BuildSearch]: family name, place, postcode and
// birth date; else family name, given names and birth date; else the record
// is reported as [NoSearch] with the reason, not dropped); Workers
// goroutines send the batches through the IDA client's Bulk in messages of
// at most [ida.MaxBulk] searches (its rate
// limiter, breaker and retries apply; a batch that still fails is sent again
// with backoff while [BackfillConfig.Retryable] says so); each unique hit is
// checked by the [Matcher]: Accept writes the IDNr and replaces the basic
// data, Review goes to the review queue with the reasons, Reject and "not
// identifiable" are recorded and reported. One writer (the caller's
// goroutine) stores each batch in one transaction together with the
// checkpoint. Progress is reported through [BackfillConfig.Progress] (done,
// rate, ETA); [Run] returns a [Report] (counts per outcome and reason,
// throughput) that marshals to JSON, and [WriteCasesCSV] writes the
// clerks' work list (register key, outcome, reason, matcher details and
// message ID; no name, birth date, address or IDNr).
//
// # Duplicate IDNrs
//
// A register may hold the same person twice (the classic duplicate, the
// source of most "double IDNr" hints). When the BVA's answers for two
// different records carry the same IDNr, the register must not silently
// keep that IDNr on both: the first record whose IDNr is committed keeps
// it (Accepted); every later one becomes a Review case with reason
// [ReasonIDNrAssigned] ("idnr_already_assigned", for the clerk
// [IDNrAssignedText] and the key of the record that holds it), and its IDNr
// column stays empty; the candidate stays in the review queue so that the
// clerk can merge the records. "First" is the order of commits, which with
// several workers is not always key order. A register that implements
// [UniqueIDNrWriter] (sqlregister does) checks this in the batch's
// transaction against every IDNr it stores, so it holds across batches,
// runs and processes; for any other register the engine keeps the IDNrs
// accepted in this run in memory (about 50 bytes each) and cannot see IDNrs
// stored by earlier runs or other processes.
//
// # Resume
//
// Nothing is written before the IDA client returns, and the client returns
// only after the § 9 protocol record of every transfer is durable, so no
// IDNr is ever written without its protocol record; the register stores the
// message ID of the answer with the record, which links each written IDNr
// to exactly that record. Each batch's results are committed in one
// transaction, together with the checkpoint: the last key below which every
// batch is committed (batches finish out of order; the checkpoint only
// advances over the contiguous prefix). A record that is settled is never
// written again (the writer's UPDATE requires it to be pending), and the
// reader skips settled records, so a run killed at any moment resumes from
// the checkpoint with nothing written twice and nothing skipped. The
// batches in flight at the moment of a crash were transferred and
// protocolled but not written; the next run searches those people again,
// which is a second, lawfully protocolled transfer.
//
// # Register and protocol vouch for each other
//
// [VerifyProtocol] checks the link afterwards, for the backfill's final
// check or any time a vendor wants: it reads the IDNrs the engines wrote
// (the optional [WrittenLister]; sqlregister implements it) in key order by
// pages and asks the protocol ([ProtocolChecker], *audit.Log's HasRecords)
// for the record of each IDNr with the message ID stored beside it. Every
// written IDNr without it is reported ([Unprotocolled], IDNrs masked): an
// IDNr written into the register without a transfer, a stored message ID
// that is missing or not the one that delivered the IDNr, a protocol
// record deleted from the log. It does not see IDNrs the register held
// before regmo (no transfer delivered them), and records lawfully purged
// after two years are reported as missing. Memory stays bounded (one page
// per worker); the protocol logs one read access per page.
//
// # Parallel workers
//
// With [BackfillConfig.Leases], several processes (on one or several
// machines) fill one register together: the first to start splits the
// pending records into key ranges ([Leaser.PlanLeases], idempotent); each
// worker leases the next free range (FOR UPDATE SKIP LOCKED on PostgreSQL),
// works through it, and completes it. Every batch commit renews the lease and
// fails with [ErrLeaseLost] if another worker took it over after it expired,
// so no record is written by two workers. A lease keeps its own checkpoint:
// a worker that takes over an expired lease resumes where the previous one
// committed last.
//
// # Sync
//
// [Sync] keeps a filled register current: it looks up every person with an
// IDNr by IDNr and birth date (single requests, as in regular operation),
// replaces the basic data that changed at the BZSt, and where the register
// has evidence that the BZSt's data are wrong (a field verified against a
// primary document, or a registered death) it keeps its own value and files
// a report of suspected inaccuracy (§ 10 Abs. 4 IDNrG) carrying the
// evidence (Entry.Evidence: kind of document, number or reference, date,
// issuing authority; kept as an evidence text, [ParseEvidence]); a
// deviation without such details is not reported but becomes a case for
// the clerks (reason "inaccuracy_no_evidence"); see [Sync] for the
// evidence rule. An answer the IDA client refuses (it does not fit its
// request) is the outcome of that record alone (Rejected, reason
// "answer_refused:<field>", a case for the clerks, nothing written), as in
// the backfill; errors of the transfer itself stop the pass.
//
// # Clarification requests of the BVA
//
// [IntakeClarifications] fetches the BVA's requests to help clarify an
// error in a person's basic data (§ 10 Abs. 5 IDNrG) from a
// [ClarificationSource] (*ida.Client, which checks each request and
// protocols the acceptable ones as received) from the stored cursor on,
// and files each as a case for the clerks in a [ClarificationStore]
// (registers/sqlregister), reason [ReasonBVAClarification], with the BVA's
// reference, the record's key and the fields in question; a request for a
// person the register does not hold is refused (answered not_held when a
// [ClarificationReplier] is set). The clerks answer in registers/review.
//
// # Preflight
//
// [Preflight] reads every pending record once, before any transfer, and
// sends nothing (it is given only a [Reader]): how many records form the
// primary search, how many only the fallback, how many none (by reason);
// per column the records whose value could not be read (every one of the
// reader's [Entry.Defects], a postcode that is not five digits, names that
// cannot be sent); and, from a
// [CaseLister], the register's own invalid and doubly held IDNrs. The
// [PreflightReport] holds counts and at most [MaxPreflightKeys] keys each,
// never values; it marshals to JSON and String is a short summary.
// Measured on the 2-core test machine, demo SQLite register of 1,000,000
// records (examples/backfill -create-only -people 1000000, then
// /usr/bin/time -v backfill -preflight): 9.0 s wall, 29 MB maximum RSS.
// BenchmarkPreflight (REGMO_PREFLIGHT_N sets the size, default 20,000):
// about 48,000 records/s, 2.1 kB and 33 allocations per record.
//
// # Concurrency
//
// A [Backfill] or [Sync] runs one job at a time; Run may be called again
// after it returns (that resumes). Run starts its goroutines and waits for
// all of them before it returns, also on error or cancellation. The
// Register, Identifier and Matcher it is given must be safe for concurrent
// use (the reader, the workers and the writer call them from different
// goroutines). Progress callbacks come from one goroutine. Nothing in this
// package logs personal data: reasons and reports hold codes and counts,
// and keys are the register's own.
package registers
