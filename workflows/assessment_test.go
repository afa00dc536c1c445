package workflows_test

// Scenario tests of stages 5–9 of the journey (SPEC §3): allocation with offers, assessment
// with its reminders and escalation, moderation, the level decision, "not yet" and the
// resubmission window, award lapse and withdrawal. Every timer runs on the SDK test
// environment's skipped clock; the harness is the one of journey_test.go.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workdays"
	"awardengine/workflows"
)

const ann, bob, cat, mod, mod2 = "p_ann", "p_bob", "p_cat", "p_mod", "p_mod2"

var (
	londonTZ   = mustLoadLocation("Europe/London")
	workCal    = workdays.EnglandAndWales()
	applicantA = workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}
	adminA     = workflows.Actor{ID: admin, Role: workflows.RoleAdmin}
)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func assessorA(id string) workflows.Actor {
	return workflows.Actor{ID: id, Role: workflows.RoleAssessor}
}
func moderatorA(id string) workflows.Actor {
	return workflows.Actor{ID: id, Role: workflows.RoleModerator}
}

// offset is a point of the journey's clock as the harness schedules it.
func (h *harness) offset(t time.Time) time.Duration { return t.Sub(h.start) }

// submitPortfolio schedules, from `from` on, evidence for every standard of the framework
// (declared, uploaded, confirmed) and a submission for target. It returns the submission's
// outcome and when it is sent: allocation runs at that moment.
func (h *harness) submitPortfolio(in workflows.ApplicationInput, from time.Duration, target award.Level) (*outcome, time.Duration) {
	at := from
	for i, s := range in.Framework.Standards {
		code := s.Code
		added := h.updateAt(at, workflows.UpdateAddEvidence, func() any {
			return workflows.AddEvidenceRequest{Actor: applicantA, Filename: code + ".pdf", ContentType: "application/pdf",
				Size: int64(100 + i), SHA256: sha(i), Standards: []string{code}}
		})
		at += time.Minute
		h.updateAt(at, workflows.UpdateConfirmUpload, func() any {
			it := added.evidence()
			h.mu.Lock()
			h.stored[it.ObjectKey] = activities.VerifyResult{Uploaded: true, Size: it.Size, SHA256: sha(i)}
			h.mu.Unlock()
			return workflows.EvidenceRequest{Actor: applicantA, EvidenceID: it.ID}
		})
		at += time.Minute
	}
	submitted := h.updateAt(at, workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: applicantA, TargetLevel: target}
	})
	return submitted, at
}

// statusAt queries the journey's status at a point of its clock.
func (h *harness) statusAt(d time.Duration) *workflows.Status {
	st := &workflows.Status{}
	h.at(d, func() {
		v, err := h.env.QueryWorkflow(workflows.QueryStatus)
		require.NoError(h.t, err)
		require.NoError(h.t, v.Get(st))
	})
	return st
}

func (h *harness) setModerators(ids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.moderators = ids
}

func (h *harness) lastAllocation() activities.AllocateInput {
	h.t.Helper()
	require.NotEmpty(h.t, h.allocations)
	return h.allocations[len(h.allocations)-1]
}

func (h *harness) assignment(id string) []string {
	var states []string
	for _, a := range h.assignments {
		if a.ID == id {
			states = append(states, a.State)
		}
	}
	return states
}

// lastState is what last became of an assignment ("" if nothing did).
func (h *harness) lastState(id string) string {
	states := h.assignment(id)
	if len(states) == 0 {
		return ""
	}
	return states[len(states)-1]
}

const offer1, offer2, offer3 = "app_test/offer/1", "app_test/offer/2", "app_test/offer/3"

// ratingsAt rates every standard that applies at target at level l, then applies changes.
func ratingsAt(in workflows.ApplicationInput, target, l award.Level, changes map[string]award.Level) map[string]award.Level {
	out := map[string]award.Level{}
	for _, s := range in.Framework.Standards {
		if s.From <= target {
			out[s.Code] = l
		}
	}
	for code, r := range changes {
		out[code] = r
	}
	return out
}

// line is one audit line with the record that carried it.
type line struct {
	activities.Audit
	Rec activities.RecordInput
}

func auditLines(rs []activities.RecordInput, action string) []line {
	var out []line
	for _, r := range rs {
		for _, a := range r.Audit {
			if a.Action == action {
				out = append(out, line{a, r})
			}
		}
	}
	return out
}

func oneAudit(t *testing.T, rs []activities.RecordInput, action string) line {
	t.Helper()
	ls := auditLines(rs, action)
	require.Len(t, ls, 1, "audit lines %q", action)
	return ls[0]
}

// submittedDetail is the detail of an "assessment_submitted" audit line.
type submittedDetail struct {
	Recommended        string   `json:"recommended"`
	ModerationRequired bool     `json:"moderation_required"`
	ModerationReasons  []string `json:"moderation_reasons"`
	SampleDraw         float64  `json:"sample_draw"`
}

func decode[T any](t *testing.T, l line) T {
	t.Helper()
	var v T
	b, err := json.Marshal(l.Detail)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func ats(es []sentEmail) []time.Duration {
	var out []time.Duration
	for _, e := range es {
		out = append(out, e.At)
	}
	return out
}

func tos(es []sentEmail) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.To)
	}
	return out
}

func requireRejected(t *testing.T, o *outcome, kind, contains string) {
	t.Helper()
	requireRefused(t, o, kind)
	require.True(t, o.rejected, "refused by the validator, before history")
	require.Contains(t, o.err.Error(), contains)
}

// --- stage 5 and 6: accepted offer, due date, reminders, overdue, reassign ---

