package idnrtest

import "github.com/regmo/regmo/idnr"

// The name and place tables of the generator. All names are common first
// names, common surnames and real places; the combinations, numbers and dates
// the generator draws are synthetic and describe nobody.

// surname is a family name in its male and female form (f empty: the same).
type surname struct{ m, f string }

func (s surname) forSex(sex idnr.Sex) string {
	if sex == idnr.Female && s.f != "" {
		return s.f
	}
	return s.m
}

func same(names ...string) []surname {
	out := make([]surname, len(names))
	for i, n := range names {
		out[i] = surname{m: n}
	}
	return out
}

// German given names by era of birth: before 1955, 1955-1984, from 1985.
var (
	germanMale = [3][]string{
		{"Hans", "Karl", "Heinz", "Werner", "Günter", "Walter", "Helmut", "Horst", "Kurt", "Gerhard",
			"Herbert", "Klaus", "Dieter", "Manfred", "Rolf", "Wolfgang", "Ernst", "Friedrich", "Otto",
			"Wilhelm", "Georg", "Erich", "Heinrich", "Paul", "Willi", "Josef", "Hermann", "Rudolf",
			"Alfred", "Bernd", "Jürgen", "Peter", "Gottfried", "Lothar", "Siegfried", "Joachim",
			"Hans-Georg", "Karl-Heinz", "Hans-Jürgen", "Klaus-Dieter", "Hans-Peter", "Franz", "Fritz",
			"Ludwig", "Egon", "Günther", "Jörg", "Götz"},
		{"Thomas", "Michael", "Andreas", "Stefan", "Frank", "Jörg", "Uwe", "Ralf", "Markus", "Christian",
			"Matthias", "Martin", "Torsten", "Sven", "Jens", "Dirk", "Oliver", "Holger", "Carsten",
			"Björn", "Sebastian", "Alexander", "Daniel", "Tobias", "Florian", "Jan", "Hans-Peter",
			"Karl-Heinz", "Jürgen", "Rüdiger", "Jörn", "Sören", "Bernd", "Armin", "Olaf", "Kai-Uwe",
			"Hans-Georg", "Peter", "Klaus", "Wolfgang", "Michael", "René", "André"},
		{"Lukas", "Leon", "Paul", "Jonas", "Finn", "Felix", "Luca", "Maximilian", "Noah", "Elias", "Ben",
			"Tim", "Niklas", "Jan", "Jannik", "Moritz", "Philipp", "Julian", "Leonard", "Emil", "Henri",
			"Mats", "Jan-Niklas", "Luis", "Anton", "Theo", "Matteo", "Till", "Jonathan", "Milan", "Ole",
			"Malte", "Lennart", "Jakob", "Fabian", "Tom", "Jörn", "Søren", "Noél", "Lasse", "Hannes"},
	}
	germanFemale = [3][]string{
		{"Ursula", "Gertrud", "Ilse", "Hildegard", "Helga", "Elisabeth", "Erika", "Ingrid", "Gerda",
			"Irmgard", "Anneliese", "Margarete", "Edith", "Inge", "Ruth", "Käthe", "Charlotte", "Christa",
			"Renate", "Waltraud", "Brigitte", "Gisela", "Marianne", "Elfriede", "Lieselotte", "Hannelore",
			"Rosemarie", "Marie-Luise", "Anna", "Maria", "Herta", "Gudrun", "Erna", "Frieda", "Dörte",
			"Gretel", "Lore", "Änne"},
		{"Sabine", "Petra", "Andrea", "Claudia", "Susanne", "Birgit", "Martina", "Stefanie", "Nicole",
			"Anja", "Katrin", "Heike", "Silke", "Kerstin", "Tanja", "Julia", "Christina", "Sandra",
			"Manuela", "Jana", "Daniela", "Bärbel", "Ute", "Doris", "Anke", "Dörte", "Eva-Maria",
			"Nadine", "Melanie", "Simone", "Iris", "Gabriele", "Karin", "Monika", "Jutta", "Anne-Kathrin"},
		{"Anna", "Lea", "Lena", "Hannah", "Emma", "Mia", "Sophie", "Marie", "Laura", "Lara", "Lina",
			"Clara", "Ella", "Emilia", "Johanna", "Sarah", "Lisa", "Katharina", "Jana", "Anna-Lena",
			"Lea-Sophie", "Marie-Sophie", "Charlotte", "Frieda", "Greta", "Ida", "Mila", "Paula", "Zoé",
			"Chiara", "Leonie", "Jule", "Maja", "Luisa", "Pia", "Jördis", "Smilla"},
	}

	// germanSurnames are the commonest German family names, most common first.
	germanSurnames = same("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
		"Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
		"Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
		"Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze",
		"Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs",
		"Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel",
		"Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz",
		"Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus",
		"Martin", "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß",
		"Seidel", "Heinrich", "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler",
		"Kuhn", "Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer",
		"Arnold", "Wolff", "Pfeiffer", "Löffler", "Nußbaum", "Süß", "Oberländer", "Großkreutz",
		"Dück", "Gößling", "Jürgens", "Thießen", "Brückner", "Lüdtke", "Mößner", "Wüst")

	// Parts of synthetic compound family names, for the long tail.
	surnameHeads = []string{"Acker", "Alten", "Berg", "Bieder", "Blum", "Brink", "Busch", "Dietz",
		"Eck", "Eich", "Feld", "Fried", "Gold", "Grün", "Hage", "Hasel", "Heid", "Hell", "Hirsch",
		"Holz", "Kamm", "Kirch", "Klee", "Kling", "Lind", "Loh", "Mahl", "Moos", "Nuss", "Ober",
		"Ost", "Pfaff", "Rein", "Ried", "Rosen", "Sand", "Schön", "Sieb", "Sonnen", "Stein",
		"Tann", "Wald", "Weiden", "Wester", "Wiesen", "Zell", "Hö", "Mühl", "Brü", "Lü", "Kött",
		"Dör", "Sträh", "Grö", "Hütt", "Bäu", "Fähr", "Schlö", "Wöl"}
	surnameTails = []string{"bach", "berg", "mann", "feld", "hagen", "meier", "müller", "brink",
		"kamp", "hoff", "holz", "reuther", "städter", "länder", "wald", "hauser", "kötter", "beck",
		"hammer", "bauer", "inger", "ing", "er", "ke", "mayr", "ner", "ßler", "mer", "ling", "schläger"}

	// Family names with a prefix or a title of nobility; registers keep them
	// whole since 2015. "%" is replaced by the title for the person's sex.
	prefixedSurnames = []surname{
		{m: "von der Heide"}, {m: "von Neuenwalde"}, {m: "Graf von Neuenwalde", f: "Gräfin von Neuenwalde"},
		{m: "Freiherr von Lindenau", f: "Freifrau von Lindenau"}, {m: "von Bülow"}, {m: "zu Stolberg"},
		{m: "de Vries"}, {m: "van der Berg"}, {m: "ten Brink"}, {m: "ter Horst"}, {m: "von Hohenau"},
		{m: "Prinz von Hohenau", f: "Prinzessin von Hohenau"}, {m: "von und zu Lerchenfeld"},
		{m: "Edler von Rautenstrauch", f: "Edle von Rautenstrauch"}, {m: "von Oertzen"},
		{m: "van Dyk"}, {m: "de la Motte"}, {m: "von Schönaich-Carolath"},
	}

	// doctoralDegrees are Doktorgrade as registers write them.
	doctoralDegrees = []string{"Dr.", "Dr.", "Dr.", "Dr. med.", "Dr. med.", "Dr. rer. nat.", "Dr.-Ing.",
		"Dr. phil.", "Dr. jur.", "Dr. med. dent.", "Dr. rer. pol.", "Dr. med. vet.", "Dr. h. c."}

	// religiousNames and artistNames are rare former names.
	religiousNames = []string{"Schwester Maria Benedikta", "Bruder Anselm", "Schwester Hildegard", "Pater Notker"}
	artistNames    = []string{"Lola Blau", "Max Sonnenschein", "Ché Rouge", "Ørnulf Sterne"}
)

