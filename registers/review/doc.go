// Package review is the clerks' workbench: it settles the cases the
// initial fill could not (review, rejected, not identifiable, no search,
// idnr_already_assigned, write_failed, and the register's own IDNrs found
// invalid or held twice: idnr_invalid_in_register,
// idnr_duplicate_in_register) inside the register's own system. A case is
// what the register counts as one (sqlregister: the records
// Register.Cases lists, whose IDNr column is blank - NULL, empty or
// spaces - or holds such a number); Accept replaces an invalid or doubly
// held number of the register's own with the candidate's.
//
// # Decisions
//
// A [Workbench] works over a [Store] (registers/sqlregister implements it
// on PostgreSQL and SQLite): [Workbench.List] pages the open cases in key
// order (keyset) filtered by outcome, reason, score band and key
// ([Workbench.Neighbours]: the previous and next case of a key);
// [Workbench.Counts] counts them per reason; [Workbench.Open] returns a
// case with the register's record and the candidate side by side and the
// matcher's comparison now (per field level, weight and German
// explanation; the thresholds). [Workbench.Decide] applies one of:
//
//   - Accept: the candidate's IDNr and the basic data the BVA delivered
//     with it are written exactly as an automatic Accept of the same
//     answer writes them (the fields the store kept as delivered,
//     [Stored.Delivered], so a field delivered empty clears the
//     register's value; the store writes the columns the register
//     chose to write), with the message ID of the transfer that
//     delivered them; refused with *[IDNrHeldError] if another record
//     holds the IDNr. A case queued before the store kept the delivered
//     fields writes the candidate's non-empty fields.
//   - Reject (a reason is required) and Merge (only for
//     idnr_already_assigned: the record is marked a duplicate of the
//     holder, for the register software to merge) close the case.
//   - SearchAgain: the clerk's corrections are written to the record, a
//     new lawful search is sent with the clerk's role, ID and purpose
//     through the Identifier (the IDA client protocols it), and the answer
//     goes through the matcher with the backfill's rules: the case settles
//     (Accept) or comes back open with the new candidate and reason.
//   - Defer keeps the case open with a note.
//
// Each decision is stored in one transaction with its history entry (who,
// when, why, the outcome it left, the message ID). It is idempotent: a
// decision carries an ID (the form's token) and a second submission with
// the same ID returns the stored decision (Replayed) and changes nothing.
// Two clerks deciding the same case at once: each decision names the
// version of the case it was made on, the store admits one decision per
// (case, version) (a unique key), so one wins and the other gets a
// *[ConflictError]. A SearchAgain that loses this race has already sent
// its search (lawfully protocolled) but writes nothing.
//
// Who may do what: every call checks the [Clerk]'s role and purpose
// against the [Policy] (ActionRead, ActionDecide, ActionSearch), in the
// shape of ida's policy. Every opening of a case is written to the
// read-access log (audit.Log.RecordRead, purpose audit.CaseWork, reason
// "Fall <key>") before it is returned; an opening that cannot be logged is
// refused. Decisions are logged with keys and codes only.
//
// # Web UI
//
// [Handler] (an http.Handler, from [NewHandler]) is the clerks' web UI:
// server-rendered with html/template and embedded assets, no JavaScript
// build step. "/" is the work list with counts and filters, "/case?key=K"
// the case page (both records, differences highlighted, the field weights
// as a table and as an SVG waterfall chart), "POST /decide" takes every
// decision as a plain form; app.js adds keyboard shortcuts (n next, p
// previous, a accept, r reject, s correct and search again). The previous
// and next case are those of the work list the clerk came from: its
// filter (outcome, reason, score band) travels in the case page's URL and
// the decision forms, and [Workbench.Neighbours] finds both cases on the
// server by keyset ([Store.WorkListBefore], [Store.WorkList]), not from
// the browser's history; after a decision the clerk lands on the next
// case of that list. Security:
// authentication is the vendor's ([HandlerConfig.Authenticate]; no clerk
// answers 401), the role is checked on every page (403), every POST
// carries a CSRF token bound to the clerk (HMAC), every answer has
// Cache-Control: no-store and a strict Content-Security-Policy (no inline
// script or style), URLs carry keys only, and the request log holds the
// method, path, status and clerk ID only.
//
// # Clarification requests of the BVA
//
// The BVA's requests to help clarify an error in a person's basic data
// (§ 10 Abs. 5 IDNrG) become cases of their own when
// registers.IntakeClarifications fetches them (reason
// registers.ReasonBVAClarification, kept by a [ClarificationStore], which
// the workbench finds on its Store). [Workbench.Clarifications] lists the
// open ones, [Workbench.OpenClarification] opens one with the register's
// record (logged as a read access, reason "Klärungsersuchen <ref>"), and
// [Workbench.DecideClarification] decides: [ClarifyDefer] (a note, sends
// nothing), [ClarifyDecline] (the reason is sent to the BVA) or
// [ClarifyReply] (the register's values of the fields the evidence proves,
// with the evidence: kind of document, number or reference, date, issuing
// authority). Answers go through Config.Clarifier (*ida.Client), which
// protocols the reply as sent, as the fetch protocolled the request as
// received. The web UI has "/klaerungen" (the list, linked from the work
// list), "/klaerung?ref=R" (the request, the fields in question with the
// register's values, three forms: Antworten mit Nachweis, Ablehnen,
// Zurückstellen) and "POST /klaerung", with the same security as the case
// pages.
package review
