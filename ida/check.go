package ida

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/regmo/regmo/idnr"
	"golang.org/x/text/unicode/norm"
)

// The checks of an answer against its request (see the package
// documentation, "Checking answers"). They run in one place, [Client.do],
// for every lookup, search, fallback search and bulk answer, before any
// § 9 record of the answer is written and before any Answer is returned.

// AnswerError is the refusal of one answer (a lookup's, a search's or one
// item of a bulk answer) by the client's checks: it does not fit its
// request ([ErrAnswerMismatch]) or carries a value the register must not
// take ([ErrAnswerInvalid]). The answer's data are neither handed out nor
// protocolled as received; the refusal is a transport event of kind
// "answer-refused". It is not retryable: the same request would get the
// same answer.
//
// Field names the field (a wire token such as "idnr", "family_name" or
// "nationalities|address", or a path such as "Address.Street" for a value);
// Reason says what is wrong. Neither ever holds a value.
type AnswerError struct {
	MessageID uuid.UUID // the request's message ID
	Index     int       // position of the search in a Bulk call, else 0
	Field     string
	Reason    string
	Err       error // ErrAnswerMismatch or ErrAnswerInvalid
}

func (e *AnswerError) Error() string {
	return "ida: answer refused: " + e.Field + ": " + e.Reason
}

func (e *AnswerError) Unwrap() error { return e.Err }

// IsAnswerRefused reports whether the client refused an answer because it
// does not fit its request or carries values outside the rules.
func IsAnswerRefused(err error) bool {
	var ae *AnswerError
	return errors.As(err, &ae)
}

// vet checks every hit of resp against req and returns, per item, nil or
// the *AnswerError that refuses it. It puts the delivered names into NFC.
func vet(req *Request, resp *Response) []error {
	var out []error
	for j := range resp.Items {
		it := &resp.Items[j]
		if it.Outcome != Hit {
			continue
		}
		if err := vetHit(req, it, j); err != nil {
			if out == nil {
				out = make([]error, len(resp.Items))
			}
			err.MessageID = req.MessageID
			out[j] = err
		}
	}
	return out
}

func mismatch(field, reason string) *AnswerError {
	return &AnswerError{Field: field, Reason: reason, Err: ErrAnswerMismatch}
}

// vetHit checks one hit: no field beyond those asked for, every value
// valid, and the person the one asked for.
func vetHit(req *Request, it *Item, j int) *AnswerError {
	// Data minimisation: what was not asked for is refused, not dropped,
	// so that it is neither handed out nor kept in the § 9 record's copy
	// of the item as transmitted.
	if extra := it.Fields &^ req.Fields; extra != 0 {
		return mismatch(extra.String(), "not asked for")
	}
	p := &it.Person
	p.Normalize()
	if err := p.Validate(); err != nil {
		return invalid(err)
	}
	switch req.Kind {
	case KindLookup:
		q := req.Lookup
		if q == nil {
			return mismatch("idnr", "no lookup in the request")
		}
		if p.IDNr != q.IDNr {
			return mismatch("idnr", "not the IDNr asked for")
		}
		if it.Fields.Has(idnr.FieldBirthDate) && !q.BirthDate.Compatible(p.BirthDate) {
			return mismatch("birth_date", "does not agree with the lookup")
		}
	case KindSearch, KindFallback, KindBulk:
		if j >= len(req.Searches) {
			return mismatch("seq", "no search at this position")
		}
		s := &req.Searches[j]
		if it.Fields.Has(idnr.FieldBirthDate) && !s.BirthDate.Compatible(p.BirthDate) {
			return mismatch("birth_date", "does not agree with the search")
		}
		if it.Fields.Has(idnr.FieldFamilyName) && !nameAgrees(s.FamilyName, p) {
			return mismatch("family_name", "agrees with the search neither as family name nor as a delivered former name")
		}
	default:
		return mismatch("result", "a hit for a request that asks for no person")
	}
	return nil
}