// Accepted on Monday 23 March 2026, the assessment is due 20 working days later: Good Friday
// (3 April) and Easter Monday (6 April) do not count, so it is Wednesday 22 April (not 20
// April), at the same London clock time although the clocks went forward on 29 March.
func TestAcceptedAssessmentIsDueIn20WorkingDaysWithRemindersOverdueAndReassign(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann, bob}
	in := input(award.VariantPrimary)
	monday := time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)
	submitted, _ := h.submitPortfolio(in, h.offset(monday), award.Silver)
	acceptAt := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC) // 09:00 GMT
	accepted := h.updateAt(h.offset(acceptAt), workflows.UpdateAcceptOffer, func() any {
		return workflows.OfferReply{Actor: assessorA(ann)}
	})
	wantDue := time.Date(2026, 4, 22, 9, 0, 0, 0, londonTZ) // 08:00 UTC, BST
	before := time.Date(2026, 4, 15, 9, 0, 0, 0, londonTZ)
	overdueAt := time.Date(2026, 4, 27, 9, 0, 0, 0, londonTZ)
	afterOverdue := h.statusAt(h.offset(overdueAt) + time.Hour)
	notAdmin := h.updateAt(h.offset(overdueAt)+2*time.Hour, workflows.UpdateReassign, func() any {
		return workflows.ReassignRequest{Actor: assessorA(bob), Reason: "faster"}
	})
	noReason := h.updateAt(h.offset(overdueAt)+2*time.Hour+time.Minute, workflows.UpdateReassign, func() any {
		return workflows.ReassignRequest{Actor: adminA}
	})
	reassignAt := time.Date(2026, 4, 28, 10, 0, 0, 0, time.UTC)
	reassigned := h.updateAt(h.offset(reassignAt), workflows.UpdateReassign, func() any {
		return workflows.ReassignRequest{Actor: adminA, Reason: "assessor unwell"}
	})
	h.withdrawAt(h.offset(reassignAt) + 2*day)
	h.run(in)

	requireDone(t, submitted)
	requireDone(t, accepted)
	st := accepted.value.(workflows.Status)
	require.Equal(t, workflows.StageAssessment, st.Stage)
	require.True(t, wantDue.Equal(*st.Assessment.DueAt), "due %s, want %s", st.Assessment.DueAt, wantDue)
	require.True(t, time.Date(2026, 4, 22, 8, 0, 0, 0, time.UTC).Equal(*st.Assessment.DueAt))
	require.Equal(t, ann, st.Assessment.AssessorID)
	require.Equal(t, 1, st.Assessment.Round)
	require.Equal(t, []string{"accepted"}, h.assignment(offer1)[:1])
	require.Len(t, h.sent("assessor_allocated"), 1)
	require.Equal(t, applicant, h.sent("assessor_allocated")[0].To)

	// Reminders: 5 working days before (Wednesday 15 April) and on the due day, once each.
	reminders := h.sent("assessment_reminder")
	require.Equal(t, []time.Duration{h.offset(before), h.offset(wantDue)}, ats(reminders))
	require.Equal(t, []string{ann, ann}, tos(reminders))
	require.Contains(t, reminders[0].Key, "/assessment-1-before/")
	require.Contains(t, reminders[1].Key, "/assessment-1-due/")

	// 3 working days overdue (Monday 27 April): flagged, admins told once.
	flagged := oneAudit(t, h.records, "flagged_assessment_overdue")
	require.True(t, overdueAt.Equal(flagged.Rec.At), "flagged at %s", flagged.Rec.At)
	require.Contains(t, flagged.Rec.Flags, workflows.FlagAssessmentOverdue)
	overdueMail := h.sent("assessment_overdue")
	require.Len(t, overdueMail, 1)
	require.Equal(t, admin, overdueMail[0].To)
	require.Equal(t, h.offset(overdueAt), overdueMail[0].At)
	require.Contains(t, afterOverdue.Flags, workflows.FlagAssessmentOverdue)
	require.True(t, afterOverdue.Assessment.Overdue)

	// Reassigning needs an admin and a reason.
	requireRejected(t, notAdmin, workflows.ErrForbidden, "only an admin")
	requireRejected(t, noReason, workflows.ErrInvalid, "reason")

	// The admin reassigns: the assignment is released, the former assessor excluded, and the
	// next person on the roster is offered it at once.
	requireDone(t, reassigned)
	// The handler hands the application back to allocation, which runs straight after it.
	require.Equal(t, workflows.StageAwaitingAllocation, reassigned.value.(workflows.Status).Stage)
	require.Equal(t, []string{"accepted", "released"}, h.assignment(offer1))
	require.Len(t, h.allocations, 2)
	last := h.lastAllocation()
	require.Contains(t, last.Excluded, ann)
	require.Equal(t, offer2, last.AssignmentID)
	offers := h.sent("assessor_offer")
	require.Equal(t, []string{ann, bob}, tos(offers))
	require.Equal(t, h.offset(reassignAt), offers[1].At)
	rec := oneAudit(t, h.records, "reassigned")
	require.Equal(t, ann, rec.Detail["from"])
	require.NotContains(t, rec.Rec.Flags, workflows.FlagAssessmentOverdue, "the overdue flag goes with the assessment")
	require.Len(t, h.sent("assessment_reminder"), 2, "no reminders after the reassignment")
	// Withdrawn while bob's offer is open: it is released.
	require.Equal(t, []string{"released"}, h.assignment(offer2))
}

// --- stage 5: offers time out, nobody is left, an admin allocates by hand ---

func TestOfferTimeoutsThenNoEligibleAssessorThenAllocationByHand(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann, bob}
	in := input(award.VariantPrimary)
	submitted, s := h.submitPortfolio(in, time.Hour, award.Bronze)
	sent := h.start.Add(s)                      // Monday 5 January 2026
	firstExpiry := workCal.Add(sent, 5)         // Monday 12 January
	secondExpiry := workCal.Add(firstExpiry, 5) // Monday 19 January
	retry := workCal.Add(secondExpiry, 1)       // Tuesday 20 January
	require.Equal(t, time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC), firstExpiry.Truncate(day))
	require.Equal(t, time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC), secondExpiry.Truncate(day))

	// Before the first expiry: nothing may be allocated by hand while an offer is open.
	whileOffered := h.updateAt(s+time.Hour, workflows.UpdateAllocate, func() any {
		return workflows.AllocateRequest{Actor: adminA, AssessorID: cat}
	})
	flagged := h.statusAt(h.offset(secondExpiry) + time.Hour)
	byHandAt := h.offset(retry) + 3*time.Hour
	notAdmin := h.updateAt(byHandAt-2*time.Minute, workflows.UpdateAllocate, func() any {
		return workflows.AllocateRequest{Actor: assessorA(cat), AssessorID: cat}
	})
	supporterAsAssessor := h.updateAt(byHandAt-time.Minute, workflows.UpdateAllocate, func() any {
		return workflows.AllocateRequest{Actor: adminA, AssessorID: supporter}
	})
	applicantAsAssessor := h.updateAt(byHandAt-30*time.Second, workflows.UpdateAllocate, func() any {
		return workflows.AllocateRequest{Actor: adminA, AssessorID: applicant}
	})
	byHand := h.updateAt(byHandAt, workflows.UpdateAllocate, func() any {
		return workflows.AllocateRequest{Actor: adminA, AssessorID: cat, Reason: "cat has room"}
	})
	h.withdrawAt(byHandAt + 5*day)
	h.run(in)

	requireDone(t, submitted)
	requireRejected(t, whileOffered, workflows.ErrWrongStage, "offered")
	offers := h.sent("assessor_offer")
	require.Equal(t, []string{ann, bob, cat}, tos(offers))
	require.Equal(t, []time.Duration{s, h.offset(firstExpiry), byHandAt}, ats(offers))
	require.Equal(t, []string{"expired"}, h.assignment(offer1)[:1])
	require.Equal(t, []string{"expired"}, h.assignment(offer2)[:1])
	expired := auditLines(h.records, "offer_expired")
	require.Len(t, expired, 2)
	require.True(t, firstExpiry.Equal(expired[0].Rec.At))
	require.True(t, secondExpiry.Equal(expired[1].Rec.At))

	require.Len(t, h.allocations, 5, "ann, bob, nobody, nobody (retry), cat by hand")
	require.Contains(t, h.allocations[1].Excluded, ann)
	require.Contains(t, h.allocations[2].Excluded, ann)
	require.Contains(t, h.allocations[2].Excluded, bob)

	// Nobody is left: flagged and admins alerted, once.
	failed := auditLines(h.records, "allocation_failed")
	require.Len(t, failed, 2, "at the second expiry, then the retry next working day")
	require.True(t, secondExpiry.Equal(failed[0].Rec.At))
	require.True(t, retry.Equal(failed[1].Rec.At), "retried at %s, want %s", failed[1].Rec.At, retry)
	for _, f := range failed {
		require.Contains(t, f.Rec.Flags, workflows.FlagNoAssessor)
	}
	alerts := h.sent("admin_alert")
	require.Len(t, alerts, 1, "the retry does not alert admins again")
	require.Equal(t, admin, alerts[0].To)
	require.Equal(t, h.offset(secondExpiry), alerts[0].At)
	require.Equal(t, workflows.StageAwaitingAllocation, flagged.Stage)
	require.Contains(t, flagged.Flags, workflows.FlagNoAssessor)
	require.True(t, flagged.Assessment.NoAssessor)

	// Only an admin allocates by hand, never to the supporter or the applicant; then the offer
	// goes to cat.
	requireRejected(t, notAdmin, workflows.ErrForbidden, "only an admin")
	requireRejected(t, supporterAsAssessor, workflows.ErrInvalid, "assessor: the person chosen supports this setting")
	requireRejected(t, applicantAsAssessor, workflows.ErrInvalid, "assessor: the person chosen is the applicant of this application")
	requireDone(t, byHand)
	st := byHand.value.(workflows.Status)
	require.Equal(t, workflows.StageOffered, st.Stage)
	require.NotContains(t, st.Flags, workflows.FlagNoAssessor)
	require.Equal(t, cat, st.Assessment.Offer.PersonID)
	require.Equal(t, admin, st.Assessment.Offer.ByAdmin)
	last := h.lastAllocation()
	require.Equal(t, cat, last.Prefer)
	require.Equal(t, admin, last.ByAdmin)
	for _, a := range h.allocations {
		require.Equal(t, applicant, a.ApplicantID, "every allocation knows whom never to offer it")
		require.Equal(t, supporter, a.SupporterID)
	}
	require.Equal(t, offer3, last.AssignmentID)
	offered := auditLines(h.records, "assessor_offered")
	require.Equal(t, admin, offered[len(offered)-1].Actor)
	require.Equal(t, "cat has room", offered[len(offered)-1].Detail["admin_reason"], "the admin's reason is in the audit trail")
	require.NotContains(t, offered[0].Detail, "admin_reason")
}

