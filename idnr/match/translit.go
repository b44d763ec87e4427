package match

// Transliteration-blind key.
//
// Names from Arabic, Cyrillic, Greek, Turkish and other scripts reach
// registers in several Latin spellings: Mohammed, Muhammad, Mohamed;
// Hussein, Husain, Hüseyin; Yusuf, Yousef, Jussuf; Al-Hassan, El Hasan;
// Schewtschenko, Shevchenko; Tatjana, Tatiana; Sergej, Sergey. The key
// below is built by rules, not from a list of variants, over the search
// form (A–Z):
//
//  1. consonant spellings: TSCH, TCH → C; DSCH, DJ → J; SCH, SH, ZH → S;
//     CH, KH → H; GH → G; PH → F; TH → T; DH → D; CK, Q → K; X → KS;
//     W → V; Z → S; C → C before E, I, Y, otherwise K;
//  2. Y and J: before a vowel at the start of the name a consonant (J),
//     elsewhere the vowel I (Sergej, Sergey, Sergei; Julija, Yuliya);
//  3. H only before a vowel (Ahmed, Achmed; Hannah, Hanna);
//  4. doubled consonants written once (Mohammed, Mohamed; in given names
//     only S, M, L and D, see below);
//  5. vowels: the first run of vowels by its class (A; E; I; O and U:
//     Omar, Umar; Youssef, Yusuf), a run that ends the name by its letters
//     (Anna and Anja, Lena and Leni stay apart), every other run by a
//     lower-case class: i if it holds an I (Husain, Hussein, Hüseyin), u
//     if it holds an O or U, a if it holds an A, otherwise e. Two keys
//     agree ([translitEqual]) when they are equal except that an inner e
//     stands against an a, i or u (Muhammad, Mohammed; Khalid, Khaled;
//     Yusuf, Yousef): a short vowel is written e in one convention and a,
//     i or u in another, while Jamil and Jamal, Rashid and Rashad, Karim
//     and Karam (a long vowel of its own) are different names. Samir and
//     Samer agree, as Khalid and Khaled do;
//  6. a final D as T (Ahmed, Ahmet; Mehmed, Mehmet).
//
// Article prefixes (Al-, El-, al) written joined, hyphenated or apart give
// the same search form already (ALHASSAN); a leading El before a consonant
// is read as Al (El Hasan, Al-Hassan).
//
// What it does not do: Georgios and Giorgos, Aleksandr and Alexander
// (a dropped vowel), Ayşe and Aisha, Fatima and Fatma stay apart; they are
// left to the typo and phonetic levels.

// maxTranslit bounds the input of the key; longer names are cut (the key
// only compares, it never needs the whole of a 60-letter name).
const maxTranslit = 48

func isVowel(c byte) bool {
	switch c {
	case 'A', 'E', 'I', 'O', 'U':
		return true
	}
	return false
}

// vowelClass is the class of the first vowel of a name: O and U are one
// class, A, E and I (with Y and J) each their own, so that Mehmet and
// Mahmut, Lena and Lina stay apart.
func vowelClass(c byte) byte {
	switch c {
	case 'A', 'E':
		return c
	case 'O', 'U':
		return 'U'
	}
	return 'I'
}

// appendTranslit appends the transliteration-blind key of the search form
// sf to dst. It does not allocate when dst has room.
//
// For given names (given true) only the doubled consonants of Arabic
// transliteration (S, M, L, D: Hussein, Mohammed, Abdullah) are written
// once, and El is not read as an article: Stefan and Steffen, Matthias
// and Mathias, Niccolò and Nicolò are names of their own, which twins may
// bear, not spellings of one name.
func appendTranslit[T ~string | ~[]byte](dst []byte, sf T, given bool) []byte {
	var sym [2 * maxTranslit]byte
	n := 0
	put := func(c byte) {
		if n < len(sym) {
			sym[n] = c
			n++
		}
	}
	ln := min(len(sf), maxTranslit)
	at := func(i int) byte {
		if i < ln {
			return sf[i]
		}
		return 0
	}
	i0 := 0
	if !given && ln >= 6 && sf[0] == 'E' && sf[1] == 'L' && !isVowel(sf[2]) && sf[2] != 'Y' {
		// the article El- as Al- (El-Hassan, Al Hassan)
		put('A')
		put('L')
		i0 = 2
	}
	// 1. consonant spellings
	for i := i0; i < ln; {
		c := sf[i]
		c1, c2, c3 := at(i+1), at(i+2), at(i+3)
		switch {
		case c < 'A' || c > 'Z':
			i++
			continue
		case c == 'T' && c1 == 'S' && c2 == 'C' && c3 == 'H':
			put('C')
			i += 4
		case c == 'D' && c1 == 'S' && c2 == 'C' && c3 == 'H':
			put('J')
			i += 4
		case c == 'T' && c1 == 'C' && c2 == 'H':
			put('C')
			i += 3
		case c == 'S' && c1 == 'C' && c2 == 'H':
			put('S')
			i += 3
		case c == 'D' && c1 == 'J':
			put('J')
			i += 2
		case (c == 'S' || c == 'Z') && c1 == 'H':
			put('S')
			i += 2
		case (c == 'C' || c == 'K') && c1 == 'H':
			put('H')
			i += 2
		case c == 'G' && c1 == 'H':
			put('G')
			i += 2
		case c == 'P' && c1 == 'H':
			put('F')
			i += 2
		case c == 'T' && c1 == 'H':
			put('T')
			i += 2
		case c == 'D' && c1 == 'H':
			put('D')
			i += 2
		case c == 'C' && c1 == 'K':
			put('K')
			i += 2
		default:
			switch c {
			case 'Q':
				put('K')
			case 'X':
				put('K')
				put('S')
			case 'W':
				put('V')
			case 'Z':
				put('S')
			case 'C':
				if c1 == 'E' || c1 == 'I' || c1 == 'Y' {
					put('C')
				} else {
					put('K')
				}
			default:
				put(c)
			}
			i++
		}
	}
	// 2. Y and J; 3. H only before a vowel
	m := 0
	for i := 0; i < n; i++ {
		c := sym[i]
		var next byte
		if i+1 < n {
			next = sym[i+1]
		}
		switch c {
		case 'Y', 'J':
			if m == 0 && (isVowel(next) || next == 'Y') {
				c = 'J'
			} else {
				c = 'I'
			}
		case 'H':
			if !isVowel(next) && next != 'Y' && next != 'J' {
				continue
			}
		}
		sym[m] = c
		m++
	}
	// 4. doubled consonants, 5. vowel runs
	start := len(dst)
	first := true
	var lastCons byte
	for i := 0; i < m; {
		c := sym[i]
		if !isVowel(c) {
			if c != lastCons || (given && c != 'S' && c != 'M' && c != 'L' && c != 'D') {
				dst = append(dst, c)
			}
			lastCons = c
			i++
			continue
		}
		j := i
		for j < m && isVowel(sym[j]) {
			j++
		}
		final := j == m
		if first {
			dst = append(dst, vowelClass(c))
		}
		switch {
		case final:
			var prev byte
			for k := i; k < j; k++ {
				if sym[k] != prev {
					dst = append(dst, sym[k])
				}
				prev = sym[k]
			}
		case !first:
			dst = append(dst, runClass(sym[i:j]))
		}
		first = false
		lastCons = 0
		i = j
	}
	// 6. final D
	if e := len(dst); e > start && dst[e-1] == 'D' {
		dst[e-1] = 'T'
	}
	return dst
}

