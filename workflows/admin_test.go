package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awardengine/award"
	"awardengine/workflows"
)

func TestAdminNudgeResendsTheCurrentReminderOnce(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann}
	in := input(award.VariantPrimary)
	early := h.updateAt(30*time.Minute, workflows.UpdateNudge, func() any { return workflows.NudgeRequest{Actor: adminA} })
	_, s := h.submitPortfolio(in, time.Hour, award.Silver)
	h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	byAssessor := h.updateAt(s+2*time.Hour, workflows.UpdateNudge, func() any { return workflows.NudgeRequest{Actor: assessorA(ann)} })
	first := h.updateAt(s+3*time.Hour, workflows.UpdateNudge, func() any { return workflows.NudgeRequest{Actor: adminA, Reason: "visit booked?"} })
	second := h.updateAt(s+4*time.Hour, workflows.UpdateNudge, func() any { return workflows.NudgeRequest{Actor: adminA} })
	h.withdrawAt(s + 5*time.Hour)
	h.run(in)

	requireDone(t, early) // in the toolkit stage the applicant is nudged
	requireRejected(t, byAssessor, workflows.ErrForbidden, "admin")
	requireDone(t, first)
	requireDone(t, second)
	var nudges []string
	for _, e := range h.sent("assessment_reminder") {
		require.Equal(t, ann, e.To)
		nudges = append(nudges, e.Key)
	}
	require.Len(t, nudges, 2, "each nudge is its own message")
	require.Contains(t, nudges[0], "/nudge-2/")
	require.Len(t, auditLines(h.records, "nudged"), 3)
}

func TestAdminExtendsAnAssessmentDeadlineAndItsTimersMove(t *testing.T) {
	h := newHarness(t)
	h.roster = []string{ann}
	in := input(award.VariantPrimary)
	monday := time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)
	h.submitPortfolio(in, h.offset(monday), award.Silver)
	acceptAt := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC)
	h.updateAt(h.offset(acceptAt), workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	// Due Wednesday 22 April; overdue flagged Monday 27 April. An admin extends on 28 April.
	newDue := time.Date(2026, 5, 20, 17, 0, 0, 0, londonTZ)
	earlier := h.updateAt(h.offset(time.Date(2026, 4, 28, 9, 0, 0, 0, time.UTC)), workflows.UpdateExtend, func() any {
		return workflows.ExtendRequest{Actor: adminA, Until: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Reason: "x"}
	})
	extended := h.updateAt(h.offset(time.Date(2026, 4, 28, 10, 0, 0, 0, time.UTC)), workflows.UpdateExtend, func() any {
		return workflows.ExtendRequest{Actor: adminA, Until: newDue, Reason: "assessor on leave"}
	})
	after := h.statusAt(h.offset(time.Date(2026, 4, 28, 11, 0, 0, 0, time.UTC)))
	h.withdrawAt(h.offset(newDue) + 10*day)
	h.run(in)

	requireRejected(t, earlier, workflows.ErrInvalid, "after the current one")
	requireDone(t, extended)
	require.True(t, newDue.Equal(*after.Assessment.DueAt))
	require.NotContains(t, after.Flags, workflows.FlagAssessmentOverdue, "no longer late")
	// The due-day reminder of the new date, and the escalation again 3 working days later.
	var dueDay []time.Duration
	for _, r := range h.sent("assessment_reminder") {
		dueDay = append(dueDay, r.At)
	}
	require.Contains(t, dueDay, h.offset(newDue))
	overdue := auditLines(h.records, "flagged_assessment_overdue")
	require.Len(t, overdue, 2)
	require.True(t, time.Date(2026, 5, 26, 17, 0, 0, 0, londonTZ).Equal(overdue[1].Rec.At), "overdue again at %s", overdue[1].Rec.At)
	require.Len(t, auditLines(h.records, "deadline_extended"), 1)
}
