package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"awardengine/award"
)

// Tenant is a local authority running the award.
type Tenant struct {
	ID          string
	Name        string
	SenderEmail string
	SenderName  string
	ReplyTo     string
	// EmailTemplates names the tenant's SendGrid dynamic templates by message type; a type
	// not named here is rendered by the app.
	EmailTemplates map[string]string
}

// Person is anyone with a login (the domain's person: award.Person).
type Person = award.Person

// Roles a person may hold.
const (
	RoleApplicant = award.RoleApplicant
	RoleSupporter = award.RoleSupporter
	RoleAssessor  = award.RoleAssessor
	RoleModerator = award.RoleModerator
	RoleAdmin     = award.RoleAdmin
)

// UpsertTenant creates or updates a tenant.
func (db *DB) UpsertTenant(ctx context.Context, t Tenant) error {
	_, err := db.pool.Exec(ctx, `
		INSERT INTO tenants (id, name, sender_email, sender_name, reply_to) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (id) DO UPDATE SET name=$2, sender_email=$3, sender_name=$4, reply_to=$5`,
		t.ID, t.Name, t.SenderEmail, t.SenderName, t.ReplyTo)
	return err
}

// EnsureTenant creates a tenant that does not exist yet and leaves an existing one as its
// admins set it (the sample data loads on every start of the dev stack).
func (db *DB) EnsureTenant(ctx context.Context, t Tenant) error {
	_, err := db.pool.Exec(ctx, `
		INSERT INTO tenants (id, name, sender_email, sender_name, reply_to) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (id) DO NOTHING`,
		t.ID, t.Name, t.SenderEmail, t.SenderName, t.ReplyTo)
	return err
}

// Tenant returns one tenant.
func (db *DB) Tenant(ctx context.Context, id string) (Tenant, error) {
	var t Tenant
	err := db.pool.QueryRow(ctx, `SELECT id, name, sender_email, sender_name, reply_to, email_templates FROM tenants WHERE id=$1`, id).
		Scan(&t.ID, &t.Name, &t.SenderEmail, &t.SenderName, &t.ReplyTo, &t.EmailTemplates)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("tenant %q: %w", id, ErrNotFound)
	}
	return t, err
}

// StaffRoles are the roles of the award team. A person holding one is never made an
// applicant by someone else's action (EnsureApplicant): they could then be allocated their
// own application, and their address belongs to their work.
var StaffRoles = []string{RoleAdmin, RoleAssessor, RoleModerator}

// StaffAddressError says an address given for an applicant belongs to a member of staff.
type StaffAddressError struct {
	Roles []string // the staff roles the address's owner holds, sorted
}

func (e *StaffAddressError) Error() string {
	return fmt.Sprintf("this address belongs to a member of staff (%s); an applicant needs their own address",
		strings.Join(e.Roles, ", "))
}

// EnsureApplicant is an admin registering someone: it creates the person with the applicant
// role, or returns the existing person with the same email in the tenant, adding the
// applicant role, unless that person holds a staff role (*StaffAddressError): a role is never
// added silently to a member of staff. The check and the change are one statement, so a
// role granted at the same moment cannot slip between them.
func (db *DB) EnsureApplicant(ctx context.Context, p Person) (Person, error) {
	if p.ID == "" {
		p.ID = NewID("p")
	}
	err := db.pool.QueryRow(ctx, `
		INSERT INTO people (id, tenant_id, name, email, roles) VALUES ($1,$2,$3,lower($4),ARRAY[$5])
		ON CONFLICT (tenant_id, email) DO UPDATE
		SET roles = (SELECT array_agg(DISTINCT r ORDER BY r) FROM unnest(people.roles || EXCLUDED.roles) r)
		WHERE NOT people.roles && $6::text[]
		RETURNING id, tenant_id, name, email, roles, active, access_version`,
		p.ID, p.TenantID, p.Name, p.Email, RoleApplicant, StaffRoles).Scan(&p.ID, &p.TenantID, &p.Name, &p.Email, &p.Roles, &p.Active, &p.AccessVersion)
	if !errors.Is(err, pgx.ErrNoRows) {
		return p, err
	}
	// The address exists and its owner is staff: the update's condition held nothing back.
	staff, err := db.PersonByEmail(ctx, p.TenantID, p.Email)
	if err != nil {
		return p, err
	}
	var roles []string
	for _, r := range staff.Roles {
		if slices.Contains(StaffRoles, r) {
			roles = append(roles, r)
		}
	}
	slices.Sort(roles)
	return p, &StaffAddressError{Roles: roles}
}

