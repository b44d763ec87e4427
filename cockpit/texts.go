package cockpit

import (
	"maps"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/idnr"
)

// Texts are the German texts the cockpit shows for the codes kept in the
// protocol. A register configures them once (its purposes, the legal bases it
// cites, the bodies it exchanges data with); everything not configured falls
// back to a default: the category defaults of [DefaultCategoryTexts], and for
// purposes, legal bases and bodies the text kept in the record itself.
//
// The maps are copied by [New]; changing them afterwards has no effect.
type Texts struct {
	// Purposes maps the purpose as written into audit.Record.Purpose to the
	// text shown to the person, e.g. "ida-initial-fill" ->
	// "Erstbefüllung des Melderegisters mit der Identifikationsnummer".
	Purposes map[string]string
	// LegalBases maps audit.Record.LegalBasis to its text, e.g.
	// "§ 6 Abs. 3 IDNrG" -> "§ 6 Absatz 3 Identifikationsnummerngesetz".
	LegalBases map[string]string
	// Bodies maps a body identifier (audit.Body.ID) to the name shown;
	// without an entry the name kept in the record is shown.
	Bodies map[string]string
	// Categories maps a data category to its text; entries here override
	// [DefaultCategoryTexts]. Unknown categories are shown by their token.
	Categories map[audit.Category]string
	// Directions and Results override the defaults of
	// [DefaultDirectionTexts] and [DefaultResultTexts].
	Directions map[audit.Direction]string
	Results    map[audit.Result]string
}

// DefaultCategoryTexts returns the default German texts for the data
// categories of § 4 IDNrG, as the law names them: the German names of
// idnr's field table ([idnr.Fields.German]).
func DefaultCategoryTexts() map[audit.Category]string {
	m := make(map[audit.Category]string, idnr.AllFields.Len())
	for f := range idnr.AllFields.All() {
		m[audit.CategoryOf(f)] = f.German()
	}
	return m
}

// DefaultDirectionTexts returns the default texts for the direction of a
// transfer, seen from the register answering the cockpit.
func DefaultDirectionTexts() map[audit.Direction]string {
	return map[audit.Direction]string{
		audit.DirectionUnknown: "Richtung unbekannt",
		audit.Sent:             "Übermittlung an",
		audit.Received:         "Empfang von",
	}
}

// DefaultResultTexts returns the default texts for the result of a transfer.
func DefaultResultTexts() map[audit.Result]string {
	return map[audit.Result]string{
		audit.ResultUnknown:   "Ergebnis unbekannt",
		audit.Delivered:       "Daten übermittelt",
		audit.NotIdentifiable: "Keine eindeutige Zuordnung möglich, keine Daten übermittelt",
		audit.Rejected:        "Anfrage abgelehnt",
	}
}

// texts is the frozen form of Texts used by a Service.
type texts struct {
	purposes, legalBases, bodies map[string]string
	categories                   map[audit.Category]string
	directions                   map[audit.Direction]string
	results                      map[audit.Result]string
}

func freezeTexts(t Texts) texts {
	f := texts{
		purposes:   maps.Clone(t.Purposes),
		legalBases: maps.Clone(t.LegalBases),
		bodies:     maps.Clone(t.Bodies),
		categories: DefaultCategoryTexts(),
		directions: DefaultDirectionTexts(),
		results:    DefaultResultTexts(),
	}
	maps.Copy(f.categories, t.Categories)
	maps.Copy(f.directions, t.Directions)
	maps.Copy(f.results, t.Results)
	return f
}

func lookup[K comparable](m map[K]string, k K, fallback string) string {
	if s, ok := m[k]; ok && s != "" {
		return s
	}
	return fallback
}

func (t *texts) category(c audit.Category) string { return lookup(t.categories, c, string(c)) }
func (t *texts) purpose(p string) string          { return lookup(t.purposes, p, p) }
func (t *texts) legalBasis(l string) string       { return lookup(t.legalBases, l, l) }
func (t *texts) body(b audit.Body) string         { return lookup(t.bodies, b.ID, b.Name) }
func (t *texts) direction(d audit.Direction) string {
	return lookup(t.directions, d, t.directions[audit.DirectionUnknown])
}
func (t *texts) result(r audit.Result) string {
	return lookup(t.results, r, t.results[audit.ResultUnknown])
}
