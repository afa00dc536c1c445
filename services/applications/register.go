package applications

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/journeys"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// Registration is what a registration (or a reapplication) did.
type Registration struct {
	ID string
	// Started is false when the registration is committed but its journey could not be started
	// just now: the sweeper starts it within seconds (the API answers 202).
	Started bool
	// View is the new application as the person may see it; nil when the journey has not
	// answered yet (it started, but no worker has picked it up).
	View *structs.Application
}

// Answer is the body to show for the registration: the application, or its id and stage.
func (r Registration) Answer() any {
	switch {
	case !r.Started:
		return structs.Registered{ID: r.ID, Stage: award.StageToolkit, Message: JourneyStartingMessage}
	case r.View == nil:
		return structs.Registered{ID: r.ID, Stage: award.StageToolkit}
	}
	return *r.View
}

// Register is stage 1: it checks the request, records the application in PostgreSQL (where a
// unique index refuses a second active application for the setting) and starts its journey.
func (s *Service) Register(ctx context.Context, me award.Person, req structs.RegisterRequest) (Registration, error) {
	in, asAdmin, invited, err := s.registration(ctx, me, req)
	if invited != nil {
		// A new applicant is emailed a sign-in link, whatever became of the registration: a
		// refused one leaves them existing, and a retry finds them no longer new.
		defer s.People.Welcome(context.WithoutCancel(ctx), *invited)
	}
	if err != nil {
		return Registration{}, err
	}
	return s.start(ctx, me, in, asAdmin)
}

