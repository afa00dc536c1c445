package admin

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workdays"
	"awardengine/workflows"
)

// Detail is an application's admin page: the application as the API shows it to admins, its
// timeline of stage changes, the allocation's reasons, its emails (to whom by person, not
// address), its audit trail, its offers and assignments, and a link to its workflow in the
// Temporal Web UI (when one is configured). A journey that does not answer its status query is
// said in JourneyError: the admin page is where a stuck journey is looked into.
func (s *Service) Detail(ctx context.Context, me award.Person, id string) (structs.AdminDetail, error) {
	app, err := s.Apps.AdminApplication(ctx, me, id)
	if err != nil {
		return structs.AdminDetail{}, err
	}
	d := structs.AdminDetail{WorkflowID: workflows.WorkflowID(app.ID), TemporalUI: s.temporalLink(app.ID)}
	d.Summary = structs.AdminSummary{ID: app.ID, Setting: structs.Setting{Reference: app.SettingReference, Name: app.SettingName}, Track: app.Track,
		Variant: app.Variant, Stage: app.Stage, Active: app.Active, NextAction: app.NextAction, DueAt: app.DueAt,
		Flags: app.Flags, Applicant: s.personRef(ctx, me.TenantID, app.ApplicantID), AssessorID: app.AssessorID,
		ModeratorID: app.ModeratorID, UpdatedAt: app.UpdatedAt}
	if d.Summary.Flags == nil {
		d.Summary.Flags = []string{}
	}
	if app.SupporterID != "" {
		p := s.personRef(ctx, me.TenantID, app.SupporterID)
		d.Summary.Supporter = &p
	}

	st, err := s.Apps.Status(ctx, app.ID)
	switch {
	case err == nil:
		v := applications.ViewFor(st, me)
		d.Application = &v
		if a := st.Assessment; a != nil && (a.Allocation != nil || len(a.Excluded) > 0) {
			av := structs.AllocationView{NotOfferedAgain: a.Excluded, Ranked: []string{}, Excluded: []award.Exclusion{}}
			if al := a.Allocation; al != nil {
				av.Chosen, av.Reason = al.Chosen, al.Reason
				if al.Ranked != nil {
					av.Ranked = al.Ranked
				}
				if al.Excluded != nil {
					av.Excluded = al.Excluded
				}
			}
			d.Allocation = &av
		}
	case errors.Is(ctx.Err(), context.Canceled):
		return structs.AdminDetail{}, err
	default:
		// The admin page is where a stuck journey is looked into: show what PostgreSQL knows.
		d.JourneyError = "the journey did not answer its status query: " + err.Error()
	}

	if d.Audit, err = s.DB.AuditLog(ctx, postgres.AuditFilter{TenantID: me.TenantID, ApplicationID: app.ID, Limit: AuditJSONLimit + 1}); err != nil {
		return structs.AdminDetail{}, err
	}
	if len(d.Audit) > AuditJSONLimit {
		d.Audit, d.AuditTruncated = d.Audit[:AuditJSONLimit], true
	}
	d.Timeline = timeline(d.Audit, time.Now())
	if d.Emails, err = s.DB.ApplicationEmails(ctx, me.TenantID, app.ID); err != nil {
		return structs.AdminDetail{}, err
	}
	if d.Assignments, err = s.DB.ApplicationAssignments(ctx, me.TenantID, app.ID); err != nil {
		return structs.AdminDetail{}, err
	}
	if d.Assignments == nil {
		d.Assignments = []postgres.Assignment{}
	}
	return d, nil
}

func (s *Service) personRef(ctx context.Context, tenantID, id string) structs.PersonRef {
	ref := structs.PersonRef{ID: id}
	if p, err := s.DB.Person(ctx, tenantID, id); err == nil {
		ref.Name = p.Name
	}
	return ref
}

// temporalLink is the workflow's page in the Temporal Web UI, or "" without a UI.
func (s *Service) temporalLink(applicationID string) string {
	if s.TemporalUI == "" {
		return ""
	}
	return strings.TrimRight(s.TemporalUI, "/") + "/namespaces/" + url.PathEscape(s.namespace()) + "/workflows/" +
		url.PathEscape(workflows.WorkflowID(applicationID))
}

// timeline reads the stage changes out of an application's audit trail (oldest first): the
// first line naming a stage, then every line whose stage after differs from the stage the
// application was in. The last entry's working days run until now.
func timeline(lines []postgres.AuditLine, now time.Time) []structs.TimelineEntry {
	cal := workdays.EnglandAndWales()
	out := []structs.TimelineEntry{}
	cur := ""
	for _, l := range lines {
		if l.StageAfter == "" || l.StageAfter == cur {
			continue
		}
		if n := len(out); n > 0 {
			at := l.At
			out[n-1].Until = &at
			out[n-1].WorkingDays = cal.Between(out[n-1].At, at)
		}
		out = append(out, structs.TimelineEntry{Stage: l.StageAfter, From: cur, At: l.At, Actor: l.Actor, ActorName: l.ActorName, Action: l.Action})
		cur = l.StageAfter
	}
	if n := len(out); n > 0 {
		out[n-1].WorkingDays = cal.Between(out[n-1].At, now)
	}
	return out
}
