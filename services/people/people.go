// Package people is how an authority's admins manage its people: invite them (an email with a
// sign-in link), set their roles, deactivate and reactivate them, and list them. Every method
// takes the acting person and checks that they are an admin; every lookup is scoped to their
// tenant, so another tenant's person is simply not found. Refusals are *structs.Problem.
//
// The storage (postgres.DB) does each change in one transaction with its audit line (who,
// when, the roles and active state before and after) and bumps the person's access_version,
// which sessions compare to renew themselves at once. A deactivated person's tokens and
// sessions are refused at once (people.active).
package people

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"slices"
	"strings"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Store is the part of the database the service needs (*postgres.DB has it).
type Store interface {
	InvitePerson(ctx context.Context, p postgres.Person, actor string) (postgres.Person, error)
	SetPersonRoles(ctx context.Context, tenantID, personID string, roles []string, actor string) (postgres.PersonChange, error)
	SetPersonActive(ctx context.Context, tenantID, personID string, active bool, actor string) (postgres.PersonChange, error)
	People(ctx context.Context, f postgres.PeopleFilter) ([]postgres.Person, error)
	PersonByEmail(ctx context.Context, tenantID, email string) (postgres.Person, error)
	EnsureApplicant(ctx context.Context, p postgres.Person) (postgres.Person, error)
}

// LinkSender emails a person of a tenant a sign-in link, as their invitation (the sign-in
// service's magic link through the email outbox: exactly once per invitation).
type LinkSender interface {
	SendInvitation(ctx context.Context, tenantID, personID string) error
}

// Service manages people. Links may be nil (no email configured): invitations then say
// "not-sent".
type Service struct {
	DB    Store
	Links LinkSender
}

// Invitation outcomes (structs.PersonView.Invitation).
const (
	InvitationSent    = "sent"
	InvitationNotSent = "not-sent"
)

func adminOnly(me postgres.Person) error {
	if !me.Has(postgres.RoleAdmin) {
		return structs.Forbidden("only your award team's admins manage people")
	}
	return nil
}

// View is what admins see of a person.
func View(p postgres.Person, changed bool) structs.PersonView {
	roles := p.Roles
	if roles == nil {
		roles = []string{}
	}
	return structs.PersonView{ID: p.ID, Name: p.Name, Email: p.Email, Roles: roles, Active: p.Active, Changed: changed}
}

// CheckEmail refuses what is not a plain address (a display name or angle brackets included).
func CheckEmail(field, addr string) error {
	if addr == "" {
		return structs.Invalid(field, "required")
	}
	if err := award.CheckText(field, addr, award.SingleLine); err != nil {
		return problemOf(err)
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return structs.Invalid(field, "is not an email address (like name@example.org)")
	}
	return nil
}

// CheckName refuses an empty or unclean name.
func CheckName(field, name string) error {
	if name == "" {
		return structs.Invalid(field, "required")
	}
	if err := award.CheckText(field, name, award.SingleLine); err != nil {
		return problemOf(err)
	}
	if len(name) > 200 {
		return structs.Invalid(field, "is longer than 200 characters")
	}
	return nil
}

// Invite creates a person of the admin's tenant with the requested roles and emails them a
// sign-in link. An address already in the tenant is refused (409 already-member): change
// their roles instead. The person exists once this answers, even if the email could not be
// queued (the answer says so; they can ask for a sign-in link themselves).
func (s *Service) Invite(ctx context.Context, me postgres.Person, req structs.InviteRequest) (structs.PersonView, error) {
	if err := adminOnly(me); err != nil {
		return structs.PersonView{}, err
	}
	req.Name, req.Email = strings.TrimSpace(req.Name), strings.ToLower(strings.TrimSpace(req.Email))
	if err := CheckName("name", req.Name); err != nil {
		return structs.PersonView{}, err
	}
	if err := CheckEmail("email", req.Email); err != nil {
		return structs.PersonView{}, err
	}
	if len(req.Roles) == 0 {
		return structs.PersonView{}, structs.Invalid("roles", "required: at least one of "+strings.Join(postgres.AllRoles, ", "))
	}
	p, err := s.DB.InvitePerson(ctx, postgres.Person{TenantID: me.TenantID, Name: req.Name, Email: req.Email, Roles: req.Roles}, me.ID)
	if err != nil {
		return structs.PersonView{}, problemOf(err)
	}
	v := View(p, true)
	v.Invitation, v.InvitationProblem = s.sendInvitation(ctx, p)
	return v, nil
}

// sendInvitation emails the sign-in link, saying what happened (never failing the change).
func (s *Service) sendInvitation(ctx context.Context, p postgres.Person) (string, string) {
	if s.Links == nil {
		return InvitationNotSent, "this server sends no sign-in links; the person can ask for one on the sign-in page"
	}
	if err := s.Links.SendInvitation(ctx, p.TenantID, p.ID); err != nil {
		slog.Warn("a person was created but their invitation could not be queued", "person_id", p.ID, "error", err)
		return InvitationNotSent, "the invitation email could not be queued; the person can ask for a sign-in link on the sign-in page"
	}
	return InvitationSent, ""
}

// SetRoles sets all the roles of a person of the admin's tenant (audited). Removing assessor
// or moderator from someone holding open work in it is refused (409 open-work), as is an
// admin removing the admin role when no other active admin would remain (409 last-admin).
func (s *Service) SetRoles(ctx context.Context, me postgres.Person, personID string, req structs.RolesRequest) (structs.PersonView, error) {
	if err := adminOnly(me); err != nil {
		return structs.PersonView{}, err
	}
	if req.Roles == nil {
		return structs.PersonView{}, structs.Invalid("roles", "required: the person's whole set of roles, among "+strings.Join(postgres.AllRoles, ", "))
	}
	c, err := s.DB.SetPersonRoles(ctx, me.TenantID, personID, req.Roles, me.ID)
	if err != nil {
		return structs.PersonView{}, problemOf(err)
	}
	return View(c.Person, c.Changed), nil
}

