package match

// Letters confused by scanning forms (optical character recognition):
// rn read for m, cl for d, ii for u or ü; l, I and 1 and O and 0 mixed up.
// In the search form l and I are one substitution apart already; digits
// in names are read as the letters they resemble before the search form
// is taken (0 → O, 1 → l), see [appendNameSearchForm]. The multi-letter
// confusions are folded before the edit distance, so that each counts as
// one edit at the typo level ([LevelTypo]).

// maxOCR bounds the names the folding looks at; longer ones are cut and
// simply compared without it.
const maxOCR = 40

// hasOCRPair reports whether sf contains a letter pair that scanning
// confuses with a single letter (RN, CL, II, VV).
func hasOCRPair(sf string) bool {
	for i := 1; i < len(sf); i++ {
		switch sf[i-1] {
		case 'R':
			if sf[i] == 'N' {
				return true
			}
		case 'C':
			if sf[i] == 'L' {
				return true
			}
		case 'I':
			if sf[i] == 'I' {
				return true
			}
		case 'V':
			if sf[i] == 'V' {
				return true
			}
		}
	}
	return false
}

// ocrFold appends sf with the scanning confusions folded to dst: RN → M,
// CL → D, II → U, VV → W, and every I as L (l, I and 1 look alike).
func ocrFold(dst []byte, sf string) []byte {
	for i := 0; i < len(sf); i++ {
		c := sf[i]
		var n byte
		if i+1 < len(sf) {
			n = sf[i+1]
		}
		switch {
		case c == 'R' && n == 'N':
			dst = append(dst, 'M')
			i++
		case c == 'C' && n == 'L':
			dst = append(dst, 'D')
			i++
		case c == 'I' && n == 'I':
			dst = append(dst, 'U')
			i++
		case c == 'V' && n == 'V':
			dst = append(dst, 'W')
			i++
		case c == 'I':
			dst = append(dst, 'L')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// isOCRTypo reports whether a and b, search forms, are a typo apart once
// the scanning confusions are folded: the confusion counts as one edit of
// the typo budget, so short names may carry only the confusion and names of
// nine letters or more one edit besides. It does not allocate.
func isOCRTypo(a, b string) bool {
	if len(a) < 3 || len(b) < 3 || len(a) > maxOCR || len(b) > maxOCR {
		return false
	}
	if !hasOCRPair(a) && !hasOCRPair(b) {
		return false
	}
	var fa, fb [maxOCR]byte
	x, y := ocrFold(fa[:0], a), ocrFold(fb[:0], b)
	k := typoBudget(max(len(a), len(b))) - 1
	if string(x) == string(y) {
		return true
	}
	return k > 0 && withinEdits(x, y, k)
}

// ocrDigit returns the letter a scanned digit in a name stands for, or 0.
func ocrDigit(c byte) byte {
	switch c {
	case '0':
		return 'O'
	case '1':
		return 'l'
	case '5':
		return 'S'
	case '8':
		return 'B'
	}
	return 0
}

// appendNameSearchForm appends the search form of the name s to dst; the
// digits a scanner puts for letters (0 for O, 1 for l) are read as those
// letters first, since a name has no digits.
func appendNameSearchForm(dst []byte, s string) []byte {
	digit := false
	for i := 0; i < len(s); i++ {
		if ocrDigit(s[i]) != 0 {
			digit = true
			break
		}
	}
	if !digit {
		return AppendSearchForm(dst, s)
	}
	var tmp [64]byte
	var buf []byte
	if len(s) <= len(tmp) {
		buf = tmp[:0]
	}
	for i := 0; i < len(s); i++ {
		if c := ocrDigit(s[i]); c != 0 {
			buf = append(buf, c)
		} else {
			buf = append(buf, s[i])
		}
	}
	return AppendSearchForm(dst, string(buf))
}