// origin is a naming tradition of people living in Germany.
type origin struct {
	key          string
	weight       int      // per mille of the population
	nationality  []string // ISO 3166-1 alpha-3
	male, female []string
	surnames     []surname
	places       []idnr.Place // birth places abroad
	twoSurnames  int          // percent with two surnames (Spanish naming)
}

var origins = []*origin{
	{key: "de", weight: 730, nationality: []string{"DEU"}},
	{key: "tr", weight: 50, nationality: []string{"TUR"},
		male: []string{"Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman",
			"Yusuf", "Murat", "Ömer", "Emre", "Burak", "Serkan", "Cem", "Can", "Kemal", "Erdem", "Tolga",
			"Oğuz", "Gökhan", "Barış", "Çağrı"},
		female: []string{"Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Özlem", "Gül",
			"Gülsüm", "Sevgi", "Derya", "Esra", "Merve", "Büşra", "Şeyma", "Çiğdem", "Hülya", "Dilek",
			"Sibel", "Aylin", "Ebru"},
		surnames: same("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk",
			"Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt",
			"Özkan", "Şimşek", "Polat", "Korkmaz", "Erdoğan", "Güneş", "Akın", "Aktaş", "Bulut",
			"Keskin", "Ünal", "Tekin"),
		places: []idnr.Place{{City: "İstanbul", Country: "TUR"}, {City: "Ankara", Country: "TUR"},
			{City: "İzmir", Country: "TUR"}, {City: "Adana", Country: "TUR"}, {City: "Kayseri", Country: "TUR"},
			{City: "Konya", Country: "TUR"}, {City: "Gaziantep", Country: "TUR"}, {City: "Trabzon", Country: "TUR"},
			{City: "Eskişehir", Country: "TUR"}, {City: "Çorum", Country: "TUR"}, {City: "Sivas", Country: "TUR"},
			{City: "Kahramanmaraş", Country: "TUR"}, {City: "Muğla", Country: "TUR"}}},
	{key: "pl", weight: 35, nationality: []string{"POL"},
		male: []string{"Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Marcin", "Michał", "Łukasz",
			"Grzegorz", "Jakub", "Wojciech", "Mateusz", "Mariusz", "Dariusz", "Zbigniew", "Jarosław",
			"Przemysław", "Bartłomiej", "Kamil", "Sławomir"},
		female: []string{"Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa",
			"Krystyna", "Magdalena", "Elżbieta", "Joanna", "Aleksandra", "Zofia", "Monika", "Beata",
			"Dorota", "Bożena", "Grażyna", "Jadwiga", "Urszula"},
		surnames: []surname{{m: "Nowak"}, {"Kowalski", "Kowalska"}, {"Wiśniewski", "Wiśniewska"}, {m: "Wójcik"},
			{m: "Kowalczyk"}, {"Kamiński", "Kamińska"}, {"Lewandowski", "Lewandowska"}, {"Zieliński", "Zielińska"},
			{"Szymański", "Szymańska"}, {m: "Woźniak"}, {"Dąbrowski", "Dąbrowska"}, {"Kozłowski", "Kozłowska"},
			{"Jankowski", "Jankowska"}, {m: "Mazur"}, {"Kwiatkowski", "Kwiatkowska"}, {m: "Krawczyk"},
			{"Piotrowski", "Piotrowska"}, {"Grabowski", "Grabowska"}, {"Pawłowski", "Pawłowska"},
			{"Michalski", "Michalska"}, {m: "Król"}, {m: "Wieczorek"}, {"Jabłoński", "Jabłońska"},
			{m: "Wróbel"}, {"Górski", "Górska"}, {m: "Sikora"}, {"Ostrowski", "Ostrowska"}, {m: "Baran"},
			{m: "Duda"}, {m: "Szewczyk"}},
		places: []idnr.Place{{City: "Warszawa", Country: "POL"}, {City: "Kraków", Country: "POL"},
			{City: "Gdańsk", Country: "POL"}, {City: "Łódź", Country: "POL"}, {City: "Wrocław", Country: "POL"},
			{City: "Poznań", Country: "POL"}, {City: "Szczecin", Country: "POL"}, {City: "Katowice", Country: "POL"},
			{City: "Białystok", Country: "POL"}, {City: "Opole", Country: "POL"}, {City: "Gliwice", Country: "POL"},
			{City: "Zabrze", Country: "POL"}}},
	{key: "ru", weight: 35, nationality: []string{"RUS", "KAZ", "UKR"},
		male: []string{"Alexander", "Sergej", "Wladimir", "Dmitrij", "Andrej", "Alexej", "Nikolaj", "Jurij",
			"Viktor", "Igor", "Oleg", "Jewgenij", "Michail", "Pawel", "Iwan", "Anatolij", "Waldemar",
			"Eduard", "Witali", "Maxim"},
		female: []string{"Olga", "Tatjana", "Natalja", "Jelena", "Swetlana", "Irina", "Ljudmila", "Galina",
			"Anna", "Marina", "Julia", "Nadeschda", "Walentina", "Larissa", "Oxana", "Jekaterina",
			"Viktoria", "Anastasia", "Xenia", "Lilija"},
		surnames: []surname{{"Iwanow", "Iwanowa"}, {"Smirnow", "Smirnowa"}, {"Kusnezow", "Kusnezowa"},
			{"Popow", "Popowa"}, {"Wassiljew", "Wassiljewa"}, {"Petrow", "Petrowa"}, {"Sokolow", "Sokolowa"},
			{"Michailow", "Michailowa"}, {"Nowikow", "Nowikowa"}, {"Fjodorow", "Fjodorowa"},
			{"Morosow", "Morosowa"}, {"Wolkow", "Wolkowa"}, {"Lebedew", "Lebedewa"}, {"Pawlow", "Pawlowa"},
			{"Koslow", "Koslowa"}, {"Ščerbakov", "Ščerbakova"}, {"Žukov", "Žukova"}, {m: "Kowalenko"},
			{m: "Schewtschenko"}, {m: "Bondarenko"}, {m: "Tkatschenko"}, {m: "Janzen"}, {m: "Friesen"},
			{m: "Penner"}, {m: "Wiebe"}, {m: "Dück"}, {m: "Unruh"}, {m: "Klassen"}, {m: "Neufeld"},
			{m: "Rempel"}},
		places: []idnr.Place{{City: "Moskau", Country: "RUS"}, {City: "Sankt Petersburg", Country: "RUS"},
			{City: "Nowosibirsk", Country: "RUS"}, {City: "Omsk", Country: "RUS"}, {City: "Barnaul", Country: "RUS"},
			{City: "Orenburg", Country: "RUS"}, {City: "Saratow", Country: "RUS"}, {City: "Almaty", Country: "KAZ"},
			{City: "Qaraghandy", Country: "KAZ"}, {City: "Pawlodar", Country: "KAZ"}, {City: "Qostanai", Country: "KAZ"},
			{City: "Kyjiw", Country: "UKR"}, {City: "Charkiw", Country: "UKR"}, {City: "Odesa", Country: "UKR"}}},
	{key: "it", weight: 20, nationality: []string{"ITA"},
		male: []string{"Giuseppe", "Giovanni", "Antonio", "Francesco", "Salvatore", "Luca", "Marco",
			"Alessandro", "Niccolò", "Andrea", "Matteo", "Lorenzo", "Davide", "Nicolò"},
		female: []string{"Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Martina", "Alessia",
			"Giuseppina", "Concetta", "Rosaria", "Federica", "Elisa"},
		surnames: same("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
			"Marino", "Greco", "De Luca", "Di Stefano", "D'Angelo", "Lo Bianco", "Bruno", "Gallo", "Conti",
			"Mancini", "Fontana", "Caruso"),
		places: []idnr.Place{{City: "Roma", Country: "ITA"}, {City: "Napoli", Country: "ITA"},
			{City: "Palermo", Country: "ITA"}, {City: "Bari", Country: "ITA"}, {City: "Catania", Country: "ITA"},
			{City: "Torino", Country: "ITA"}, {City: "Milano", Country: "ITA"}, {City: "Cosenza", Country: "ITA"},
			{City: "Agrigento", Country: "ITA"}, {City: "Forlì", Country: "ITA"}}},
	{key: "sy", weight: 20, nationality: []string{"SYR"},
		male: []string{"Mohammad", "Ahmad", "Mahmoud", "Khaled", "Omar", "Abdullah", "Yousef", "Hussein",
			"Ibrahim", "Bilal", "ʿAbd al-Raḥmān"},
		female: []string{"Fatima", "Aisha", "Mariam", "Nour", "Rania", "Hiba", "Lina", "Rasha", "Amal", "Ḥanān"},
		surnames: same("Al-Ahmad", "Al-Hassan", "Hamdan", "Haddad", "Khalil", "Saleh", "Mustafa", "Ibrahim",
			"Abdallah", "Al-Khatib", "Al-Ali", "Darwish", "Nasser", "Ḥaddād"),
		places: []idnr.Place{{City: "Damaskus", Country: "SYR"}, {City: "Aleppo", Country: "SYR"},
			{City: "Homs", Country: "SYR"}, {City: "Latakia", Country: "SYR"}, {City: "Hama", Country: "SYR"},
			{City: "Qamischli", Country: "SYR"}}},
	{key: "hr", weight: 25, nationality: []string{"HRV", "BIH", "SRB"},
		male: []string{"Ivan", "Marko", "Josip", "Stjepan", "Dražen", "Željko", "Mirko", "Dejan", "Goran",
			"Nikola", "Miloš", "Đorđe"},
		female: []string{"Ana", "Marija", "Ivana", "Jelena", "Snježana", "Mirjana", "Željka", "Vesna",
			"Dragana", "Jasmina"},
		surnames: same("Horvat", "Kovačević", "Babić", "Marić", "Jurić", "Novak", "Kovačić", "Knežević",
			"Vuković", "Marković", "Petrović", "Šarić", "Tomić", "Pavlović", "Božić", "Blažević", "Hadžić",
			"Đurić"),
		places: []idnr.Place{{City: "Zagreb", Country: "HRV"}, {City: "Split", Country: "HRV"},
			{City: "Rijeka", Country: "HRV"}, {City: "Osijek", Country: "HRV"}, {City: "Sarajevo", Country: "BIH"},
			{City: "Tuzla", Country: "BIH"}, {City: "Banja Luka", Country: "BIH"}, {City: "Beograd", Country: "SRB"},
			{City: "Niš", Country: "SRB"}, {City: "Novi Sad", Country: "SRB"}}},
	{key: "gr", weight: 12, nationality: []string{"GRC"},
		male: []string{"Georgios", "Dimitrios", "Konstantinos", "Ioannis", "Nikolaos", "Christos",
			"Panagiotis", "Vasileios", "Athanasios"},
		female: []string{"Maria", "Eleni", "Aikaterini", "Vasiliki", "Sofia", "Georgia", "Dimitra",
			"Anastasia", "Paraskevi"},
		surnames: []surname{{"Papadopoulos", "Papadopoulou"}, {m: "Papadakis"}, {m: "Georgiou"},
			{m: "Oikonomou"}, {"Nikolaidis", "Nikolaidou"}, {"Karagiannis", "Karagianni"},
			{"Vlachos", "Vlachou"}, {m: "Papageorgiou"}, {m: "Dimitriou"},
			{"Konstantinidis", "Konstantinidou"}},
		places: []idnr.Place{{City: "Athína", Country: "GRC"}, {City: "Thessaloníki", Country: "GRC"},
			{City: "Pátra", Country: "GRC"}, {City: "Irákleio", Country: "GRC"}, {City: "Lárisa", Country: "GRC"},
			{City: "Kavála", Country: "GRC"}}},
	{key: "vn", weight: 12, nationality: []string{"VNM"},
		male: []string{"Văn Minh", "Văn Hùng", "Đức Anh", "Quang Huy", "Minh Tuấn", "Thành Long",
			"Văn Nam", "Hoàng Long", "Đức Thắng"},
		female: []string{"Thị Lan", "Thị Hương", "Thị Mai", "Ngọc Anh", "Thu Trang", "Thị Hoa",
			"Phương Linh", "Thị Thu", "Thị Ngọc Ánh"},
		surnames: same("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
			"Đỗ", "Hồ", "Ngô", "Dương", "Lý"),
		places: []idnr.Place{{City: "Hà Nội", Country: "VNM"}, {City: "Thành phố Hồ Chí Minh", Country: "VNM"},
			{City: "Hải Phòng", Country: "VNM"}, {City: "Đà Nẵng", Country: "VNM"}, {City: "Huế", Country: "VNM"},
			{City: "Cần Thơ", Country: "VNM"}}},
	{key: "sc", weight: 10, nationality: []string{"DNK", "SWE", "NOR"},
		male: []string{"Søren", "Bjørn", "Lars", "Mikkel", "Anders", "Henrik", "Jørgen", "Nils", "Erik",
			"Åke", "Håkon", "Ole", "Kjell", "Magnus"},
		female: []string{"Åsa", "Ingrid", "Sigrid", "Kirsten", "Mette", "Birgitta", "Solveig", "Karin",
			"Astrid", "Liv", "Märta", "Linnéa"},
		surnames: same("Jørgensen", "Sørensen", "Nielsen", "Hansen", "Pedersen", "Ødegaard", "Åberg",
			"Lindqvist", "Andersson", "Håkansson", "Bjørnstad", "Løvgren", "Strøm", "Sjöberg",
			"Ekström", "Dahl"),
		places: []idnr.Place{{City: "København", Country: "DNK"}, {City: "Aarhus", Country: "DNK"},
			{City: "Odense", Country: "DNK"}, {City: "Malmö", Country: "SWE"}, {City: "Göteborg", Country: "SWE"},
			{City: "Stockholm", Country: "SWE"}, {City: "Uppsala", Country: "SWE"}, {City: "Oslo", Country: "NOR"},
			{City: "Bergen", Country: "NOR"}, {City: "Tromsø", Country: "NOR"}}},
	{key: "fr", weight: 10, nationality: []string{"FRA"},
		male: []string{"François", "Jérôme", "Benoît", "Stéphane", "Frédéric", "Jean-Luc", "Jean-Pierre",
			"Rémi", "Gaël", "Loïc", "Cédric", "Hervé", "Mathéo", "Théo"},
		female: []string{"Hélène", "Chloé", "Noémie", "Céline", "Élodie", "Mélanie", "Geneviève",
			"Françoise", "Anaïs", "Zoé", "Léa", "Inès", "Marie-Hélène", "Aurélie"},
		surnames: same("Lefèvre", "Dubois", "Girard", "Rousseau", "Mercier", "Martin", "Bernard", "Moreau",
			"Lemaître", "Bérenger", "Fontaine", "Chevalier", "Faure", "Gauthier", "Lévêque", "Ducrocq",
			"Gérard", "Dupré", "Le Goff", "Sœur"),
		places: []idnr.Place{{City: "Paris", Country: "FRA"}, {City: "Lyon", Country: "FRA"},
			{City: "Marseille", Country: "FRA"}, {City: "Orléans", Country: "FRA"}, {City: "Besançon", Country: "FRA"},
			{City: "Nîmes", Country: "FRA"}, {City: "Saint-Étienne", Country: "FRA"}, {City: "Strasbourg", Country: "FRA"}}},
	{key: "es", weight: 10, nationality: []string{"ESP"}, twoSurnames: 60,
		male: []string{"José", "Antonio", "Jesús", "Ángel", "Íñigo", "Álvaro", "Sergio", "Rubén", "Óscar",
			"Joaquín", "Raúl", "Martín", "José Luis"},
		female: []string{"María", "Carmen", "Begoña", "Nuria", "Lucía", "Inés", "Ana", "Pilar", "Rocío",
			"Mónica", "Ainhoa", "María José"},
		surnames: same("García", "Fernández", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Núñez",
			"Muñoz", "Peña", "Ibáñez", "Jiménez", "Rodríguez", "Díaz", "Hernández", "Álvarez",
			"Gutiérrez", "Castaño"),
		places: []idnr.Place{{City: "Madrid", Country: "ESP"}, {City: "Sevilla", Country: "ESP"},
			{City: "Málaga", Country: "ESP"}, {City: "A Coruña", Country: "ESP"}, {City: "Córdoba", Country: "ESP"},
			{City: "León", Country: "ESP"}, {City: "Cádiz", Country: "ESP"}, {City: "València", Country: "ESP"}}},
	{key: "pt", weight: 8, nationality: []string{"PRT", "BRA"},
		male:     []string{"João", "António", "José", "Luís", "Gonçalo", "Sebastião", "Tomás"},
		female:   []string{"Conceição", "Inês", "Leonor", "Margarida", "Joana", "Fátima"},
		surnames: same("Gonçalves", "Simões", "Magalhães", "Conceição", "Ferreira", "Araújo", "Brandão", "Guimarães"),
		places: []idnr.Place{{City: "Lisboa", Country: "PRT"}, {City: "Porto", Country: "PRT"},
			{City: "Braga", Country: "PRT"}, {City: "São Paulo", Country: "BRA"}}},
	{key: "cz", weight: 13, nationality: []string{"CZE", "SVK", "HUN", "ROU"},
		male:   []string{"Jiří", "Tomáš", "Lukáš", "Ondřej", "Miroslav", "Ľubomír", "Gábor", "László", "Ștefan", "Mihai"},
		female: []string{"Petra", "Lucie", "Tereza", "Kateřina", "Zuzana", "Ľudmila", "Erzsébet", "Zsófia", "Ioana", "Mădălina"},
		surnames: []surname{{"Dvořák", "Dvořáková"}, {"Novotný", "Novotná"}, {"Černý", "Černá"},
			{"Procházka", "Procházková"}, {"Kučera", "Kučerová"}, {m: "Nagy"}, {m: "Kovács"}, {m: "Szőke"},
			{m: "Tóth"}, {m: "Popescu"}, {m: "Țurcanu"}, {m: "Ionescu"}, {m: "Ștefănescu"}},
		places: []idnr.Place{{City: "Praha", Country: "CZE"}, {City: "Brno", Country: "CZE"},
			{City: "Plzeň", Country: "CZE"}, {City: "Košice", Country: "SVK"}, {City: "Budapest", Country: "HUN"},
			{City: "Pécs", Country: "HUN"}, {City: "Timișoara", Country: "ROU"}, {City: "Sibiu", Country: "ROU"}}},
}

