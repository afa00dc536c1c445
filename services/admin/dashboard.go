package admin

import (
	"context"
	"time"

	"awardengine/award"
	"awardengine/structs"
	"awardengine/workdays"
)

// DashboardDays is the period of the dashboard's medians: the stays that ended in the last
// year (today included).
const DashboardDays = 365

// Dashboard is the admin's overview of the tenant now: applications per stage, those overdue,
// the flags raised, and the median working days per stage over the last DashboardDays days.
func (s *Service) Dashboard(ctx context.Context, me award.Person) (structs.Dashboard, error) {
	if err := adminsOnly(me, "see the dashboard"); err != nil {
		return structs.Dashboard{}, err
	}
	now := time.Now()
	today := now.In(workdays.London)
	d, err := s.DB.Dashboard(ctx, me.TenantID, now, today.AddDate(0, 0, 1-DashboardDays), today)
	if d.Stages == nil {
		d.Stages = []structs.StageCount{}
	}
	if d.Flags == nil {
		d.Flags = []structs.FlagCount{}
	}
	if d.MedianWorkingDays == nil {
		d.MedianWorkingDays = []structs.StageMedian{}
	}
	return d, err
}
