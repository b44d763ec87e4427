package match

// placeAliases maps the search form of an old or foreign name of a place
// of birth to the search form of the name registers use today, so that
// "Karl-Marx-Stadt" meets "Chemnitz" and "Breslau" meets "Wrocław". The
// list holds frequent cases from German registers; a match through it
// counts as [LevelPartial], not as exact agreement.
var placeAliases = map[string]string{
	// renamed German towns
	"KARLMARXSTADT":          "CHEMNITZ",
	"STALINSTADT":            "EISENHUETTENSTADT",
	"WESERMUENDE":            "BREMERHAVEN",
	"RIXDORF":                "BERLINNEUKOELLN",
	"WILHELMPIECKSTADTGUBEN": "GUBEN",
	"GUBEN":                  "GUBEN",
	"ALTONA":                 "HAMBURGALTONA",
	"HARBURGWILHELMSBURG":    "HAMBURGHARBURG",
	"WANNEEICKEL":            "HERNE",
	"GLADBACHRHEYDT":         "MOENCHENGLADBACH",
	"MUENCHENGLADBACH":       "MOENCHENGLADBACH",
	"BEUEL":                  "BONN",
	"BADGODESBERG":           "BONN",
	"RHEYDT":                 "MOENCHENGLADBACH",
	"WATTENSCHEID":           "BOCHUM",
	"HOERDE":                 "DORTMUND",
	"SPANDAU":                "BERLINSPANDAU",
	"CHARLOTTENBURG":         "BERLINCHARLOTTENBURG",
	"KOEPENICK":              "BERLINKOEPENICK",
	"SCHWABING":              "MUENCHENSCHWABING",
	"HOECHST":                "FRANKFURTAMMAINHOECHST",
	// German exonyms and the names used today
	"BRESLAU":        "WROCLAW",
	"DANZIG":         "GDANSK",
	"STETTIN":        "SZCZECIN",
	"KOENIGSBERG":    "KALININGRAD",
	"POSEN":          "POZNAN",
	"KATTOWITZ":      "KATOWICE",
	"GLEIWITZ":       "GLIWICE",
	"OPPELN":         "OPOLE",
	"ALLENSTEIN":     "OLSZTYN",
	"LIEGNITZ":       "LEGNICA",
	"HINDENBURG":     "ZABRZE",
	"BEUTHEN":        "BYTOM",
	"PRAG":           "PRAHA",
	"PRESSBURG":      "BRATISLAVA",
	"LEMBERG":        "LVIV",
	"LWOW":           "LVIV",
	"LWIW":           "LVIV",
	"KIEW":           "KYIV",
	"KYJIW":          "KYIV",
	"KIEV":           "KYIV",
	"MOSKAU":         "MOSKVA",
	"MOSCOW":         "MOSKVA",
	"WARSCHAU":       "WARSZAWA",
	"WARSAW":         "WARSZAWA",
	"KRAKAU":         "KRAKOW",
	"MAILAND":        "MILANO",
	"ROM":            "ROMA",
	"NEAPEL":         "NAPOLI",
	"VENEDIG":        "VENEZIA",
	"FLORENZ":        "FIRENZE",
	"WIEN":           "WIEN",
	"VIENNA":         "WIEN",
	"BRUESSEL":       "BRUXELLES",
	"ANTWERPEN":      "ANTWERPEN",
	"LUETTICH":       "LIEGE",
	"ISTANBUL":       "ISTANBUL",
	"KONSTANTINOPEL": "ISTANBUL",
	"SMYRNA":         "IZMIR",
	"ATHEN":          "ATHINA",
	"SALONIKI":       "THESSALONIKI",
	"BELGRAD":        "BEOGRAD",
	"BUKAREST":       "BUCURESTI",
	"KLAUSENBURG":    "CLUJNAPOCA",
	"HERMANNSTADT":   "SIBIU",
	"TEMESWAR":       "TIMISOARA",
	"AGRAM":          "ZAGREB",
	"LAIBACH":        "LJUBLJANA",
	"REVAL":          "TALLINN",
	"DORPAT":         "TARTU",
	// English names of German towns
	"MUNICH":    "MUENCHEN",
	"COLOGNE":   "KOELN",
	"NUREMBERG": "NUERNBERG",
	"HANOVER":   "HANNOVER",
	"BRUNSWICK": "BRAUNSCHWEIG",
}

// canonicalPlace returns the canonical search form of a place's search form.
func canonicalPlace(sf string) string {
	if c, ok := placeAliases[sf]; ok {
		return c
	}
	return sf
}
