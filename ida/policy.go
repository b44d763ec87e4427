package ida

import (
	"slices"

	"github.com/regmo/regmo/idnr"
)

// Policy is the register's authorisation concept (Berechtigungskonzept, § 8
// IDNrG) as the client enforces it: which roles may send which kinds of
// request, for which purposes, and receive which fields. A request is
// allowed when one rule matches its role, kind and purpose and allows every
// field it asks for. Everything else is refused.
//
// A Policy is copied by [New]; changing it afterwards has no effect on the
// client.
type Policy struct {
	Rules []Rule
}

// Rule allows one role some request kinds, purposes and fields.
type Rule struct {
	Role string
	// Kinds are the request kinds allowed; empty means all kinds. A Bulk
	// call is checked as KindBulk (whatever kinds its searches are), a
	// fallback search as KindFallback.
	Kinds []Kind
	// Purposes are the purposes allowed, compared exactly; empty means
	// none (a rule must name its purposes).
	Purposes []string
	// Fields are the fields the role may receive. The IDNr is always allowed.
	Fields idnr.Fields
}

func (p *Policy) clone() Policy {
	out := Policy{Rules: make([]Rule, len(p.Rules))}
	for i, r := range p.Rules {
		out.Rules[i] = Rule{Role: r.Role, Kinds: slices.Clone(r.Kinds), Purposes: slices.Clone(r.Purposes), Fields: r.Fields}
	}
	return out
}

// Check returns nil if the policy allows a request of kind k under a, and a
// *[PolicyError] otherwise.
func (p *Policy) Check(a Auth, k Kind) error {
	want := a.Fields | idnr.FieldIDNr
	roleSeen, purposeSeen := false, false
	var bestDenied idnr.Fields = idnr.AllFields
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Role != a.Role {
			continue
		}
		roleSeen = true
		if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, k) {
			continue
		}
		if !slices.Contains(r.Purposes, a.Purpose) {
			continue
		}
		purposeSeen = true
		denied := want &^ (r.Fields | idnr.FieldIDNr)
		if denied == 0 {
			return nil
		}
		if denied.Len() < bestDenied.Len() {
			bestDenied = denied
		}
	}
	e := &PolicyError{Role: a.Role, Purpose: a.Purpose, Kind: k}
	switch {
	case !roleSeen:
		e.Reason = "unknown role"
	case !purposeSeen:
		e.Reason = "purpose or request kind not allowed for the role"
	default:
		e.Reason = "fields not allowed"
		e.Denied = bestDenied
	}
	return e
}
