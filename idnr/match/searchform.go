package match

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// sfSeq is a DIN 91379 sequence that starts with a given rune: the rest of
// the sequence after that rune and its search form.
type sfSeq struct{ rest, to string }

// sfGroup holds what the table says about sequences starting with one rune.
type sfGroup struct {
	to   string  // search form of the rune alone; "" if the rune alone is unmapped
	seqs []sfSeq // longer sequences starting with the rune, longest first
}

// sfLimit bounds the runes that start a table entry (the Latin blocks end
// before U+1F00); the index is dense below it.
const sfLimit = 0x1F00

var (
	sfGroups []sfGroup
	sfIndex  [sfLimit]uint16 // rune -> 1 + index into sfGroups; 0 = not in the table
	// sfASCII maps an ASCII byte to its search form letter, 0 if unmapped.
	sfASCII [128]byte
)

func init() {
	for _, e := range searchFormTable {
		r, n := utf8.DecodeRuneInString(e.From)
		if r >= sfLimit {
			panic("match: search-form table entry beyond the dense index")
		}
		if sfIndex[r] == 0 {
			sfGroups = append(sfGroups, sfGroup{})
			sfIndex[r] = uint16(len(sfGroups))
		}
		g := &sfGroups[sfIndex[r]-1]
		if n == len(e.From) {
			g.to = e.To
		} else {
			// The table is sorted longest first, so appending keeps that order.
			g.seqs = append(g.seqs, sfSeq{rest: e.From[n:], to: e.To})
		}
	}
	for c := 0; c < 128; c++ {
		if i := sfIndex[c]; i != 0 && len(sfGroups[i-1].to) == 1 {
			sfASCII[c] = sfGroups[i-1].to[0]
		}
	}
}

// SearchForm returns the DIN 91379 search form of s (DIN 91379 table 9, the
// form the BMeldDAV prescribes for comparing names): s is NFC-normalised,
// every Latin letter or letter sequence is replaced by its A–Z form, the
// longest sequence first (Ä → AE, ß → SS, Ø → OE, Ł → L, Þ → TH), and every
// character the table does not map is removed (spaces, hyphens,
// apostrophes, digits, letters of other scripts). The result holds only the
// letters A–Z and may be empty.
//
//	SearchForm("Sœrensen") == SearchForm("Sörensen") == SearchForm("Soerensen") == "SOERENSEN"
//	SearchForm("Karl-Heinz") == "KARLHEINZ"
//	SearchForm("Lange Straße") == "LANGESTRASSE"
//
// SearchForm is idempotent. A string that already is a search form is
// returned without allocating.
func SearchForm(s string) string {
	if isSearchForm(s) {
		return s
	}
	var buf [64]byte
	return string(AppendSearchForm(buf[:0], s))
}

// isSearchForm reports whether s consists of the letters A–Z only.
func isSearchForm(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// AppendSearchForm appends the search form of s (see [SearchForm]) to dst
// and returns the extended slice. It does not allocate when dst has room,
// unless s is not in NFC.
func AppendSearchForm(dst []byte, s string) []byte {
	// ASCII fast path: map byte by byte until the first non-ASCII byte. An
	// ASCII letter followed by a non-ASCII byte may start a sequence, so the
	// general path takes over at that letter.
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (i+1 < len(s) && s[i+1] >= utf8.RuneSelf) {
			break
		}
		if m := sfASCII[c]; m != 0 {
			dst = append(dst, m)
		}
	}
	if i == len(s) {
		return dst
	}
	start := len(dst)
	out, ok := appendSearchFormNFC(dst, s[i:])
	if ok {
		return out
	}
	// s is not in NFC (decomposed umlauts, a Kelvin or Ångström sign):
	// normalise and start again. The ASCII prefix handled so far cannot
	// combine with what follows except through its last letter, which is
	// part of s[i:].
	out, _ = appendSearchFormNFC(out[:start], norm.NFC.String(s[i:]))
	return out
}

// mayChangeUnderNFC reports whether an unmapped rune hints that the input
// is not in NFC in a way that matters for the search form: a combining
// mark left over after the table's sequences, or a singleton that NFC maps
// to a Latin letter (Kelvin sign, Ångström sign).
func mayChangeUnderNFC(r rune) bool {
	return (r >= 0x0300 && r < 0x0370) || (r >= 0x1AB0 && r < 0x1B00) || (r >= 0x1DC0 && r < 0x1E00) ||
		(r >= 0x20D0 && r < 0x2100) || (r >= 0xFE20 && r < 0xFE30) || r == 0x212A || r == 0x212B
}

// appendSearchFormNFC is the general path. It assumes NFC input and
// reports false when it meets a rune showing that s is not in NFC.
func appendSearchFormNFC(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		n := 1
		if c < utf8.RuneSelf {
			if i+1 == len(s) || s[i+1] < utf8.RuneSelf {
				// ASCII not followed by a possible combining mark
				if m := sfASCII[c]; m != 0 {
					dst = append(dst, m)
				}
				i++
				continue
			}
			r = rune(c)
		} else {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if r >= sfLimit || sfIndex[r] == 0 {
			if mayChangeUnderNFC(r) {
				return dst, false
			}
			i += n // unmapped: removed
			continue
		}
		g := &sfGroups[sfIndex[r]-1]
		i += n
		matched := false
		if i == len(s) || s[i] < utf8.RuneSelf {
			// Every sequence continues with a combining mark (non-ASCII).
			dst = append(dst, g.to...)
			continue
		}
		for _, q := range g.seqs {
			if strings.HasPrefix(s[i:], q.rest) {
				dst = append(dst, q.to...)
				i += len(q.rest)
				matched = true
				break
			}
		}
		if !matched {
			dst = append(dst, g.to...)
		}
	}
	return dst, true
}

// appendLoose appends the diacritic-blind form of a search form: the
// umlaut spellings AE, OE and UE are reduced to A, O and U, so that a name
// written without its diacritics (Muller) meets the search form of the name
// with them (Müller → MUELLER). Both sides of a comparison are reduced the
// same way; the matcher treats agreement here as weaker than agreement of
// the search forms.
func appendLoose[T ~string | ~[]byte](dst []byte, sf T) []byte {
	for i := 0; i < len(sf); i++ {
		c := sf[i]
		dst = append(dst, c)
		if (c == 'A' || c == 'O' || c == 'U') && i+1 < len(sf) && sf[i+1] == 'E' {
			i++
		}
	}
	return dst
}
