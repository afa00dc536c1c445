package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"awardengine/award"
)

// Admins grant and remove the assessor and moderator roles of their tenant's people (the
// admin role and the applicant's and supporter's roles come from elsewhere). Each change is
// one transaction with its audit line, written only when something changed; the person's row
// is locked, as Reserve locks it, so a role cannot be removed while work is being given.
// Holding a role never lets anyone hold their own application: allocation and Reserve bar
// the applicant and the supporter whatever roles they have (award.Parties).

// GrantableRoles are the roles admins grant and remove.
var GrantableRoles = []string{RoleAssessor, RoleModerator}

// OpenWorkError refuses removing a role from a person who still holds work in it: the
// journeys they hold would wait on someone who can no longer act. Reassign the work first,
// or pause new work with the roster's active flag.
type OpenWorkError struct {
	Role string
	Open int // offered or accepted assignments in that role
}

func (e *OpenWorkError) Error() string {
	work := "assessment"
	if e.Role == RoleModerator {
		work = "moderation"
	}
	if e.Open != 1 {
		work += "s"
	}
	return fmt.Sprintf("cannot remove the %s role: this person holds %d open %s (offered or accepted); "+
		"reassign them first, or set active to false on the roster to stop new work", e.Role, e.Open, work)
}

// RoleChange is a person's roles after a grant or removal, and whether anything changed.
type RoleChange struct {
	Person  Person
	Changed bool
}

// GrantRole gives a person of the tenant the assessor or moderator role, audited as
// role_granted by actor. Granting a role held already changes nothing. An unknown person (or
// another tenant's) is ErrNotFound; another role an *award.InputError naming "role".
func (db *DB) GrantRole(ctx context.Context, tenantID, personID, role, actor string) (RoleChange, error) {
	return db.changeRole(ctx, tenantID, personID, role, actor, true)
}

// RevokeRole removes the assessor or moderator role from a person of the tenant, audited as
// role_removed. Removing a role not held changes nothing; a person holding open work in the
// role gets *OpenWorkError. Their roster profile is kept, for when the role comes back.
func (db *DB) RevokeRole(ctx context.Context, tenantID, personID, role, actor string) (RoleChange, error) {
	return db.changeRole(ctx, tenantID, personID, role, actor, false)
}

func (db *DB) changeRole(ctx context.Context, tenantID, personID, role, actor string, grant bool) (RoleChange, error) {
	role = strings.ToLower(strings.TrimSpace(role))
	if !slices.Contains(GrantableRoles, role) {
		return RoleChange{}, &award.InputError{Field: "role",
			Message: fmt.Sprintf("admins grant and remove the roles %s; %q is not one of them", strings.Join(GrantableRoles, " and "), role)}
	}
	c, err := db.changePerson(ctx, tenantID, personID, actor, func(ctx context.Context, tx pgx.Tx, p *Person) (string, map[string]any, error) {
		if p.Has(role) == grant {
			return "", nil, nil // nothing to change
		}
		if grant {
			p.Roles = append(p.Roles, role)
			slices.Sort(p.Roles)
			return "role_granted", map[string]any{"role": role}, nil
		}
		if err := refuseOpenWork(ctx, tx, tenantID, personID, role); err != nil {
			return "", nil, err
		}
		p.Roles = slices.DeleteFunc(p.Roles, func(r string) bool { return r == role })
		return "role_removed", map[string]any{"role": role}, nil
	})
	return RoleChange{Person: c.Person, Changed: c.Changed}, err
}
