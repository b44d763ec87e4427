package match

// Phonetic returns the Kölner Phonetik code (Postel 1969) of the search form
// of s, as the BMeldDAV uses it for phonetic search: "Müller-Lüdenscheidt"
// gives "65752682"; "Meier", "Mayr" and "Maier" give "67". The code holds
// the digits 0–9 only; it is empty when the search form is empty.
func Phonetic(s string) string {
	var sf [64]byte
	var out [64]byte
	return string(appendPhonetic(out[:0], AppendSearchForm(sf[:0], s)))
}

// AppendPhonetic appends the Kölner Phonetik code of sf to dst and returns
// the extended slice. sf should be a search form (A–Z, see
// [AppendSearchForm]); other bytes are skipped. It does not allocate when
// dst has room.
//
// The rules: A E I J O U Y → 0; B → 1; P → 1, before H 3; D T → 2, before
// C S Z 8; F V W → 3; G K Q → 4; C → 4 or 8 by its neighbours; X → 48, after
// C K Q 8; L → 5; M N → 6; R → 7; S Z → 8; H has no code. Then runs of the
// same digit collapse to one and every 0 but a leading one is dropped.
func AppendPhonetic(dst []byte, sf string) []byte { return appendPhonetic(dst, sf) }

// phonSimple holds the code of the letters whose code does not depend on
// their neighbours ('-' for H, which has none); 0 marks P, D, T, C, X.
var phonSimple = func() (t [256]byte) {
	for _, c := range "AEIJOUY" {
		t[c] = '0'
	}
	t['H'] = '-'
	t['B'] = '1'
	t['F'], t['V'], t['W'] = '3', '3', '3'
	t['G'], t['K'], t['Q'] = '4', '4', '4'
	t['L'] = '5'
	t['M'], t['N'] = '6', '6'
	t['R'] = '7'
	t['S'], t['Z'] = '8', '8'
	return t
}()

// appendPhonetic implements [AppendPhonetic] for strings and byte slices.
func appendPhonetic[T ~string | ~[]byte](dst []byte, sf T) []byte {
	var last byte = 0xFF // last code produced, zeros included
	first := true        // no code produced yet
	var prev byte
	put := func(d byte) {
		if d != last && (d != '0' || first) {
			dst = append(dst, d)
		}
		last = d
		first = false
	}
	for i := 0; i < len(sf); i++ {
		c := sf[i]
		if c < 'A' || c > 'Z' {
			continue
		}
		if d := phonSimple[c]; d != 0 {
			if d != '-' {
				put(d)
			}
			prev = c
			continue
		}
		var next byte
		for j := i + 1; j < len(sf); j++ {
			if n := sf[j]; n >= 'A' && n <= 'Z' {
				next = n
				break
			}
		}
		switch c {
		case 'P':
			if next == 'H' {
				put('3')
			} else {
				put('1')
			}
		case 'D', 'T':
			if next == 'C' || next == 'S' || next == 'Z' {
				put('8')
			} else {
				put('2')
			}
		case 'C':
			d := byte('8')
			switch {
			case prev == 0:
				switch next {
				case 'A', 'H', 'K', 'L', 'O', 'Q', 'R', 'U', 'X':
					d = '4'
				}
			case prev == 'S' || prev == 'Z':
			default:
				switch next {
				case 'A', 'H', 'K', 'O', 'Q', 'U', 'X':
					d = '4'
				}
			}
			put(d)
		case 'X':
			if prev == 'C' || prev == 'K' || prev == 'Q' {
				put('8')
			} else {
				put('4')
				put('8')
			}
		}
		prev = c
	}
	return dst
}
