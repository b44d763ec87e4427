package registers

import (
	"strings"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
)

// Reasons for [NoSearchError]. They are stable codes for reports.
const (
	ReasonNoFamilyName         = "no_family_name"
	ReasonFamilyNameCharset    = "family_name_charset"
	ReasonNoBirthDate          = "no_birth_date"
	ReasonBirthYearUnknown     = "birth_year_unknown"
	ReasonNoResidenceNoGiven   = "no_residence_no_given_names"
	ReasonGivenNamesCharset    = "given_names_charset"
	ReasonMatchReview          = "match_review"
	ReasonMatchReject          = "match_reject"
	ReasonNotIdentifiable      = "not_identifiable"
	ReasonNoDataTransferred    = "no_data_transferred"
	ReasonAmbiguousInRegister  = "ambiguous_in_register"
	ReasonAlreadyHasIDNrInData = "idnr_in_register"
	// ReasonIDNrAssigned: the BVA returned an IDNr that another record
	// of the register already holds (a possible duplicate record of the
	// same person); see [Result.SetIDNrAssigned].
	ReasonIDNrAssigned = "idnr_already_assigned"
)

// IDNrAssignedText is the clerk's explanation of [ReasonIDNrAssigned].
const IDNrAssignedText = "IDNr bereits einem anderen Datensatz zugeordnet (mögliche Dublette)"

// NoSearchError says why a record cannot form any lawful search. It names
// the reason, never the data.
type NoSearchError struct {
	Reason string
}

func (e *NoSearchError) Error() string { return "registers: no lawful search possible: " + e.Reason }

// BuildSearch returns the smallest lawful IDA search for p, following
// § 6 Abs. 3 IDNrG:
//
//  1. The family name is required; the birth date is required with at
//     least the year known (partial dates are sent as they are, with 00
//     for unknown parts).
//  2. If the current (or last known) address is domestic (no country) and
//     has a place and a five-digit postcode, the search is
//     family name + place + postcode + birth date ([ida.ByResidence]).
//  3. Otherwise, if given names are known, it is the fallback search
//     family name + given names + birth date ([ida.ByName]).
//  4. Otherwise no search is possible: a [*NoSearchError] with the reason.
//
// Names are NFC-normalised and trimmed; names with characters outside
// DIN 91379 data type A are refused here, because the BVA would refuse them.
// No other field of p is sent.
func BuildSearch(p *idnr.Person) (ida.Search, error) {
	fam := strings.TrimSpace(p.FamilyName)
	if fam == "" {
		return ida.Search{}, &NoSearchError{ReasonNoFamilyName}
	}
	if !validName(fam) {
		return ida.Search{}, &NoSearchError{ReasonFamilyNameCharset}
	}
	if p.BirthDate.IsZero() {
		return ida.Search{}, &NoSearchError{ReasonNoBirthDate}
	}
	if _, ok := p.BirthDate.Year(); !ok {
		return ida.Search{}, &NoSearchError{ReasonBirthYearUnknown}
	}
	a := &p.Address
	city := strings.TrimSpace(a.City)
	if plz := strings.TrimSpace(a.PostalCode); strings.TrimSpace(a.Country) == "" && city != "" && idnr.IsPostalCode(plz) {
		return ida.Search{Kind: ida.ByResidence, FamilyName: fam, BirthDate: p.BirthDate, City: city, PostalCode: plz}, nil
	}
	given := strings.Join(strings.Fields(p.GivenNames), " ")
	if given == "" {
		return ida.Search{}, &NoSearchError{ReasonNoResidenceNoGiven}
	}
	if !validName(given) {
		return ida.Search{}, &NoSearchError{ReasonGivenNamesCharset}
	}
	return ida.Search{Kind: ida.ByName, FamilyName: fam, BirthDate: p.BirthDate, GivenNames: given}, nil
}

// validName is the cheap pre-check of a name: printable, no control
// characters or digits. The full DIN 91379 check is done by the ida client
// before anything is sent.
func validName(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= '0' && r <= '9') || r == '\uFFFD' {
			return false
		}
	}
	return true
}
