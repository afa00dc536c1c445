package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	writeJSON(w, http.StatusOK, me)
}

type registerRequest struct {
	SettingReference string `json:"setting_reference"`
	SettingName      string `json:"setting_name"`
	Track            string `json:"track"`
	Variant          string `json:"variant"`
	ApprovalDate     string `json:"approval_date"`
	ApplicantName    string `json:"applicant_name"`
	ApplicantEmail   string `json:"applicant_email"`
	SupporterEmail   string `json:"supporter_email"`
}

// register is stage 1: it checks the request, records the application in PostgreSQL (where a
// unique index refuses a second active application for the setting) and starts its journey.
func (s *Server) register(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req registerRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	in, asAdmin, err := s.registration(r.Context(), me, req)
	if err != nil {
		fail(w, r, err)
		return
	}
	s.start(w, r, me, in, asAdmin)
}

// start records a new application and starts its journey.
func (s *Server) start(w http.ResponseWriter, r *http.Request, me postgres.Person, in workflows.ApplicationInput, asAdmin bool) {
	err := s.DB.Register(r.Context(), postgres.Registration{
		ApplicationID: in.ApplicationID, TenantID: in.TenantID, SettingReference: in.SettingReference,
		SettingName: in.SettingName, Track: string(in.Track), Variant: string(in.Variant), ApplicantID: in.ApplicantID,
		SupporterID: in.SupporterID, FrameworkID: in.Framework.ID, FrameworkVersion: in.Framework.Version,
		Stage: string(workflows.StageToolkit),
	}, asAdmin)
	var dup *postgres.DuplicateError
	var owned *postgres.SettingOwnedError
	var variant *postgres.SettingVariantError
	switch {
	case errors.As(err, &dup):
		writeProblem(w, problem{Status: http.StatusConflict, Type: "duplicate-application", Title: "Already registered",
			Detail: dup.Error(), ExistingID: dup.ExistingID})
		return
	case errors.As(err, &owned):
		writeProblem(w, forbidden(owned.Error()))
		return
	case errors.As(err, &variant):
		writeProblem(w, wrongVariant(variant.Error()))
		return
	case err != nil:
		fail(w, r, err)
		return
	}
	_, err = s.Temporal.ExecuteWorkflow(r.Context(), client.StartWorkflowOptions{
		ID:                       workflows.WorkflowID(in.ApplicationID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes:    workflows.StartSearchAttributes(in),
	}, workflows.ApplicationWorkflow, in)
	if err != nil {
		// Nothing started: take the registration back so that it can simply be tried again.
		_ = s.DB.Unregister(context.WithoutCancel(r.Context()), in.TenantID, in.ApplicationID)
		fail(w, r, err)
		return
	}
	st, err := s.status(r.Context(), in.ApplicationID)
	if err != nil {
		// Started, but the worker has not picked it up yet: say what we know.
		writeJSON(w, http.StatusCreated, map[string]any{"id": in.ApplicationID, "stage": workflows.StageToolkit})
		return
	}
	w.Header().Set("Location", "/v1/applications/"+in.ApplicationID)
	writeJSON(w, http.StatusCreated, viewFor(st, me))
}

// registration validates a request and builds the journey's input.
func (s *Server) registration(ctx context.Context, me postgres.Person, req registerRequest) (workflows.ApplicationInput, bool, error) {
	var in workflows.ApplicationInput
	asAdmin := me.Has(postgres.RoleAdmin)
	if !asAdmin && !me.Has(postgres.RoleApplicant) {
		return in, false, forbidden("only applicants and admins can register an application")
	}
	req.SettingReference = strings.TrimSpace(req.SettingReference)
	req.SettingName = strings.TrimSpace(req.SettingName)
	if req.SettingReference == "" {
		return in, false, invalid("setting_reference", "required: the school URN, Ofsted URN or fostering household reference")
	}
	if req.SettingName == "" {
		return in, false, invalid("setting_name", "required")
	}
	track, err := award.ParseTrack(req.Track)
	if err != nil {
		return in, false, invalid("track", err.Error())
	}
	variant := award.Variant(req.Variant)
	if err := award.CheckVariant(track, variant); err != nil {
		return in, false, wrongVariant(err.Error())
	}
	settings, err := s.DB.TenantSettings(ctx, me.TenantID, s.Settings)
	if err != nil {
		return in, false, err
	}
	in = workflows.ApplicationInput{
		ApplicationID: postgres.NewID("app"), TenantID: me.TenantID, SettingReference: req.SettingReference,
		SettingName: req.SettingName, Track: track, Variant: variant, ApplicantID: me.ID,
		RegisteredBy: actor(me), Settings: settings, Limits: s.Limits,
	}
	if variant == award.VariantFirstYearFoster {
		d, err := time.Parse(time.DateOnly, req.ApprovalDate)
		if err != nil {
			return in, false, invalid("approval_date", "required for first-year foster carers, as YYYY-MM-DD")
		}
		if d.After(time.Now()) {
			return in, false, invalid("approval_date", "cannot be in the future")
		}
		in.ApprovalDate = &d
	} else if req.ApprovalDate != "" {
		return in, false, invalid("approval_date", "only first-year foster carers have an approval date")
	}
	if asAdmin {
		if req.ApplicantEmail == "" || req.ApplicantName == "" || !strings.Contains(req.ApplicantEmail, "@") {
			return in, false, invalid("applicant_email", "an admin registering on someone's behalf gives applicant_name and a valid applicant_email")
		}
		p, err := s.DB.UpsertPerson(ctx, postgres.Person{TenantID: me.TenantID, Name: req.ApplicantName,
			Email: req.ApplicantEmail, Roles: []string{postgres.RoleApplicant}})
		if err != nil {
			return in, false, err
		}
		in.ApplicantID = p.ID
	} else if req.ApplicantEmail != "" || req.ApplicantName != "" {
		return in, false, forbidden("only admins register on someone else's behalf")
	}
	if req.SupporterEmail != "" {
		p, err := s.DB.PersonByEmail(ctx, me.TenantID, req.SupporterEmail)
		if errors.Is(err, postgres.ErrNotFound) || (err == nil && !p.Has(postgres.RoleSupporter)) {
			return in, false, invalid("supporter_email", "no supporter with this address in your authority")
		}
		if err != nil {
			return in, false, err
		}
		in.SupporterID = p.ID
	}
	var fw award.Framework
	if err := s.DB.CurrentFramework(ctx, string(variant), &fw); err != nil {
		return in, false, err
	}
	in.Framework = frameworkRef(fw)
	return in, asAdmin, nil
}

func frameworkRef(fw award.Framework) workflows.FrameworkRef {
	ref := workflows.FrameworkRef{ID: fw.ID, Version: fw.Version, Title: fw.Title, Sample: fw.Sample}
	for _, st := range fw.Standards() {
		ref.Standards = append(ref.Standards, workflows.StandardRef{Code: st.Code, From: st.From})
	}
	return ref
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	f := postgres.ApplicationFilter{TenantID: me.TenantID}
	switch {
	case me.Has(postgres.RoleAdmin):
	case me.Has(postgres.RoleSupporter):
		f.SupporterID = me.ID
	case !me.Has(postgres.RoleApplicant) && (me.Has(postgres.RoleAssessor) || me.Has(postgres.RoleModerator)):
		f.HolderID = me.ID
	default:
		f.ApplicantID = me.ID
	}
	apps, err := s.DB.Applications(r.Context(), f)
	if err != nil {
		fail(w, r, err)
		return
	}
	if apps == nil {
		apps = []postgres.Application{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"applications": apps})
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canRead)
	if err != nil {
		fail(w, r, err)
		return
	}
	st, err := s.status(r.Context(), app.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewFor(st, me))
}

