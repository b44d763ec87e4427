// Command din91379gen generates the DIN 91379 tables of regmo from the
// official character data (String-Latin/DIN-91379-Characters-and-Sequences,
// CC-BY 4.0):
//
//   - idnr/din91379_tables.go: the character classes used by idnr.CheckName
//     (letters, non-letters N1 and N2; sequences of a base letter and
//     combining marks, in NFC);
//   - idnr/match/din91379_searchform.go: DIN 91379 table 9, every Latin
//     letter or sequence with its search form in A-Z.
//
// It is run by "go generate ./idnr" (the directive lives in idnr/names.go).
// The data is read from -in, by default internal/din91379gen/data in the
// module (an unchanged copy of the CC-BY 4.0 data, with its licence); the outputs are
// committed, so a build never needs the data.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("din91379gen: ")
	root := flag.String("root", "", "module root (default: the nearest parent directory with go.mod)")
	in := flag.String("in", "", "directory with the DIN 91379 data (default: <root>/internal/din91379gen/data)")
	flag.Parse()

	if *root == "" {
		r, err := moduleRoot()
		if err != nil {
			log.Fatal(err)
		}
		*root = r
	}
	if *in == "" {
		*in = filepath.Join(*root, "internal", "din91379gen", "data")
	}
	src, err := readSource(*in)
	if err != nil {
		log.Fatal(err)
	}
	tables, err := genTables(src)
	if err != nil {
		log.Fatal(err)
	}
	search, err := genSearchForm(src)
	if err != nil {
		log.Fatal(err)
	}
	if err := write(filepath.Join(*root, "idnr", "din91379_tables.go"), tables); err != nil {
		log.Fatal(err)
	}
	if err := write(filepath.Join(*root, "idnr", "match", "din91379_searchform.go"), search); err != nil {
		log.Fatal(err)
	}
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory; use -root")
		}
		dir = parent
	}
}

// entry is one line of latin_list_1.3.txt.
type entry struct {
	group string // bll, bnlreq, bnl, ...
	kind  string // char or seq
	cps   []rune
	name  string
}

// searchEntry is one line of latin_list_search_form_1.3.txt.
type searchEntry struct {
	cps  []rune // the letter or sequence (column 3)
	to   []rune // its search form (column 6, code points)
	name string
}

type source struct {
	commit  string
	entries []entry
	search  []searchEntry
}

var commitRE = regexp.MustCompile(`commit ([0-9a-f]{40})`)

func readSource(dir string) (*source, error) {
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil, fmt.Errorf("reading the data (set -in): %w", err)
	}
	m := commitRE.FindSubmatch(readme)
	if m == nil {
		return nil, errors.New("README.md names no source commit")
	}
	src := &source{commit: string(m[1])}

	if err := eachLine(filepath.Join(dir, "latin_list_1.3.txt"), func(n int, f []string) error {
		// group; kind; code points; name; character
		if len(f) < 5 {
			return fmt.Errorf("line %d: %d fields", n, len(f))
		}
		cps, err := codePoints(f[2])
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if (f[1] == "char") != (len(cps) == 1) {
			return fmt.Errorf("line %d: kind %q with %d code points", n, f[1], len(cps))
		}
		src.entries = append(src.entries, entry{group: f[0], kind: f[1], cps: cps, name: f[3]})
		return nil
	}); err != nil {
		return nil, err
	}

	if err := eachLine(filepath.Join(dir, "latin_list_search_form_1.3.txt"), func(n int, f []string) error {
		// group; kind; code points; name; character; search-form code points;
		// search form; icao|icao-ext; identity|mapped
		if len(f) != 9 {
			return fmt.Errorf("line %d: %d fields, want 9", n, len(f))
		}
		cps, err := codePoints(f[2])
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		to, err := codePoints(f[5])
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if string(to) != f[6] {
			return fmt.Errorf("line %d: search form %q disagrees with its code points %q", n, f[6], string(to))
		}
		for _, r := range to {
			if r < 'A' || r > 'Z' {
				return fmt.Errorf("line %d: search form outside A-Z", n)
			}
		}
		if f[0] != "bll" {
			return fmt.Errorf("line %d: group %q in the search-form list", n, f[0])
		}
		src.search = append(src.search, searchEntry{cps: cps, to: to, name: f[3]})
		return nil
	}); err != nil {
		return nil, err
	}
	return src, nil
}

