// Package idnr holds the identification number of the German register
// modernisation (the tax identification number, IDNr, § 139b AO), the basic
// data of a person (Basisdaten, § 4 IDNrG), partial dates as registers keep
// them, and the DIN 91379 character checks for names.
//
// Everything else in regmo builds on these types. The package imports
// nothing of regmo and keeps no state.
//
// # The number
//
// [IDNr] is a small comparable value: use it as a map key and compare it
// with ==; the zero value means "no IDNr". [Parse] reads a number tolerating
// the usual separators ("65 929 970 489", "65.929.970.489", ...);
// [ParseStrict] and [Validate] accept exactly 11 digits. Each rule has its
// own error so that callers can tell the reason with errors.Is:
//
//   - [ErrEmpty], [ErrLength], [ErrNonDigit]: not 11 digits;
//   - [ErrLeadingZero]: the first digit is 0 (never issued; the option
//     [AllowLeadingZero] accepts such test numbers);
//   - [ErrRepetition]: among the first ten digits exactly one digit must
//     occur more than once, twice or three times;
//   - [ErrThreeInARow]: a digit occurring three times must not stand three
//     in a row (rule of 2016; [StdnumCompatible] drops it to agree with
//     python-stdnum);
//   - [ErrCheckDigit]: the 11th digit is the ISO/IEC 7064 MOD 11,10 check
//     digit of the first ten.
//
// An IDNr is personal data. fmt (every verb, also inside structs) and
// log/slog print only [IDNr.Masked], "********809"; the digits come only
// from [IDNr.String] (canonical, for registers and wire messages),
// [IDNr.Grouped] ("65 929 970 489", for people) and the encodings:
// MarshalText/UnmarshalText (XML, map keys, wire types of your own;
// strict 11 digits, "" for the zero value) and sql Scan/Value (text, NULL
// for the zero value). No error of this package contains a number, a name
// or a date.
//
// encoding/json prints [IDNr], [Date] and [Person] masked (MarshalJSON),
// because slog's JSON handler prints slices, maps and structs through it:
// an IDNr, date or person held in any of them is logged masked by slog's
// text and JSON handlers. JSON input is still read in full (UnmarshalText),
// so a wire format writes the full values explicitly: a string field
// filled from [IDNr.String], or a field type of its own whose MarshalText
// calls [IDNr.MarshalText] (as the ida codec does). encoding/json writes map
// keys through MarshalText, in full: wrap such a value with [Masked], or
// give the handler [MaskAttr] as its ReplaceAttr, which masks nested values
// and map keys alike. Unexported struct fields are left out by both.
//
// Parse of a valid number takes a few tens of nanoseconds and never
// allocates.
//
// # Basic data
//
// [Person] holds exactly the categories of § 4 Abs. 2 and 3 IDNrG: IDNr,
// family name, former names with their kinds ([NameKind]), given names,
// doctoral degree, date and place of birth, sex ([Sex], register codes m,
// w, d, x via [ParseSex]), nationalities, the current or last known
// [Address], date of death, dates of moving in and out, information blocks
// ([InformationBlock], Auskunftssperren) and the month of the last
// administrative contact ([MonthYear]). Names are unstructured as registers
// keep them since 2015: "Graf von Neuenwalde" is a family name; the
// doctoral degree has its own field. Library bookkeeping (such as "last
// updated") is deliberately not part of Person.
//
// [Person.Validate] checks the fields that are present (none is required,
// since an IDA answer may carry only a subset) and reports every problem at
// once as an errors.Join of [*FieldError] values, each naming the field path
// ("Address.Street", "FormerNames[1]") and the reason but never the value;
// [FieldErrors] unpacks them. [Person.Normalize] brings all text fields to
// NFC first. A Person prints and logs as a masked summary.
//
// # The fields
//
// [Fields] is the one vocabulary of the basic data for all of regmo: a set
// of fields, each constant ([FieldIDNr] ... [FieldLastContact]) a set of
// one. One table behind it gives each field its stable token
// ([Fields.Token], "family_name": the IDA wire token, the § 9 protocol
// category, the name in reports), its German name for clerks and the
// Datenschutzcockpit ([Fields.German], "Familienname"), the Absatz of § 4
// that lists it ([Fields.Section]), and how it is read and copied on a
// Person ([Fields.Filled], [Fields.Differing], [Fields.Copy]). Package ida
// sends and checks field sets with it, audit derives its categories from
// it, registers compares and replaces fields with it, idnr/match names the
// compared fields after it, and registers/sqlregister maps its columns to
// it. Adding a field means adding one row to that table.
//
// # Partial dates
//
// Registers keep birth, death and moving dates with unknown parts written as
// zeros: 00031998 is March 1998 with the day unknown, 00001998 the year
// only, 00000000 nothing. [Date] keeps exactly that. [ParseDate] reads
// "YYYY-MM-DD" and the register form "DDMMYYYY", each with zeros for
// unknown parts, and rejects impossible dates (31 April, 29 February of a
// common year, month 13, a day without a month). [Date.Year], [Date.Month]
// and [Date.Day] tell which parts are known; [Date.Compatible] and
// [Date.Before] compare partial dates honestly. There is no silent
// conversion to time.Time: [Date.Time] fails for a partial date. Dates
// print masked ("****-**-00") under fmt and slog; [Date.String] and
// [Date.RegisterForm] give the digits.
//
// # Names and DIN 91379
//
// Names must use the characters of DIN 91379:2022-08. [NormalizeName] puts
// a string into Unicode NFC, the form the standard assumes (a decomposed
// "a" + U+0308 becomes "ä"); it returns ASCII and NFC input without
// allocating. [CheckName] and [CheckField] check a string against a data
// type:
//
//   - [DataTypeA], names of natural persons (family, former and given names,
//     doctoral degree): the 649 Latin letters and sequences of group bll and
//     the non-letters N1 (space ' , - . ` ~ ¨ ´ · ʹ ʺ ʾ ʿ ˈ ˌ ’ ‡);
//   - [DataTypeB], here places, streets, house numbers and countries:
//     data type A plus the non-letters N2 (digits and signs such as / ( ) & €).
//
// A sequence is a base letter followed by combining marks (C̨̆, K͟H); after
// NFC most letters are single code points and 149 stay sequences, which the
// checker recognises as units. An error lists the offending characters by
// code point, never the name. Checking a 20-character name takes well under
// 200 ns without allocating.
//
// The tables are generated (go generate runs internal/din91379gen) from the
// data of the repository String-Latin/DIN-91379-Characters-and-Sequences
// (https://github.com/String-Latin/DIN-91379-Characters-and-Sequences,
// commit 003582006a8f574a1e6a7d3874ff1940f3f039ef), licensed under the
// Creative Commons Attribution 4.0 International License (CC-BY 4.0,
// http://creativecommons.org/licenses/by/4.0/). The package idnr/match
// uses the same data for the search form (DIN 91379 table 9).
//
// # Concurrency
//
// All values of this package are immutable once built and every function is
// safe for concurrent use. The only methods that change their receiver are
// the decoders (UnmarshalText, Scan) and [Person.Normalize], which must not
// run concurrently with other use of the same variable.
package idnr
