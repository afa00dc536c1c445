package integration

import (
	"testing"
	"time"

	"awardengine/award"
)

// Admins' actions take applications off the stuck list: extending an overdue step's deadline,
// and allocating by hand when no assessor was eligible.
func TestAdminActionsUnstick(t *testing.T) {
	tm := newAwardTeam(t, "unstickshire", 3)
	approval := time.Now().AddDate(-1, -1, 0).Format(time.DateOnly)
	late := tm.registerFoster(t, "UNSTICK-FY1", "The Larches", "first_year_foster", approval, award.NotMet)
	orphan := tm.registerFoster(t, "UNSTICK-MF1", "Hazel House", "mainstream_foster", "", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+orphan+"/submit", map[string]any{"target_level": "bronze"})
	eventually(t, "both on the stuck list", func() bool {
		d := stuckList(t, tm.adm)
		_, overdue := d.entry(late, "overdue")
		_, none := d.entry(orphan, "no_eligible_assessor")
		return overdue && none
	})

	until := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	tm.adm.must(200, "POST", "/v1/applications/"+late+"/extend", map[string]any{"until": until, "reason": "approval paperwork delayed"})
	tm.adm.must(200, "POST", "/v1/applications/"+orphan+"/allocate", map[string]any{"assessor": tm.ids["assessor"], "reason": "trained for fostering"})
	eventually(t, "both off the stuck list", func() bool {
		d := stuckList(t, tm.adm)
		return !d.mentions(late, orphan)
	})
	if a := tm.get(t, orphan); a.Stage != "offered" || a.Assessment.Offer.PersonID != tm.ids["assessor"] {
		t.Fatalf("after allocating by hand: %+v", a)
	}
}