// city is a German municipality with its postcode range and Amtlicher
// Gemeindeschlüssel.
type city struct {
	name     string
	plzLo    int
	plzHi    int
	ags      string
	thousand int // inhabitants in thousands, the weight
}

var cities = []city{
	{"Berlin", 10115, 14199, "11000000", 3870},
	{"Hamburg", 20095, 22769, "02000000", 1890},
	{"München", 80331, 81929, "09162000", 1510},
	{"Köln", 50667, 51149, "05315000", 1080},
	{"Frankfurt am Main", 60306, 60599, "06412000", 770},
	{"Stuttgart", 70173, 70629, "08111000", 630},
	{"Düsseldorf", 40210, 40629, "05111000", 620},
	{"Leipzig", 4103, 4357, "14713000", 620},
	{"Dortmund", 44135, 44388, "05913000", 590},
	{"Essen", 45127, 45359, "05113000", 580},
	{"Bremen", 28195, 28779, "04011000", 570},
	{"Dresden", 1067, 1328, "14612000", 560},
	{"Hannover", 30159, 30669, "03241001", 540},
	{"Nürnberg", 90402, 90491, "09564000", 520},
	{"Duisburg", 47051, 47279, "05112000", 500},
	{"Bochum", 44787, 44894, "05911000", 365},
	{"Wuppertal", 42103, 42399, "05124000", 355},
	{"Bielefeld", 33602, 33739, "05711000", 335},
	{"Bonn", 53111, 53229, "05314000", 330},
	{"Münster", 48143, 48167, "05515000", 320},
	{"Mannheim", 68159, 68309, "08222000", 315},
	{"Karlsruhe", 76131, 76229, "08212000", 305},
	{"Augsburg", 86150, 86199, "09761000", 300},
	{"Wiesbaden", 65183, 65207, "06414000", 280},
	{"Mönchengladbach", 41061, 41239, "05116000", 260},
	{"Gelsenkirchen", 45879, 45899, "05513000", 260},
	{"Kiel", 24103, 24159, "01002000", 245},
	{"Rostock", 18055, 18147, "13003000", 210},
	{"Erfurt", 99084, 99099, "16051000", 215},
	{"Mainz", 55116, 55131, "07315000", 220},
	{"Saarbrücken", 66111, 66133, "10041100", 180},
	{"Magdeburg", 39104, 39130, "15003000", 240},
	{"Potsdam", 14467, 14482, "12054000", 185},
	{"Schwerin", 19053, 19063, "13004000", 98},
	{"Oldenburg", 26121, 26135, "03403000", 170},
	{"Osnabrück", 49074, 49090, "03404000", 165},
	{"Lübeck", 23552, 23570, "01003000", 218},
	{"Würzburg", 97070, 97084, "09663000", 127},
	{"Regensburg", 93047, 93059, "09362000", 155},
	{"Freiburg im Breisgau", 79098, 79117, "08311000", 235},
	{"Göttingen", 37073, 37085, "03159016", 118},
	{"Tübingen", 72070, 72076, "08416041", 92},
	{"Jena", 7743, 7751, "16053000", 110},
	{"Cottbus", 3042, 3055, "12052000", 98},
	{"Flensburg", 24937, 24944, "01001000", 92},
	{"Trier", 54290, 54296, "07211000", 110},
	{"Passau", 94032, 94036, "09262000", 53},
	{"Fürth", 90762, 90768, "09563000", 130},
	{"Gießen", 35390, 35398, "06531005", 90},
	{"Lüneburg", 21335, 21339, "03355022", 78},
	{"Mülheim an der Ruhr", 45468, 45481, "05117000", 170},
	{"Görlitz", 2826, 2829, "14626110", 56},
	{"Halle (Saale)", 6108, 6132, "15002000", 240},
	{"Frankfurt (Oder)", 15230, 15236, "12053000", 57},
	{"Brandenburg an der Havel", 14770, 14776, "12051000", 73},
	{"Zweibrücken", 66482, 66482, "07320000", 34},
	{"Bad Tölz", 83646, 83646, "09173112", 19},
	{"St. Ingbert", 66386, 66386, "10045117", 35},
}

