package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/journeys"
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

// start records a new application and starts its journey, durably: the application row and the
// journey's start input are committed together (the journey_starts outbox), then the journey is
// started by its id, idempotently, and marked started. A process that dies in between leaves a
// row that the sweeper (package journeys, which explains the pattern) starts within seconds, so a
// registration is never undone: a start that fails or times out answers 202, truthfully.
func (s *Server) start(w http.ResponseWriter, r *http.Request, me postgres.Person, in workflows.ApplicationInput, asAdmin bool) {
	input, err := journeys.EncodeInput(in)
	if err != nil {
		fail(w, r, err)
		return
	}
	s.crashPoint(CrashBeforeCommit, in)
	err = s.DB.Register(r.Context(), postgres.Registration{
		ApplicationID: in.ApplicationID, TenantID: in.TenantID, SettingReference: in.SettingReference,
		SettingName: in.SettingName, Track: string(in.Track), Variant: string(in.Variant), ApplicantID: in.ApplicantID,
		SupporterID: in.SupporterID, FrameworkID: in.Framework.ID, FrameworkVersion: in.Framework.Version,
		Stage: string(workflows.StageToolkit), JourneyInput: input,
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
	s.crashPoint(CrashAfterCommit, in)
	// The registration is committed: a person who hangs up now no longer stops the start.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), journeys.StartTimeout)
	defer cancel()
	w.Header().Set("Location", "/v1/applications/"+in.ApplicationID)
	if err := journeys.Launch(ctx, s.Temporal, in); err != nil {
		slog.Warn("registered, but the journey did not start; the sweeper will start it", "application_id", in.ApplicationID, "error", err)
		w.Header().Set("Retry-After", journeyRetryAfter)
		writeJSON(w, http.StatusAccepted, map[string]any{"id": in.ApplicationID, "stage": workflows.StageToolkit,
			"message": journeyStartingMessage})
		return
	}
	s.crashPoint(CrashAfterStart, in)
	if _, err := s.DB.MarkJourneyStarted(ctx, in.ApplicationID, nil); err != nil {
		// The journey runs; the sweeper finds it started and marks it.
		slog.Warn("the journey started but could not be marked started", "application_id", in.ApplicationID, "error", err)
	}
	st, err := s.status(r.Context(), in.ApplicationID)
	if err != nil {
		// Started, but the worker has not picked it up yet: say what we know.
		w.Header().Del("Location")
		writeJSON(w, http.StatusCreated, map[string]any{"id": in.ApplicationID, "stage": workflows.StageToolkit})
		return
	}
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
		// Never a role added silently to staff: they could be allocated their own application.
		p, err := s.DB.EnsureApplicant(ctx, postgres.Person{TenantID: me.TenantID, Name: req.ApplicantName, Email: req.ApplicantEmail})
		var staff *postgres.StaffAddressError
		if errors.As(err, &staff) {
			return in, false, problem{Status: http.StatusConflict, Type: "staff-address", Title: "Address of a member of staff",
				Detail: "applicant_email: " + staff.Error(), Errors: []fieldError{{Field: "applicant_email", Message: staff.Error()}}}
		}
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
	var st workflows.Status
	if err := s.withJourney(r.Context(), app, func() (err error) {
		st, err = s.status(r.Context(), app.ID)
		return err
	}); err != nil {
		failJourney(w, r, err)
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
	if err := s.withJourney(r.Context(), app, func() error {
		return s.update(r.Context(), app.ID, workflows.UpdateOpenToolkit, workflows.OpenToolkitRequest{Actor: actor(me)}, nil)
	}); err != nil {
		failJourney(w, r, err)
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
	if err := s.withJourney(r.Context(), app, func() error {
		return s.update(r.Context(), app.ID, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: actor(me), TargetLevel: level}, &st)
	}); err != nil {
		failJourney(w, r, err)
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
	if err := s.withJourney(r.Context(), app, func() error {
		return s.update(r.Context(), app.ID, workflows.UpdateWithdraw, workflows.WithdrawRequest{Actor: actor(me), Reason: req.Reason}, &st)
	}); err != nil {
		failJourney(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewFor(st, me))
}
