package audit

// SetVerifyChunk sets how many positions a Verify reader scans at a time
// and returns a func that restores the default; for tests only.
func SetVerifyChunk(n int64) (restore func()) {
	old := verifyChunk
	verifyChunk = n
	return func() { verifyChunk = old }
}
