package idnr_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// allDINLetters reads the 649 letters and sequences of group bll (in NFC)
// from the DIN 91379 data beside the repository (../shared/din91379), or
// skips when the data is not there (the generated tables are committed, so
// a clean checkout without shared/ still builds and tests the rest).
func allDINLetters(t *testing.T) []string {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "din91379", "latin_list_1.3.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("DIN 91379 data not found: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "; ")
		if len(fields) < 3 || fields[0] != "bll" {
			continue
		}
		var b strings.Builder
		for _, h := range strings.Fields(fields[2]) {
			v, err := strconv.ParseUint(h, 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteRune(rune(v))
		}
		out = append(out, norm.NFC.String(b.String()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
