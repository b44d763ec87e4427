package sqlregister

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// WrittenIDNrs implements [registers.WrittenLister]: the records whose
// IDNr regmo wrote (<prefix>state accepted, by the backfill, the sync or a
// clerk's decision), after the key in key order, with the message ID
// stored in <prefix>message. IDNrs the register held before regmo (state
// NULL) are not listed: no transfer delivered them. A value in the IDNr
// column that is not a valid IDNr is listed with a zero IDNr.
func (r *Register) WrittenIDNrs(ctx context.Context, after registers.Key, limit int) ([]registers.WrittenIDNr, error) {
	var args []any
	q := "SELECT " + r.keyExpr("") + ", " + r.idnrCol + ", " + r.messageCol + " FROM " + r.table +
		" WHERE " + r.stateCol + " = " + strconv.Itoa(int(registers.Accepted)) + " AND " + r.idnrCol + " IS NOT NULL"
	if after != "" {
		a, err := r.keyArgs(after)
		if err != nil {
			return nil, err
		}
		q += " AND " + r.keyCmp("", ">", 1)
		args = a
	}
	args = append(args, limit)
	q += " ORDER BY " + r.keyOrder("") + " LIMIT " + r.ph(len(args))
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlregister: listing written IDNrs: %w", err)
	}
	defer rows.Close()
	out := make([]registers.WrittenIDNr, 0, limit)
	for rows.Next() {
		var key, id, msg sql.NullString
		if err := rows.Scan(&key, &id, &msg); err != nil {
			return nil, fmt.Errorf("sqlregister: listing written IDNrs: %w", err)
		}
		w := registers.WrittenIDNr{Key: registers.Key(key.String), MessageID: strings.TrimSpace(msg.String)}
		w.IDNr, _ = idnr.ParseStrict(strings.TrimSpace(id.String))
		out = append(out, w)
	}
	return out, rows.Err()
}
