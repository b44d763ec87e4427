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

// appendPhonetic implements [AppendPhonetic] for strings and byte slices.
func appendPhonetic[T ~string | ~[]byte](dst []byte, sf T) []byte {
	var last byte = 0xFF // last code produced, zeros included
	first := true        // no code produced yet
	var prev byte
	for i := 0; i < len(sf); i++ {
		c := sf[i]
		if c < 'A' || c > 'Z' {
			continue
		}
		var next byte
		for j := i + 1; j < len(sf); j++ {
			if n := sf[j]; n >= 'A' && n <= 'Z' {
				next = n
				break
			}
		}
		var d1, d2 byte
		switch c {
		case 'A', 'E', 'I', 'J', 'O', 'U', 'Y':
			d1 = '0'
		case 'H':
			// no code
		case 'B':
			d1 = '1'
		case 'P':
			d1 = '1'
			if next == 'H' {
				d1 = '3'
			}
		case 'D', 'T':
			d1 = '2'
			if next == 'C' || next == 'S' || next == 'Z' {
				d1 = '8'
			}
		case 'F', 'V', 'W':
			d1 = '3'
		case 'G', 'K', 'Q':
			d1 = '4'
		case 'C':
			d1 = '8'
			switch {
			case prev == 0:
				switch next {
				case 'A', 'H', 'K', 'L', 'O', 'Q', 'R', 'U', 'X':
					d1 = '4'
				}
			case prev == 'S' || prev == 'Z':
			default:
				switch next {
				case 'A', 'H', 'K', 'O', 'Q', 'U', 'X':
					d1 = '4'
				}
			}
		case 'X':
			if prev == 'C' || prev == 'K' || prev == 'Q' {
				d1 = '8'
			} else {
				d1, d2 = '4', '8'
			}
		case 'L':
			d1 = '5'
		case 'M', 'N':
			d1 = '6'
		case 'R':
			d1 = '7'
		case 'S', 'Z':
			d1 = '8'
		}
		for _, d := range [2]byte{d1, d2} {
			if d == 0 {
				continue
			}
			if d != last && (d != '0' || first) {
				dst = append(dst, d)
			}
			last = d
			first = false
		}
		prev = c
	}
	return dst
}
