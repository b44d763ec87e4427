package cockpit

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// CurrentData is the register's current data about a person
// (Bestandsdaten), which the Datenschutzcockpit is to show beside the
// transfers. The register implements it; the [Service] serves it through
// the same two stages: the items are listed (without content) on the first
// page of stage 1, each with an entry ID, and stage 2 opens one.
//
// Reading the register is the register's business: an implementation logs
// the read as its law requires (the protocol's read-access log covers the
// protocol only).
type CurrentData interface {
	// CurrentItems lists the data sets the register holds about the person
	// now, without their content; none is not an error.
	CurrentItems(ctx context.Context, id idnr.IDNr) ([]CurrentItem, error)
	// CurrentContent returns one item that CurrentItems listed and its
	// content (the data as the register holds them, e.g. JSON). An item
	// that no longer exists is an error wrapping [ErrEntryUnknown].
	CurrentContent(ctx context.Context, id idnr.IDNr, itemID string) (CurrentItem, []byte, error)
}

// CurrentItem is one data set of the register about a person, e.g. the
// Meldedaten, a Waffenbesitzkarte, a trade notice.
type CurrentItem struct {
	// ID is the register's own key of the data set: 1..64 bytes of
	// printable ASCII and no personal data (it is sealed into the entry ID,
	// never sent in the clear).
	ID string
	// Title is shown to the person, e.g. "Meldedaten"; 1..120 characters.
	Title string
	// Categories are the data the item holds.
	Categories []audit.Category
	// AsOf is when the item last changed; zero if unknown.
	AsOf time.Time
}

// CurrentEntry is a current data set as the cockpit shows it.
type CurrentEntry struct {
	// ID is the opaque entry ID that opens the content in stage 2.
	ID         string
	Title      string
	Categories []CategoryText
	AsOf       time.Time // UTC; zero if unknown
}

// errCurrentItem: the register's CurrentData gave an item that cannot be
// served; the answer is withheld (internal).
var errCurrentItem = errors.New("cockpit: the register's current data item is malformed")

func checkItemID(id string) error {
	if id == "" || len(id) > maxItemIDLen {
		return fmt.Errorf("%w: ID must be 1..%d bytes", errCurrentItem, maxItemIDLen)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return fmt.Errorf("%w: ID must be printable ASCII", errCurrentItem)
		}
	}
	if audit.ContainsIDNr(id) {
		return fmt.Errorf("%w: ID holds an IDNr", errCurrentItem)
	}
	return nil
}

func (s *Service) currentEntry(it *CurrentItem) (CurrentEntry, error) {
	if err := checkItemID(it.ID); err != nil {
		return CurrentEntry{}, err
	}
	if n := utf8.RuneCountInString(it.Title); n == 0 || n > audit.MaxText || !utf8.ValidString(it.Title) {
		return CurrentEntry{}, fmt.Errorf("%w: Title must be 1..120 characters of UTF-8", errCurrentItem)
	}
	ce := CurrentEntry{Title: it.Title, Categories: s.categories(it.Categories)}
	if !it.AsOf.IsZero() {
		ce.AsOf = it.AsOf.UTC()
	}
	return ce, nil
}
