//go:build race

package match_test

// raceEnabled shrinks the evaluation under the race detector, which slows
// it about tenfold; the full sets run in the plain go test.
const raceEnabled = true