// --- stage 5: decline ---

func TestDeclineOffersTheNextCandidateAtOnce(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann, bob}
	in := input(award.VariantPrimary)
	_, s := h.submitPortfolio(in, time.Hour, award.Bronze)
	declined := h.updateAt(s+2*time.Hour, workflows.UpdateDeclineOffer, func() any {
		return workflows.OfferReply{Actor: assessorA(ann), Reason: "conflict of interest"}
	})
	h.withdrawAt(s + day)
	h.run(in)

	requireDone(t, declined)
	require.Equal(t, []string{"declined"}, h.assignment(offer1))
	require.Equal(t, "conflict of interest", h.assignments[0].Reason)
	require.Equal(t, []string{ann, bob}, tos(h.sent("assessor_offer")))
	require.Equal(t, s+2*time.Hour, h.sent("assessor_offer")[1].At, "the next candidate is offered it immediately")
	require.Contains(t, h.lastAllocation().Excluded, ann)
	require.Empty(t, auditLines(h.records, "offer_expired"))
}

// --- wrong people and bad ratings are refused before history ---

func TestWrongPeopleAndBadRatingsAreRefused(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann, bob}
	h.moderators = []string{mod}
	in := input(award.VariantPrimary)
	_, s := h.submitPortfolio(in, time.Hour, award.Silver)
	silver := standardsFor(in, award.Silver)
	type attempt struct {
		name     string
		update   string
		arg      any
		kind     string
		contains string
		o        *outcome
	}
	at := s + time.Hour
	var offered, assessing, moderating []*attempt
	schedule := func(list []*attempt) {
		for _, a := range list {
			at += time.Minute
			arg := a.arg
			a.o = h.updateAt(at, a.update, func() any { return arg })
		}
	}
	offered = []*attempt{
		{name: "another assessor accepts ann's offer", update: workflows.UpdateAcceptOffer,
			arg: workflows.OfferReply{Actor: assessorA(bob)}, kind: workflows.ErrForbidden, contains: "another assessor"},
		{name: "another assessor declines ann's offer", update: workflows.UpdateDeclineOffer,
			arg: workflows.OfferReply{Actor: assessorA(bob)}, kind: workflows.ErrForbidden, contains: "another assessor"},
		{name: "scoring before acceptance", update: workflows.UpdateSubmitAssess,
			arg:  workflows.RatingsRequest{Actor: assessorA(ann), Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "ok"},
			kind: workflows.ErrWrongStage, contains: "offered"},
	}
	schedule(offered)
	beforeAccept := h.statusAt(at + time.Minute)
	at += 2 * time.Minute
	accepted := h.updateAt(at, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	missing := ratingsAt(in, award.Silver, award.Silver, nil)
	delete(missing, "LD2")
	delete(missing, "LA5")
	assessing = []*attempt{
		{name: "the applicant submits an assessment", update: workflows.UpdateSubmitAssess,
			arg:  workflows.RatingsRequest{Actor: applicantA, Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "ok"},
			kind: workflows.ErrForbidden, contains: "only the allocated assessor"},
		{name: "another assessor submits", update: workflows.UpdateSubmitAssess,
			arg:  workflows.RatingsRequest{Actor: assessorA(bob), Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "ok"},
			kind: workflows.ErrForbidden, contains: "only the allocated assessor"},
		{name: "another assessor saves a draft", update: workflows.UpdateSaveRatings,
			arg:  workflows.RatingsRequest{Actor: assessorA(bob), Ratings: map[string]award.Level{"LD1": award.Gold}},
			kind: workflows.ErrForbidden, contains: "only the allocated assessor"},
		{name: "a standard not in the framework", update: workflows.UpdateSubmitAssess,
			arg: workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "ok",
				Ratings: ratingsAt(in, award.Silver, award.Silver, map[string]award.Level{"ZZ9": award.Gold})},
			kind: workflows.ErrInvalid, contains: "ZZ9"},
		{name: "missing ratings", update: workflows.UpdateSubmitAssess,
			arg: workflows.RatingsRequest{Actor: assessorA(ann), Ratings: missing, Feedback: "ok"}, kind: workflows.ErrInvalid,
			contains: "missing: LD2, LA5"},
		{name: "no feedback", update: workflows.UpdateSubmitAssess,
			arg:  workflows.RatingsRequest{Actor: assessorA(ann), Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "  "},
			kind: workflows.ErrInvalid, contains: "feedback"},
		{name: "a bad visit date", update: workflows.UpdateSubmitAssess,
			arg: workflows.RatingsRequest{Actor: assessorA(ann), Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "ok",
				VisitDate: "12/03/2026"},
			kind: workflows.ErrInvalid, contains: "visit_date"},
		{name: "moderating before any moderation", update: workflows.UpdateModerate,
			arg: workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationConfirm}, kind: workflows.ErrWrongStage,
			contains: "assessment"},
	}
	at += time.Minute
	schedule(assessing)
	refusedNothing := h.statusAt(at + time.Minute)
	at += 2 * time.Minute
	// Bronze everywhere for a silver target: the recommendation differs, so it is moderated.
	submittedAt := at
	done := h.updateAt(at, workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Ratings: ratingsAt(in, award.Silver, award.Bronze, nil),
			Feedback: "Good foundations", VisitDate: "2026-01-07"}
	})
	at += time.Minute
	moderating = []*attempt{
		{name: "the assessor moderates their own assessment", update: workflows.UpdateModerate,
			arg: workflows.ModerateRequest{Actor: moderatorA(ann), Decision: workflows.ModerationConfirm}, kind: workflows.ErrForbidden,
			contains: "own assessment"},
		{name: "someone else moderates", update: workflows.UpdateModerate,
			arg: workflows.ModerateRequest{Actor: moderatorA(bob), Decision: workflows.ModerationConfirm}, kind: workflows.ErrForbidden,
			contains: "only the moderator assigned"},
		{name: "amend without rationale", update: workflows.UpdateModerate,
			arg: workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationAmend,
				Ratings: ratingsAt(in, award.Silver, award.Silver, nil)}, kind: workflows.ErrInvalid, contains: "rationale"},
		{name: "amend with missing ratings", update: workflows.UpdateModerate,
			arg: workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationAmend, Rationale: "r",
				Ratings: missing}, kind: workflows.ErrInvalid, contains: "missing: LD2, LA5"},
		{name: "refer back without rationale", update: workflows.UpdateModerate,
			arg: workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationReferBack}, kind: workflows.ErrInvalid,
			contains: "rationale"},
		{name: "an unknown decision", update: workflows.UpdateModerate,
			arg: workflows.ModerateRequest{Actor: moderatorA(mod), Decision: "approve"}, kind: workflows.ErrInvalid, contains: "decision"},
		{name: "the assessor resubmits during moderation", update: workflows.UpdateSubmitAssess,
			arg:  workflows.RatingsRequest{Actor: assessorA(ann), Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "ok"},
			kind: workflows.ErrWrongStage, contains: "moderation"},
	}
	schedule(moderating)
	stillModerating := h.statusAt(at + time.Minute)
	h.withdrawAt(at + time.Hour)
	h.run(in)

	for _, list := range [][]*attempt{offered, assessing, moderating} {
		for _, a := range list {
			t.Run(a.name, func(t *testing.T) { requireRejected(t, a.o, a.kind, a.contains) })
		}
	}
	// Details name the offending codes.
	var unknown, unrated []string
	require.NoError(t, appErr(assessing[3].o.err).Details(&unknown))
	require.Equal(t, []string{"ZZ9"}, unknown)
	require.NoError(t, appErr(assessing[4].o.err).Details(&unrated))
	require.Equal(t, []string{"LD2", "LA5"}, unrated)
	require.Subset(t, silver, unrated)

	// A refused action changes nothing.
	require.Equal(t, workflows.StageOffered, beforeAccept.Stage)
	require.Equal(t, ann, beforeAccept.Assessment.Offer.PersonID)
	requireDone(t, accepted)
	require.Equal(t, []string{"accepted", "released"}, h.assignment(offer1), "accepted once, released by the withdrawal")
	require.Len(t, auditLines(h.records, "offer_accepted"), 1)
	require.Equal(t, ann, auditLines(h.records, "offer_accepted")[0].Actor)
	require.Empty(t, auditLines(h.records, "offer_declined"))
	require.Equal(t, workflows.StageAssessment, refusedNothing.Stage)
	require.Empty(t, refusedNothing.Assessment.Ratings, "no refused ratings were kept")
	require.Nil(t, refusedNothing.Assessment.AssessedAt)

	requireDone(t, done)
	sub := decode[submittedDetail](t, oneAudit(t, h.records, "assessment_submitted"))
	require.Equal(t, "bronze", sub.Recommended)
	require.True(t, sub.ModerationRequired)
	require.Equal(t, workflows.StageModeration, stillModerating.Stage)
	require.Equal(t, mod, stillModerating.Assessment.Moderation.ModeratorID)
	require.Empty(t, stillModerating.Assessment.Moderation.Outcome)
	require.Len(t, auditLines(h.records, "moderated"), 0)
	require.Len(t, auditLines(h.records, "assessment_submitted"), 1)
	require.True(t, h.start.Add(submittedAt).Equal(*stillModerating.Assessment.AssessedAt))
	require.Equal(t, "2026-01-07", stillModerating.Assessment.VisitDate)
}

