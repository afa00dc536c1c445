package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/workflows"
)

// awardGold drives a journey to a Gold award: moderation is always required for Gold, and the
// moderator confirms. It returns when the award is decided.
func awardGold(h *harness, in workflows.ApplicationInput) time.Duration {
	h.roster = []string{ann}
	h.moderators = []string{mod}
	_, s := h.submitPortfolio(in, time.Hour, award.Gold)
	h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	h.updateAt(s+2*time.Hour, workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "outstanding", Ratings: ratingsAt(in, award.Gold, award.Gold, nil)}
	})
	h.updateAt(s+3*time.Hour, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationConfirm}
	})
	return s + 3*time.Hour
}

func TestReassessmentRemindersFireOnceOnTheirDatesThenTheAwardLapsesAndIsErased(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	decided := awardGold(h, in)
	h.run(in)

	expires := h.start.Add(decided).AddDate(3, 0, 0)
	reminders := h.sent("reassessment_reminder")
	require.Len(t, reminders, 4)
	for i, m := range []int{12, 6, 3, 1} {
		require.Equal(t, h.offset(expires.AddDate(0, -m, 0)), reminders[i].At, "%d months before", m)
		require.Equal(t, applicant, reminders[i].To)
	}
	require.Len(t, h.sent("reassessment_reminder_supporter"), 4)
	lapsed := oneAudit(t, h.records, "award_lapsed")
	require.True(t, expires.Equal(lapsed.Rec.At))
	require.Equal(t, string(workflows.StageLapsed), lapsed.Rec.Stage)
	require.Len(t, h.sent("award_lapsed"), 1)
	// Six years after the award lapsed, its evidence and personal data are erased, once.
	require.Equal(t, []time.Duration{h.offset(expires.AddDate(6, 0, 0))}, h.erased)
}

func TestReapplyingPausesRemindersAndAWithdrawnReapplicationResumesThem(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	decided := awardGold(h, in)
	expires := h.start.Add(decided).AddDate(3, 0, 0)
	signal := func(at time.Time, event string) {
		h.at(h.offset(at), func() {
			h.env.SignalWorkflow(workflows.SignalReassessment, workflows.ReassessmentSignal{ApplicationID: "app_new", Event: event})
		})
	}
	signal(expires.AddDate(0, -13, 0), workflows.ReassessmentStarted) // before the 12-month reminder
	signal(expires.AddDate(0, -5, 0), workflows.ReassessmentEnded)    // withdrawn after the 6-month one was due
	h.run(in)

	var months []time.Duration
	for _, r := range h.sent("reassessment_reminder") {
		months = append(months, r.At)
	}
	require.Equal(t, []time.Duration{h.offset(expires.AddDate(0, -3, 0)), h.offset(expires.AddDate(0, -1, 0))}, months,
		"paused reminders are not sent late; the later ones resume")
	require.Len(t, auditLines(h.records, "reassessment_started"), 1)
	require.Len(t, auditLines(h.records, "reassessment_ended"), 1)
}

func TestANewAwardSupersedesTheOldOne(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	decided := awardGold(h, in)
	h.at(decided+30*day, func() {
		h.env.SignalWorkflow(workflows.SignalReassessment, workflows.ReassessmentSignal{ApplicationID: "app_new", Event: workflows.ReassessmentStarted})
	})
	h.at(decided+60*day, func() {
		h.env.SignalWorkflow(workflows.SignalReassessment, workflows.ReassessmentSignal{ApplicationID: "app_new", Event: workflows.ReassessmentAwarded})
	})
	h.run(in)
	sup := oneAudit(t, h.records, "reassessment_awarded")
	require.Equal(t, string(workflows.StageSuperseded), sup.Rec.Stage)
	require.Empty(t, h.sent("reassessment_reminder"))
	require.Empty(t, h.sent("award_lapsed"), "a superseded award does not lapse")
	require.Equal(t, []time.Duration{decided + 60*day + 6*365*day + 2*day}, roundDays(h.erased, decided+60*day))
}

// roundDays re-expresses erasure offsets so leap days do not make the test brittle: six
// calendar years are 2191 or 2192 days.
func roundDays(ds []time.Duration, from time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		days := (d - from) / day
		if days == 6*365+1 {
			days++
		}
		out[i] = from + days*day
	}
	return out
}

func TestLegalHoldKeepsTheDataUntilLifted(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	h.withdrawAt(time.Hour)
	hold := h.updateAt(2*time.Hour, workflows.UpdateLegalHold, func() any {
		return workflows.LegalHoldRequest{Actor: workflows.Actor{ID: admin, Role: workflows.RoleAdmin}, On: true, Reason: "tribunal"}
	})
	byApplicant := h.updateAt(3*time.Hour, workflows.UpdateLegalHold, func() any {
		return workflows.LegalHoldRequest{Actor: workflows.Actor{ID: applicant, Role: workflows.RoleApplicant}, On: false}
	})
	lift := 7 * 365 * day
	h.updateAt(lift, workflows.UpdateLegalHold, func() any {
		return workflows.LegalHoldRequest{Actor: workflows.Actor{ID: admin, Role: workflows.RoleAdmin}, On: false}
	})
	h.run(in)
	requireDone(t, hold)
	requireRejected(t, byApplicant, workflows.ErrForbidden, "admin")
	require.Equal(t, []time.Duration{lift}, h.erased, "not erased at six years under the hold; at once when lifted")
	require.Len(t, auditLines(h.records, "legal_hold_set"), 1)
	require.Len(t, auditLines(h.records, "legal_hold_lifted"), 1)
}

func TestAReassessmentCarriesEvidenceAndTellsTheOldAward(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	in.ApplicationID = "app_new"
	in.Previous = &workflows.PreviousAward{ApplicationID: "app_old", Level: award.Silver}
	first := in.Framework.Standards[0].Code
	in.Carried = []activities.Evidence{{ID: "ev1", ObjectKey: "tenants/northshire/applications/app_old/evidence/ev1/plan.pdf",
		Filename: "plan.pdf", ContentType: "application/pdf", Size: 10, SHA256: sha(1), Standards: []string{first, "GONE9"},
		State: activities.EvidenceConfirmed, Immutable: true}}
	var events []string
	h.env.OnSignalExternalWorkflow(mock.Anything, workflows.WorkflowID("app_old"), "", workflows.SignalReassessment, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			events = append(events, arg.(workflows.ReassessmentSignal).Event)
			return nil
		})
	st := h.statusAt(time.Minute)
	below := h.updateAt(2*time.Minute, workflows.UpdateSubmit, func() any {
		return workflows.SubmitRequest{Actor: applicantA, TargetLevel: award.Bronze}
	})
	h.withdrawAt(time.Hour)
	h.run(in)

	require.Len(t, st.Evidence, 1)
	ev := st.Evidence[0]
	require.Equal(t, "app_old", ev.CarriedFrom)
	require.Equal(t, in.Carried[0].ObjectKey, ev.ObjectKey, "carried by reference: the same object")
	require.Equal(t, []string{first}, ev.Standards, "codes the current framework no longer has are dropped")
	require.False(t, ev.Immutable, "its mapping may change until the reassessment is submitted")
	require.NotContains(t, st.Missing["bronze"], first, "the carried item covers its standard")
	require.NotEmpty(t, st.Missing["bronze"], "the rest still needs evidence")
	requireRejected(t, below, workflows.ErrInvalid, "same level")
	require.Equal(t, []string{workflows.ReassessmentStarted, workflows.ReassessmentEnded}, events)
}