// birthTowns are further German birth places (without address data).
var birthTowns = []string{"Bad Kreuznach", "Garmisch-Partenkirchen", "Lüdenscheid", "Neuruppin",
	"Quedlinburg", "Wernigerode", "Emden", "Büsum", "Castrop-Rauxel", "Weißenfels", "Öhringen",
	"Überlingen", "Bad Säckingen", "Lörrach", "Nördlingen", "Straubing", "Güstrow", "Bützow",
	"Itzehoe", "Husum", "Cuxhaven", "Wolfsburg", "Salzgitter", "Ludwigshafen am Rhein", "Pforzheim",
	"Reutlingen", "Ingolstadt", "Gütersloh", "Paderborn", "Hameln", "Celle", "Plön", "Eisenhüttenstadt"}

// oldBirthPlaces are birth places of the elderly in former German areas, as
// registers keep them: the old German name, the country of today.
var oldBirthPlaces = []idnr.Place{{City: "Breslau", Country: "POL"}, {City: "Königsberg", Country: "RUS"},
	{City: "Stettin", Country: "POL"}, {City: "Danzig", Country: "POL"}, {City: "Gleiwitz", Country: "POL"},
	{City: "Tilsit", Country: "RUS"}, {City: "Liegnitz", Country: "POL"}, {City: "Allenstein", Country: "POL"}}