// --- stage 7: why a recommendation is moderated ---

// Each reason of the moderation rule sends the recommendation to a moderator, who is never
// the assessor; the moderator confirms it and the decision follows.
func TestModerationReasons(t *testing.T) {
	cases := []struct {
		name     string
		target   award.Level
		ratings  func(in workflows.ApplicationInput) map[string]award.Level
		reason   string
		decision string
	}{
		{"gold recommendation", award.Gold,
			func(in workflows.ApplicationInput) map[string]award.Level {
				return ratingsAt(in, award.Gold, award.Gold, nil)
			},
			"Gold recommendation", "gold"},
		{"not yet", award.Bronze,
			func(in workflows.ApplicationInput) map[string]award.Level {
				return ratingsAt(in, award.Bronze, award.Bronze, map[string]award.Level{"WB2": award.NotMet})
			},
			`"not yet" recommendation`, "not_met"},
		{"differs from the target", award.Gold,
			func(in workflows.ApplicationInput) map[string]award.Level {
				return ratingsAt(in, award.Gold, award.Gold, map[string]award.Level{"WB4": award.Silver})
			},
			"recommendation (Silver) differs from the target (Gold)", "silver"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.roster = []string{ann}
			h.moderators = []string{ann, mod} // the assessor is never their own moderator
			in := input(award.VariantPrimary)
			_, s := h.submitPortfolio(in, time.Hour, c.target)
			h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
			submitAt := s + 2*time.Hour
			submitted := h.updateAt(submitAt, workflows.UpdateSubmitAssess, func() any {
				return workflows.RatingsRequest{Actor: assessorA(ann), Ratings: c.ratings(in), Feedback: "feedback"}
			})
			confirmed := h.updateAt(submitAt+time.Hour, workflows.UpdateModerate, func() any {
				return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationConfirm}
			})
			h.withdrawAt(submitAt + 2*time.Hour)
			h.run(in)

			requireDone(t, submitted)
			sub := decode[submittedDetail](t, oneAudit(t, h.records, "assessment_submitted"))
			require.True(t, sub.ModerationRequired)
			require.Contains(t, sub.ModerationReasons, c.reason)
			require.Equal(t, c.decision, sub.Recommended)
			requested := oneAudit(t, h.records, "moderation_requested")
			require.Equal(t, mod, requested.Detail["moderator"])
			require.Equal(t, mod, requested.Rec.ModeratorID)
			require.Equal(t, ann, requested.Rec.AssessorID)
			require.True(t, h.start.Add(submitAt).Equal(requested.Rec.At), "a moderator is asked at once")
			wantDue := workCal.Add(h.start.Add(submitAt), 10)
			require.True(t, wantDue.Equal(*requested.Rec.DueAt), "moderation due %s, want %s", requested.Rec.DueAt, wantDue)
			requests := h.sent("moderation_request")
			require.Len(t, requests, 1)
			require.Equal(t, mod, requests[0].To)
			requireDone(t, confirmed)
			require.Equal(t, "confirmed", confirmed.value.(workflows.Status).Assessment.Moderation.Outcome)
			require.NotNil(t, recordWith(h.records, "moderated"))
			if c.decision == "not_met" {
				require.Len(t, h.sent("not_yet"), 1)
			} else {
				require.Equal(t, c.decision, oneAudit(t, h.records, "awarded").Detail["level"])
			}
			require.Equal(t, "completed", h.lastState("app_test/moderation/1"))
		})
	}
}