func eachLine(path string, fn func(n int, fields []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		// The last column holds the character itself, which may be ";" or
		// a space: split only as far as the columns we need are safe (the
		// code points and names never contain ";").
		fields := strings.Split(line, "; ")
		for i := range fields {
			if i < 4 {
				fields[i] = strings.TrimSpace(fields[i])
			}
		}
		if err := fn(n, fields); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
	}
	return sc.Err()
}

func codePoints(s string) ([]rune, error) {
	var out []rune
	for _, h := range strings.Fields(s) {
		v, err := strconv.ParseUint(h, 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return nil, fmt.Errorf("bad code point %q", h)
		}
		out = append(out, rune(v))
	}
	if len(out) == 0 {
		return nil, errors.New("no code points")
	}
	return out, nil
}

const attribution = `// The data comes from the repository String-Latin/DIN-91379-Characters-and-Sequences
// (https://github.com/String-Latin/DIN-91379-Characters-and-Sequences, commit %s),
// which lists the characters and sequences of DIN 91379:2022-08. It is licensed
// under the Creative Commons Attribution 4.0 International License (CC-BY 4.0,
// http://creativecommons.org/licenses/by/4.0/); this attribution must be kept.
`

// Character classes of idnr/din91379_tables.go.
const (
	clsLetter = 1 // bll letter (single code point after NFC)
	clsN1     = 2 // bnlreq: non-letters N1, allowed in data types A and B
	clsN2     = 4 // bnl: non-letters N2, allowed in data type B
)

