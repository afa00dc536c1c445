package postgres

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"awardengine/structs"
	"awardengine/workdays"
)

// Dashboard is structs.Dashboard: the wire type is declared once, in structs.
type Dashboard = structs.Dashboard

// Dashboard counts a tenant's applications per stage now (with those overdue at now: active,
// a person's step past its due date, as the stuck list counts them) and per flag, and the
// median working days per stage over the stays that ended from from to to (dates, both
// included, as Report's).
func (db *DB) Dashboard(ctx context.Context, tenantID string, now, from, to time.Time) (Dashboard, error) {
	d := Dashboard{GeneratedAt: now.UTC(), Stages: []structs.StageCount{}, Flags: []structs.FlagCount{}}
	counts := map[string]structs.StageCount{}
	rows, err := db.pool.Query(ctx, `
		SELECT stage, count(*), count(*) FILTER (WHERE active),
		       count(*) FILTER (WHERE active AND due_at < $2 AND next_who IN ('applicant', 'assessor', 'moderator', 'admin'))
		FROM applications WHERE tenant_id = $1
		GROUP BY stage`, tenantID, now)
	if err != nil {
		return d, err
	}
	var stage string
	var n, active, overdue int
	if _, err := pgx.ForEachRow(rows, []any{&stage, &n, &active, &overdue}, func() error {
		counts[stage] = structs.StageCount{Stage: stage, Applications: n, Overdue: overdue}
		d.Total += n
		d.Active += active
		d.Overdue += overdue
		return nil
	}); err != nil {
		return d, err
	}
	d.Stages = StageCounts(counts)

	rows, err = db.pool.Query(ctx, `
		SELECT f.flag, count(*) FROM applications a CROSS JOIN LATERAL unnest(a.flags) AS f(flag)
		WHERE a.tenant_id = $1 AND a.active AND cardinality(a.flags) > 0
		GROUP BY f.flag ORDER BY count(*) DESC, f.flag`, tenantID)
	if err != nil {
		return d, err
	}
	var flag string
	if _, err := pgx.ForEachRow(rows, []any{&flag, &n}, func() error {
		d.Flags = append(d.Flags, structs.FlagCount{Flag: flag, Applications: n})
		return nil
	}); err != nil {
		return d, err
	}

	start, end := Period(from, to)
	d.MedianFrom, d.MedianTo = start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly)
	lines, err := db.stageLines(ctx, tenantID, start, end)
	if err != nil {
		return d, err
	}
	d.MedianWorkingDays = StageMedians(StageSpans(lines), start, end, workdays.EnglandAndWales())
	return d, nil
}

// StageCounts lists every stage of the journey in order with its count (zeros too), then any
// stage counts holds that the journey does not know, sorted.
func StageCounts(counts map[string]structs.StageCount) []structs.StageCount {
	out := make([]structs.StageCount, 0, len(stageOrder)+len(counts))
	for _, st := range stageOrder {
		c := counts[st]
		c.Stage = st
		out = append(out, c)
	}
	var extra []string
	for st := range counts {
		if !slices.Contains(stageOrder, st) {
			extra = append(extra, st)
		}
	}
	sort.Strings(extra)
	for _, st := range extra {
		out = append(out, counts[st])
	}
	return out
}
