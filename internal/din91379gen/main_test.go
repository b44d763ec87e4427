package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedOutputsAreCurrent regenerates the tables from the DIN 91379
// data beside the repository and compares them with the committed files.
func TestCommittedOutputsAreCurrent(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	src, err := readSource(filepath.Join(root, "internal", "din91379gen", "data"))
	if err != nil {
		t.Fatal(err)
	}
	if len(src.search) != 649 {
		t.Fatalf("search-form rows: %d", len(src.search))
	}
	tables, err := genTables(src)
	if err != nil {
		t.Fatal(err)
	}
	search, err := genSearchForm(src)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		filepath.Join(root, "idnr", "din91379_tables.go"):              tables,
		filepath.Join(root, "idnr", "match", "din91379_searchform.go"): search,
	} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go generate ./idnr", path)
		}
	}
}

func TestCodePoints(t *testing.T) {
	r, err := codePoints("0043 0328 0306")
	if err != nil || string(r) != "C\u0328\u0306" {
		t.Fatalf("%q, %v", string(r), err)
	}
	for _, bad := range []string{"", "XYZ", "110000", "D800"} {
		if _, err := codePoints(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
