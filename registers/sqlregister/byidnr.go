package sqlregister

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// ByIDNr returns the record that holds the IDNr, found through
// <prefix>idnr (the index from IDNr to key, see "Duplicate IDNrs" in the
// package documentation), or ok == false if no record holds it. The record
// must still hold the IDNr in its IDNr column; a side-table row whose
// record no longer does is not a match. It serves checks by IDNr, for
// example the birth date the Datenschutzcockpit sends with an IDNr
// (cockpit.Config.VerifyPerson).
func (r *Register) ByIDNr(ctx context.Context, id idnr.IDNr) (e registers.Entry, ok bool, err error) {
	if id.IsZero() {
		return e, false, nil
	}
	var key string
	err = r.db.QueryRowContext(ctx, r.holderSQL, id.String()).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("sqlregister: looking up an IDNr: %w", err)
	}
	k, err := r.keyArgs(registers.Key(key))
	if err != nil {
		return e, false, err
	}
	es, err := r.query(ctx, true, "SELECT "+r.selectList+", "+r.idnrCol+" FROM "+r.table+" WHERE "+r.keyEq("", 1), k...)
	if err != nil {
		return e, false, fmt.Errorf("sqlregister: reading the record of an IDNr: %w", err)
	}
	if len(es) != 1 || es[0].Person.IDNr != id {
		return e, false, nil
	}
	return es[0], true, nil
}
