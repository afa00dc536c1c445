package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awardengine/award"
	"awardengine/workflows"
)

// TestTheTenantsDeadlinesRunTheJourney: a council that gives assessors 2 working days to
// accept, 8 to assess, reminds 2 before a due day and gives 2 months to resubmit (reminded a
// week before) runs its journeys on those, not on SPEC §3's defaults; the status says which.
func TestTheTenantsDeadlinesRunTheJourney(t *testing.T) {
	h := newHarness(t)
	in := input(award.VariantPrimary)
	in.Settings.OfferWorkdays, in.Settings.AssessmentWorkdays, in.Settings.ReminderWorkdays = 2, 8, 2
	in.Settings.ResubmitMonths, in.Settings.ResubmitReminderDays = 2, 7
	h.roster = []string{ann, bob}
	h.moderators = []string{mod}
	_, s := h.submitPortfolio(in, time.Hour, award.Bronze)
	offered := h.statusAt(s + 30*time.Minute)
	accepted := h.updateAt(s+time.Hour, workflows.UpdateAcceptOffer, func() any { return workflows.OfferReply{Actor: assessorA(ann)} })
	h.updateAt(s+2*time.Hour, workflows.UpdateSubmitAssess, func() any {
		return workflows.RatingsRequest{Actor: assessorA(ann), Feedback: "more on attendance",
			Ratings: ratingsAt(in, award.Bronze, award.Gold, map[string]award.Level{"LA2": award.NotMet})}
	})
	decided := s + 3*time.Hour
	h.updateAt(decided, workflows.UpdateModerate, func() any {
		return workflows.ModerateRequest{Actor: moderatorA(mod), Decision: workflows.ModerationConfirm}
	})
	during := h.statusAt(decided + time.Hour)
	h.run(in)

	want := award.Deadlines{OfferWorkdays: 2, AssessmentWorkdays: 8, ModerationWorkdays: 10, ReminderWorkdays: 2,
		OverdueWorkdays: 3, ResubmitMonths: 2, ResubmitReminderDays: 7}
	require.Equal(t, want, offered.Deadlines)
	offer := offered.Assessment.Offer
	require.NotNil(t, offer)
	require.True(t, workCal.Add(offer.OfferedAt, 2).Equal(offer.ExpiresAt), "offer expires %s", offer.ExpiresAt)

	requireDone(t, accepted)
	st := accepted.value.(workflows.Status)
	require.True(t, workCal.Add(h.start.Add(s+time.Hour), 8).Equal(*st.Assessment.DueAt), "due %s", st.Assessment.DueAt)

	by := h.start.Add(decided).AddDate(0, 2, 0)
	require.True(t, by.Equal(*during.Assessment.ResubmitBy), "resubmit by %s, want %s", during.Assessment.ResubmitBy, by)
	reminder := h.sent("resubmission_reminder")
	require.Len(t, reminder, 1)
	require.Equal(t, h.offset(by)-7*day, reminder[0].At, "a week before the window closes")
}

// TestJourneysBeforeDeadlineSettingsKeepTheDefaults: an input without the deadline settings
// (a journey registered before they existed) runs on SPEC §3's defaults.
func TestJourneysBeforeDeadlineSettingsKeepTheDefaults(t *testing.T) {
	require.Equal(t, award.DefaultDeadlines, award.Settings{}.Deadlines())
	require.Equal(t, award.DefaultDeadlines, award.DefaultSettings().Deadlines())
}