// UpsertPerson creates a person, or returns the existing one with the same email in the tenant
// (adding any new roles). It is for loading known people (seed data, tests); registering
// someone on their behalf goes through EnsureApplicant, which never adds a role to staff.
func (db *DB) UpsertPerson(ctx context.Context, p Person) (Person, error) {
	if p.ID == "" {
		p.ID = NewID("p")
	}
	err := db.pool.QueryRow(ctx, `
		INSERT INTO people (id, tenant_id, name, email, roles) VALUES ($1,$2,$3,lower($4),$5)
		ON CONFLICT (tenant_id, email) DO UPDATE
		SET roles = (SELECT array_agg(DISTINCT r ORDER BY r) FROM unnest(people.roles || EXCLUDED.roles) r)
		RETURNING id, tenant_id, name, email, roles, active, access_version`,
		p.ID, p.TenantID, p.Name, p.Email, p.Roles).Scan(&p.ID, &p.TenantID, &p.Name, &p.Email, &p.Roles, &p.Active, &p.AccessVersion)
	return p, err
}

// Person returns one person of a tenant.
func (db *DB) Person(ctx context.Context, tenantID, id string) (Person, error) {
	return db.scanPerson(db.pool.QueryRow(ctx,
		`SELECT `+personColumns+` FROM people p WHERE p.tenant_id=$1 AND p.id=$2`, tenantID, id))
}

// PersonByEmail finds a person of a tenant by email address.
func (db *DB) PersonByEmail(ctx context.Context, tenantID, email string) (Person, error) {
	return db.scanPerson(db.pool.QueryRow(ctx,
		`SELECT `+personColumns+` FROM people p WHERE p.tenant_id=$1 AND p.email=lower($2)`, tenantID, email))
}

// personColumns are what scanPerson reads, from people aliased p.
const personColumns = `p.id, p.tenant_id, p.name, p.email, p.roles, p.active, p.access_version`

func (db *DB) scanPerson(row pgx.Row) (Person, error) {
	var p Person
	err := row.Scan(&p.ID, &p.TenantID, &p.Name, &p.Email, &p.Roles, &p.Active, &p.AccessVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// IssueToken creates a new API token for a person and returns it in plain text: only its
// hash is stored, so it cannot be shown again.
func (db *DB) IssueToken(ctx context.Context, personID, label string) (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	token := "awt_" + base64.RawURLEncoding.EncodeToString(buf)
	return token, db.StoreToken(ctx, personID, label, token)
}

// StoreToken stores the hash of a token chosen by the caller (used for fixed demo tokens).
func (db *DB) StoreToken(ctx context.Context, personID, label, token string) error {
	sum := sha256.Sum256([]byte(token))
	_, err := db.pool.Exec(ctx, `
		INSERT INTO api_tokens (token_hash, person_id, label) VALUES ($1,$2,$3)
		ON CONFLICT (token_hash) DO NOTHING`, sum[:], personID, label)
	return err
}

// NewID returns a random identifier with a readable prefix, e.g. "app_4k2j...".
func NewID(prefix string) string {
	buf := make([]byte, 10)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	return prefix + "_" + base32Lower(buf)
}

func base32Lower(b []byte) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	out := make([]byte, 0, len(b)*8/5+1)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, alphabet[(acc>>uint(bits))&31])
		}
	}
	return string(out)
}

// PeopleWithRole lists the ids of a tenant's people holding a role, sorted.
func (db *DB) PeopleWithRole(ctx context.Context, tenantID, role string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT id FROM people WHERE tenant_id=$1 AND $2 = ANY(roles) ORDER BY id`, tenantID, role)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
