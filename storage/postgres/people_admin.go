package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"awardengine/award"
)

// Admins of a tenant invite people, set their roles and deactivate or reactivate them. Each
// change is one transaction holding the person's row lock, with its audit line (who, when,
// what before and after), written only when something changed; each bumps the person's
// access_version, which sessions compare to renew themselves with the new roles at once.

// AllRoles are the roles a person may hold, in the order they are shown.
var AllRoles = []string{RoleApplicant, RoleSupporter, RoleAssessor, RoleModerator, RoleAdmin}

// MemberExistsError refuses inviting an address that already belongs to a person of the tenant.
type MemberExistsError struct{ PersonID string }

func (e *MemberExistsError) Error() string {
	return fmt.Sprintf("already a member (%s): change their roles instead", e.PersonID)
}

// LastAdminError refuses a change that would leave the tenant with no active admin.
type LastAdminError struct{ Change string }

func (e *LastAdminError) Error() string {
	return fmt.Sprintf("cannot %s: this is the authority's last active admin; make someone else an admin first", e.Change)
}

// CheckRoles normalises a set of roles (trimmed, lower case, sorted, no repeats) and refuses
// an unknown one, as an *award.InputError naming field.
func CheckRoles(field string, roles []string) ([]string, error) {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		r = strings.ToLower(strings.TrimSpace(r))
		if !slices.Contains(AllRoles, r) {
			return nil, &award.InputError{Field: field,
				Message: fmt.Sprintf("%q is not a role; the roles are %s", r, strings.Join(AllRoles, ", "))}
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out, nil
}

// InvitePerson creates a person of the tenant with the given roles, audited as person_invited
// by actor. An address already in the tenant is refused (*MemberExistsError): inviting never
// changes an existing person.
func (db *DB) InvitePerson(ctx context.Context, p Person, actor string) (Person, error) {
	roles, err := CheckRoles("roles", p.Roles)
	if err != nil {
		return p, err
	}
	if len(roles) == 0 {
		return p, &award.InputError{Field: "roles", Message: "required: at least one role"}
	}
	p.Roles = roles
	if p.ID == "" {
		p.ID = NewID("p")
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		return invitePersonTx(ctx, tx, &p, actor, "person_invited")
	})
	return p, err
}

// invitePersonTx inserts the person and the audit line action; an existing address is
// *MemberExistsError.
func invitePersonTx(ctx context.Context, tx pgx.Tx, p *Person, actor, action string) error {
	err := tx.QueryRow(ctx, `
		INSERT INTO people (id, tenant_id, name, email, roles) VALUES ($1,$2,$3,lower($4),$5)
		ON CONFLICT (tenant_id, email) DO NOTHING
		RETURNING id, tenant_id, name, email, roles, active, access_version`,
		p.ID, p.TenantID, p.Name, strings.TrimSpace(p.Email), p.Roles).
		Scan(&p.ID, &p.TenantID, &p.Name, &p.Email, &p.Roles, &p.Active, &p.AccessVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		var existing string
		if err := tx.QueryRow(ctx, `SELECT id FROM people WHERE tenant_id=$1 AND email=lower($2)`,
			p.TenantID, strings.TrimSpace(p.Email)).Scan(&existing); err != nil {
			return err
		}
		return &MemberExistsError{PersonID: existing}
	}
	if err != nil {
		return err
	}
	return insertAudit(ctx, tx, AuditEntry{TenantID: p.TenantID, Actor: actor, Action: action, At: time.Now(),
		Detail: map[string]any{"person": p.ID, "after": map[string]any{"roles": p.Roles, "active": true}}})
}

// PersonChange is a person after a change, and whether anything changed.
type PersonChange struct {
	Person  Person
	Changed bool
}

// SetPersonRoles sets all the roles of a person of the tenant, audited as roles_changed with
// the roles before and after. Removing assessor or moderator from a person holding open work
// in it is *OpenWorkError; removing the admin role from the last active admin *LastAdminError.
func (db *DB) SetPersonRoles(ctx context.Context, tenantID, personID string, roles []string, actor string) (PersonChange, error) {
	roles, err := CheckRoles("roles", roles)
	if err != nil {
		return PersonChange{}, err
	}
	if len(roles) == 0 {
		return PersonChange{}, &award.InputError{Field: "roles", Message: "required: at least one role (to stop someone signing in, deactivate them)"}
	}
	return db.changePerson(ctx, tenantID, personID, actor, func(ctx context.Context, tx pgx.Tx, p *Person) (string, map[string]any, error) {
		if slices.Equal(p.Roles, roles) {
			return "", nil, nil
		}
		for _, r := range []string{RoleAssessor, RoleModerator} {
			if p.Has(r) && !slices.Contains(roles, r) {
				if err := refuseOpenWork(ctx, tx, tenantID, personID, r); err != nil {
					return "", nil, err
				}
			}
		}
		if p.Has(RoleAdmin) && !slices.Contains(roles, RoleAdmin) && p.Active {
			if err := refuseLastAdmin(ctx, tx, tenantID, personID, "remove the admin role"); err != nil {
				return "", nil, err
			}
		}
		p.Roles = roles
		return "roles_changed", nil, nil
	})
}

