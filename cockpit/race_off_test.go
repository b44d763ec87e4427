//go:build !race

package cockpit_test

// correctnessRecords is the size of the log of TestRealStoreHTTPCorrectness.
const correctnessRecords = 100_000
