package idatest

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/regmo/regmo/idnr"
	"golang.org/x/text/unicode/norm"
)

// searchForm is the mock's stand-in for the BZSt's matching, which the law
// does not describe: upper case, umlauts and ß folded (Ä → AE, Ö → OE,
// Ü → UE, ß → SS), other letters stripped of their diacritics, everything
// that is not A–Z removed. "Müller-Lüdenscheidt" and "MUELLER LUEDENSCHEIDT"
// are the same; "Muller" is not.
func searchForm(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	if ascii {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			if c >= 'A' && c <= 'Z' {
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	for _, r := range norm.NFC.String(s) {
		switch r {
		case 'ä', 'Ä':
			b.WriteString("AE")
			continue
		case 'ö', 'Ö':
			b.WriteString("OE")
			continue
		case 'ü', 'Ü':
			b.WriteString("UE")
			continue
		case 'ß', 'ẞ':
			b.WriteString("SS")
			continue
		}
		for _, d := range norm.NFD.String(string(r)) {
			d = unicode.ToUpper(d)
			if d >= 'A' && d <= 'Z' {
				b.WriteRune(d)
			}
		}
	}
	return b.String()
}

// nameParts returns the search forms of the space-separated parts of s.
func nameParts(s string) []string {
	f := strings.Fields(s)
	out := f[:0]
	for _, p := range f {
		if x := searchForm(p); x != "" {
			out = append(out, x)
		}
	}
	return out
}

var (
	familyNames = []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
		"Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
		"Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
		"Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König",
		"Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
		"Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth",
		"Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter",
		"Kraus", "Martin", "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß",
		"Seidel", "Heinrich", "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn",
		"Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff",
		"Pfeiffer", "Yılmaz", "Kaya", "Nowak", "Kowalski", "Popescu", "Nguyen", "García", "Rossi", "Öztürk",
		"Graf von Neuenwalde", "de la Cruz", "van der Berg", "O'Neill", "Łukaszewicz"}
	givenFemale = []string{"Anna", "Maria", "Ursula", "Monika", "Petra", "Sabine", "Claudia", "Susanne",
		"Julia", "Katrin", "Laura", "Lena", "Sophie", "Emma", "Mia", "Hannah", "Lea", "Marie", "Johanna",
		"Anne-Kathrin", "Ayşe", "Zoë", "Renée", "Małgorzata", "Chiara", "Elif"}
	givenMale = []string{"Peter", "Michael", "Thomas", "Andreas", "Wolfgang", "Klaus", "Jürgen", "Stefan",
		"Frank", "Uwe", "Lukas", "Leon", "Jonas", "Paul", "Felix", "Maximilian", "Hans-Georg", "Karl-Heinz",
		"Mehmet", "Ahmet", "José", "Søren", "Jan", "Piotr", "Luca", "Noah"}
	cities = []struct{ city, postal, key string }{
		{"Berlin", "10115", "11000000"}, {"Hamburg", "20095", "02000000"}, {"München", "80331", "09162000"},
		{"Köln", "50667", "05315000"}, {"Frankfurt am Main", "60311", "06412000"}, {"Stuttgart", "70173", "08111000"},
		{"Düsseldorf", "40213", "05111000"}, {"Leipzig", "04109", "14713000"}, {"Dortmund", "44135", "05913000"},
		{"Essen", "45127", "05113000"}, {"Bremen", "28195", "04011000"}, {"Dresden", "01067", "14612000"},
		{"Hannover", "30159", "03241001"}, {"Nürnberg", "90403", "09564000"}, {"Musterstadt", "99999", "99999999"},
		{"Görlitz", "02826", "14626110"}, {"Weißenfels", "06667", "15084590"}, {"Bad Tölz", "83646", "09173112"}}
	streets = []string{"Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße",
		"Bergstraße", "Lindenstraße", "Kirchweg", "Am Markt", "Goethestraße", "Schillerplatz", "Mühlenweg"}
	nationalities = []string{"DEU", "DEU", "DEU", "DEU", "DEU", "DEU", "TUR", "POL", "ROU", "ITA", "SYR", "UKR", "VNM", "ESP"}
)

// newIDNr draws a valid IDNr (first digit not 0, one digit twice, check
// digit by ISO/IEC 7064 MOD 11,10).
func newIDNr(r *rand.Rand) idnr.IDNr {
	for {
		var d [10]byte
		omit := r.IntN(10)
		i := 0
		for x := 0; x < 10; x++ {
			if x != omit {
				d[i] = byte('0' + x)
				i++
			}
		}
		d[9] = d[r.IntN(9)]
		r.Shuffle(10, func(a, b int) { d[a], d[b] = d[b], d[a] })
		if d[0] == '0' {
			continue
		}
		c, err := idnr.CheckDigit(string(d[:]))
		if err != nil {
			continue
		}
		id, err := idnr.ParseStrict(string(d[:]) + string('0'+c))
		if err == nil {
			return id
		}
	}
}

// generate makes n synthetic people from seed. About 2% have an
// information block, 3% a partial birth date, 20% a former (birth) name.
func generate(n int, seed uint64) []idnr.Person {
	r := rand.New(rand.NewPCG(seed, 0x1da7e57))
	seen := make(map[idnr.IDNr]bool, n)
	out := make([]idnr.Person, n)
	for i := range out {
		id := newIDNr(r)
		for seen[id] {
			id = newIDNr(r)
		}
		seen[id] = true
		p := idnr.Person{IDNr: id, FamilyName: familyNames[r.IntN(len(familyNames))]}
		if r.IntN(2) == 0 {
			p.Sex = idnr.Female
			p.GivenNames = givenFemale[r.IntN(len(givenFemale))]
			if r.IntN(4) == 0 {
				p.GivenNames += " " + givenFemale[r.IntN(len(givenFemale))]
			}
		} else {
			p.Sex = idnr.Male
			p.GivenNames = givenMale[r.IntN(len(givenMale))]
			if r.IntN(4) == 0 {
				p.GivenNames += " " + givenMale[r.IntN(len(givenMale))]
			}
		}
		if r.IntN(5) == 0 {
			p.FormerNames = []string{familyNames[r.IntN(len(familyNames))]}
			p.FormerNameKinds = []idnr.NameKind{idnr.BirthName}
		}
		if r.IntN(25) == 0 {
			p.DoctoralDegree = "Dr."
		}
		y, m, d := 1930+r.IntN(80), 1+r.IntN(12), 1+r.IntN(28)
		switch r.IntN(100) {
		case 0:
			m, d = 0, 0
		case 1, 2:
			d = 0
		}
		p.BirthDate = idnr.MustDate(y, m, d)
		p.BirthPlace = idnr.Place{City: cities[r.IntN(len(cities))].city}
		p.Nationalities = []string{nationalities[r.IntN(len(nationalities))]}
		home := cities[r.IntN(len(cities))]
		p.Address = idnr.Address{
			Street: streets[r.IntN(len(streets))], HouseNumber: itoa(1 + r.IntN(120)),
			PostalCode: home.postal, City: home.city, MunicipalityKey: home.key,
		}
		p.MoveInDate = idnr.MustDate(min(2025, max(y+18, 2000)+r.IntN(20)), 1+r.IntN(12), 1+r.IntN(28))
		if r.IntN(50) == 0 {
			p.InformationBlocks = []idnr.InformationBlock{idnr.BlockRisk}
		}
		out[i] = p
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
