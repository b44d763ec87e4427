// Package audit is the § 9 IDNrG protocol: a tamper-evident, durable log of
// every transfer that used an IDNr, kept two years, read only for lawful
// purposes, with a separate BSI TR-03176 transport log.
//
// (Full documentation follows.)
package audit
