//go:build !race

package ida_test

const raceEnabled = false