// invalid turns the first problem of idnr.Person.Validate into an
// *AnswerError naming the field. Code points are named only for
// characters that are not letters or digits (control, format and bidi
// characters, U+FFFD for invalid UTF-8), so that the error cannot spell
// out a name.
func invalid(err error) *AnswerError {
	fes := idnr.FieldErrors(err)
	if len(fes) == 0 {
		return &AnswerError{Field: "person", Reason: "invalid", Err: ErrAnswerInvalid}
	}
	fe := fes[0]
	reason := fe.Reason
	if len(fe.CodePoints) > 0 {
		var shown []string
		hidden := 0
		for _, r := range fe.CodePoints {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
				hidden++
				continue
			}
			if len(shown) < 5 {
				shown = append(shown, "U+"+strings.ToUpper(strconv.FormatInt(int64(r)+0x10000, 16)[1:]))
			} else {
				hidden++
			}
		}
		if len(shown) > 0 {
			reason += " (" + strings.Join(shown, ", ")
			if hidden > 0 {
				reason += " and " + strconv.Itoa(hidden) + " more"
			}
			reason += ")"
		} else if hidden > 0 {
			reason += " (" + strconv.Itoa(hidden) + " letters or marks)"
		}
	}
	return &AnswerError{Field: fe.Field, Reason: reason, Err: ErrAnswerInvalid}
}

// nameAgrees reports whether the searched family name agrees with the
// hit's family name or one of its delivered former names (the BVA finds a
// person by a former name too), compared by [nameKey].
func nameAgrees(searched string, p *idnr.Person) bool {
	k := nameKey(searched)
	if k == "" {
		return false
	}
	if nameKey(p.FamilyName) == k {
		return true
	}
	for _, n := range p.FormerNames {
		if nameKey(n) == k {
			return true
		}
	}
	return false
}

// nameKey is the folded form in which a search's family name and a hit's
// are compared: NFC; ä, ö, ü, æ, œ, ø and their capitals spelled out as AE,
// OE, UE; ß as SS, þ as TH; ł, đ, ð, ı reduced to their base letter; other
// diacritics dropped (through NFD); upper case; everything but A-Z removed;
// and finally AE, OE and UE reduced to A, O and U, so that Müller, Mueller
// and Muller meet. It is at most as strict as the DIN 91379 search form
// the BVA compares (DIN 91379 table 9), so an answer the BVA found by the
// name is never refused, while a different name is.
func nameKey(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	letter := func(r rune) {
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		if r >= 'A' && r <= 'Z' {
			b.WriteByte(byte(r))
		}
	}
	for _, r := range norm.NFC.String(s) {
		if r < utf8.RuneSelf {
			letter(r)
			continue
		}
		switch r {
		case 'ä', 'Ä', 'æ', 'Æ':
			b.WriteString("AE")
		case 'ö', 'Ö', 'ø', 'Ø', 'œ', 'Œ':
			b.WriteString("OE")
		case 'ü', 'Ü':
			b.WriteString("UE")
		case 'ß', 'ẞ':
			b.WriteString("SS")
		case 'þ', 'Þ':
			b.WriteString("TH")
		case 'ł', 'Ł':
			b.WriteByte('L')
		case 'đ', 'Đ', 'ð', 'Ð':
			b.WriteByte('D')
		case 'ı':
			b.WriteByte('I')
		default:
			for _, d := range norm.NFD.String(string(r)) {
				letter(d)
			}
		}
	}
	k := b.String()
	var out []byte
	for i := 0; i < len(k); i++ {
		c := k[i]
		if (c == 'A' || c == 'O' || c == 'U') && i+1 < len(k) && k[i+1] == 'E' {
			if out == nil {
				out = append(make([]byte, 0, len(k)), k[:i]...)
			}
			out = append(out, c)
			i++
			continue
		}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return k
	}
	return string(out)
}