func (s *Server) getFramework(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canRead)
	if err != nil {
		fail(w, r, err)
		return
	}
	var fw award.Framework
	if err := s.DB.Framework(r.Context(), app.FrameworkID, app.FrameworkVersion, &fw); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, fw)
}

type toolkitDocument struct {
	Title       string    `json:"title"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// openToolkit records the opening in the journey and hands out short-lived download links.
func (s *Server) openToolkit(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canAct)
	if err != nil {
		fail(w, r, err)
		return
	}
	if err := s.update(r.Context(), app.ID, workflows.UpdateOpenToolkit, workflows.OpenToolkitRequest{Actor: actor(me)}, nil); err != nil {
		fail(w, r, err)
		return
	}
	docs, err := s.DB.ToolkitDocuments(r.Context(), app.Variant)
	if err != nil {
		fail(w, r, err)
		return
	}
	out := make([]toolkitDocument, 0, len(docs))
	for _, d := range docs {
		url, exp, err := s.Objects.PresignGet(r.Context(), d.ObjectKey, d.Filename, s.Settings.DownloadLinkTTL)
		if err != nil {
			fail(w, r, err)
			return
		}
		out = append(out, toolkitDocument{Title: d.Title, Filename: d.Filename, ContentType: d.ContentType, URL: url, ExpiresAt: exp})
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": out})
}

type submitRequest struct {
	TargetLevel string `json:"target_level"`
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canAct)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req submitRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	level, err := award.ParseLevel(req.TargetLevel)
	if err != nil || !level.IsAward() {
		fail(w, r, invalid("target_level", "choose bronze, silver or gold"))
		return
	}
	var st workflows.Status
	if err := s.update(r.Context(), app.ID, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: actor(me), TargetLevel: level}, &st); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewFor(st, me))
}

type withdrawRequest struct {
	Reason string `json:"reason" text:"multiline"`
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canAct)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req withdrawRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	if req.Reason = strings.TrimSpace(req.Reason); req.Reason == "" {
		fail(w, r, invalid("reason", "say why the application is withdrawn (it goes in the audit trail)"))
		return
	}
	var st workflows.Status
	if err := s.update(r.Context(), app.ID, workflows.UpdateWithdraw, workflows.WithdrawRequest{Actor: actor(me), Reason: req.Reason}, &st); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewFor(st, me))
}