// foreignAddresses are last known addresses abroad of people who moved away.
var foreignAddresses = []idnr.Address{
	{Street: "Rue de la République", City: "Lyon", PostalCode: "69002", Country: "FRA"},
	{Street: "Mariahilfer Straße", City: "Wien", PostalCode: "1060", Country: "AUT"},
	{Street: "Bahnhofstrasse", City: "Zürich", PostalCode: "8001", Country: "CHE"},
	{Street: "Calle de Alcalá", City: "Madrid", PostalCode: "28014", Country: "ESP"},
	{Street: "Prinsengracht", City: "Amsterdam", PostalCode: "1015 DX", Country: "NLD"},
	{Street: "Istiklal Caddesi", City: "İstanbul", PostalCode: "34433", Country: "TUR"},
	{Street: "ul. Marszałkowska", City: "Warszawa", PostalCode: "00-624", Country: "POL"},
	{Street: "High Street", City: "Oxford", PostalCode: "OX1 4AP", Country: "GBR"},
	{Street: "Strøget", City: "København", PostalCode: "1160", Country: "DNK"},
}

// Street names: a stem joined to a lower-case suffix ("Hauptstraße"), a
// stem with a separate word ("Lange Straße"), or a fixed name.
var (
	streetStems = []string{"Haupt", "Bahnhof", "Schul", "Garten", "Kirch", "Dorf", "Berg", "Wald",
		"Linden", "Birken", "Eichen", "Rosen", "Mühlen", "Goethe", "Schiller", "Beethoven", "Mozart",
		"Wiesen", "Feld", "Sonnen", "Tannen", "Buchen", "Ahorn", "Friedhof", "Markt", "Post", "Brunnen",
		"Schloss", "Burg", "Bach", "Industrie", "Hafen", "Rathaus", "Kloster", "Lessing", "Uhland",
		"Hölderlin", "Mörike", "Fröbel", "Jahn", "Röntgen", "Körner", "Königsberger", "Breslauer"}
	streetSuffixes    = []string{"straße", "straße", "straße", "straße", "weg", "weg", "platz", "allee", "gasse", "ring", "damm", "stieg"}
	streetWordPrefix  = []string{"Lange", "Breite", "Kurze", "Alte", "Neue", "Hohe", "Obere", "Untere", "Große", "Kleine"}
	streetPersons     = []string{"Friedrich-Ebert-", "Karl-Marx-", "Konrad-Adenauer-", "Willy-Brandt-", "Geschwister-Scholl-", "Rosa-Luxemburg-", "Kurt-Schumacher-", "Dr.-Otto-Nuschke-", "Käthe-Kollwitz-", "Bertha-von-Suttner-"}
	streetPersonWords = []string{"Straße", "Straße", "Straße", "Platz", "Allee", "Weg", "Ring"}
	streetFixed       = []string{"Am Markt", "Am Anger", "An der Kirche", "Im Winkel", "Zur Mühle", "Auf dem Berge",
		"Unter den Linden", "Straße des 17. Juni", "In der Aue", "Am Stadtgraben", "Hinter der Mauer",
		"Zum Hünengrab", "Am Weißen Steinbruch", "Alt-Moabit", "An den Drei Pfählen", "Q 7"}
	supplements = []string{"Hinterhaus", "Seitenflügel links", "Vorderhaus", "Gartenhaus", "2. OG", "Apartment 12",
		"bei Schneider", "Wohnheim, Zimmer 214", "c/o Pflegeheim St. Josef"}
)
