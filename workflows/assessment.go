package workflows

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/email"
	"awardengine/workdays"
)

var london = workdays.London

// assessmentTimers are the events of stages 6–9: reminders and escalations of the assessment
// and the moderation, the decision, and the resubmission window.
func (j *journey) assessmentTimers() []timer {
	a := &j.st.Assessment
	var out []timer
	switch j.st.Stage {
	case StageAssessment:
		out = append(out, j.deadlineTimers("assessment", a.AssessorID, *a.DueAt, a.Reminded, a.Overdue,
			func(step string) { a.Reminded = append(a.Reminded, step) }, j.assessmentOverdue)...)
	case StageModeration:
		m := a.Moderation
		switch {
		case m.AssignAt != nil:
			out = append(out, timer{*m.AssignAt, j.assignModerator})
		case m.DueAt != nil:
			out = append(out, j.deadlineTimers("moderation", m.ModeratorID, *m.DueAt, m.Reminded, m.Overdue,
				func(step string) { m.Reminded = append(m.Reminded, step) }, j.moderationOverdue)...)
		}
		if a.DecideAt != nil {
			out = append(out, timer{*a.DecideAt, j.decide})
		}
	case StageNotYet:
		if a.ResubmitBy != nil {
			if !a.ResubmitNoted {
				out = append(out, timer{a.ResubmitBy.Add(-time.Duration(j.deadlines().ResubmitReminderDays) * award.Day), j.remindResubmission})
			}
			out = append(out, timer{*a.ResubmitBy, j.closeResubmission})
		}
	case StageAwarded:
		if a.ExpiresAt != nil {
			out = append(out, timer{*a.ExpiresAt, j.lapse})
		}
	}
	return out
}

// deadlineTimers is the pattern of every human step after submission: a reminder some working
// days before the due day, one on the due day, and an admin flag a few working days after.
func (j *journey) deadlineTimers(kind, person string, due time.Time, reminded []string, overdue bool,
	sent func(string), escalate func() error) []timer {
	a := &j.st.Assessment
	var out []timer
	steps := []struct {
		name string
		at   time.Time
	}{
		{fmt.Sprintf("%s-%d-before%s", kind, a.Round, j.extended(due)), calendar.Sub(due, j.deadlines().ReminderWorkdays)},
		{fmt.Sprintf("%s-%d-due%s", kind, a.Round, j.extended(due)), due},
	}
	for _, s := range steps {
		if slices.Contains(reminded, s.name) {
			continue
		}
		s := s
		out = append(out, timer{s.at, func() error {
			sent(s.name)
			data := j.mailData()
			data.DueDate = longDate(due)
			j.sendReminder(j.ctx, s.name, kind+"_reminder", person, data)
			return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: kind + "_reminder_sent", Detail: map[string]any{"step": s.name}})
		}})
	}
	if !overdue {
		out = append(out, timer{calendar.Add(due, j.deadlines().OverdueWorkdays), escalate})
	}
	return out
}

func (j *journey) assessmentOverdue() error {
	a := &j.st.Assessment
	a.Overdue = true
	j.flag(FlagAssessmentOverdue)
	data := j.mailData()
	data.AssessorName, data.DueDate = a.AssessorName, longDate(*a.DueAt)
	j.notifyAdmins(j.ctx, fmt.Sprintf("assessment-%d-overdue", a.Round), "assessment_overdue", data)
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "flagged_assessment_overdue",
		Detail: map[string]any{"assessor": a.AssessorID, "due": a.DueAt}})
}

func (j *journey) moderationOverdue() error {
	a := &j.st.Assessment
	m := a.Moderation
	m.Overdue = true
	j.flag(FlagModerationOverdue)
	data := j.mailData()
	data.AssessorName, data.DueDate = m.Name, longDate(*m.DueAt)
	j.notifyAdmins(j.ctx, fmt.Sprintf("moderation-%d-overdue", a.Round), "moderation_overdue", data)
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "flagged_moderation_overdue",
		Detail: map[string]any{"moderator": m.ModeratorID, "due": m.DueAt}})
}

// notifyAdmins sends one message type to every admin of the tenant.
func (j *journey) notifyAdmins(ctx workflow.Context, step, kind string, data email.Data) {
	var admins []string
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, localWriteOptions), (*activities.Activities).TenantAdmins,
		j.in.TenantID).Get(ctx, &admins); err != nil {
		return
	}
	for _, id := range admins {
		j.sendEmail(ctx, step, kind, id, data)
	}
}

