package api

import (
	"net/http"
	"strings"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Routes of stages 10–11 and retention: reapplying, and an admin's legal hold.
func (s *Server) lifecycleRoutes(authed func(string, personHandler)) {
	authed("POST /v1/applications/{id}/reapply", s.reapply)
	authed("POST /v1/applications/{id}/legal-hold", s.legalHold)
}

type reapplyRequest struct {
	CarryForward bool `json:"carry_forward"`
}

// reapply starts a reassessment of an award held: a new application for the same setting, on
// the current framework version, optionally with the previous portfolio's evidence carried
// forward by reference. The award stays valid until the new decision.
func (s *Server) reapply(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canAct)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req reapplyRequest
	if err := decodeOptional(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	st, err := s.status(r.Context(), app.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	if st.Stage != workflows.StageAwarded || st.Assessment == nil {
		fail(w, r, problem{Status: http.StatusConflict, Type: "wrong-stage", Title: "Not allowed at this stage",
			Detail: "only an award held can be reassessed; this application is at stage " + string(st.Stage) +
				" (register a new application instead)"})
		return
	}
	settings, err := s.DB.TenantSettings(r.Context(), me.TenantID, s.Settings)
	if err != nil {
		fail(w, r, err)
		return
	}
	var fw award.Framework
	if err := s.DB.CurrentFramework(r.Context(), string(st.Variant), &fw); err != nil {
		fail(w, r, err)
		return
	}
	in := workflows.ApplicationInput{
		ApplicationID: postgres.NewID("app"), TenantID: me.TenantID, SettingReference: st.SettingReference,
		SettingName: st.SettingName, Track: st.Track, Variant: st.Variant, Framework: frameworkRef(fw),
		ApplicantID: app.ApplicantID, SupporterID: app.SupporterID, RegisteredBy: actor(me), Settings: settings, Limits: s.Limits,
		Previous: &workflows.PreviousAward{ApplicationID: app.ID, Level: st.Assessment.Decision},
	}
	if req.CarryForward {
		for _, e := range st.Evidence {
			if e.State == activities.EvidenceConfirmed {
				in.Carried = append(in.Carried, e)
			}
		}
	}
	s.start(w, r, me, in, me.Has(postgres.RoleAdmin))
}

type legalHoldRequest struct {
	On     *bool  `json:"on"`
	Reason string `json:"reason" text:"multiline"`
}

// legalHold sets or lifts a legal hold: while it is on, the application's data is not erased.
func (s *Server) legalHold(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.adminApplication(r, me)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req legalHoldRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	if req.On == nil {
		fail(w, r, invalid("on", "required: true to hold the data, false to lift the hold"))
		return
	}
	s.act(w, r, me, app, workflows.UpdateLegalHold, workflows.LegalHoldRequest{Actor: actor(me), On: *req.On, Reason: strings.TrimSpace(req.Reason)})
}
