package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// The assessor roster is managed by a tenant's admins. Every lookup is scoped to the admin's
// tenant, so another tenant's person or setting is simply not found.

// maxCapacity catches typos: nobody assesses more than this many portfolios at once.
const maxCapacity = 100

func adminOnly(me postgres.Person) error {
	if !me.Has(postgres.RoleAdmin) {
		return forbidden("only your award team's admins manage the assessor roster")
	}
	return nil
}

func (s *Server) listRoster(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := adminOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	roster, err := s.DB.Roster(r.Context(), me.TenantID)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"assessors": roster})
}

func (s *Server) putRoster(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := adminOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	var req structs.RosterUpdate
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	if req.Capacity != nil && (*req.Capacity < 0 || *req.Capacity > maxCapacity) {
		fail(w, r, invalid("capacity", "must be between 0 (no new work) and 100"))
		return
	}
	person := r.PathValue("person")
	p, err := s.DB.Assessor(r.Context(), me.TenantID, person)
	if errors.Is(err, postgres.ErrNotFound) {
		// Not on the roster: UpsertAssessor says whether the person is unknown or lacks the role.
		p, err = postgres.DefaultAssessorProfile(person), nil
	}
	if err != nil {
		fail(w, r, err)
		return
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
	p, err = s.DB.UpsertAssessor(r.Context(), me.TenantID, p)
	if err != nil {
		rosterFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) addConflict(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := adminOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	var req structs.ConflictRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	setting := strings.TrimSpace(req.SettingID)
	if ref := strings.TrimSpace(req.SettingReference); ref != "" {
		if setting != "" {
			fail(w, r, invalid("setting_reference", "give setting_reference or setting_id, not both"))
			return
		}
		setting = ref
	}
	if setting == "" {
		fail(w, r, invalid("setting_reference", "required: the setting's reference (URN) or setting_id"))
		return
	}
	if strings.TrimSpace(req.Reason) == "" {
		fail(w, r, invalid("reason", "required: say why the conflict exists"))
		return
	}
	person := r.PathValue("person")
	settingID, err := s.DB.SettingID(r.Context(), me.TenantID, setting)
	if err == nil {
		err = s.DB.AddConflict(r.Context(), me.TenantID, person, settingID, req.Reason)
	}
	var p postgres.AssessorProfile
	if err == nil {
		p, err = s.DB.Assessor(r.Context(), me.TenantID, person)
	}
	if err != nil {
		rosterFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) removeConflict(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := adminOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	settingID, err := s.DB.SettingID(r.Context(), me.TenantID, r.PathValue("setting"))
	if err == nil {
		err = s.DB.RemoveConflict(r.Context(), me.TenantID, r.PathValue("person"), settingID)
	}
	if err != nil {
		rosterFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rosterFail maps the roster's refusals to problems: unknown (or another tenant's) people and
// settings are 404, bad values 422 naming the field.
func rosterFail(w http.ResponseWriter, r *http.Request, err error) {
	var in *award.InputError
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		fail(w, r, notFound(strings.TrimSuffix(err.Error(), ": "+postgres.ErrNotFound.Error())))
	case errors.As(err, &in):
		fail(w, r, invalid(in.Field, in.Message))
	default:
		fail(w, r, err)
	}
}

// grantRole is PUT /v1/roster/{person}/roles/{role}: an admin gives a person of their
// authority the assessor or moderator role (audited; idempotent). Holding a role never lets
// anyone assess or moderate an application they applied for or support.
func (s *Server) grantRole(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.changeRole(w, r, me, s.DB.GrantRole)
}

// revokeRole is DELETE /v1/roster/{person}/roles/{role}. It is refused (409) while the person
// holds open work in that role: reassign it first, or pause them with active=false.
func (s *Server) revokeRole(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.changeRole(w, r, me, s.DB.RevokeRole)
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request, me postgres.Person,
	change func(ctx context.Context, tenantID, personID, role, actor string) (postgres.RoleChange, error)) {
	if err := adminOnly(me); err != nil {
		fail(w, r, err)
		return
	}
	c, err := change(r.Context(), me.TenantID, r.PathValue("person"), r.PathValue("role"), me.ID)
	var open *postgres.OpenWorkError
	switch {
	case errors.As(err, &open):
		fail(w, r, &problem{Status: http.StatusConflict, Type: "open-work", Title: "Work still held", Detail: open.Error()})
		return
	case err != nil:
		rosterFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, structs.RoleView{PersonID: c.Person.ID, Name: c.Person.Name, Roles: c.Person.Roles, Changed: c.Changed})
}
