package idnrtest

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/regmo/regmo/idnr"
)

// Replacement data for defects and hard negatives: common German names,
// streets and towns (with postcodes and districts), synthetic only.
var (
	defectMaleNames = []string{"Peter", "Michael", "Thomas", "Andreas", "Stefan", "Jürgen", "Klaus", "Frank",
		"Jörg", "Uwe", "Bernd", "Markus", "Christian", "Sebastian", "Alexander", "Maximilian", "Lukas",
		"Jonas", "Felix", "Paul", "Leon", "Finn", "Björn", "Sören", "Karl", "Heinrich", "Friedrich",
		"Wolfgang", "Günter", "Dieter", "Matthias", "Tobias", "Florian", "Benedikt", "Konstantin", "Moritz"}
	defectFemaleNames = []string{"Anna", "Maria", "Ursula", "Monika", "Petra", "Sabine", "Claudia", "Susanne",
		"Andrea", "Birgit", "Julia", "Katharina", "Laura", "Sophie", "Lea", "Hannah", "Emilia", "Charlotte",
		"Mia", "Jülide", "Käthe", "Gisela", "Ingrid", "Renate", "Helga", "Elisabeth", "Margarete",
		"Franziska", "Johanna", "Theresa", "Veronika", "Annegret", "Dorothea", "Christiane", "Friederike"}
	defectSurnames = []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
		"Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
		"Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
		"Krause", "Meier", "Lehmann", "Köhler", "Yılmaz", "Kowalski", "Nowak", "Öztürk", "Jansen", "Vogel",
		"Groß", "Weiß", "Sommer", "Fuchs", "Kühn", "Böhm", "Lorenz", "Jäger", "Brandt", "Haas", "Graf von Neuenwalde"}
	defectStreets = []string{"Hauptstraße", "Schulstraße", "Bahnhofstraße", "Gartenstraße", "Dorfstraße",
		"Lindenweg", "Birkenweg", "Am Markt", "Kirchplatz", "Goethestraße", "Schillerstraße", "Mühlenweg",
		"Bergstraße", "Waldstraße", "Ringstraße", "Jahnstraße", "Am Sportplatz", "Rosengässle", "Talwegle",
		"Friedrich-Ebert-Straße", "Lange Straße", "Königsallee", "Marktplatz", "Uferstraße"}
	defectTowns = []struct{ postal, city string }{
		{"10115", "Berlin"}, {"20095", "Hamburg"}, {"80331", "München"}, {"50667", "Köln"},
		{"60311", "Frankfurt am Main"}, {"70173", "Stuttgart"}, {"40213", "Düsseldorf"}, {"04109", "Leipzig"},
		{"44135", "Dortmund"}, {"45127", "Essen"}, {"28195", "Bremen"}, {"01067", "Dresden"},
		{"30159", "Hannover"}, {"90402", "Nürnberg"}, {"47051", "Duisburg"}, {"44787", "Bochum"},
		{"42103", "Wuppertal"}, {"33602", "Bielefeld"}, {"53111", "Bonn"}, {"48143", "Münster"},
		{"09111", "Chemnitz"}, {"24103", "Kiel"}, {"18055", "Rostock"}, {"99084", "Erfurt"},
		{"27568", "Bremerhaven"}, {"79098", "Freiburg im Breisgau"}, {"66111", "Saarbrücken"},
		{"61348", "Bad Homburg vor der Höhe"}, {"15230", "Frankfurt (Oder)"}, {"97070", "Würzburg"},
	}
	// defectDistricts are districts of some towns, for birth places
	// recorded with their district.
	defectDistricts = map[string][]string{
		"Berlin":            {"Spandau", "Charlottenburg", "Köpenick", "Neukölln", "Pankow", "Mitte"},
		"Hamburg":           {"Altona", "Harburg", "Wandsbek", "Bergedorf"},
		"München":           {"Schwabing", "Pasing", "Giesing", "Bogenhausen"},
		"Köln":              {"Ehrenfeld", "Deutz", "Porz", "Kalk"},
		"Frankfurt am Main": {"Höchst", "Sachsenhausen", "Bornheim"},
		"Stuttgart":         {"Bad Cannstatt", "Degerloch", "Vaihingen"},
		"Dortmund":          {"Hörde", "Aplerbeck"},
		"Bochum":            {"Wattenscheid"},
		"Bonn":              {"Bad Godesberg", "Beuel"},
	}
	// defectOldNames are old or foreign names of birth places.
	defectOldNames = map[string][]string{
		"Chemnitz":    {"Karl-Marx-Stadt"},
		"Bremerhaven": {"Wesermünde"},
		"München":     {"Munich"},
		"Köln":        {"Cologne"},
		"Nürnberg":    {"Nuremberg"},
		"Hannover":    {"Hanover"},
		"Wrocław":     {"Breslau"},
		"Gdańsk":      {"Danzig"},
		"Kaliningrad": {"Königsberg"},
		"Szczecin":    {"Stettin"},
		"Praha":       {"Prag"},
		"Kyiv":        {"Kiew"},
	}
	// defectSpellings are other spellings of birth places.
	defectSpellings = map[string][]string{
		"Frankfurt am Main":        {"Frankfurt a. M.", "Frankfurt/Main", "Frankfurt a.M.", "Frankfurt"},
		"Freiburg im Breisgau":     {"Freiburg i. Br.", "Freiburg"},
		"Bad Homburg vor der Höhe": {"Bad Homburg v. d. Höhe", "Bad Homburg"},
		"Frankfurt (Oder)":         {"Frankfurt/Oder", "Frankfurt a. d. Oder"},
		"Halle (Saale)":            {"Halle/Saale", "Halle an der Saale"},
		"Sankt Augustin":           {"St. Augustin"},
	}
)

