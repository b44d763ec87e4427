//go:build race

package cockpit_test

// correctnessRecords is smaller under the race detector, which makes
// building the log about ten times slower.
const correctnessRecords = 20_000