// --- the assessor's work ---

// validateRatings is the validator of a draft: checkRatingsRequest, and the applicant or the
// supporter holding the assessment (from before they were excluded) may not score it. The
// party rule is the validators' alone, so that histories of accepted updates still replay.
func (j *journey) validateRatings(_ workflow.Context, r RatingsRequest) error {
	if err := j.checkRatingsRequest(r); err != nil {
		return err
	}
	return j.mayHold(r.Actor, "assess this application")
}

// checkRatingsRequest: the allocated assessor, in the assessment stage, with known ratings.
func (j *journey) checkRatingsRequest(r RatingsRequest) error {
	a := &j.st.Assessment
	if err := j.needStage("score the assessment", j.st.Stage == StageAssessment); err != nil {
		return err
	}
	if r.Actor.ID != a.AssessorID {
		return refuse(ErrForbidden, "only the allocated assessor may score this application")
	}
	if err := j.checkRatings(r.Ratings, false); err != nil {
		return err
	}
	if r.VisitDate != "" {
		if _, err := time.Parse(time.DateOnly, r.VisitDate); err != nil {
			return refuse(ErrInvalid, "visit_date: use YYYY-MM-DD")
		}
	}
	return nil
}

// validateSubmitAssessment: checkSubmitAssessment, and never by the applicant or the supporter.
func (j *journey) validateSubmitAssessment(_ workflow.Context, r RatingsRequest) error {
	if err := j.checkSubmitAssessment(r); err != nil {
		return err
	}
	return j.mayHold(r.Actor, "assess this application")
}

// checkSubmitAssessment also needs every standard of the target level rated and feedback.
func (j *journey) checkSubmitAssessment(r RatingsRequest) error {
	if err := j.checkRatingsRequest(r); err != nil {
		return err
	}
	if err := j.checkRatings(r.Ratings, true); err != nil {
		return err
	}
	if strings.TrimSpace(r.Feedback) == "" {
		return refuse(ErrInvalid, "feedback: required")
	}
	return nil
}

// saveRatings keeps a draft of the assessment.
func (j *journey) saveRatings(_ workflow.Context, r RatingsRequest) (Status, error) {
	if err := j.checkRatingsRequest(r); err != nil {
		return Status{}, err
	}
	a := &j.st.Assessment
	a.Ratings = cloneRatings(r.Ratings)
	a.Feedback, a.VisitDate = r.Feedback, r.VisitDate
	j.changes++
	return j.status(), nil
}

// submitAssessment records the ratings and the recommendation (the level rule applied to the
// ratings), then decides whether moderation is needed.
func (j *journey) submitAssessment(ctx workflow.Context, r RatingsRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.checkSubmitAssessment(r); err != nil {
		return Status{}, err
	}
	a := &j.st.Assessment
	now := workflow.Now(ctx)
	a.Ratings = cloneRatings(r.Ratings)
	a.Feedback, a.VisitDate = r.Feedback, r.VisitDate
	a.Recommended = award.LevelReached(j.framework(), a.Ratings, j.st.TargetLevel)
	a.AssessedAt = &now
	j.unflag(FlagAssessmentOverdue)
	// The sample draw is recorded in history, so a replay reaches the same answer.
	var draw float64
	if err := workflow.SideEffect(ctx, func(workflow.Context) any { return randomDraw() }).Get(&draw); err != nil {
		return Status{}, err
	}
	required, reasons := award.ModerationRequired(award.ModerationCase{
		Recommended: a.Recommended, Target: j.st.TargetLevel, AssessorPrior: a.AssessorPrior, Draw: draw,
	})
	referredBack := a.Moderation != nil && a.Moderation.ReferredBack
	if referredBack {
		// After a refer-back the same moderator sees the assessment again.
		required, reasons = true, []string{"referred back by the moderator"}
	}
	m := &Moderation{Required: required, Reasons: reasons, Draw: draw, ReferredBack: referredBack}
	if referredBack {
		prev := a.Moderation
		m.ModeratorID, m.Name, m.AssignmentID = prev.ModeratorID, prev.Name, prev.AssignmentID
	}
	a.Moderation = m
	j.st.Stage = StageModeration
	if !required {
		m.Outcome = "automatic"
		a.DecideAt = &now
	} else if referredBack {
		j.requestModeration(ctx, now)
	} else {
		m.AssignAt = &now
	}
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "assessment_submitted", Detail: map[string]any{
		"ratings": ratingNames(a.Ratings), "recommended": a.Recommended.String(), "visit_date": r.VisitDate,
		"moderation_required": required, "moderation_reasons": reasons, "sample_draw": draw}}); err != nil {
		return Status{}, err
	}
	if referredBack {
		data := j.mailData()
		data.AssessorName, data.Level, data.DueDate = a.AssessorName, levelTitle(a.Recommended), longDate(*m.DueAt)
		j.sendEmail(ctx, fmt.Sprintf("moderation-%d", a.Round), "moderation_request", m.ModeratorID, data)
	}
	return j.status(), nil
}

