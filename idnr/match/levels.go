package match

import (
	"log/slog"
	"strconv"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// Field is a field of the basic data that the matcher compares.
type Field uint8

// The compared fields, in the order the reasons list them.
const (
	FieldIDNr Field = iota
	FieldFamilyName
	FieldGivenNames
	FieldBirthDate
	FieldSex
	FieldBirthPlace
	FieldAddress
	FieldNationality
	FieldDoctoralDegree
	// NumFields is the number of compared fields.
	NumFields
)

// fieldBasic maps each compared field to its field of the basic data. The
// tokens and German names derive from idnr's field table (the token with
// "-" for "_"); only the IDNr keeps its short German name.
var fieldBasic = [NumFields]idnr.Fields{idnr.FieldIDNr, idnr.FieldFamilyName, idnr.FieldGivenNames, idnr.FieldBirthDate,
	idnr.FieldSex, idnr.FieldBirthPlace, idnr.FieldAddress, idnr.FieldNationalities, idnr.FieldDoctoralDegree}

var fieldTokens, fieldGerman = func() (tok, ger [NumFields]string) {
	for i, f := range fieldBasic {
		tok[i], ger[i] = strings.ReplaceAll(f.Token(), "_", "-"), f.German()
	}
	ger[FieldIDNr] = "IDNr"
	return tok, ger
}()

// Basic returns the field of the basic data that f compares
// ([idnr.FieldBirthDate] for FieldBirthDate), or 0 for an unknown f.
func (f Field) Basic() idnr.Fields {
	if f < NumFields {
		return fieldBasic[f]
	}
	return 0
}

// String returns a stable English token such as "birth-date".
func (f Field) String() string {
	if f < NumFields {
		return fieldTokens[f]
	}
	return "field(" + strconv.Itoa(int(f)) + ")"
}

// German returns the German field name a clerk knows ("Geburtsdatum").
func (f Field) German() string {
	if f < NumFields {
		return fieldGerman[f]
	}
	return f.String()
}

// Level is how well one field of two records agrees. Which levels a field
// can reach is listed in the package documentation ("Scoring model").
type Level uint8

// The comparison levels, from agreement to conflict.
const (
	// LevelMissing: the field is not known on both sides; it counts nothing.
	LevelMissing Level = iota
	// LevelExact: equal in the search form (names), equal (dates, codes).
	LevelExact
	// LevelFormerName: a family name agrees with a former name of the other side.
	LevelFormerName
	// LevelDiacritics: equal once umlaut spellings are ignored (Müller, Muller).
	LevelDiacritics
	// LevelTranslit: equal in the transliteration-blind key: another Latin
	// spelling of a name from Arabic, Cyrillic, Greek, Turkish or another
	// script (Mohammed, Muhammad; Hussein, Husain; Yusuf, Yousef;
	// Schewtschenko, Shevchenko). See the package documentation.
	LevelTranslit
	// LevelHyphenation: given names agree once hyphens are ignored ("Hans-Georg", "Hans Georg").
	LevelHyphenation
	// LevelSubset: one side's names are all among the other's (given names in
	// any order; "von Neuenwalde" and "Neuenwalde"; a double name).
	LevelSubset
	// LevelNameOrder: the names agree once given and family name are
	// exchanged: the two fields swapped, the family name written first, or
	// the family name among the other side's given names.
	LevelNameOrder
	// LevelPhonetic: equal Kölner Phonetik code.
	LevelPhonetic
	// LevelTypo: a small edit distance (Damerau-Levenshtein) on the search form.
	LevelTypo
	// LevelPartial: some overlap only: some given names agree and others
	// conflict; a birth place given with and without its district or by an
	// old name; a partial birth date sharing only the year.
	LevelPartial
	// LevelCompatible: a partial birth date whose known year and month agree.
	LevelCompatible
	// LevelDigitTypo: complete birth dates differing in one digit or two
	// adjacent transposed digits.
	LevelDigitTypo
	// LevelSwapped: complete birth dates with day and month swapped.
	LevelSwapped
	// LevelSameStreet: same street (and town), different or missing house number.
	LevelSameStreet
	// LevelSameCity: same postcode or town, different street.
	LevelSameCity
	// LevelMismatch: a weak disagreement (no common nationality; sex divers
	// or ohne Angabe against m or w; different doctoral degrees).
	LevelMismatch
	// LevelConflict: the field disagrees and no typo or variant explains it.
	LevelConflict
	// NumLevels is the number of levels.
	NumLevels
)

var levelTokens = [NumLevels]string{"missing", "exact", "former-name", "diacritics", "transliteration", "hyphenation", "subset", "name-order", "phonetic", "typo", "partial", "compatible", "digit-typo", "day-month-swapped", "same-street", "same-city", "mismatch", "conflict"}
var levelGerman = [NumLevels]string{
	"nicht auf beiden Seiten vorhanden",
	"stimmt überein",
	"stimmt mit einem früheren Namen überein",
	"stimmt ohne Umlautschreibung überein",
	"stimmt in anderer Umschrift überein (z. B. Mohammed/Muhammad)",
	"stimmt ohne Bindestrich überein",
	"Teilmenge (einzelne Namensteile fehlen auf einer Seite)",
	"Vor- und Familienname vertauscht oder in anderer Reihenfolge",
	"klingt gleich (Kölner Phonetik)",
	"weicht um einen Tippfehler ab",
	"stimmt teilweise überein",
	"unvollständig, bekannte Teile stimmen überein",
	"weicht um eine Ziffer ab",
	"Tag und Monat vertauscht",
	"gleiche Straße, andere Hausnummer",
	"gleicher Ort, andere Straße",
	"weicht leicht ab",
	"widerspricht sich",
}

// String returns a stable English token such as "day-month-swapped".
func (l Level) String() string {
	if l < NumLevels {
		return levelTokens[l]
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// German returns a short German description for a clerk.
func (l Level) German() string {
	if l < NumLevels {
		return levelGerman[l]
	}
	return l.String()
}

// Reason is the contribution of one field to a score: the level the field
// reached and the weight that level carries. It holds no personal data, so
// it is safe to log and to show in a review queue.
type Reason struct {
	Field  Field
	Level  Level
	Weight float64
}

// String returns "birth-date=day-month-swapped(+6.0)".
func (r Reason) String() string {
	return r.Field.String() + "=" + r.Level.String() + "(" + formatWeight(r.Weight) + ")"
}

// Text returns the German reason for a clerk: "Geburtsdatum: Tag und Monat vertauscht".
func (r Reason) Text() string {
	if t, ok := reasonGerman[[2]uint8{uint8(r.Field), uint8(r.Level)}]; ok {
		return r.Field.German() + ": " + t
	}
	return r.Field.German() + ": " + r.Level.German()
}

// reasonGerman holds the field-specific wording where the general level
// text would be vague.
var reasonGerman = map[[2]uint8]string{
	{uint8(FieldGivenNames), uint8(LevelPartial)}:      "nur einige Vornamen stimmen überein, andere widersprechen sich",
	{uint8(FieldGivenNames), uint8(LevelSubset)}:       "Teilmenge (einzelne Vornamen fehlen auf einer Seite)",
	{uint8(FieldFamilyName), uint8(LevelSubset)}:       "Namensteil fehlt auf einer Seite (Namenszusatz, Doppelname)",
	{uint8(FieldBirthDate), uint8(LevelPartial)}:       "unvollständig, nur das Jahr ist auf beiden Seiten bekannt und gleich",
	{uint8(FieldBirthDate), uint8(LevelCompatible)}:    "unvollständig, Monat und Jahr stimmen überein",
	{uint8(FieldBirthPlace), uint8(LevelPartial)}:      "Ortsteil, Abkürzung oder früherer Name desselben Orts",
	{uint8(FieldAddress), uint8(LevelConflict)}:        "anderer Ort (Umzug möglich)",
	{uint8(FieldFamilyName), uint8(LevelNameOrder)}:    "steht auf der anderen Seite unter den Vornamen (Namen vertauscht oder Familienname zuerst geschrieben)",
	{uint8(FieldGivenNames), uint8(LevelNameOrder)}:    "stehen auf der anderen Seite im Familiennamen (Namen vertauscht oder Familienname zuerst geschrieben)",
	{uint8(FieldFamilyName), uint8(LevelTranslit)}:     "gleicher Name in anderer lateinischer Umschrift (z. B. Al-Hassan/El Hasan)",
	{uint8(FieldGivenNames), uint8(LevelTranslit)}:     "gleicher Vorname in anderer lateinischer Umschrift (z. B. Yusuf/Yousef)",
	{uint8(FieldFamilyName), uint8(LevelTypo)}:         "weicht um einen Tipp- oder Lesefehler ab (auch Scanfehler wie rn/m, cl/d)",
	{uint8(FieldGivenNames), uint8(LevelTypo)}:         "weicht um einen Tipp- oder Lesefehler ab (auch Scanfehler wie rn/m, cl/d)",
	{uint8(FieldSex), uint8(LevelMismatch)}:            "divers oder ohne Angabe auf einer Seite",
	{uint8(FieldNationality), uint8(LevelMismatch)}:    "keine gemeinsame Staatsangehörigkeit",
	{uint8(FieldDoctoralDegree), uint8(LevelMismatch)}: "verschiedene Doktorgrade",
}

func formatWeight(w float64) string {
	s := strconv.FormatFloat(w, 'f', 1, 64)
	if w >= 0 {
		s = "+" + s
	}
	return s
}

// Reasons holds one [Reason] per field, indexed by [Field]. Fields at
// [LevelMissing] contributed nothing.
type Reasons [NumFields]Reason

// Compared returns the reasons of the fields that were known on both sides,
// in field order.
func (rs *Reasons) Compared() []Reason {
	out := make([]Reason, 0, NumFields)
	for _, r := range rs {
		if r.Level != LevelMissing {
			out = append(out, r)
		}
	}
	return out
}

// String lists the compared fields: "family-name=exact(+10.0) given-names=subset(+7.0) ...".
func (rs *Reasons) String() string {
	var b []byte
	for _, r := range rs {
		if r.Level == LevelMissing {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, r.String()...)
	}
	return string(b)
}

// Decision is the matcher's verdict.
type Decision uint8

const (
	// Reject: the candidate is not the person (or there is none).
	Reject Decision = iota
	// Review: a clerk must decide.
	Review
	// Accept: the candidate is the person; its IDNr may be stored.
	Accept
)

// String returns "reject", "review" or "accept".
func (d Decision) String() string {
	switch d {
	case Reject:
		return "reject"
	case Review:
		return "review"
	case Accept:
		return "accept"
	}
	return "decision(" + strconv.Itoa(int(d)) + ")"
}

// German returns "Ablehnen", "Prüfen" or "Übernehmen".
func (d Decision) German() string {
	switch d {
	case Reject:
		return "Ablehnen"
	case Review:
		return "Prüfen"
	case Accept:
		return "Übernehmen"
	}
	return d.String()
}

// Hold says why a decision is not Accept.
type Hold uint8

const (
	// HoldNone: nothing held the decision back (it is Accept).
	HoldNone Hold = iota
	// HoldNoCandidate: there was no candidate.
	HoldNoCandidate
	// HoldConflict: a strong conflict in Outcome.HoldField (IDNr, given
	// names, birth date, sex m/w) rules out Accept however high the score.
	HoldConflict
	// HoldMissing: family name, given names or birth date is not known on
	// both sides; missing evidence never leads to Accept.
	HoldMissing
	// HoldWeak: family name, given names or birth date agrees too weakly
	// for an automatic decision (for example a typo in a short given name,
	// which twins cannot be told from).
	HoldWeak
	// HoldCorroboration: the birth date agrees only approximately and
	// neither address nor birth place confirm it.
	HoldCorroboration
	// HoldScore: the score is below the accept threshold.
	HoldScore
	// HoldAmbiguous: another candidate scores within the margin.
	HoldAmbiguous
)

var holdTokens = [...]string{"", "no-candidate", "conflict", "missing", "weak", "corroboration", "score", "ambiguous"}
var holdGerman = [...]string{
	"",
	"kein Kandidat",
	"starker Widerspruch",
	"Pflichtmerkmal fehlt auf einer Seite",
	"Pflichtmerkmal stimmt nur schwach überein",
	"Geburtsdatum nur ähnlich und weder Anschrift noch Geburtsort bestätigen es",
	"Gesamtgewicht unter der Annahmeschwelle",
	"ein weiterer Kandidat ist fast gleich gut",
}

// String returns a stable English token such as "ambiguous", or "" for HoldNone.
func (h Hold) String() string {
	if int(h) < len(holdTokens) {
		return holdTokens[h]
	}
	return "hold(" + strconv.Itoa(int(h)) + ")"
}

// German returns a German description for a clerk.
func (h Hold) German() string {
	if int(h) < len(holdGerman) {
		return holdGerman[h]
	}
	return h.String()
}

// Outcome is the result of [Matcher.Decide]. It holds no personal data:
// it is safe to log (it implements slog.LogValuer) and to store in a review
// queue.
type Outcome struct {
	Decision Decision
	// Candidate is the index of the best candidate, or -1 when there is
	// none or the decision is Reject.
	Candidate int
	// Score is the best candidate's total weight (sum of Reasons weights).
	Score float64
	// Runner is the second-best candidate's score; 0 when there was only
	// one candidate.
	Runner float64
	// Hold says why the decision is not Accept; HoldField names the field
	// for HoldConflict, HoldMissing, HoldWeak.
	Hold      Hold
	HoldField Field
	// Reasons are the per-field levels and weights of the best candidate.
	Reasons Reasons
}

// String returns a one-line summary without personal data, e.g.
// "accept candidate=0 score=45.0 family-name=exact(+10.0) ...".
func (o Outcome) String() string {
	s := o.Decision.String() + " candidate=" + strconv.Itoa(o.Candidate) + " score=" + strconv.FormatFloat(o.Score, 'f', 1, 64)
	if code := o.HoldCode(); code != "" {
		s += " hold=" + code
	}
	if r := o.Reasons.String(); r != "" {
		s += " " + r
	}
	return s
}

// HoldCode is the reason code of the hold, for reports and case lists:
// the hold's name, with the field for HoldConflict, HoldMissing and
// HoldWeak (for example "conflict:birth-date"); "" when there is no hold.
func (o Outcome) HoldCode() string {
	if o.Hold == HoldNone {
		return ""
	}
	code := o.Hold.String()
	if o.Hold == HoldConflict || o.Hold == HoldMissing || o.Hold == HoldWeak {
		code += ":" + o.HoldField.String()
	}
	return code
}

// German returns the explanation for a clerk, one line per compared field,
// for example "Prüfen (Gesamtgewicht 24.0): Geburtsdatum nur ähnlich ...".
func (o Outcome) German() string {
	s := o.Decision.German() + " (Gesamtgewicht " + strconv.FormatFloat(o.Score, 'f', 1, 64) + ")"
	if o.Hold != HoldNone {
		s += ": " + o.Hold.German()
		if o.Hold == HoldConflict || o.Hold == HoldMissing || o.Hold == HoldWeak {
			s += " (" + o.HoldField.German() + ")"
		}
	}
	for _, r := range o.Reasons {
		if r.Level != LevelMissing {
			s += "\n" + r.Text() + " (" + formatWeight(r.Weight) + ")"
		}
	}
	return s
}

// LogValue implements slog.LogValuer with the summary fields and reasons.
func (o Outcome) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("decision", o.Decision.String()),
		slog.Int("candidate", o.Candidate),
		slog.Float64("score", o.Score),
		slog.String("hold", o.Hold.String()),
		slog.String("reasons", o.Reasons.String()),
	)
}

// MarshalText implements encoding.TextMarshaler with [Field.String].
func (f Field) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// MarshalText implements encoding.TextMarshaler with [Level.String].
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// MarshalText implements encoding.TextMarshaler with [Decision.String].
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MarshalText implements encoding.TextMarshaler with [Hold.String].
func (h Hold) MarshalText() ([]byte, error) { return []byte(h.String()), nil }
