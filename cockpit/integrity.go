package cockpit

import (
	"errors"

	"github.com/regmo/regmo/audit"
)

// ErrIntegrity is returned by [Service.Lookup] when the protocol store
// served a record whose stored copy does not match its chained record
// ([audit.ErrCopyMismatch]): the answer is withheld rather than showing the
// citizen a text that may be forged. The handler answers 500 with
// [CodeIntegrity]; the operator runs audit.Log.Verify.
var ErrIntegrity = errors.New("cockpit: the protocol failed its integrity check; answer withheld")

// CodeIntegrity is the error code of an answer withheld because the
// protocol failed its integrity check (500).
const CodeIntegrity StatusCode = "integrity"

// integrityErr maps a protocol query's error to ErrIntegrity when a
// stored copy did not match its chained record.
func integrityErr(err error) error {
	if errors.Is(err, audit.ErrCopyMismatch) {
		return ErrIntegrity
	}
	return nil
}
