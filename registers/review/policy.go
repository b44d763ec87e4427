package review

import "slices"

// Action is what a clerk does: read (the work list and cases), decide
// (accept, reject, merge, defer) or search (correct and search again, which
// sends an IDA search).
type Action uint8

const (
	ActionRead Action = iota + 1
	ActionDecide
	ActionSearch
)

func (a Action) String() string {
	switch a {
	case ActionRead:
		return "read"
	case ActionDecide:
		return "decide"
	case ActionSearch:
		return "search"
	}
	return "action(" + itoa(int(a)) + ")"
}

// Clerk is who works on the cases: the vendor's authentication names the
// user, the role in the register's authorisation concept and the purpose.
type Clerk struct {
	ID      string // user ID (required; written to the history and the read-access log)
	Name    string // display name (optional)
	Role    string
	Purpose string
	// FileRef is the Aktenzeichen, if any (read-access log reason).
	FileRef string
}

// Policy says which roles may do what for which purposes, in the shape of
// ida's policy: an action is allowed when one rule matches the clerk's
// role and purpose and lists the action. Everything else is refused.
type Policy struct {
	Rules []Rule
}

// Rule allows one role some actions for some purposes.
type Rule struct {
	Role     string
	Purposes []string // compared exactly; empty means none
	Actions  []Action // empty means none
}

// Check returns nil if the policy allows the action to the clerk, and a
// *[ForbiddenError] otherwise.
func (p *Policy) Check(c Clerk, a Action) error {
	roleSeen := false
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Role != c.Role {
			continue
		}
		roleSeen = true
		if slices.Contains(r.Purposes, c.Purpose) && slices.Contains(r.Actions, a) {
			return nil
		}
	}
	e := &ForbiddenError{Role: c.Role, Purpose: c.Purpose, Action: a, Reason: "action or purpose not allowed for the role"}
	if !roleSeen {
		e.Reason = "unknown role"
	}
	return e
}