// assignModerator finds a moderator (never the assessor, the applicant or the supporter) and
// asks them to review.
func (j *journey) assignModerator() error {
	a := &j.st.Assessment
	m := a.Moderation
	var res activities.ModeratorResult
	id := fmt.Sprintf("%s/moderation/%d", j.in.ApplicationID, a.Round)
	err := j.write(j.ctx, activityAssignModerator, (*activities.Activities).AssignModerator,
		activities.ModeratorInput{TenantID: j.in.TenantID, ApplicationID: j.in.ApplicationID, AssignmentID: id,
			AssessorID: a.AssessorID, ApplicantID: j.in.ApplicantID, SupporterID: j.in.SupporterID}).Get(j.ctx, &res)
	if err != nil {
		return err
	}
	now := workflow.Now(j.ctx)
	if res.ModeratorID == "" {
		retry := calendar.Add(now, allocationRetryWorkdays)
		m.AssignAt, m.NoModerator = &retry, true
		first := !j.has(FlagNoModerator)
		j.flag(FlagNoModerator)
		if first {
			j.alertAdmins(j.ctx, fmt.Sprintf("no-moderator-%d", a.Round), "no eligible moderator: "+res.Reason)
		}
		return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "moderator_not_found", Detail: map[string]any{"reason": res.Reason}})
	}
	// Moderators do not accept offers: the assignment is theirs at once.
	if err := j.setAssignment(j.ctx, id, "accepted", ""); err != nil {
		return err
	}
	j.unflag(FlagNoModerator)
	m.AssignAt, m.NoModerator = nil, false
	m.ModeratorID, m.Name, m.AssignmentID = res.ModeratorID, res.Name, id
	j.requestModeration(j.ctx, now)
	if err := j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "moderation_requested", Detail: map[string]any{
		"moderator": res.ModeratorID, "reason": res.Reason, "why_moderated": m.Reasons, "due": m.DueAt}}); err != nil {
		return err
	}
	data := j.mailData()
	data.AssessorName, data.Level, data.DueDate = a.AssessorName, levelTitle(a.Recommended), longDate(*m.DueAt)
	j.sendEmail(j.ctx, fmt.Sprintf("moderation-%d", a.Round), "moderation_request", m.ModeratorID, data)
	return nil
}

func (j *journey) requestModeration(_ workflow.Context, now time.Time) {
	m := j.st.Assessment.Moderation
	due := calendar.Add(now, j.deadlines().ModerationWorkdays)
	m.RequestedAt, m.DueAt = &now, &due
	m.Reminded, m.Overdue = nil, false
	j.unflag(FlagModerationOverdue)
}

// --- the moderator's decision ---

// validateModerate: checkModerate, and never by the applicant or the supporter (a validator's
// rule only, as in validateRatings).
func (j *journey) validateModerate(_ workflow.Context, r ModerateRequest) error {
	if err := j.checkModerate(r); err != nil {
		return err
	}
	return j.mayHold(r.Actor, "moderate this application")
}

// checkModerate: the assigned moderator, not the assessor, with a complete decision.
func (j *journey) checkModerate(r ModerateRequest) error {
	a := &j.st.Assessment
	if err := j.needStage("moderate", j.st.Stage == StageModeration && a.Moderation != nil && a.Moderation.DueAt != nil && a.Moderation.Outcome == ""); err != nil {
		return err
	}
	if r.Actor.ID == a.AssessorID {
		return refuse(ErrForbidden, "a moderator cannot moderate their own assessment")
	}
	if r.Actor.ID != a.Moderation.ModeratorID {
		return refuse(ErrForbidden, "only the moderator assigned to this application may moderate it")
	}
	switch r.Decision {
	case ModerationConfirm:
	case ModerationAmend:
		if strings.TrimSpace(r.Rationale) == "" {
			return refuse(ErrInvalid, "rationale: required to amend")
		}
		if err := j.checkRatings(r.Ratings, true); err != nil {
			return err
		}
	case ModerationReferBack:
		if strings.TrimSpace(r.Rationale) == "" {
			return refuse(ErrInvalid, "rationale: say what the assessor should look at again")
		}
		if a.Moderation.ReferredBack {
			return refuse(ErrWrongStage, "this assessment has already been referred back once: confirm or amend it")
		}
	default:
		return refuse(ErrInvalid, "decision: choose confirm, amend or refer_back")
	}
	return nil
}

