package sqlite

import (
	"time"
)

// bgCheckpointFrames is the WAL size (pages) at which a commit of the
// records file checkpoints by itself. Normally the background checkpointer
// keeps the WAL far smaller; this is the backstop should it fall behind.
const bgCheckpointFrames = 262144

// checkpointEvery is how many records committed since the last
// checkpoint make the background checkpointer copy the WAL into the
// database file (each record dirties one to three pages).
const checkpointEvery = 2048

// checkpointLoop copies the records file's WAL into the database file on
// a connection of its own, so that the committer does not: with SQLite's
// automatic checkpoint, the commit that crosses the threshold writes and
// syncs every page of the WAL a second time before Append returns, which
// with the person index in this file (one page per record) took a third of
// the committer's time. A PASSIVE checkpoint runs beside the writer and the
// readers and blocks neither.
func (s *Store) checkpointLoop() {
	defer close(s.stopped)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		case <-tick.C: // also when appends have stopped
			if s.walPending.Load() == 0 {
				continue
			}
		}
		n := s.walPending.Load()
		var busy, logFrames, done int64
		if err := s.ckpt.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
			continue // tried again later; the backstop limits the WAL meanwhile
		}
		if done == logFrames { // all copied (else readers held it back: again on the next tick)
			s.walPending.Add(-n)
		}
	}
}
