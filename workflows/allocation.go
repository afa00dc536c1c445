package workflows

import (
	"fmt"
	"maps"
	"time"

	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workdays"
)

// calendar counts working days (England and Wales bank holidays). It is read-only after
// construction and a pure function of its inputs, so workflow code may use it.
var calendar = workdays.EnglandAndWales()

// allocationRetry is how often an application nobody could take is tried again, in case the
// roster changed (admins are flagged the first time; they may also allocate by hand).
const allocationRetryWorkdays = 1

// allocationTimers are the events of stage 5: running allocation, and an offer's deadline.
func (j *journey) allocationTimers() []timer {
	a := &j.st.Assessment
	var out []timer
	if j.st.Stage == StageAwaitingAllocation && a.AllocateAt != nil {
		out = append(out, timer{*a.AllocateAt, j.allocate})
	}
	if j.st.Stage == StageOffered && a.Offer != nil {
		out = append(out, timer{a.Offer.ExpiresAt, j.offerExpired})
	}
	return out
}

// allocate offers the assessment to the best eligible assessor, or flags admins when
// nobody is eligible.
func (j *journey) allocate() error {
	return j.allocateTo(j.ctx, "", "", "")
}

// allocateTo runs allocation; prefer (with byAdmin and their reason) is an admin's choice by
// hand.
func (j *journey) allocateTo(ctx workflow.Context, prefer, byAdmin, adminReason string) error {
	a := &j.st.Assessment
	now := workflow.Now(ctx)
	if prefer == "" {
		prefer = a.PreferredID
	}
	offerID := fmt.Sprintf("%s/offer/%d", j.in.ApplicationID, a.Offers+1)
	var res activities.AllocateResult
	err := j.write(ctx, activityAllocate, (*activities.Activities).Allocate,
		activities.AllocateInput{
			TenantID: j.in.TenantID, ApplicationID: j.in.ApplicationID, AssignmentID: offerID, Track: j.in.Track,
			Variant: j.in.Variant, ApplicantID: j.in.ApplicantID, SupporterID: j.in.SupporterID, Excluded: maps.Clone(a.Excluded),
			Prefer: prefer, ByAdmin: byAdmin,
		}).Get(ctx, &res)
	if err != nil {
		return err
	}
	alloc := res.Allocation
	a.Allocation = &alloc
	a.PreferredID = ""
	if res.AssessorID == "" {
		a.NoAssessor = true
		retry := calendar.Add(now, allocationRetryWorkdays)
		a.AllocateAt = &retry
		first := !j.has(FlagNoAssessor)
		j.flag(FlagNoAssessor)
		if first {
			j.alertAdmins(ctx, "no-assessor", "no eligible assessor: "+alloc.Reason)
		}
		return j.record(ctx, nil, activities.Audit{Actor: RoleSystem, Action: "allocation_failed",
			Detail: map[string]any{"reason": alloc.Reason, "excluded": alloc.Excluded}})
	}
	a.Offers++
	a.NoAssessor = false
	a.AllocateAt = nil
	j.unflag(FlagNoAssessor)
	j.unflag(FlagAwaitingAssessor)
	offer := &Offer{PersonID: res.AssessorID, Name: res.AssessorName, AssignmentID: offerID, OfferedAt: now,
		ExpiresAt: calendar.Add(now, j.deadlines().OfferWorkdays), ByAdmin: byAdmin}
	a.Offer = offer // the update that accepts it may run as soon as this step waits
	a.AssessorPrior = res.AssessorPrior
	j.st.Stage = StageOffered
	actor := RoleSystem
	if byAdmin != "" {
		actor = byAdmin
	}
	detail := map[string]any{"assessor": res.AssessorID, "reason": alloc.Reason, "ranked": alloc.Ranked,
		"excluded": alloc.Excluded, "accept_by": offer.ExpiresAt}
	if adminReason != "" {
		// Only the Record activity's input changes: replay-safe without a version marker.
		detail["admin_reason"] = adminReason
	}
	if err := j.record(ctx, nil, activities.Audit{Actor: actor, Action: "assessor_offered", Detail: detail}); err != nil {
		return err
	}
	data := j.mailData()
	data.DueDate = longDate(offer.ExpiresAt)
	data.Link = ""
	j.sendEmail(ctx, fmt.Sprintf("offer-%d", a.Offers), "assessor_offer", res.AssessorID, data)
	return nil
}