// SetActive deactivates (active false) or reactivates a person of the admin's tenant
// (audited). A deactivated person cannot sign in; their tokens and sessions stop working at
// once. Refused for someone holding open assessment or moderation work (409 open-work) and
// for the last active admin (409 last-admin).
func (s *Service) SetActive(ctx context.Context, me postgres.Person, personID string, active bool) (structs.PersonView, error) {
	if err := adminOnly(me); err != nil {
		return structs.PersonView{}, err
	}
	c, err := s.DB.SetPersonActive(ctx, me.TenantID, personID, active, me.ID)
	if err != nil {
		return structs.PersonView{}, problemOf(err)
	}
	return View(c.Person, c.Changed), nil
}

// List lists the people of the admin's tenant, by name, with their roles and active state.
func (s *Service) List(ctx context.Context, me postgres.Person, q structs.PeopleQuery) (structs.PeopleList, error) {
	if err := adminOnly(me); err != nil {
		return structs.PeopleList{}, err
	}
	if q.Role != "" {
		roles, err := postgres.CheckRoles("role", []string{q.Role})
		if err != nil {
			return structs.PeopleList{}, problemOf(err)
		}
		q.Role = roles[0]
	}
	if err := award.CheckText("q", q.Query, award.SingleLine); err != nil {
		return structs.PeopleList{}, problemOf(err)
	}
	people, err := s.DB.People(ctx, postgres.PeopleFilter{TenantID: me.TenantID, Query: q.Query, Role: q.Role, Active: q.Active})
	if err != nil {
		return structs.PeopleList{}, err
	}
	out := structs.PeopleList{People: make([]structs.PersonView, 0, len(people))}
	for _, p := range people {
		out.People = append(out.People, View(p, false))
	}
	return out, nil
}

// Applicant is the applicant an admin registers on someone's behalf: a new address is invited
// (created as an applicant, audited), an existing applicant's returned (given the applicant
// role if they are a supporter), and a member of staff's refused (409 staff-address): a role
// is never added silently to staff. invited says the person is new: send their invitation
// with Welcome once the registration is committed.
func (s *Service) Applicant(ctx context.Context, me postgres.Person, name, email string) (p postgres.Person, invited bool, err error) {
	if err := adminOnly(me); err != nil {
		return p, false, err
	}
	name, email = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(email))
	if err := CheckName("applicant_name", name); err != nil {
		return p, false, err
	}
	if err := CheckEmail("applicant_email", email); err != nil {
		return p, false, err
	}
	candidate := postgres.Person{TenantID: me.TenantID, Name: name, Email: email, Roles: []string{postgres.RoleApplicant}}
	existing, err := s.DB.PersonByEmail(ctx, me.TenantID, email)
	if err == nil && !existing.Active && !slices.ContainsFunc(existing.Roles, isStaff) {
		p := structs.Conflict("deactivated", "Deactivated person",
			"applicant_email: this address belongs to a deactivated person; reactivate them first (POST /v1/people/"+existing.ID+"/reactivate)")
		p.Errors = []structs.FieldError{{Field: "applicant_email", Message: "belongs to a deactivated person; reactivate them first"}}
		return existing, false, p
	}
	if errors.Is(err, postgres.ErrNotFound) {
		p, err = s.DB.InvitePerson(ctx, candidate, me.ID)
		var exists *postgres.MemberExistsError
		if !errors.As(err, &exists) { // created, or failed; else created meanwhile: as existing
			if err != nil {
				return p, false, err
			}
			return p, true, nil
		}
	} else if err != nil {
		return p, false, err
	}
	p, err = s.DB.EnsureApplicant(ctx, candidate)
	if err != nil {
		return p, false, ApplicantProblem(err)
	}
	return p, false, nil
}

func isStaff(role string) bool { return slices.Contains(postgres.StaffRoles, role) }

// Welcome sends an invited applicant their sign-in link (after their registration committed).
// It returns the invitation outcome for the answer.
func (s *Service) Welcome(ctx context.Context, p postgres.Person) (string, string) {
	return s.sendInvitation(ctx, p)
}

// ApplicantProblem is the refusal of an applicant's address that belongs to staff (409
// staff-address, naming applicant_email), or err as a problem.
func ApplicantProblem(err error) error {
	var staff *postgres.StaffAddressError
	if errors.As(err, &staff) {
		return &structs.Problem{Status: 409, Type: "staff-address", Title: "Address of a member of staff",
			Detail: "applicant_email: " + staff.Error(), Errors: []structs.FieldError{{Field: "applicant_email", Message: staff.Error()}}}
	}
	return problemOf(err)
}

// problemOf turns the storage's refusals into problems; other errors pass unchanged.
func problemOf(err error) error {
	var (
		in     *award.InputError
		exists *postgres.MemberExistsError
		open   *postgres.OpenWorkError
		last   *postgres.LastAdminError
	)
	switch {
	case errors.As(err, &in):
		return structs.Invalid(in.Field, in.Message)
	case errors.As(err, &exists):
		p := structs.Conflict("already-member", "Already a member", exists.Error())
		p.Errors = []structs.FieldError{{Field: "email", Message: "already a member: change their roles instead"}}
		return p
	case errors.As(err, &open):
		return structs.Conflict("open-work", "Work still held", open.Error())
	case errors.As(err, &last):
		return structs.Conflict("last-admin", "Last admin", last.Error())
	case errors.Is(err, postgres.ErrNotFound):
		return structs.NotFound("no such person in your authority")
	}
	return err
}