func (j *journey) moderate(ctx workflow.Context, r ModerateRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.checkModerate(r); err != nil {
		return Status{}, err
	}
	a := &j.st.Assessment
	m := a.Moderation
	now := workflow.Now(ctx)
	j.unflag(FlagModerationOverdue)
	detail := map[string]any{"decision": r.Decision, "rationale": r.Rationale}
	switch r.Decision {
	case ModerationConfirm:
		m.Outcome = "confirmed"
		a.DecideAt = &now
	case ModerationAmend:
		m.Outcome, m.Rationale, m.Amended = "amended", r.Rationale, cloneRatings(r.Ratings)
		detail["ratings"] = ratingNames(r.Ratings)
		a.DecideAt = &now
	case ModerationReferBack:
		m.ReferredBack, m.Rationale = true, r.Rationale
		m.DueAt = nil
		j.startAssessment(now, j.deadlines().ModerationWorkdays)
		a.Round++
	}
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "moderated", Detail: detail}); err != nil {
		return Status{}, err
	}
	if r.Decision == ModerationReferBack {
		data := j.mailData()
		data.Reason, data.DueDate = r.Rationale, longDate(*a.DueAt)
		j.sendEmail(ctx, fmt.Sprintf("referred-back-%d", a.Round), "referred_back", a.AssessorID, data)
	}
	return j.status(), nil
}

// --- decision ---

// decide applies the level rule to the (moderated) ratings, capped at the target level.
func (j *journey) decide() error {
	a := &j.st.Assessment
	now := workflow.Now(j.ctx)
	ratings := a.Ratings
	if a.Moderation != nil && a.Moderation.Amended != nil {
		ratings = a.Moderation.Amended
	}
	a.DecideAt = nil
	a.Decision = award.LevelReached(j.framework(), ratings, j.st.TargetLevel)
	a.DecidedAt = &now
	if err := j.setAssignment(j.ctx, a.AssignmentID, "completed", ""); err != nil {
		return err
	}
	if m := a.Moderation; m != nil && m.AssignmentID != "" {
		if err := j.setAssignment(j.ctx, m.AssignmentID, "completed", ""); err != nil {
			return err
		}
	}
	data := j.mailData()
	data.Level, data.Feedback = levelTitle(a.Decision), a.Feedback
	if a.Decision.IsAward() {
		expires := j.in.Settings.AwardExpiry(now)
		a.ExpiresAt = &expires
		// Awards decided by code from before reassessment reminders keep their old plan.
		j.st.Life.RemindersPlanned = workflow.GetVersion(j.ctx, "reassessment-reminders", workflow.DefaultVersion, 1) >= 1
		var key string
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, localWriteOptions), (*activities.Activities).IssueCertificate,
			activities.CertificateInput{TenantID: j.in.TenantID, ApplicationID: j.in.ApplicationID, SettingName: j.in.SettingName,
				Reference: j.in.SettingReference, Track: j.in.Track, Level: a.Decision, AwardedOn: now, ValidUntil: expires}).Get(j.ctx, &key)
		if err != nil {
			return err
		}
		a.Certificate = key
		j.st.Stage = StageAwarded
		if err := j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "awarded", Detail: map[string]any{
			"level": a.Decision.String(), "expires_at": expires, "certificate": key}}); err != nil {
			return err
		}
		j.tellPrevious(j.ctx, ReassessmentAwarded)
		data.ExpiresOn = longDate(expires)
		data.Link = j.certificateLink()
		j.sendEmail(j.ctx, "decision", "awarded", j.in.ApplicantID, data)
		j.sendEmail(j.ctx, "decision", "awarded_supporter", j.in.SupporterID, data)
		return nil
	}
	by := now.AddDate(0, j.deadlines().ResubmitMonths, 0)
	a.ResubmitBy, a.ResubmitNoted = &by, false
	a.PreferredID = a.AssessorID
	j.st.Stage = StageNotYet
	j.tellPrevious(j.ctx, ReassessmentEnded)
	if err := j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "not_yet", Detail: map[string]any{
		"resubmit_by": by, "target_level": j.st.TargetLevel.String()}}); err != nil {
		return err
	}
	data.Level, data.DueDate = j.st.TargetLevel.Title(), longDate(by)
	j.sendEmail(j.ctx, fmt.Sprintf("decision-%d", a.Round), "not_yet", j.in.ApplicantID, data)
	return nil
}

