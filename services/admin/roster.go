package admin

import (
	"context"
	"errors"
	"strings"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The assessor roster is managed by a tenant's admins. Every lookup is scoped to the admin's
// tenant, so another tenant's person or setting is simply not found.

// MaxCapacity catches typos: nobody assesses more than this many portfolios at once.
const MaxCapacity = 100

const rosterWhat = "manage the assessor roster"

// Roster lists the tenant's assessors and moderators with their tracks, specialisms, capacity
// and conflicts.
func (s *Service) Roster(ctx context.Context, me award.Person) ([]postgres.AssessorProfile, error) {
	if err := adminsOnly(me, rosterWhat); err != nil {
		return nil, err
	}
	return s.DB.Roster(ctx, me.TenantID)
}

// PutRoster changes a person's roster entry: omitted fields keep their value (for a person new
// to the roster: no tracks or specialisms, capacity 3, active).
func (s *Service) PutRoster(ctx context.Context, me award.Person, personID string, req structs.RosterUpdate) (postgres.AssessorProfile, error) {
	if err := adminsOnly(me, rosterWhat); err != nil {
		return postgres.AssessorProfile{}, err
	}
	if req.Capacity != nil && (*req.Capacity < 0 || *req.Capacity > MaxCapacity) {
		return postgres.AssessorProfile{}, structs.Invalid("capacity", "must be between 0 (no new work) and 100")
	}
	p, err := s.DB.Assessor(ctx, me.TenantID, personID)
	if errors.Is(err, postgres.ErrNotFound) {
		// Not on the roster: UpsertAssessor says whether the person is unknown or lacks the role.
		p, err = postgres.DefaultAssessorProfile(personID), nil
	}
	if err != nil {
		return postgres.AssessorProfile{}, err
	}
	if req.Tracks != nil {
		p.Tracks = *req.Tracks
	}
	if req.Specialisms != nil {
		p.Specialisms = *req.Specialisms
	}
	if req.Capacity != nil {
		p.Capacity = *req.Capacity
	}
	if req.Active != nil {
		p.Active = *req.Active
	}
	p, err = s.DB.UpsertAssessor(ctx, me.TenantID, p)
	return p, rosterError(err)
}

// AddConflict declares that a person may not assess a setting, and why.
func (s *Service) AddConflict(ctx context.Context, me award.Person, personID string, req structs.ConflictRequest) (postgres.AssessorProfile, error) {
	if err := adminsOnly(me, rosterWhat); err != nil {
		return postgres.AssessorProfile{}, err
	}
	setting := strings.TrimSpace(req.SettingID)
	if ref := strings.TrimSpace(req.SettingReference); ref != "" {
		if setting != "" {
			return postgres.AssessorProfile{}, structs.Invalid("setting_reference", "give setting_reference or setting_id, not both")
		}
		setting = ref
	}
	if setting == "" {
		return postgres.AssessorProfile{}, structs.Invalid("setting_reference", "required: the setting's reference (URN) or setting_id")
	}
	if strings.TrimSpace(req.Reason) == "" {
		return postgres.AssessorProfile{}, structs.Invalid("reason", "required: say why the conflict exists")
	}
	settingID, err := s.DB.SettingID(ctx, me.TenantID, setting)
	if err == nil {
		err = s.DB.AddConflict(ctx, me.TenantID, personID, settingID, req.Reason)
	}
	var p postgres.AssessorProfile
	if err == nil {
		p, err = s.DB.Assessor(ctx, me.TenantID, personID)
	}
	return p, rosterError(err)
}

// RemoveConflict withdraws a declared conflict.
func (s *Service) RemoveConflict(ctx context.Context, me award.Person, personID, setting string) error {
	if err := adminsOnly(me, rosterWhat); err != nil {
		return err
	}
	settingID, err := s.DB.SettingID(ctx, me.TenantID, setting)
	if err == nil {
		err = s.DB.RemoveConflict(ctx, me.TenantID, personID, settingID)
	}
	return rosterError(err)
}

// GrantRole gives a person of the admin's authority the assessor or moderator role (audited;
// idempotent). Holding a role never lets anyone assess or moderate an application they applied
// for or support.
func (s *Service) GrantRole(ctx context.Context, me award.Person, personID, role string) (structs.RoleView, error) {
	return s.changeRole(ctx, me, personID, role, s.DB.GrantRole)
}

// RevokeRole takes the role away. It is refused (409) while the person holds open work in that
// role: reassign it first, or pause them with active=false.
func (s *Service) RevokeRole(ctx context.Context, me award.Person, personID, role string) (structs.RoleView, error) {
	return s.changeRole(ctx, me, personID, role, s.DB.RevokeRole)
}

func (s *Service) changeRole(ctx context.Context, me award.Person, personID, role string,
	change func(ctx context.Context, tenantID, personID, role, actor string) (postgres.RoleChange, error)) (structs.RoleView, error) {
	if err := adminsOnly(me, rosterWhat); err != nil {
		return structs.RoleView{}, err
	}
	c, err := change(ctx, me.TenantID, personID, role, me.ID)
	var open *postgres.OpenWorkError
	switch {
	case errors.As(err, &open):
		return structs.RoleView{}, structs.Conflict("open-work", "Work still held", open.Error())
	case err != nil:
		return structs.RoleView{}, rosterError(err)
	}
	return structs.RoleView{PersonID: c.Person.ID, Name: c.Person.Name, Roles: c.Person.Roles, Changed: c.Changed}, nil
}

// rosterError maps the roster's refusals to problems: unknown (or another tenant's) people and
// settings are 404, bad values 422 naming the field; anything else is returned as it is.
func rosterError(err error) error {
	var in *award.InputError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, postgres.ErrNotFound):
		return structs.NotFound(strings.TrimSuffix(err.Error(), ": "+postgres.ErrNotFound.Error()))
	case errors.As(err, &in):
		return structs.Invalid(in.Field, in.Message)
	}
	return err
}