// offerExpired: silence counts as a decline; the next candidate is offered it.
func (j *journey) offerExpired() error {
	a := &j.st.Assessment
	o := a.Offer
	if err := j.setAssignment(j.ctx, o.AssignmentID, "expired", "no answer within 5 working days"); err != nil {
		return err
	}
	j.exclude(o.PersonID, "did not answer the offer in time")
	a.Offer = nil
	j.toAllocation(workflow.Now(j.ctx))
	return j.record(j.ctx, nil, activities.Audit{Actor: RoleSystem, Action: "offer_expired", Detail: map[string]any{"assessor": o.PersonID}})
}

// toAllocation sends the application (back) to allocation, to run now.
func (j *journey) toAllocation(now time.Time) {
	j.st.Stage = StageAwaitingAllocation
	j.st.Assessment.AllocateAt = &now
}

func (j *journey) exclude(person, why string) {
	a := &j.st.Assessment
	if a.Excluded == nil {
		a.Excluded = map[string]string{}
	}
	a.Excluded[person] = why
}

func (j *journey) setAssignment(ctx workflow.Context, id, state, reason string) error {
	return j.write(ctx, activitySetAssignment, (*activities.Activities).SetAssignment,
		activities.AssignmentInput{TenantID: j.in.TenantID, ID: id, State: state, Reason: reason}).Get(ctx, nil)
}

// alertAdmins emails every admin of the tenant that this application needs attention.
func (j *journey) alertAdmins(ctx workflow.Context, step, reason string) {
	data := j.mailData()
	data.Reason = reason
	j.notifyAdmins(ctx, step, "admin_alert", data)
}

func (j *journey) has(flag string) bool {
	for _, f := range j.st.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

func longDate(t time.Time) string { return t.In(london).Format("2 January 2006") }

// --- offer replies ---

// validateOfferReply is the validator of both replies. Besides checkOfferReply it refuses the
// applicant or the supporter accepting an offer (one made before they were excluded from
// allocation): only the validator does, so that histories of accepted replies still replay.
// Declining stays open to them: it is what they should do.
func (j *journey) validateOfferReply(ctx workflow.Context, r OfferReply) error {
	if err := j.checkOfferReply(r); err != nil {
		return err
	}
	if info := workflow.GetCurrentUpdateInfo(ctx); info == nil || info.Name != UpdateDeclineOffer {
		return j.mayHold(r.Actor, "accept this offer")
	}
	return nil
}

// checkOfferReply: the offer is open and made to the person answering.
func (j *journey) checkOfferReply(r OfferReply) error {
	if err := j.needStage("answer an offer", j.st.Stage == StageOffered && j.st.Assessment.Offer != nil); err != nil {
		return err
	}
	if r.Actor.ID != j.st.Assessment.Offer.PersonID {
		return refuse(ErrForbidden, "this offer was made to another assessor")
	}
	return nil
}

// parties are the applicant and the supporter of this application: they never hold it.
func (j *journey) parties() award.Parties {
	return award.Parties{Applicant: j.in.ApplicantID, Supporter: j.in.SupporterID}
}

// mayHold refuses the applicant or the supporter acting as the application's assessor or
// moderator. Only validators call it: their refusals never enter history, so journeys where
// an offer reached a party before the rule existed replay as they ran, and go on with an admin
// reassigning them.
func (j *journey) mayHold(a Actor, action string) error {
	var you string
	switch j.parties().Bar(a.ID) {
	case award.ReasonApplicant:
		you = "you are the applicant of this application"
	case award.ReasonSupporter:
		you = "you support this setting"
	default:
		return nil
	}
	return refuse(ErrForbidden, "you cannot %s: %s, and nobody assesses or moderates an application they applied for "+
		"or support; an admin will reassign it", action, you)
}

func (j *journey) acceptOffer(ctx workflow.Context, r OfferReply) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.checkOfferReply(r); err != nil {
		return Status{}, err
	}
	a := &j.st.Assessment
	o := a.Offer
	if err := j.setAssignment(ctx, o.AssignmentID, "accepted", ""); err != nil {
		return Status{}, err
	}
	now := workflow.Now(ctx)
	a.Offer = nil
	a.AssessorID, a.AssessorName, a.AssignmentID = o.PersonID, o.Name, o.AssignmentID
	a.Round++
	j.startAssessment(now, j.deadlines().AssessmentWorkdays)
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "offer_accepted",
		Detail: map[string]any{"assessor": o.PersonID, "due": a.DueAt}}); err != nil {
		return Status{}, err
	}
	data := j.mailData()
	data.AssessorName = o.Name
	j.sendEmail(ctx, fmt.Sprintf("allocated-%d", a.Round), "assessor_allocated", j.in.ApplicantID, data)
	return j.status(), nil
}