// defectOtherSurname returns a surname other than s.
func defectOtherSurname(rng *rand.Rand, s string) string {
	for {
		if t := defectSurnames[rng.IntN(len(defectSurnames))]; t != s {
			return t
		}
	}
}

// defectOtherGiven returns given names for a sibling of the given sex whose
// first name differs from every one of avoid.
func defectOtherGiven(rng *rand.Rand, sex idnr.Sex, avoid string) string {
	list := defectMaleNames
	if sex == idnr.Female || (sex != idnr.Male && rng.IntN(2) == 0) {
		list = defectFemaleNames
	}
	taken := strings.Fields(strings.ReplaceAll(avoid, "-", " "))
	pick := func() string {
		for {
			n := list[rng.IntN(len(list))]
			ok := true
			for _, t := range taken {
				if strings.EqualFold(t, n) {
					ok = false
				}
			}
			if ok {
				taken = append(taken, n)
				return n
			}
		}
	}
	g := pick()
	if rng.IntN(3) == 0 {
		g += " " + pick()
	}
	return g
}

// defectPlaceVariant returns another way of writing the birth place city:
// with a district, by an old or foreign name, or in another spelling.
func defectPlaceVariant(rng *rand.Rand, city string) string {
	var options []string
	if ds, ok := defectDistricts[city]; ok {
		d := ds[rng.IntN(len(ds))]
		options = append(options, city+"-"+d, city+" ("+d+")", city+"-"+d)
	}
	options = append(options, defectOldNames[city]...)
	options = append(options, defectSpellings[city]...)
	if len(options) == 0 {
		switch rng.IntN(3) {
		case 0:
			return city + " (" + []string{"Kreis", "Stadt", "Landkreis"}[rng.IntN(3)] + ")"
		case 1:
			return strings.ToUpper(city)
		default:
			return city + "-" + []string{"Nord", "Süd", "Mitte", "Altstadt"}[rng.IntN(4)]
		}
	}
	return options[rng.IntN(len(options))]
}

// defectAddress returns a random address.
func defectAddress(rng *rand.Rand) idnr.Address {
	t := defectTowns[rng.IntN(len(defectTowns))]
	return idnr.Address{
		Street:      defectStreets[rng.IntN(len(defectStreets))],
		HouseNumber: defectHouseNumber(rng),
		PostalCode:  t.postal,
		City:        t.city,
	}
}

func defectHouseNumber(rng *rand.Rand) string {
	n := strconv.Itoa(1 + rng.IntN(120))
	if rng.IntN(6) == 0 {
		n += string(rune('a' + rng.IntN(4)))
	}
	return n
}

// defectOtherAddress returns an address other than a: in another town, or
// in the same town in another street.
func defectOtherAddress(rng *rand.Rand, a idnr.Address) idnr.Address {
	for {
		b := defectAddress(rng)
		if rng.IntN(3) == 0 && a.City != "" {
			b.PostalCode, b.City = a.PostalCode, a.City
		}
		if b.Street != a.Street || b.City != a.City {
			return b
		}
	}
}

