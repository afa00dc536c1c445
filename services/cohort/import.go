package cohort

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"awardengine/award"
	"awardengine/journeys"
	"awardengine/services/people"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// Store is the part of the database an import needs (*postgres.DB has it).
type Store interface {
	ImportCohort(ctx context.Context, imp postgres.CohortImport) (postgres.CohortOutcome, error)
	TenantSettings(ctx context.Context, tenantID string, def award.Settings) (award.Settings, error)
	CurrentFramework(ctx context.Context, variant string, out any) error
	MarkJourneyStarted(ctx context.Context, applicationID string, audit *postgres.AuditEntry) (bool, error)
}

// Service imports cohorts.
type Service struct {
	DB Store
	// Temporal starts the journeys once the import committed; nil leaves them to the sweeper
	// (within seconds: their start inputs are in the journey_starts outbox).
	Temporal journeys.Temporal
	// Links sends the invitations of the people the import created; nil sends none.
	Links    people.LinkSender
	Settings award.Settings // the defaults under each tenant's settings
	Limits   award.UploadLimits
	Now      func() time.Time // nil = time.Now
	// AfterCommitBudget bounds the starts and invitations done before answering; the rest go
	// on in the background (the journeys' starts are also the sweeper's). 0 = 30 seconds.
	AfterCommitBudget time.Duration
}

