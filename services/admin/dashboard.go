package admin

import (
	"context"
	"errors"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workdays"
)

// PagesStore is what the dashboard and allocating by hand need of PostgreSQL besides Store
// (*postgres.DB has it): the counts per stage and flag with the median stays, and the assessor
// roster as allocation sees it for one setting. The service asks its DB for it.
type PagesStore interface {
	Dashboard(ctx context.Context, tenantID string, now, from, to time.Time) (postgres.Dashboard, error)
	Candidates(ctx context.Context, tenantID, settingID string) ([]award.Candidate, error)
	PreviousAssessor(ctx context.Context, tenantID, settingID, currentApplicationID string) (string, error)
}

// pagesStore is the DB as a PagesStore.
func (s *Service) pagesStore() (PagesStore, error) {
	if p, ok := s.DB.(PagesStore); ok {
		return p, nil
	}
	return nil, errors.New("admin: the store cannot count applications or list allocation candidates")
}

// DashboardDays is the period of the dashboard's medians: the stays that ended in the last
// year (today included).
const DashboardDays = 365

// Dashboard is the admin's overview of the tenant now: applications per stage, those overdue,
// the flags raised, and the median working days per stage over the last DashboardDays days.
func (s *Service) Dashboard(ctx context.Context, me award.Person) (structs.Dashboard, error) {
	if err := adminsOnly(me, "see the dashboard"); err != nil {
		return structs.Dashboard{}, err
	}
	db, err := s.pagesStore()
	if err != nil {
		return structs.Dashboard{}, err
	}
	now := time.Now()
	today := now.In(workdays.London)
	d, err := db.Dashboard(ctx, me.TenantID, now, today.AddDate(0, 0, 1-DashboardDays), today)
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