func (j *journey) certificateLink() string {
	return "/v1/applications/" + j.in.ApplicationID + "/certificate"
}

func (j *journey) remindResubmission() error {
	a := &j.st.Assessment
	a.ResubmitNoted = true
	data := j.mailData()
	data.DueDate = longDate(*a.ResubmitBy)
	j.sendReminder(j.ctx, fmt.Sprintf("resubmission-%d", a.Round), "resubmission_reminder", j.in.ApplicantID, data)
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "resubmission_reminder_sent"})
}

func (j *journey) closeResubmission() error {
	now := workflow.Now(j.ctx)
	j.st.Stage = StageClosed
	j.st.ClosedAt = &now
	if err := j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "resubmission_window_closed"}); err != nil {
		return err
	}
	j.sendEmail(j.ctx, "resubmission-closed", "resubmission_closed", j.in.ApplicantID, j.mailData())
	return nil
}

// lapse ends an award at its expiry date.
func (j *journey) lapse() error {
	now := workflow.Now(j.ctx)
	a := &j.st.Assessment
	j.st.Stage = StageLapsed
	j.st.ClosedAt = &now
	if err := j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "award_lapsed"}); err != nil {
		return err
	}
	data := j.mailData()
	data.Level, data.ExpiresOn = a.Decision.Title(), longDate(*a.ExpiresAt)
	j.sendEmail(j.ctx, "lapsed", "award_lapsed", j.in.ApplicantID, data)
	return nil
}

// releaseHolders ends the open offer, assessment and moderation of a withdrawn application,
// so the people holding them get their capacity back.
func (j *journey) releaseHolders(ctx workflow.Context, reason string) error {
	a := &j.st.Assessment
	var ids []string
	switch j.st.Stage {
	case StageOffered:
		ids = append(ids, a.Offer.AssignmentID)
	case StageAssessment:
		ids = append(ids, a.AssignmentID)
	case StageModeration:
		ids = append(ids, a.AssignmentID)
		if a.Moderation != nil && a.Moderation.AssignmentID != "" {
			ids = append(ids, a.Moderation.AssignmentID)
		}
	}
	for _, id := range ids {
		if err := j.setAssignment(ctx, id, "released", reason); err != nil {
			return err
		}
	}
	return nil
}

// --- helpers ---

// framework is the application's framework as the level rule needs it.
func (j *journey) framework() award.Framework {
	var std []award.Standard
	for _, s := range j.in.Framework.Standards {
		std = append(std, award.Standard{Code: s.Code, From: s.From})
	}
	return award.Framework{ID: j.in.Framework.ID, Version: j.in.Framework.Version, Areas: []award.Area{{Standards: std}}}
}

// checkRatings refuses ratings of standards the framework does not have and unknown ratings,
// and, when complete, standards of the target level left unrated.
func (j *journey) checkRatings(r map[string]award.Level, complete bool) error {
	if unknown := j.unknownStandards(r); len(unknown) > 0 {
		return refuseWith(ErrInvalid, "ratings: not standards of this framework: "+strings.Join(unknown, ", "), unknown)
	}
	if missing := j.unrated(r); complete && len(missing) > 0 {
		return refuseWith(ErrInvalid, "ratings: every standard must be rated; missing: "+strings.Join(missing, ", "), missing)
	}
	if bad := invalidRatings(r); len(bad) > 0 {
		return refuse(ErrInvalid, "ratings: unknown rating for %s", strings.Join(bad, ", "))
	}
	return nil
}

func (j *journey) unknownStandards(r map[string]award.Level) []string {
	var out []string
	for _, code := range codes(r) {
		if !slices.ContainsFunc(j.in.Framework.Standards, func(s StandardRef) bool { return s.Code == code }) {
			out = append(out, code)
		}
	}
	return out
}