func genTables(src *source) ([]byte, error) {
	class := map[rune]uint8{}
	seqSet := map[string]bool{}
	var nLetters, nSeqs, nComposed int
	for _, e := range src.entries {
		var c uint8
		switch e.group {
		case "bll":
			c = clsLetter
		case "bnlreq":
			c = clsN1
		case "bnl":
			c = clsN2
		default:
			continue
		}
		s := string(e.cps)
		nfc := norm.NFC.String(s)
		if e.kind == "char" && nfc != s {
			return nil, fmt.Errorf("character U+%04X (%s) is not NFC-stable", e.cps[0], e.name)
		}
		if c == clsLetter {
			nLetters++
		}
		if utf8.RuneCountInString(nfc) == 1 {
			r, _ := utf8.DecodeRuneInString(nfc)
			class[r] |= c
			if e.kind == "seq" {
				nComposed++
			}
			continue
		}
		if c != clsLetter {
			return nil, fmt.Errorf("non-letter sequence %q", e.name)
		}
		seqSet[nfc] = true
		nSeqs++
	}
	if nLetters != 649 {
		return nil, fmt.Errorf("found %d letters and sequences in group bll, DIN 91379 has 649", nLetters)
	}
	// Every base of a sequence must itself be a letter, so that the checker
	// can treat "letter + combining marks" as one unit.
	seqs := make([]string, 0, len(seqSet))
	for s := range seqSet {
		r, _ := utf8.DecodeRuneInString(s)
		if class[r]&clsLetter == 0 {
			return nil, fmt.Errorf("sequence base U+%04X is not a letter", r)
		}
		// After the base come combining marks; a double diacritic
		// (U+035C to U+0362, as in K͟H) joins the next letter.
		prev := r
		for _, m := range s[utf8.RuneLen(r):] {
			if m < 0x300 && !(prev >= 0x35C && prev <= 0x362 && class[m]&clsLetter != 0) {
				return nil, fmt.Errorf("sequence %s: U+%04X is neither a combining mark nor a letter after a double diacritic", hexRunes(s), m)
			}
			prev = m
		}
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)

	blocks := map[rune]*[256]byte{}
	for r, c := range class {
		b := blocks[r>>8]
		if b == nil {
			b = new([256]byte)
			blocks[r>>8] = b
		}
		b[r&0xff] = c
	}
	keys := make([]rune, 0, len(blocks))
	for k := range blocks {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// Code generated by din91379gen; DO NOT EDIT.\n\n")
	fmt.Fprintf(&buf, attribution, src.commit)
	fmt.Fprintf(&buf, "//\n// %d letters and sequences (group bll), of which %d are single code points in NFC\n", nLetters, nLetters-nSeqs)
	fmt.Fprintf(&buf, "// (%d of them sequences that NFC composes) and %d stay sequences of a base letter and\n", nComposed, nSeqs)
	fmt.Fprintf(&buf, "// combining marks; the non-letters N1 (bnlreq) and N2 (bnl).\n\n")
	fmt.Fprintf(&buf, "package idnr\n\n")
	fmt.Fprintf(&buf, "// Character classes of DIN 91379, as bits.\nconst (\n")
	fmt.Fprintf(&buf, "\tdinLetter = %d // Latin letter (group bll), a single code point in NFC\n", clsLetter)
	fmt.Fprintf(&buf, "\tdinN1     = %d // non-letter N1 (group bnlreq), allowed in data types A and B\n", clsN1)
	fmt.Fprintf(&buf, "\tdinN2     = %d // non-letter N2 (group bnl), allowed in data type B\n", clsN2)
	fmt.Fprintf(&buf, ")\n\n")
	fmt.Fprintf(&buf, "// dinClass returns the DIN 91379 class bits of the code point r.\nfunc dinClass(r rune) uint8 {\n\tswitch r >> 8 {\n")
	for _, k := range keys {
		fmt.Fprintf(&buf, "\tcase 0x%02X:\n\t\treturn dinBlock%02X[r&0xFF]\n", k, k)
	}
	fmt.Fprintf(&buf, "\t}\n\treturn 0\n}\n\n")
	for _, k := range keys {
		fmt.Fprintf(&buf, "// dinBlock%02X holds the classes of U+%02X00 to U+%02XFF.\nconst dinBlock%02X = \"", k, k, k, k)
		for i, c := range blocks[k] {
			if i > 0 && i%32 == 0 {
				fmt.Fprintf(&buf, "\" +\n\t\"")
			}
			fmt.Fprintf(&buf, "\\x%02x", c)
		}
		fmt.Fprintf(&buf, "\"\n\n")
	}
	fmt.Fprintf(&buf, "// dinSequences holds, sorted, the letters of group bll that stay a base\n// letter followed by combining marks in NFC.\nvar dinSequences = [...]string{\n")
	for _, s := range seqs {
		fmt.Fprintf(&buf, "\t%q, // %s\n", s, hexRunes(s))
	}
	fmt.Fprintf(&buf, "}\n")
	return format.Source(buf.Bytes())
}

func genSearchForm(src *source) ([]byte, error) {
	type row struct{ from, to, name string }
	seen := map[string]string{}
	var rows []row
	for _, e := range src.search {
		from := norm.NFC.String(string(e.cps))
		to := string(e.to)
		if prev, ok := seen[from]; ok {
			if prev != to {
				return nil, fmt.Errorf("%q maps to both %s and %s", from, prev, to)
			}
			continue
		}
		seen[from] = to
		rows = append(rows, row{from, to, e.name})
	}
	if len(rows) != 649 {
		return nil, fmt.Errorf("search-form table has %d rows, DIN 91379 has 649", len(rows))
	}
	slices.SortFunc(rows, func(a, b row) int {
		la, lb := utf8.RuneCountInString(a.from), utf8.RuneCountInString(b.from)
		if la != lb {
			return lb - la
		}
		return strings.Compare(a.from, b.from)
	})
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// Code generated by din91379gen; DO NOT EDIT.\n\n")
	fmt.Fprintf(&buf, attribution, src.commit)
	fmt.Fprintf(&buf, "\npackage match\n\n")
	fmt.Fprintf(&buf, "// searchFormTable is DIN 91379 table 9: every Latin letter or sequence\n")
	fmt.Fprintf(&buf, "// (From, in NFC) and its search form in A-Z (To). It is sorted by the\n")
	fmt.Fprintf(&buf, "// length of From in runes, longest first, then by From, so that a scan\n")
	fmt.Fprintf(&buf, "// finds the longest sequence first.\n")
	fmt.Fprintf(&buf, "var searchFormTable = [...]struct{ From, To string }{\n")
	for _, r := range rows {
		fmt.Fprintf(&buf, "\t{%q, %q}, // %s %s\n", r.from, r.to, hexRunes(r.from), r.name)
	}
	fmt.Fprintf(&buf, "}\n")
	return format.Source(buf.Bytes())
}

func hexRunes(s string) string {
	var parts []string
	for _, r := range s {
		parts = append(parts, fmt.Sprintf("U+%04X", r))
	}
	return strings.Join(parts, " ")
}

func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