// An assessor's first three assessments are moderated. The Allocate mock reports 5 prior
// assessments, so these journeys continue (as after continue-as-new) with the assessment
// already accepted by an assessor with fewer.
func TestModerationOfAnAssessorsFirstThreeAssessments(t *testing.T) {
	for _, prior := range []int{0, 2, 3} {
		t.Run(fmt.Sprintf("prior %d", prior), func(t *testing.T) {
			h := newHarness(t)
			h.moderators = []string{mod}
			in := input(award.VariantPrimary)
			submitted, due := h.start.Add(-3*day), workCal.Add(h.start, 20)
			accepted := h.start.Add(-day)
			in.State = &workflows.State{
				Stage: workflows.StageAssessment, Seq: 40, RegisteredAt: h.start.Add(-100 * day), LastActivityAt: submitted,
				TargetLevel: award.Silver, SubmittedAt: &submitted, Flags: []string{},
				Assessment: workflows.Assessment{AssessorID: ann, AssessorName: "Assessor " + ann, AssignmentID: offer1,
					AssessorPrior: prior, AcceptedAt: &accepted, DueAt: &due, Round: 1, Offers: 1},
			}
			o := h.updateAt(time.Hour, workflows.UpdateSubmitAssess, func() any {
				return workflows.RatingsRequest{Actor: assessorA(ann), Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "f"}
			})
			h.withdrawAt(2 * time.Hour)
			h.run(in)

			requireDone(t, o)
			sub := decode[submittedDetail](t, oneAudit(t, h.records, "assessment_submitted"))
			require.Equal(t, "silver", sub.Recommended)
			if prior < 3 {
				require.True(t, sub.ModerationRequired)
				require.Equal(t, []string{fmt.Sprintf("assessor's first 3 assessments (this is number %d)", prior+1)}, sub.ModerationReasons)
				require.NotNil(t, recordWith(h.records, "moderation_requested"))
				return
			}
			requireSampleConsistent(t, h, sub)
		})
	}
}

// With no other reason, moderation is the 10% random sample. The draw is random (recorded in
// history through SideEffect), so each run checks that the outcome agrees with its draw:
// moderated iff draw < 0.10, and otherwise confirmed automatically and decided at once.
func TestModerationSampleAgreesWithTheRecordedDraw(t *testing.T) {
	for i := range 8 {
		t.Run(fmt.Sprintf("run %d", i), func(t *testing.T) {
			h := newHarness(t)
			h.roster = []string{ann}
			h.moderators = []string{mod}
			in := input(award.VariantPrimary)
			_, s := h.submitPortfolio(in, time.Hour, award.Silver)
			h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
			o := h.updateAt(s+2*time.Hour, workflows.UpdateSubmitAssess, func() any {
				return workflows.RatingsRequest{Actor: assessorA(ann), Ratings: ratingsAt(in, award.Silver, award.Silver, nil), Feedback: "f"}
			})
			h.withdrawAt(s + 3*time.Hour)
			h.run(in)
			requireDone(t, o)
			sub := decode[submittedDetail](t, oneAudit(t, h.records, "assessment_submitted"))
			require.Equal(t, "silver", sub.Recommended)
			requireSampleConsistent(t, h, sub)
			if !sub.ModerationRequired {
				awarded := oneAudit(t, h.records, "awarded")
				require.True(t, h.start.Add(s+2*time.Hour).Equal(awarded.Rec.At), "decided at once")
				require.Equal(t, "automatic", o.value.(workflows.Status).Assessment.Moderation.Outcome)
			}
		})
	}
}

func requireSampleConsistent(t *testing.T, h *harness, sub submittedDetail) {
	t.Helper()
	require.GreaterOrEqual(t, sub.SampleDraw, 0.0)
	require.Less(t, sub.SampleDraw, 1.0)
	require.Equal(t, sub.SampleDraw < award.ModerationSampleRate, sub.ModerationRequired, "draw %v", sub.SampleDraw)
	if sub.ModerationRequired {
		require.Len(t, sub.ModerationReasons, 1)
		require.True(t, strings.HasPrefix(sub.ModerationReasons[0], "random sample (draw "), sub.ModerationReasons[0])
		require.NotNil(t, recordWith(h.records, "moderation_requested"))
		return
	}
	require.Empty(t, sub.ModerationReasons)
	require.Nil(t, recordWith(h.records, "moderation_requested"))
	require.Empty(t, h.sent("moderation_request"))
}

// --- stage 7: refer back once, amend ---