// start records a new application and starts its journey, durably: the application row and the
// journey's start input are committed together (the journey_starts outbox), then the journey is
// started by its id, idempotently, and marked started. A process that dies in between leaves a
// row that the sweeper (package journeys, which explains the pattern) starts within seconds, so
// a registration is never undone: a start that fails or times out is reported as not Started,
// truthfully.
func (s *Service) start(ctx context.Context, me award.Person, in workflows.ApplicationInput, asAdmin bool) (Registration, error) {
	input, err := journeys.EncodeInput(in)
	if err != nil {
		return Registration{}, err
	}
	s.crashPoint(CrashBeforeCommit, in)
	err = s.DB.Register(ctx, postgres.Registration{
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
		return Registration{}, &structs.Problem{Status: http.StatusConflict, Type: "duplicate-application", Title: "Already registered",
			Detail: dup.Error(), ExistingID: dup.ExistingID}
	case errors.As(err, &owned):
		return Registration{}, structs.Forbidden(owned.Error())
	case errors.As(err, &variant):
		return Registration{}, structs.WrongVariant(variant.Error())
	case err != nil:
		return Registration{}, err
	}
	s.crashPoint(CrashAfterCommit, in)
	reg := Registration{ID: in.ApplicationID}
	// The registration is committed: a person who hangs up now no longer stops the start.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journeys.StartTimeout)
	defer cancel()
	if err := journeys.Launch(startCtx, s.Temporal, in); err != nil {
		slog.Warn("registered, but the journey did not start; the sweeper will start it", "application_id", in.ApplicationID, "error", err)
		return reg, nil
	}
	reg.Started = true
	s.crashPoint(CrashAfterStart, in)
	if _, err := s.DB.MarkJourneyStarted(startCtx, in.ApplicationID, nil); err != nil {
		// The journey runs; the sweeper finds it started and marks it.
		slog.Warn("the journey started but could not be marked started", "application_id", in.ApplicationID, "error", err)
	}
	// A new journey's first answer is known without asking it: a query would wait for its
	// first workflow task, which under load waits for a free worker (issue 16). Only a
	// reapplication carrying evidence forward asks the journey.
	st, ok := workflows.RegisteredStatus(in, time.Now())
	if !ok {
		if st, err = s.Status(ctx, in.ApplicationID); err != nil {
			return reg, nil // started, but the worker has not picked it up yet: say what we know
		}
	}
	v := ViewFor(st, me)
	reg.View = &v
	return reg, nil
}

// registration validates a request and builds the journey's input.
// invited is the applicant an admin's registration created (services/people invites them).
func (s *Service) registration(ctx context.Context, me award.Person, req structs.RegisterRequest) (in workflows.ApplicationInput, asAdmin bool, invited *award.Person, err error) {
	in, asAdmin, err = s.registrationInput(ctx, me, req, &invited)
	return in, asAdmin, invited, err
}

func (s *Service) registrationInput(ctx context.Context, me award.Person, req structs.RegisterRequest, invited **award.Person) (workflows.ApplicationInput, bool, error) {
	var in workflows.ApplicationInput
	asAdmin := me.Has(award.RoleAdmin)
	if !asAdmin && !me.Has(award.RoleApplicant) {
		return in, false, structs.Forbidden("only applicants and admins can register an application")
	}
	req.SettingReference = strings.TrimSpace(req.SettingReference)
	req.SettingName = strings.TrimSpace(req.SettingName)
	if req.SettingReference == "" {
		return in, false, structs.Invalid("setting_reference", "required: the school URN, Ofsted URN or fostering household reference")
	}
	if req.SettingName == "" {
		return in, false, structs.Invalid("setting_name", "required")
	}
	track, err := award.ParseTrack(req.Track)
	if err != nil {
		return in, false, structs.Invalid("track", err.Error())
	}
	variant := award.Variant(req.Variant)
	if err := award.CheckVariant(track, variant); err != nil {
		return in, false, structs.WrongVariant(err.Error())
	}
	settings, err := s.DB.TenantSettings(ctx, me.TenantID, s.Settings)
	if err != nil {
		return in, false, err
	}
	in = workflows.ApplicationInput{
		ApplicationID: postgres.NewID("app"), TenantID: me.TenantID, SettingReference: req.SettingReference,
		SettingName: req.SettingName, Track: track, Variant: variant, ApplicantID: me.ID,
		RegisteredBy: Actor(me), Settings: settings, Limits: s.Limits,
	}
	if variant == award.VariantFirstYearFoster {
		d, err := time.Parse(time.DateOnly, req.ApprovalDate)
		if err != nil {
			return in, false, structs.Invalid("approval_date", "required for first-year foster carers, as YYYY-MM-DD")
		}
		if d.After(time.Now()) {
			return in, false, structs.Invalid("approval_date", "cannot be in the future")
		}
		in.ApprovalDate = &d
	} else if req.ApprovalDate != "" {
		return in, false, structs.Invalid("approval_date", "only first-year foster carers have an approval date")
	}
	if asAdmin {
		if req.ApplicantEmail == "" || req.ApplicantName == "" || !strings.Contains(req.ApplicantEmail, "@") {
			return in, false, structs.Invalid("applicant_email", "an admin registering on someone's behalf gives applicant_name and a valid applicant_email")
		}
		// Never a role added silently to staff: they could be allocated their own application.
		// A new applicant is created and invited (services/people) so that they can sign in.
		var p award.Person
		var err error
		if s.People != nil {
			var isNew bool
			p, isNew, err = s.People.Applicant(ctx, me, req.ApplicantName, req.ApplicantEmail)
			if isNew {
				*invited = &p
			}
		} else {
			p, err = s.DB.EnsureApplicant(ctx, award.Person{TenantID: me.TenantID, Name: req.ApplicantName, Email: req.ApplicantEmail})
		}
		var staff *postgres.StaffAddressError
		if errors.As(err, &staff) {
			return in, false, &structs.Problem{Status: http.StatusConflict, Type: "staff-address", Title: "Address of a member of staff",
				Detail: "applicant_email: " + staff.Error(), Errors: []structs.FieldError{{Field: "applicant_email", Message: staff.Error()}}}
		}
		if err != nil {
			return in, false, err
		}
		in.ApplicantID = p.ID
	} else if req.ApplicantEmail != "" || req.ApplicantName != "" {
		return in, false, structs.Forbidden("only admins register on someone else's behalf")
	}
	if req.SupporterEmail != "" {
		p, err := s.DB.PersonByEmail(ctx, me.TenantID, req.SupporterEmail)
		if errors.Is(err, postgres.ErrNotFound) || (err == nil && !p.Has(award.RoleSupporter)) {
			return in, false, structs.Invalid("supporter_email", "no supporter with this address in your authority")
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
	in.Framework = FrameworkRef(fw)
	return in, asAdmin, nil
}

// FrameworkRef is what a journey pins of a framework version.
func FrameworkRef(fw award.Framework) workflows.FrameworkRef {
	ref := workflows.FrameworkRef{ID: fw.ID, Version: fw.Version, Title: fw.Title, Sample: fw.Sample}
	for _, st := range fw.Standards() {
		ref.Standards = append(ref.Standards, workflows.StandardRef{Code: st.Code, From: st.From})
	}
	return ref
}

// Reapply starts a reassessment of an award held: a new application for the same setting, on
// the current framework version, optionally with the previous portfolio's evidence carried
// forward by reference. The award stays valid until the new decision.
func (s *Service) Reapply(ctx context.Context, me award.Person, id string, req structs.ReapplyRequest) (Registration, error) {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return Registration{}, err
	}
	st, err := s.Status(ctx, app.ID)
	if err != nil {
		return Registration{}, err
	}
	if st.Stage != workflows.StageAwarded || st.Assessment == nil {
		return Registration{}, structs.WrongStage("only an award held can be reassessed; this application is at stage " + string(st.Stage) +
			" (register a new application instead)")
	}
	settings, err := s.DB.TenantSettings(ctx, me.TenantID, s.Settings)
	if err != nil {
		return Registration{}, err
	}
	var fw award.Framework
	if err := s.DB.CurrentFramework(ctx, string(st.Variant), &fw); err != nil {
		return Registration{}, err
	}
	in := workflows.ApplicationInput{
		ApplicationID: postgres.NewID("app"), TenantID: me.TenantID, SettingReference: st.SettingReference,
		SettingName: st.SettingName, Track: st.Track, Variant: st.Variant, Framework: FrameworkRef(fw),
		ApplicantID: app.ApplicantID, SupporterID: app.SupporterID, RegisteredBy: Actor(me), Settings: settings, Limits: s.Limits,
		Previous: &workflows.PreviousAward{ApplicationID: app.ID, Level: st.Assessment.Decision},
	}
	if req.CarryForward {
		for _, e := range st.Evidence {
			if e.State == activities.EvidenceConfirmed {
				in.Carried = append(in.Carried, e)
			}
		}
	}
	return s.start(ctx, me, in, me.Has(award.RoleAdmin))
}
