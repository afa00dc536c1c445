package award

import "slices"

// Person is anyone with a login: applicant, supporter, assessor, moderator or admin.
type Person struct {
	ID       string   `json:"id"`
	TenantID string   `json:"tenant_id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Roles    []string `json:"roles"`
	// Active is false for a person an admin deactivated: they cannot sign in, and their tokens
	// and sessions are refused at once (storage's Authenticate checks it).
	Active bool `json:"active"`
	// AccessVersion counts changes to the person's roles and active state: a session holding
	// an older number is renewed with the new roles, or refused.
	AccessVersion int64 `json:"-"`
}

// Roles a person may hold (and, but for supporter, the roles an Actor acts in).
const (
	RoleApplicant = "applicant"
	RoleSupporter = "supporter"
	RoleAssessor  = "assessor"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// Has says whether the person holds role.
func (p Person) Has(role string) bool { return slices.Contains(p.Roles, role) }

// Evidence states (an evidence item's state in the journey).
const (
	EvidencePending   = "pending"
	EvidenceConfirmed = "confirmed"
	EvidenceRemoved   = "removed"
)