// startAssessment opens (or reopens) the assessment with its due date.
func (j *journey) startAssessment(now time.Time, workdays int) {
	a := &j.st.Assessment
	due := calendar.Add(now, workdays)
	a.AcceptedAt, a.DueAt = &now, &due
	a.Reminded, a.Overdue = nil, false
	j.unflag(FlagAssessmentOverdue)
	j.st.Stage = StageAssessment
}

func (j *journey) declineOffer(ctx workflow.Context, r OfferReply) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.checkOfferReply(r); err != nil {
		return Status{}, err
	}
	a := &j.st.Assessment
	o := a.Offer
	if err := j.setAssignment(ctx, o.AssignmentID, "declined", r.Reason); err != nil {
		return Status{}, err
	}
	j.exclude(o.PersonID, "declined the offer")
	a.Offer = nil
	j.toAllocation(workflow.Now(ctx))
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "offer_declined",
		Detail: map[string]any{"reason": r.Reason}}); err != nil {
		return Status{}, err
	}
	return j.status(), nil
}

// --- admin: allocate by hand, reassign ---

func (j *journey) validateAllocate(_ workflow.Context, r AllocateRequest) error {
	if r.Actor.Role != RoleAdmin {
		return refuse(ErrForbidden, "only an admin may allocate an assessor by hand")
	}
	if r.AssessorID == "" {
		return refuse(ErrInvalid, "assessor: required")
	}
	if why := j.parties().Bar(r.AssessorID); why != "" {
		return refuse(ErrInvalid, "assessor: the person chosen %s; nobody assesses an application they applied for or support", why)
	}
	return j.needStage("allocate an assessor", j.st.Stage == StageAwaitingAllocation)
}

func (j *journey) allocateByHand(ctx workflow.Context, r AllocateRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.validateAllocate(ctx, r); err != nil {
		return Status{}, err
	}
	if err := j.allocateTo(ctx, r.AssessorID, r.Actor.ID, r.Reason); err != nil {
		return Status{}, err
	}
	return j.status(), nil
}

func (j *journey) validateReassign(_ workflow.Context, r ReassignRequest) error {
	if r.Actor.Role != RoleAdmin {
		return refuse(ErrForbidden, "only an admin may reassign an assessment")
	}
	if r.Reason == "" {
		return refuse(ErrInvalid, "reason: say why the assessment is reassigned")
	}
	return j.needStage("reassign", j.st.Stage == StageAssessment || j.st.Stage == StageOffered)
}

// reassign takes the assessment (or the offer) away from its assessor, who is then excluded,
// and allocates again.
func (j *journey) reassign(ctx workflow.Context, r ReassignRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.validateReassign(ctx, r); err != nil {
		return Status{}, err
	}
	a := &j.st.Assessment
	person, assignment := a.AssessorID, a.AssignmentID
	if j.st.Stage == StageOffered {
		person, assignment = a.Offer.PersonID, a.Offer.AssignmentID
	}
	if err := j.setAssignment(ctx, assignment, "released", r.Reason); err != nil {
		return Status{}, err
	}
	j.exclude(person, "reassigned away by an admin")
	a.Offer, a.AssessorID, a.AssessorName, a.AssignmentID = nil, "", "", ""
	a.DueAt, a.Reminded, a.Overdue = nil, nil, false
	j.unflag(FlagAssessmentOverdue)
	j.toAllocation(workflow.Now(ctx))
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "reassigned",
		Detail: map[string]any{"from": person, "reason": r.Reason}}); err != nil {
		return Status{}, err
	}
	return j.status(), nil
}

// levelTitle is a level as people read it ("Silver", "not yet").
func levelTitle(l award.Level) string {
	if l == award.NotMet {
		return "not yet"
	}
	return l.Title()
}
