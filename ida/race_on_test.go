//go:build race

package ida_test

// raceEnabled shrinks the heaviest tests under the race detector; plain
// `go test` runs them at full size.
const raceEnabled = true
