// Package idnrtest generates deterministic, synthetic test data for regmo:
// valid tax identification numbers that never collide, and people with
// register-like basic data. Nothing in it describes a real person: names,
// places and street names are common ones, but every combination, number
// and date is drawn at random.
//
// # Numbers
//
// [New] returns a [Generator] fixed by a seed (math/rand/v2 PCG).
// [Generator.IDNr] returns valid numbers under the default rules of
// [idnr.Parse] (no leading zero, the repetition rules of 2016, the check
// digit), with a digit occurring three times about as often as twice. A
// Generator never returns the same number twice: it walks a bijection of
// all valid first-ten-digit strings, so millions of numbers need no memory
// and no lookups.
//
// # People
//
// [Generator.Person] returns one person that passes [idnr.Person.Validate]:
// German names (by era of birth) and Turkish, Polish, Russian (German
// transliteration), Italian, Syrian, Croatian/Bosnian/Serbian, Greek,
// Vietnamese, Scandinavian, French, Spanish, Portuguese and Central European
// ones with their diacritics (ö ü ä ß ł ç ğ ş ı ø å é ñ đ ễ ...); common
// family names repeat so that namesakes occur as in real registers; 1-3
// given names fitting the sex, hyphenated ones included; doctoral degrees
// (about 2%); birth and earlier married names among the former names with
// their kinds; names with prefixes or titles of nobility ("von der Heide",
// "Graf von Neuenwalde", "de Vries"); birth dates 1925-2024, a few partial;
// birth places in Germany and abroad (with the country, and old German
// names for the elderly); nationalities as ISO 3166-1 alpha-3 codes;
// addresses with street, house number, postcode, city and a matching
// municipality key; rare information blocks, move-outs and deaths.
//
// [Generator.Population] returns people in households (singles, couples,
// families with children); [Generator.Sibling], [Generator.Twin],
// [Generator.Child] and [Generator.Spouse] derive relatives of a person,
// which is how matching tests build hard negatives. The defects of register
// copies (typos, transliterations, missing diacritics, ...) live in
// [ApplyDefect] and its relatives.
//
// Generating 100,000 people takes a fraction of a second; see the
// benchmarks.
//
// # Concurrency
//
// A Generator is not safe for concurrent use: give each goroutine its own,
// with its own seed (numbers are unique only within one Generator). The
// package-level tables are read-only.
package idnrtest