// TranslitEqual reports whether the names a and b agree in the
// transliteration-blind comparison: their keys ([TranslitKey]) are equal
// but for an inner vowel e against a, i or u. given selects the rules for
// given names.
func TranslitEqual(a, b string, given bool) bool {
	return translitEqual(TranslitKey(a, given), TranslitKey(b, given))
}

// TranslitKey returns the transliteration-blind key of the family name s
// (given false) or of one given name (given true); see the package
// documentation, "Transliteration". It is meant for tests and tools; the
// matcher computes it once per name in [Matcher.Prepare].
func TranslitKey(s string, given bool) string {
	var sf [64]byte
	var out [2 * maxTranslit]byte
	return string(appendTranslit(out[:0], AppendSearchForm(sf[:0], s), given))
}

// runClass is the class of an inner run of vowels (see rule 5 above).
func runClass(run []byte) byte {
	var hasA, hasU bool
	for _, c := range run {
		switch c {
		case 'I':
			return 'i'
		case 'O', 'U':
			hasU = true
		case 'A':
			hasA = true
		}
	}
	switch {
	case hasU:
		return 'u'
	case hasA:
		return 'a'
	}
	return 'e'
}

// translitEqual reports whether two transliteration-blind keys agree:
// equal, except that an inner vowel class e may stand against a, i or u.
// Empty keys never agree.
func translitEqual(x, y string) bool {
	if x == "" || len(x) != len(y) {
		return false
	}
	for i := 0; i < len(x); i++ {
		a, b := x[i], y[i]
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		// a < b: an inner e against a, i or u
		if (a == 'a' && b == 'e') || (a == 'e' && (b == 'i' || b == 'u')) {
			continue
		}
		return false
	}
	return true
}

// translitEdit reports, for the given names x and y (search forms) whose
// keys agree, whether a difference of a single edit is one that
// transliteration makes: another vowel inside the name (not its first
// vowel, not its last letter: Paraskevi, Paraskavi), J, Y and I for each
// other (Dmitrij, Dmitriy), W for V, K for C or Q, S for Z, or a doubled
// S, M, L or D written once (Mohammed, Mohamed), or an H added. Names
// further apart than one edit agree by their keys alone. A letter added
// otherwise (Elias, Elijas) is how names differ, not how they are
// transliterated, and is left to the typo rules.
func translitEdit(x, y string) bool {
	if !withinEdits(x, y, 1) {
		return true
	}
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	j := 0
	for j < len(x)-i && j < len(y)-i && x[len(x)-1-j] == y[len(y)-1-j] {
		j++
	}
	dx, dy := x[i:len(x)-j], y[i:len(y)-j]
	switch {
	case len(dx) == 1 && len(dy) == 1:
		a, b := min(dx[0], dy[0]), max(dx[0], dy[0])
		switch {
		case isVowel(a) && isVowel(b):
			firstVowel := true
			for k := 0; k < i; k++ {
				if isVowel(x[k]) {
					firstVowel = false
				}
			}
			return !firstVowel && j > 0
		case (a == 'I' || a == 'J') && (b == 'J' || b == 'Y'):
			return true
		case a == 'V' && b == 'W', a == 'C' && b == 'K', a == 'K' && b == 'Q', a == 'S' && b == 'Z':
			return true
		}
	case len(dx)+len(dy) == 1:
		c := dx + dy
		switch c[0] {
		case 'H':
			return true
		case 'S', 'M', 'L', 'D':
			return (i > 0 && x[i-1] == c[0]) || (i < len(x) && x[i] == c[0]) || (i < len(y) && y[i] == c[0])
		}
	}
	return false
}
