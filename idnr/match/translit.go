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
//     (Anna and Anja, Lena and Leni stay apart), every other run as one
//     unspecified vowel (Muhammad, Mohammed; Husain, Hussein);
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
			dst = append(dst, '*')
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

// TranslitKey returns the transliteration-blind key of the family name s
// (given false) or of one given name (given true); see the package
// documentation, "Transliteration". It is meant for tests and tools; the
// matcher computes it once per name in [Matcher.Prepare].
func TranslitKey(s string, given bool) string {
	var sf [64]byte
	var out [2 * maxTranslit]byte
	return string(appendTranslit(out[:0], AppendSearchForm(sf[:0], s), given))
}