func TestReferBackOnceToTheSameModeratorThenAmend(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann}
	h.moderators = []string{mod}
	in := input(award.VariantPrimary)
	_, s := h.submitPortfolio(in, time.Hour, award.Silver)
	h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	// Monday 5 January: gold everywhere for a silver target recommends silver; bronze for one
	// standard recommends bronze, which differs from the target: moderated.
	first := h.updateAt(s+2*time.Hour, workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "first",
			Ratings: ratingsAt(in, award.Silver, award.Silver, map[string]award.Level{"LD4": award.Bronze})}
	})
	referAt := time.Date(2026, 1, 7, 14, 0, 0, 0, time.UTC) // Wednesday
	referred := h.updateAt(h.offset(referAt), workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationReferBack, Rationale: "look at LD4 again"}
	})
	// Were another moderator picked now, it would be mod2.
	h.at(h.offset(referAt)+time.Minute, func() { h.setModerators(mod2) })
	resubmitDue := time.Date(2026, 1, 21, 14, 0, 0, 0, time.UTC) // 10 working days later
	reminderAt := time.Date(2026, 1, 14, 14, 0, 0, 0, time.UTC)  // 5 working days before
	resubmitAt := reminderAt.Add(time.Hour)
	second := h.updateAt(h.offset(resubmitAt), workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "second", Ratings: ratingsAt(in, award.Silver, award.Silver, nil)}
	})
	again := h.updateAt(h.offset(resubmitAt)+time.Hour, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationReferBack, Rationale: "once more"}
	})
	noRationale := h.updateAt(h.offset(resubmitAt)+time.Hour+time.Minute, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationAmend,
			Ratings: ratingsAt(in, award.Silver, award.Bronze, nil)}
	})
	amendAt := h.offset(resubmitAt) + 2*time.Hour
	amended := h.updateAt(amendAt, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationAmend, Rationale: "LD4 and RB4 are bronze",
			Ratings: ratingsAt(in, award.Silver, award.Silver, map[string]award.Level{"LD4": award.Bronze, "RB4": award.Bronze})}
	})
	h.withdrawAt(amendAt + day)
	h.run(in)

	requireDone(t, first)
	requireDone(t, referred)
	st := referred.value.(workflows.Status)
	require.Equal(t, workflows.StageAssessment, st.Stage)
	require.Equal(t, 2, st.Assessment.Round)
	require.True(t, resubmitDue.Equal(*st.Assessment.DueAt), "due %s, want %s", st.Assessment.DueAt, resubmitDue)
	require.True(t, st.Assessment.Moderation.ReferredBack)
	back := h.sent("referred_back")
	require.Len(t, back, 1)
	require.Equal(t, ann, back[0].To)
	// The assessor is reminded in the new round, 5 working days before its due date.
	reminders := h.sent("assessment_reminder")
	require.Len(t, reminders, 1)
	require.Equal(t, h.offset(reminderAt), reminders[0].At)
	require.Contains(t, reminders[0].Key, "/assessment-2-before/")

	// The same moderator sees it again, without another AssignModerator call.
	requireDone(t, second)
	st = second.value.(workflows.Status)
	require.Equal(t, workflows.StageModeration, st.Stage)
	require.Equal(t, mod, st.Assessment.Moderation.ModeratorID)
	require.True(t, st.Assessment.Moderation.ReferredBack)
	require.Equal(t, []string{"referred back by the moderator"}, st.Assessment.Moderation.Reasons)
	require.True(t, workCal.Add(resubmitAt, 10).Equal(*st.Assessment.Moderation.DueAt))
	require.Len(t, auditLines(h.records, "moderation_requested"), 1, "AssignModerator ran once")
	require.Equal(t, []string{mod, mod}, tos(h.sent("moderation_request")))
	require.Equal(t, h.offset(resubmitAt), h.sent("moderation_request")[1].At)

	requireRejected(t, again, workflows.ErrWrongStage, "already been referred back")
	requireRejected(t, noRationale, workflows.ErrInvalid, "rationale")
	requireDone(t, amended)
	st = amended.value.(workflows.Status)
	require.Equal(t, "amended", st.Assessment.Moderation.Outcome)
	require.Equal(t, "LD4 and RB4 are bronze", st.Assessment.Moderation.Rationale)
	awarded := oneAudit(t, h.records, "awarded")
	require.Equal(t, "bronze", awarded.Detail["level"], "the amended ratings decide")
	require.Equal(t, "bronze", awarded.Rec.LevelAwarded)
	require.Equal(t, "completed", h.lastState("app_test/moderation/1"))
	require.Equal(t, []string{applicant}, tos(h.sent("awarded")))
}

// --- stage 7: the moderation's own timers ---

func TestModerationRemindersAndOverdue(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann}
	h.moderators = []string{mod}
	in := input(award.VariantPrimary)
	_, s := h.submitPortfolio(in, time.Hour, award.Silver)
	h.updateAt(s+10*time.Minute, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	submitAt := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC) // Monday
	h.updateAt(h.offset(submitAt), workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "f", Ratings: ratingsAt(in, award.Silver, award.Bronze, nil)}
	})
	due := time.Date(2026, 1, 19, 12, 0, 0, 0, time.UTC)       // 10 working days
	before := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)    // 5 working days before
	overdueAt := time.Date(2026, 1, 22, 12, 0, 0, 0, time.UTC) // 3 working days after
	confirmed := h.updateAt(h.offset(overdueAt)+day, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationConfirm}
	})
	h.withdrawAt(h.offset(overdueAt) + 2*day)
	h.run(in)

	reminders := h.sent("moderation_reminder")
	require.Equal(t, []time.Duration{h.offset(before), h.offset(due)}, ats(reminders))
	require.Equal(t, []string{mod, mod}, tos(reminders))
	require.Empty(t, h.sent("assessment_reminder"), "the assessment was in on time")
	flagged := oneAudit(t, h.records, "flagged_moderation_overdue")
	require.True(t, overdueAt.Equal(flagged.Rec.At))
	require.Contains(t, flagged.Rec.Flags, workflows.FlagModerationOverdue)
	overdue := h.sent("moderation_overdue")
	require.Len(t, overdue, 1)
	require.Equal(t, admin, overdue[0].To)
	requireDone(t, confirmed)
	require.NotContains(t, confirmed.value.(workflows.Status).Flags, workflows.FlagModerationOverdue)
	require.Equal(t, "bronze", oneAudit(t, h.records, "awarded").Detail["level"])
}

func TestNoEligibleModeratorIsFlaggedAndRetriedNextWorkingDay(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann}
	h.moderators = []string{ann} // only the assessor: nobody may moderate
	in := input(award.VariantPrimary)
	_, s := h.submitPortfolio(in, time.Hour, award.Silver)
	h.updateAt(s+10*time.Minute, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	friday := time.Date(2026, 1, 9, 12, 0, 0, 0, time.UTC)
	h.updateAt(h.offset(friday), workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "f", Ratings: ratingsAt(in, award.Silver, award.Bronze, nil)}
	})
	monday := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)
	tuesday := monday.Add(day)
	h.at(h.offset(monday)+time.Hour, func() { h.setModerators(ann, mod) })
	h.withdrawAt(h.offset(tuesday) + time.Hour)
	h.run(in)

	missing := auditLines(h.records, "moderator_not_found")
	require.Len(t, missing, 2)
	require.True(t, friday.Equal(missing[0].Rec.At))
	require.True(t, monday.Equal(missing[1].Rec.At), "retried the next working day, not on Saturday")
	require.Contains(t, missing[0].Rec.Flags, workflows.FlagNoModerator)
	alerts := h.sent("admin_alert")
	require.Len(t, alerts, 1)
	require.Equal(t, admin, alerts[0].To)
	require.Equal(t, h.offset(friday), alerts[0].At)
	requested := oneAudit(t, h.records, "moderation_requested")
	require.True(t, tuesday.Equal(requested.Rec.At))
	require.Equal(t, mod, requested.Rec.ModeratorID)
	require.NotContains(t, requested.Rec.Flags, workflows.FlagNoModerator)
	require.Equal(t, []string{mod}, tos(h.sent("moderation_request")))
}

// --- stage 8: decision, certificate, lapse ---