// Import checks a cohort file (see the package comment) and, unless dryRun, imports it: one
// transaction creates the people and registers every setting, then each journey is started and
// each new person invited. Any bad row refuses the whole file: *structs.CohortProblem (422
// cohort-rows) listing every problem by line and column, and nothing is written.
func (s *Service) Import(ctx context.Context, me postgres.Person, file io.Reader, dryRun bool) (structs.CohortResult, error) {
	if !me.Has(postgres.RoleAdmin) {
		return structs.CohortResult{}, structs.Forbidden("only your award team's admins import cohorts")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	// The rows without problems of their own are checked against the database too, so that
	// one answer lists every problem of the file.
	rows, problems := Check(file, now())
	if len(rows) == 0 {
		return structs.CohortResult{}, refusal(problems)
	}
	tenantSettings, err := s.DB.TenantSettings(ctx, me.TenantID, s.Settings)
	if err != nil {
		return structs.CohortResult{}, err
	}
	frameworks := map[award.Variant]workflows.FrameworkRef{}
	inputs := map[string]workflows.ApplicationInput{}
	byLine := map[int]Row{}
	imp := postgres.CohortImport{TenantID: me.TenantID, Actor: me.ID, DryRun: dryRun || len(problems) > 0}
	for _, r := range rows {
		byLine[r.Line] = r
		imp.Rows = append(imp.Rows, postgres.CohortRow{Line: r.Line, SettingReference: r.SettingReference, SettingName: r.SettingName,
			Track: string(r.Track), Variant: string(r.Variant), ApplicantName: r.ApplicantName, ApplicantEmail: r.ApplicantEmail,
			SupporterName: r.SupporterName, SupporterEmail: r.SupporterEmail})
		if _, ok := frameworks[r.Variant]; !ok {
			var fw award.Framework
			if err := s.DB.CurrentFramework(ctx, string(r.Variant), &fw); err != nil {
				return structs.CohortResult{}, fmt.Errorf("the framework of %s: %w", r.Variant, err)
			}
			frameworks[r.Variant] = FrameworkRef(fw)
		}
	}
	imp.Registration = func(row postgres.CohortRow, applicationID, applicantID, supporterID string) (postgres.Registration, error) {
		r := byLine[row.Line]
		in := workflows.ApplicationInput{
			ApplicationID: applicationID, TenantID: me.TenantID, SettingReference: r.SettingReference, SettingName: r.SettingName,
			Track: r.Track, Variant: r.Variant, Framework: frameworks[r.Variant], ApplicantID: applicantID, SupporterID: supporterID,
			ApprovalDate: r.ApprovalDate, RegisteredBy: workflows.Actor{ID: me.ID, Role: workflows.RoleAdmin},
			Settings: tenantSettings, Limits: s.Limits,
		}
		raw, err := journeys.EncodeInput(in)
		if err != nil {
			return postgres.Registration{}, err
		}
		inputs[applicationID] = in
		return postgres.Registration{
			ApplicationID: applicationID, TenantID: me.TenantID, SettingReference: r.SettingReference, SettingName: r.SettingName,
			Track: string(r.Track), Variant: string(r.Variant), ApplicantID: applicantID, SupporterID: supporterID,
			FrameworkID: in.Framework.ID, FrameworkVersion: in.Framework.Version, Stage: string(workflows.StageToolkit),
			JourneyInput: raw,
		}, nil
	}
	out, err := s.DB.ImportCohort(ctx, imp)
	if err != nil {
		return structs.CohortResult{}, err
	}
	for _, p := range out.Problems {
		problems = append(problems, Problem{Line: p.Line, Column: p.Column, Message: p.Message})
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
		return structs.CohortResult{}, refusal(Capped(problems))
	}
	res := structs.CohortResult{DryRun: dryRun, Applications: make([]structs.CohortApplication, 0, len(out.Created))}
	for _, c := range out.Created {
		res.Applications = append(res.Applications, structs.CohortApplication{Line: c.Line, SettingReference: c.SettingReference,
			ApplicationID: c.ApplicationID, ApplicantID: c.ApplicantID, ApplicantInvited: c.ApplicantInvited,
			SupporterID: c.SupporterID, SupporterInvited: c.SupporterInvited})
	}
	invited := 0
	for _, c := range out.Created {
		invited += btoi(c.ApplicantInvited) + btoi(c.SupporterInvited)
	}
	if dryRun {
		res.Message = fmt.Sprintf("dry run: nothing was imported; the file would register %d applications and invite %d new people", len(res.Applications), invited)
		return res, nil
	}
	res.Message = fmt.Sprintf("imported: %d applications registered, %d new people invited", len(res.Applications), invited)
	s.afterCommit(ctx, &res, inputs)
	return res, nil
}

// afterCommit starts the journeys and sends the invitations, within the budget; what is left
// goes on in the background (the sweeper starts any journey this misses).
func (s *Service) afterCommit(ctx context.Context, res *structs.CohortResult, inputs map[string]workflows.ApplicationInput) {
	budget := s.AfterCommitBudget
	if budget <= 0 {
		budget = 30 * time.Second
	}
	// The import is committed: a person who hangs up no longer stops what follows.
	ctx = context.WithoutCancel(ctx)
	deadline := time.Now().Add(budget)
	var later []func(context.Context)
	for i := range res.Applications {
		a := &res.Applications[i]
		a.Journey = "starting"
		start := func(ctx context.Context) bool {
			if s.Temporal == nil {
				return false
			}
			in := inputs[a.ApplicationID]
			sctx, cancel := context.WithTimeout(ctx, journeys.StartTimeout)
			defer cancel()
			if err := journeys.Launch(sctx, s.Temporal, in); err != nil {
				slog.Warn("imported, but the journey did not start; the sweeper will start it", "application_id", in.ApplicationID, "error", err)
				return false
			}
			if _, err := s.DB.MarkJourneyStarted(sctx, in.ApplicationID, nil); err != nil {
				slog.Warn("the journey started but could not be marked started", "application_id", in.ApplicationID, "error", err)
			}
			return true
		}
		if time.Now().Before(deadline) {
			if start(ctx) {
				a.Journey = "started"
			}
		} else {
			later = append(later, func(ctx context.Context) { start(ctx) })
		}
	}
	for _, a := range res.Applications {
		for _, who := range []struct {
			id  string
			new bool
		}{{a.ApplicantID, a.ApplicantInvited}, {a.SupporterID, a.SupporterInvited}} {
			if !who.new || s.Links == nil {
				continue
			}
			invite := func(ctx context.Context) {
				if err := s.Links.SendInvitation(ctx, inputs[a.ApplicationID].TenantID, who.id); err != nil {
					slog.Warn("an imported person's invitation could not be sent; they can ask for a sign-in link", "person_id", who.id, "error", err)
				}
			}
			if time.Now().Before(deadline) {
				invite(ctx)
			} else {
				later = append(later, invite)
			}
		}
	}
	if len(later) > 0 {
		res.Message += fmt.Sprintf("; %d journey starts and invitations continue in the background", len(later))
		go func() {
			for _, f := range later {
				f(ctx)
			}
		}()
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refusal is the answer to a file with problems: nothing was imported.
func refusal(problems []Problem) *structs.CohortProblem {
	rows := make([]structs.CohortRowProblem, 0, len(problems))
	for _, p := range problems {
		rows = append(rows, structs.CohortRowProblem{Line: p.Line, Column: p.Column, Message: p.Message})
	}
	n := ProblemLines(problems)
	what := fmt.Sprintf("%d rows have problems", n)
	if problems[len(problems)-1].more {
		what = fmt.Sprintf("more than %d rows have problems (the first are listed)", n-1)
	}
	if n == 1 {
		what = "1 row has problems"
		if problems[0].Line == 1 {
			what = "the header row has problems"
		}
	}
	return &structs.CohortProblem{
		Problem: structs.Problem{Status: 422, Type: "cohort-rows", Title: "Nothing was imported",
			Detail: "nothing was imported: " + what + "; correct them and upload the whole file again"},
		Rows: rows,
	}
}

// FrameworkRef is what a journey needs of its framework.
func FrameworkRef(fw award.Framework) workflows.FrameworkRef {
	ref := workflows.FrameworkRef{ID: fw.ID, Version: fw.Version, Title: fw.Title, Sample: fw.Sample}
	for _, st := range fw.Standards() {
		ref.Standards = append(ref.Standards, workflows.StandardRef{Code: st.Code, From: st.From})
	}
	return ref
}