func invalidRatings(r map[string]award.Level) []string {
	var out []string
	for _, code := range codes(r) {
		if !r[code].Valid() {
			out = append(out, code)
		}
	}
	return out
}

// codes are a ratings map's keys, sorted: workflow code never depends on map order.
func codes(r map[string]award.Level) []string {
	out := make([]string, 0, len(r))
	//workflowcheck:ignore
	for code := range r {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// unrated lists the standards of the target level without a rating, in framework order.
func (j *journey) unrated(r map[string]award.Level) []string {
	var out []string
	for _, s := range j.in.Framework.Standards {
		if s.From <= j.st.TargetLevel {
			if _, ok := r[s.Code]; !ok {
				out = append(out, s.Code)
			}
		}
	}
	return out
}

func cloneRatings(r map[string]award.Level) map[string]award.Level {
	out := make(map[string]award.Level, len(r))
	for _, k := range codes(r) {
		out[k] = r[k]
	}
	return out
}

// ratingNames is the ratings as names, for the audit trail.
func ratingNames(r map[string]award.Level) map[string]string {
	out := make(map[string]string, len(r))
	for _, k := range codes(r) {
		out[k] = r[k].String()
	}
	return out
}

// nextAfterSubmission says what is next in stages 5–9.
func (j *journey) nextAfterSubmission() (NextStep, bool) {
	a := &j.st.Assessment
	switch j.st.Stage {
	case StageOffered:
		return NextStep{Action: a.Offer.Name + " accepts or declines the offer to assess", Who: RoleAssessor, DueAt: &a.Offer.ExpiresAt}, true
	case StageAssessment:
		return NextStep{Action: a.AssessorName + " assesses the portfolio and recommends a level", Who: RoleAssessor, DueAt: a.DueAt}, true
	case StageModeration:
		m := a.Moderation
		if m.DueAt == nil {
			return NextStep{Action: "A moderator is being assigned", Who: RoleSystem, DueAt: m.AssignAt}, true
		}
		if m.Outcome != "" {
			return NextStep{Action: "The decision is being made", Who: RoleSystem}, true
		}
		return NextStep{Action: m.Name + " moderates the recommendation", Who: RoleModerator, DueAt: m.DueAt}, true
	case StageNotYet:
		return NextStep{Action: "Add evidence where the feedback suggests and resubmit to the same assessor", Who: RoleApplicant, DueAt: a.ResubmitBy}, true
	case StageAwarded:
		return NextStep{Action: "Award held: reapply before it expires", Who: RoleApplicant, DueAt: a.ExpiresAt}, true
	}
	return NextStep{}, false
}

// holder is who holds the application now in a role ("" = nobody): the projection keeps it
// for inboxes and access checks.
func (j *journey) holder(role string) string {
	a := &j.st.Assessment
	switch {
	case role == RoleAssessor && j.st.Stage == StageOffered && a.Offer != nil:
		return a.Offer.PersonID
	case role == RoleAssessor && (j.st.Stage == StageAssessment || j.st.Stage == StageModeration):
		return a.AssessorID
	case role == RoleModerator && j.st.Stage == StageModeration && a.Moderation != nil:
		return a.Moderation.ModeratorID
	}
	return ""
}

// assessmentSummary is what the projection keeps of the assessment for the moderation queue:
// the name of the assessor holding it, their recommendation once assessed, and why it is
// moderated (a copy: a local activity's input is not serialised).
func (j *journey) assessmentSummary() (name, recommended string, reasons []string) {
	a := &j.st.Assessment
	if j.holder(RoleAssessor) == a.AssessorID && a.AssessorID != "" {
		name = a.AssessorName
	}
	if a.AssessedAt != nil {
		recommended = a.Recommended.String()
	}
	if a.Moderation != nil {
		reasons = slices.Clone(a.Moderation.Reasons)
	}
	return name, recommended, reasons
}

func (j *journey) levelAwarded() string {
	if j.st.Assessment.DecidedAt == nil {
		return ""
	}
	return j.st.Assessment.Decision.String()
}

// assessmentView is the assessment part of the status, from submission on (a copy: the
// query must not hand out the journey's own maps).
func (j *journey) assessmentView() *Assessment {
	if j.st.SubmittedAt == nil {
		return nil
	}
	a := j.st.Assessment
	a.Ratings = cloneRatings(a.Ratings)
	if a.Moderation != nil {
		m := *a.Moderation
		m.Amended = cloneRatings(m.Amended)
		a.Moderation = &m
	}
	return &a
}
