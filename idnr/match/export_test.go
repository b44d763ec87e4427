package match

import "iter"

// SearchFormTable yields the generated table for tests.
func SearchFormTable() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, e := range searchFormTable {
			if !yield(e.From, e.To) {
				return
			}
		}
	}
}