// SetPersonActive deactivates (active false) or reactivates a person of the tenant, audited as
// person_deactivated or person_reactivated. A deactivated person cannot sign in and their
// tokens and sessions are refused at once. Deactivating someone holding open assessment or
// moderation work is *OpenWorkError (their journeys would wait on them), and the last active
// admin *LastAdminError.
func (db *DB) SetPersonActive(ctx context.Context, tenantID, personID string, active bool, actor string) (PersonChange, error) {
	return db.changePerson(ctx, tenantID, personID, actor, func(ctx context.Context, tx pgx.Tx, p *Person) (string, map[string]any, error) {
		if p.Active == active {
			return "", nil, nil
		}
		p.Active = active
		if active {
			return "person_reactivated", nil, nil
		}
		for _, r := range []string{RoleAssessor, RoleModerator} {
			if err := refuseOpenWork(ctx, tx, tenantID, personID, r); err != nil {
				return "", nil, err
			}
		}
		if p.Has(RoleAdmin) {
			if err := refuseLastAdmin(ctx, tx, tenantID, personID, "deactivate this person"); err != nil {
				return "", nil, err
			}
		}
		return "person_deactivated", nil, nil
	})
}

// changePerson locks the person's row, lets change edit it (returning the audit action, or ""
// when nothing changes, and any detail to audit besides the person and the roles and active
// state before and after), then writes roles and active, bumps access_version and audits.
// Every change of a person's roles or active state goes through here (staff_roles.go too).
func (db *DB) changePerson(ctx context.Context, tenantID, personID, actor string,
	change func(context.Context, pgx.Tx, *Person) (string, map[string]any, error)) (PersonChange, error) {
	var out PersonChange
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		p, err := db.scanPerson(tx.QueryRow(ctx,
			`SELECT `+personColumns+` FROM people p WHERE p.tenant_id=$1 AND p.id=$2 FOR UPDATE`, tenantID, personID))
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("no person %s: %w", personID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		before := p
		p.Roles = slices.Clone(p.Roles)
		action, extra, err := change(ctx, tx, &p)
		if err != nil {
			return err
		}
		out.Person = before
		if action == "" {
			return nil
		}
		if err := tx.QueryRow(ctx, `
			UPDATE people SET roles = $3, active = $4, access_version = access_version + 1, access_changed_at = now()
			WHERE tenant_id = $1 AND id = $2 RETURNING access_version`,
			tenantID, personID, p.Roles, p.Active).Scan(&p.AccessVersion); err != nil {
			return err
		}
		out.Person, out.Changed = p, true
		detail := map[string]any{"person": personID,
			"before": map[string]any{"roles": before.Roles, "active": before.Active},
			"after":  map[string]any{"roles": p.Roles, "active": p.Active}}
		for k, v := range extra {
			detail[k] = v
		}
		return insertAudit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: action, At: time.Now(), Detail: detail})
	})
	return out, err
}

// refuseOpenWork is *OpenWorkError when the person holds offered or accepted work in role.
func refuseOpenWork(ctx context.Context, tx pgx.Tx, tenantID, personID, role string) error {
	var open int
	if err := tx.QueryRow(ctx, `
		SELECT count(*) FROM assignments WHERE tenant_id = $1 AND person_id = $2 AND role = $3 AND state IN ('offered', 'accepted')`,
		tenantID, personID, role).Scan(&open); err != nil {
		return err
	}
	if open > 0 {
		return &OpenWorkError{Role: role, Open: open}
	}
	return nil
}

// refuseLastAdmin is *LastAdminError when no other active admin of the tenant exists. The
// other admins' rows are locked, so two admins removing each other at once cannot both pass.
func refuseLastAdmin(ctx context.Context, tx pgx.Tx, tenantID, personID, change string) error {
	rows, err := tx.Query(ctx, `
		SELECT id FROM people WHERE tenant_id = $1 AND id <> $2 AND active AND $3 = ANY(roles) ORDER BY id FOR UPDATE`,
		tenantID, personID, RoleAdmin)
	if err != nil {
		return err
	}
	others, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(others) == 0 {
		return &LastAdminError{Change: change}
	}
	return nil
}

// PeopleFilter selects people of one tenant for admins.
type PeopleFilter struct {
	TenantID string
	Query    string // a part of the name or email, any case ("" = all)
	Role     string // only people holding this role ("" = all)
	Active   *bool  // only active (true) or deactivated (false) people (nil = both)
	Limit    int    // at most this many (0 = 500)
}

// People lists a tenant's people by name.
func (db *DB) People(ctx context.Context, f PeopleFilter) ([]Person, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	// The query is a literal part: LIKE's wildcards in it match themselves.
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(strings.TrimSpace(f.Query)))
	rows, err := db.pool.Query(ctx, `
		SELECT `+personColumns+` FROM people p
		WHERE p.tenant_id = $1
		  AND ($2 = '' OR lower(p.name) LIKE '%' || $2 || '%' OR p.email LIKE '%' || $2 || '%')
		  AND ($3 = '' OR $3 = ANY(p.roles))
		  AND ($4::boolean IS NULL OR p.active = $4)
		ORDER BY lower(p.name), p.id LIMIT $5`, f.TenantID, q, f.Role, f.Active, limit)
	if err != nil {
		return nil, err
	}
	out := []Person{}
	for rows.Next() {
		p, err := db.scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
