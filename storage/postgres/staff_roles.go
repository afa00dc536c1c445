package postgres

import (
	"context"
	"encoding/json"
	"errors"
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
	var out RoleChange
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		p, err := db.scanPerson(tx.QueryRow(ctx,
			`SELECT `+personColumns+` FROM people p WHERE p.tenant_id=$1 AND p.id=$2 FOR UPDATE`, tenantID, personID))
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("no person %s: %w", personID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		out.Person = p
		if p.Has(role) == grant {
			return nil // nothing to change
		}
		roles := slices.DeleteFunc(slices.Clone(p.Roles), func(r string) bool { return r == role })
		action := "role_removed"
		if grant {
			roles, action = append(roles, role), "role_granted"
		} else {
			var open int
			if err := tx.QueryRow(ctx, `
				SELECT count(*) FROM assignments WHERE tenant_id = $1 AND person_id = $2 AND role = $3 AND state IN ('offered', 'accepted')`,
				tenantID, personID, role).Scan(&open); err != nil {
				return err
			}
			if open > 0 {
				return &OpenWorkError{Role: role, Open: open}
			}
		}
		slices.Sort(roles)
		if _, err := tx.Exec(ctx, `UPDATE people SET roles = $3, access_version = access_version + 1, access_changed_at = now() WHERE tenant_id = $1 AND id = $2`, tenantID, personID, roles); err != nil {
			return err
		}
		detail, err := json.Marshal(map[string]any{"person": personID, "role": role, "roles": roles})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_log (tenant_id, actor, action, detail) VALUES ($1, $2, $3, $4)`,
			tenantID, actor, action, detail); err != nil {
			return err
		}
		out.Person.Roles, out.Changed = roles, true
		return nil
	})
	return out, err
}