func TestAwardIsCappedAtTheTargetAndLapsesAfterThreeYears(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann}
	h.moderators = []string{mod}
	in := input(award.VariantPrimary)
	_, s := h.submitPortfolio(in, time.Hour, award.Silver)
	h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	submitted := h.updateAt(s+2*time.Hour, workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "excellent", Ratings: ratingsAt(in, award.Gold, award.Gold, nil)}
	})
	// Silver for a silver target is moderated only when sampled: then the moderator confirms.
	confirm := h.updateAt(s+3*time.Hour, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationConfirm}
	})
	awarded := h.statusAt(s + 4*time.Hour)
	h.run(in) // the journey ends by itself when the award lapses

	requireDone(t, submitted)
	sub := decode[submittedDetail](t, oneAudit(t, h.records, "assessment_submitted"))
	require.Equal(t, "silver", sub.Recommended, "all gold, capped at the silver target")
	decidedAt := h.start.Add(s + 2*time.Hour)
	if sub.ModerationRequired {
		requireDone(t, confirm)
		decidedAt = decidedAt.Add(time.Hour)
	} else {
		requireRejected(t, confirm, workflows.ErrWrongStage, "awarded")
	}
	rec := oneAudit(t, h.records, "awarded")
	require.True(t, decidedAt.Equal(rec.Rec.At))
	require.Equal(t, "silver", rec.Detail["level"])
	key := activities.CertificateKey(in.TenantID, in.ApplicationID)
	require.Equal(t, key, rec.Detail["certificate"])
	require.Equal(t, "silver", rec.Rec.LevelAwarded)
	require.Equal(t, string(workflows.StageAwarded), rec.Rec.Stage)

	require.Equal(t, workflows.StageAwarded, awarded.Stage)
	require.Equal(t, key, awarded.Assessment.Certificate)
	require.Equal(t, award.Silver, awarded.Assessment.Decision)
	expires := decidedAt.AddDate(3, 0, 0)
	require.True(t, expires.Equal(*awarded.Assessment.ExpiresAt))
	require.Equal(t, []string{applicant}, tos(h.sent("awarded")))
	require.Equal(t, []string{supporter}, tos(h.sent("awarded_supporter")))
	require.Empty(t, h.sent("not_yet"))
	require.Equal(t, []string{"accepted", "completed"}, h.assignment(offer1))

	lapsed := oneAudit(t, h.records, "award_lapsed")
	require.True(t, expires.Equal(lapsed.Rec.At), "lapsed at %s, want %s", lapsed.Rec.At, expires)
	require.Equal(t, string(workflows.StageLapsed), lapsed.Rec.Stage)
	require.False(t, lapsed.Rec.Active)
	mail := h.sent("award_lapsed")
	require.Len(t, mail, 1)
	require.Equal(t, applicant, mail[0].To)
	require.Equal(t, h.offset(expires), mail[0].At)
	require.Equal(t, string(workflows.StageLapsed), h.records[len(h.records)-1].Stage)
}

// --- stage 9: "not yet", the resubmission window ---

// notYet schedules an application to "not yet": one standard not met, confirmed by the
// moderator. It returns when the decision is made.
func notYet(h *harness, in workflows.ApplicationInput) time.Duration {
	h.roster = []string{ann, bob}
	h.moderators = []string{mod}
	_, s := h.submitPortfolio(in, time.Hour, award.Bronze)
	h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	h.updateAt(s+2*time.Hour, workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "more on attendance",
			Ratings: ratingsAt(in, award.Bronze, award.Gold, map[string]award.Level{"LA2": award.NotMet})}
	})
	h.updateAt(s+3*time.Hour, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationConfirm}
	})
	return s + 3*time.Hour
}

func TestNotYetThenTheResubmissionWindowCloses(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	decided := notYet(h, in)
	during := h.statusAt(decided + time.Hour)
	h.run(in) // the journey ends by itself when the window closes

	require.Equal(t, workflows.StageNotYet, during.Stage)
	by := h.start.Add(decided).AddDate(0, 3, 0)
	require.True(t, by.Equal(*during.Assessment.ResubmitBy))
	require.Equal(t, award.NotMet, during.Assessment.Decision)
	require.Empty(t, during.Assessment.Certificate)
	ny := oneAudit(t, h.records, "not_yet")
	require.True(t, h.start.Add(decided).Equal(ny.Rec.At))
	require.Equal(t, string(workflows.StageNotYet), ny.Rec.Stage)
	require.Equal(t, []string{applicant}, tos(h.sent("not_yet")))
	require.Empty(t, h.sent("awarded"))
	require.Equal(t, []string{"accepted", "completed"}, h.assignment(offer1))
	require.Equal(t, "completed", h.lastState("app_test/moderation/1"))

	reminder := h.sent("resubmission_reminder")
	require.Len(t, reminder, 1)
	require.Equal(t, applicant, reminder[0].To)
	require.Equal(t, h.offset(by)-14*day, reminder[0].At, "two weeks before the window closes")
	closed := oneAudit(t, h.records, "resubmission_window_closed")
	require.True(t, by.Equal(closed.Rec.At))
	require.Equal(t, string(workflows.StageClosed), closed.Rec.Stage)
	require.False(t, closed.Rec.Active)
	require.Equal(t, []string{applicant}, tos(h.sent("resubmission_closed")))
	require.Equal(t, h.offset(by), h.sent("resubmission_closed")[0].At)
}

func TestResubmissionGoesBackToTheSameAssessor(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	decided := notYet(h, in)
	resubmitAt := decided + 30*day
	resubmitted := h.updateAt(resubmitAt, workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: applicantA, TargetLevel: award.Bronze}
	})
	accepted := h.updateAt(resubmitAt+time.Hour, workflows.UpdateAcceptOffer, func() any {
		return workflows.OfferReply{Actor: assessorA(ann)}
	})
	h.withdrawAt(resubmitAt + 120*day)
	h.run(in)

	requireDone(t, resubmitted)
	require.Equal(t, workflows.StageAwaitingAllocation, resubmitted.value.(workflows.Status).Stage)
	require.Len(t, h.allocations, 2)
	last := h.lastAllocation()
	require.Equal(t, ann, last.Prefer, "back to the same assessor")
	require.Empty(t, last.ByAdmin)
	require.Equal(t, offer2, last.AssignmentID)
	require.Equal(t, []string{ann, ann}, tos(h.sent("assessor_offer")))
	require.Equal(t, resubmitAt, h.sent("assessor_offer")[1].At)
	requireDone(t, accepted)
	st := accepted.value.(workflows.Status)
	require.Equal(t, workflows.StageAssessment, st.Stage)
	require.Equal(t, 2, st.Assessment.Round)
	require.Equal(t, 1, st.Assessment.Resubmitted)
	require.Nil(t, st.Assessment.ResubmitBy)
	// The window's timers stopped with the resubmission.
	require.Empty(t, h.sent("resubmission_reminder"))
	require.Empty(t, h.sent("resubmission_closed"))
	// The new round's reminders and overdue flag run (the assessor never submits).
	require.Len(t, h.sent("assessment_reminder"), 2)
	require.Contains(t, h.sent("assessment_reminder")[0].Key, "/assessment-2-before/")
	require.Len(t, h.sent("assessment_overdue"), 1)
}

// --- withdrawal releases whoever holds the application ---