// defectOtherTown returns a town (as birth place) other than city.
func defectOtherTown(rng *rand.Rand, city string) string {
	for {
		if t := defectTowns[rng.IntN(len(defectTowns))].city; t != city {
			return t
		}
	}
}

// defectShiftDate returns d moved by days (complete dates only).
func defectShiftDate(d idnr.Date, days int) idnr.Date {
	t, err := d.Time()
	if err != nil {
		return d
	}
	return idnr.DateOf(t.AddDate(0, 0, days))
}

// defectYears returns d moved by years, keeping day and month where the
// date exists (29 February becomes 28 February).
func defectYears(d idnr.Date, years int) idnr.Date {
	y, _ := d.Year()
	mo, _ := d.Month()
	day, _ := d.Day()
	nd, err := idnr.NewDate(y+years, int(mo), day)
	if err != nil {
		nd = idnr.MustDate(y+years, int(mo), 28)
	}
	return nd
}

// HardNegative returns a different person who is easily taken for p: a
// twin, a namesake with the same or a nearby birth date, the father (or
// mother) with the same names, or a sibling (see the [DefectKind]
// constants). The result has its own IDNr if newID gives one (pass nil to
// leave it empty) and clean data, as the BZSt would hold them. For a
// positive kind, or one that does not apply to p, it returns a copy of p
// with a namesake's birth date a year away.
func HardNegative(rng *rand.Rand, p idnr.Person, k DefectKind, newID func() idnr.IDNr) idnr.Person {
	q := defectClone(p)
	q.IDNr = idnr.IDNr{}
	if newID != nil {
		q.IDNr = newID()
	}
	q.DeathDate, q.MoveInDate, q.MoveOutDate = idnr.Date{}, idnr.Date{}, idnr.Date{}
	q.DoctoralDegree = ""
	if !k.Applies(p) || !k.IsNegative() {
		k = NamesakeNearBirthDate
		if !p.BirthDate.IsComplete() {
			q.BirthDate = idnr.Date{}
			q.GivenNames = defectOtherGiven(rng, p.Sex, p.GivenNames)
			return q
		}
	}
	switch k {
	case Twin:
		if rng.IntN(2) == 0 {
			q.Sex = []idnr.Sex{idnr.Male, idnr.Female}[rng.IntN(2)]
		}
		q.GivenNames = defectOtherGiven(rng, q.Sex, p.GivenNames)
	case NamesakeSameBirthDate:
		q.FormerNames, q.FormerNameKinds = nil, nil
		q.BirthPlace = idnr.Place{City: defectOtherTown(rng, p.BirthPlace.City)}
		q.Address = defectOtherAddress(rng, p.Address)
	case FatherSon:
		q.BirthDate = defectShiftDate(defectYears(p.BirthDate, -(20+rng.IntN(20))), rng.IntN(365)-182)
		if rng.IntN(2) == 0 {
			q.BirthPlace = idnr.Place{City: defectOtherTown(rng, p.BirthPlace.City)}
		}
		q.FormerNames, q.FormerNameKinds = nil, nil
		if p.Sex == idnr.Female && rng.IntN(2) == 0 {
			// the mother, married into the name
			q.FormerNames = []string{defectOtherSurname(rng, p.FamilyName)}
			q.FormerNameKinds = []idnr.NameKind{idnr.BirthName}
		}
	case Sibling:
		q.Sex = []idnr.Sex{idnr.Male, idnr.Female}[rng.IntN(2)]
		q.GivenNames = defectOtherGiven(rng, q.Sex, p.GivenNames)
		off := 300 + rng.IntN(3000)
		if rng.IntN(2) == 0 {
			off = -off
		}
		q.BirthDate = defectShiftDate(p.BirthDate, off)
	case NamesakeNearBirthDate:
		off := 1 + rng.IntN(30)
		if rng.IntN(3) == 0 {
			off = 1 + rng.IntN(400)
		}
		if rng.IntN(2) == 0 {
			off = -off
		}
		q.BirthDate = defectShiftDate(p.BirthDate, off)
		q.FormerNames, q.FormerNameKinds = nil, nil
		q.Address = defectOtherAddress(rng, p.Address)
		if rng.IntN(2) == 0 {
			q.BirthPlace = idnr.Place{City: defectOtherTown(rng, p.BirthPlace.City)}
		}
	default:
		hardNegative(rng, p, &q, k)
	}
	if q.BirthDate != p.BirthDate {
		q.LastContact = idnr.MonthYear{} // p's last contact may precede q's birth
	}
	return q
}