func TestWithdrawalReleasesTheAssignments(t *testing.T) {
	cases := []struct {
		name     string
		steps    func(h *harness, in workflows.ApplicationInput, s time.Duration)
		stage    workflows.Stage
		released []string
	}{
		{"offered", func(*harness, workflows.ApplicationInput, time.Duration) {}, workflows.StageOffered, []string{offer1}},
		{"assessment", func(h *harness, _ workflows.ApplicationInput, s time.Duration) {
			h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
		}, workflows.StageAssessment, []string{offer1}},
		{"moderation", func(h *harness, in workflows.ApplicationInput, s time.Duration) {
			h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
			h.updateAt(s+2*time.Hour, workflows.UpdateSubmitAssess, func() any {
				return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "f", Ratings: ratingsAt(in, award.Silver, award.Bronze, nil)}
			})
		}, workflows.StageModeration, []string{offer1, "app_test/moderation/1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.roster = []string{ann}
			h.moderators = []string{mod}
			in := input(award.VariantPrimary)
			_, s := h.submitPortfolio(in, time.Hour, award.Silver)
			c.steps(h, in, s)
			withdrawn := h.updateAt(s+day, workflows.UpdateWithdraw, func() any {
				return workflows.WithdrawRequest{Actor: applicantA, Reason: "moving on"}
			})
			h.run(in)

			requireDone(t, withdrawn)
			rec := oneAudit(t, h.records, "withdrawn")
			require.Equal(t, string(c.stage), fmt.Sprint(rec.Detail["stage_before"])) // a local activity gets Go values, not JSON
			var released []string
			for _, a := range h.assignments {
				if a.State == "released" {
					require.Equal(t, "withdrawn", a.Reason)
					released = append(released, a.ID)
				}
			}
			require.Equal(t, c.released, released)
			require.Equal(t, string(workflows.StageWithdrawn), h.records[len(h.records)-1].Stage)
			require.Equal(t, []string{applicant}, tos(h.sent("withdrawal")))
			require.Empty(t, h.sent("assessment_reminder"))
			require.Empty(t, auditLines(h.records, "offer_expired"), "no timer fires after withdrawal")
		})
	}
}

// --- the applicant and the supporter never hold the application ---

// An offer that reached the applicant or the supporter (made before allocation excluded them;
// the Allocate mock offers whoever is on its roster) may be declined but not accepted; the
// next candidate is offered it at once.
func TestAPartyMayDeclineButNotAcceptAnOffer(t *testing.T) {
	for _, party := range []struct{ id, says string }{
		{applicant, "you are the applicant of this application"},
		{supporter, "you support this setting"},
	} {
		t.Run(party.id, func(t *testing.T) {
			h := newHarness(t)
			h.roster = []string{party.id, ann}
			in := input(award.VariantPrimary)
			_, s := h.submitPortfolio(in, time.Hour, award.Bronze)
			accepted := h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any {
				return workflows.OfferReply{Actor: assessorA(party.id)}
			})
			declined := h.updateAt(s+2*time.Hour, workflows.UpdateDeclineOffer, func() any {
				return workflows.OfferReply{Actor: assessorA(party.id), Reason: "my own setting"}
			})
			after := h.statusAt(s + 3*time.Hour)
			h.withdrawAt(s + day)
			h.run(in)

			requireRejected(t, accepted, workflows.ErrForbidden, "you cannot accept this offer: "+party.says)
			requireDone(t, declined)
			require.Equal(t, workflows.StageOffered, after.Stage)
			require.Equal(t, ann, after.Assessment.Offer.PersonID)
			require.Equal(t, []string{party.id, ann}, tos(h.sent("assessor_offer")))
			require.Nil(t, recordWith(h.records, "offer_accepted"))
		})
	}
}

// A journey whose assessment or moderation a party already holds (from before the rule, as
// continue-as-new carries it) refuses their ratings and their moderation; an admin reassigns
// it, and allocation goes on without them.
func TestAPartyHoldingTheWorkCannotAssessOrModerateIt(t *testing.T) {
	t.Run("assessment", func(t *testing.T) {
		h := newHarness(t)
		h.roster = []string{ann}
		in := input(award.VariantPrimary)
		submitted, due, accepted := h.start.Add(-3*day), workCal.Add(h.start, 20), h.start.Add(-day)
		in.State = &workflows.State{
			Stage: workflows.StageAssessment, Seq: 40, RegisteredAt: h.start.Add(-100 * day), LastActivityAt: submitted,
			TargetLevel: award.Bronze, SubmittedAt: &submitted, Flags: []string{},
			Assessment: workflows.Assessment{AssessorID: applicant, AssessorName: "Asha", AssignmentID: offer1,
				AssessorPrior: 5, AcceptedAt: &accepted, DueAt: &due, Round: 1, Offers: 1},
		}
		ratings := ratingsAt(in, award.Bronze, award.Bronze, nil)
		saved := h.updateAt(time.Hour, workflows.UpdateSaveRatings, func() any {
			return workflows.RatingsRequest{Actor: assessorA(applicant), Ratings: ratings}
		})
		sent := h.updateAt(2*time.Hour, workflows.UpdateSubmitAssess, func() any {
			return workflows.RatingsRequest{Actor: assessorA(applicant), Ratings: ratings, Feedback: "all good"}
		})
		reassigned := h.updateAt(3*time.Hour, workflows.UpdateReassign, func() any {
			return workflows.ReassignRequest{Actor: adminA, Reason: "the applicant cannot assess their own application"}
		})
		after := h.statusAt(4 * time.Hour)
		h.withdrawAt(day)
		h.run(in)

		requireRejected(t, saved, workflows.ErrForbidden, "you cannot assess this application: you are the applicant of this application")
		requireRejected(t, sent, workflows.ErrForbidden, "you cannot assess this application")
		require.Nil(t, recordWith(h.records, "assessment_submitted"))
		requireDone(t, reassigned)
		require.Equal(t, workflows.StageOffered, after.Stage)
		require.Equal(t, ann, after.Assessment.Offer.PersonID)
		require.Contains(t, h.lastAllocation().Excluded, applicant)
	})
	t.Run("moderation", func(t *testing.T) {
		h := newHarness(t)
		in := input(award.VariantPrimary)
		submitted, accepted, assessed := h.start.Add(-10*day), h.start.Add(-8*day), h.start.Add(-day)
		due := workCal.Add(h.start, 5)
		in.State = &workflows.State{
			Stage: workflows.StageModeration, Seq: 50, RegisteredAt: h.start.Add(-100 * day), LastActivityAt: assessed,
			TargetLevel: award.Bronze, SubmittedAt: &submitted, Flags: []string{},
			Assessment: workflows.Assessment{AssessorID: ann, AssessorName: "Assessor " + ann, AssignmentID: offer1,
				AssessorPrior: 1, AcceptedAt: &accepted, AssessedAt: &assessed, Round: 1, Offers: 1,
				Ratings: ratingsAt(in, award.Bronze, award.Bronze, nil), Feedback: "f", Recommended: award.Bronze,
				Moderation: &workflows.Moderation{Required: true, Reasons: []string{"assessor's first 3 assessments (this is number 2)"},
					ModeratorID: supporter, Name: "Sam", AssignmentID: "app_test/moderation/1", RequestedAt: &assessed, DueAt: &due}},
		}
		confirmed := h.updateAt(time.Hour, workflows.UpdateModerate, func() any {
			return workflows.ModerateRequest{Actor: moderatorA(supporter), Decision: workflows.ModerationConfirm}
		})
		h.withdrawAt(day)
		h.run(in)

		requireRejected(t, confirmed, workflows.ErrForbidden, "you cannot moderate this application: you support this setting")
		require.Nil(t, recordWith(h.records, "moderated"))
	})
}
