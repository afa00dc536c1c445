package postgres

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"awardengine/award"
	"awardengine/structs"
	"awardengine/workdays"
)

// Report is structs.Report: the wire type is declared once, in structs.
type Report = structs.Report

// AwardedCount is structs.AwardedCount: the wire type is declared once, in structs.
type AwardedCount = structs.AwardedCount

// StageMedian is structs.StageMedian: the wire type is declared once, in structs.
type StageMedian = structs.StageMedian

// Workload is structs.Workload: the wire type is declared once, in structs.
type Workload = structs.Workload

// Stages as the report groups them.
var (
	workingTowardsStages = []string{"toolkit", "portfolio"}
	inAssessmentStages   = []string{"awaiting_allocation", "offered", "assessment", "moderation"}
	// stageOrder lists the stages in journey order, for the medians.
	stageOrder = []string{"toolkit", "portfolio", "awaiting_allocation", "offered", "assessment", "moderation",
		"not_yet", "awarded", "closed", "lapsed", "superseded", "withdrawn"}
)

// reportNotes explain the figures that are approximations.
var reportNotes = []string{
	"working_towards and in_assessment count applications registered before the period's end by their stage now, not at the period's end",
	"median_working_days counts working days in England and Wales (Monday to Friday, less bank holidays) from entering a stage to leaving it, over the stays that ended in the period",
	"awarded and reassessed_higher count distinct settings; an application reassessing an award is compared with the level of the award it replaces",
}

// Period returns the instants a report period covers: from midnight at the start of from's
// date to midnight at the end of to's date, in Europe/London. Only the dates of from and to
// (their year, month and day) count.
func Period(from, to time.Time) (start, end time.Time) {
	loc := workdays.London
	y, m, d := from.Date()
	start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	y, m, d = to.Date()
	end = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	return start, end
}

// levelRank orders the levels in SQL: not_met 0, bronze 1, silver 2, gold 3.
const levelRank = `CASE %s WHEN 'bronze' THEN 1 WHEN 'silver' THEN 2 WHEN 'gold' THEN 3 ELSE 0 END`

// Report computes the report of a tenant for the dates from to to (both included). Every
// query is scoped to the tenant and reads only rows of the period, except the current
// counts (working towards, in assessment, open offers), which read the projection now.
func (db *DB) Report(ctx context.Context, tenantID string, from, to time.Time) (Report, error) {
	start, end := Period(from, to)
	r := Report{TenantID: tenantID, From: start.Format(time.DateOnly), To: end.AddDate(0, 0, -1).Format(time.DateOnly),
		GeneratedAt: time.Now().UTC(), Notes: reportNotes}
	if !end.After(start) {
		return r, fmt.Errorf("report period: from %s is after to %s", r.From, r.To)
	}

	// Awards by track and level, and in total.
	counts := map[[2]string]int{}
	rows, err := db.pool.Query(ctx, `
		SELECT a.track, a.level_awarded, count(DISTINCT a.setting_id)
		FROM applications a
		WHERE a.tenant_id=$1 AND a.decided_at >= $2 AND a.decided_at < $3 AND a.level_awarded IN ('bronze','silver','gold')
		GROUP BY a.track, a.level_awarded`, tenantID, start, end)
	if err != nil {
		return r, err
	}
	var extraTracks []string
	var track, level string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&track, &level, &n}, func() error {
		counts[[2]string{track, level}] = n
		if !slices.Contains(award.Tracks(), award.Track(track)) && !slices.Contains(extraTracks, track) {
			extraTracks = append(extraTracks, track)
		}
		return nil
	}); err != nil {
		return r, err
	}
	tracks := make([]string, 0, 2+len(extraTracks))
	for _, t := range award.Tracks() {
		tracks = append(tracks, string(t))
	}
	sort.Strings(extraTracks)
	tracks = append(tracks, extraTracks...)
	for _, t := range tracks {
		for _, l := range []string{"bronze", "silver", "gold"} {
			r.Awarded = append(r.Awarded, AwardedCount{Track: t, Level: l, Settings: counts[[2]string{t, l}]})
		}
	}

	// One pass over the period's decisions, lapses and toolkit openings, and the current counts.
	err = db.pool.QueryRow(ctx, fmt.Sprintf(`
		SELECT
			(SELECT count(DISTINCT setting_id) FROM applications
			  WHERE tenant_id=$1 AND decided_at >= $2 AND decided_at < $3 AND level_awarded IN ('bronze','silver','gold')),
			(SELECT count(DISTINCT setting_id) FROM applications
			  WHERE tenant_id=$1 AND decided_at >= $2 AND decided_at < $3 AND level_awarded IN ('bronze','silver','gold')
			    AND reassessment_of IS NOT NULL AND %s > %s),
			(SELECT count(DISTINCT application_id) FROM audit_log
			  WHERE tenant_id=$1 AND at >= $2 AND at < $3 AND action='toolkit_opened' AND application_id IS NOT NULL),
			(SELECT count(*) FROM applications
			  WHERE tenant_id=$1 AND active AND stage = ANY($4) AND created_at < $3),
			(SELECT count(*) FROM applications
			  WHERE tenant_id=$1 AND active AND stage = ANY($5) AND created_at < $3),
			(SELECT count(*) FROM applications
			  WHERE tenant_id=$1 AND stage='lapsed' AND closed_at >= $2 AND closed_at < $3)`,
		fmt.Sprintf(levelRank, "level_awarded"), fmt.Sprintf(levelRank, "previous_level")),
		tenantID, start, end, workingTowardsStages, inAssessmentStages).
		Scan(&r.AwardedTotal, &r.ReassessedHigher, &r.ToolkitsAccessed, &r.WorkingTowards, &r.InAssessment, &r.Lapsed)
	if err != nil {
		return r, err
	}

	lines, err := db.stageLines(ctx, tenantID, start, end)
	if err != nil {
		return r, err
	}
	r.MedianWorkingDays = StageMedians(StageSpans(lines), start, end, workdays.EnglandAndWales())

	r.AssessorWorkload, err = db.workload(ctx, tenantID, start, end)
	return r, err
}

// StageLine is one audit line that records a stage: the stage before and after the step.
type StageLine struct {
	ApplicationID string
	StageBefore   string
	StageAfter    string
	At            time.Time
}

// StageSpan is one stay of an application in a stage.
type StageSpan struct {
	ApplicationID string
	Stage         string
	Start, End    time.Time
}

// stageLines reads the stage-recording audit lines, up to the period's end, of the
// applications that changed stage in the period: what StageSpans needs to find every stay
// that ended in it. Lines of applications that did not move in the period are not read.
func (db *DB) stageLines(ctx context.Context, tenantID string, start, end time.Time) ([]StageLine, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT l.application_id, COALESCE(l.stage_before, ''), l.stage_after, l.at
		FROM audit_log l
		WHERE l.tenant_id = $1 AND l.at < $3 AND l.stage_after IS NOT NULL
		  AND l.application_id IN (
			SELECT m.application_id FROM audit_log m
			WHERE m.tenant_id = $1 AND m.at >= $2 AND m.at < $3 AND m.application_id IS NOT NULL
			  AND m.stage_after IS NOT NULL AND m.stage_before IS DISTINCT FROM m.stage_after)
		ORDER BY l.application_id, l.id`, tenantID, start, end)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (StageLine, error) {
		var l StageLine
		err := row.Scan(&l.ApplicationID, &l.StageBefore, &l.StageAfter, &l.At)
		return l, err
	})
}

// StageSpans turns audit lines into stays in stages. Lines are grouped by application (in
// the order given, which must be the order they were written per application). An
// application enters the stage of its first line that names one; it leaves a stage S at
// the first later line whose stage after differs from S (that line's stage before is S),
// entering the new stage at the same moment. Lines without a stage after (steps that did
// not write the projection) are skipped. The stay in the stage an application is in now has
// not ended and gives no span.
func StageSpans(lines []StageLine) []StageSpan {
	var out []StageSpan
	app, cur := "", ""
	var since time.Time
	for _, l := range lines {
		if l.ApplicationID != app {
			app, cur = l.ApplicationID, ""
		}
		if l.StageAfter == "" {
			continue
		}
		if cur == "" {
			cur, since = l.StageAfter, l.At
			continue
		}
		if l.StageAfter != cur {
			out = append(out, StageSpan{ApplicationID: app, Stage: cur, Start: since, End: l.At})
			cur, since = l.StageAfter, l.At
		}
	}
	return out
}

// StageMedians is, per stage, the median of the working days (cal.Between) of the spans
// that ended in [start, end), in journey order (stages it does not know come last, sorted).
// Stages without such a span are left out.
func StageMedians(spans []StageSpan, start, end time.Time, cal *workdays.Calendar) []StageMedian {
	days := map[string][]int{}
	for _, s := range spans {
		if s.End.Before(start) || !s.End.Before(end) {
			continue
		}
		days[s.Stage] = append(days[s.Stage], cal.Between(s.Start, s.End))
	}
	stages := make([]string, 0, len(days))
	for st := range days {
		stages = append(stages, st)
	}
	sort.Slice(stages, func(i, j int) bool {
		a, b := slices.Index(stageOrder, stages[i]), slices.Index(stageOrder, stages[j])
		switch {
		case a >= 0 && b >= 0:
			return a < b
		case a >= 0 || b >= 0:
			return a >= 0
		}
		return stages[i] < stages[j]
	})
	out := make([]StageMedian, 0, len(stages))
	for _, st := range stages {
		out = append(out, StageMedian{Stage: st, Median: Median(days[st]), Spans: len(days[st])})
	}
	return out
}

// Median is the middle value of xs, or the mean of the two middle values when there is an
// even number; 0 for none. xs is not changed.
func Median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[mid])
	}
	return float64(s[mid-1]+s[mid]) / 2
}

// workload counts each person's offers per role. A person appears when they had an offer in
// the period, or hold one open now.
func (db *DB) workload(ctx context.Context, tenantID string, start, end time.Time) ([]Workload, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT x.person_id, p.name, x.role,
			count(*) FILTER (WHERE x.offered_at >= $2 AND x.offered_at < $3),
			count(*) FILTER (WHERE x.accepted_at >= $2 AND x.accepted_at < $3),
			count(*) FILTER (WHERE x.state = 'completed' AND x.closed_at >= $2 AND x.closed_at < $3),
			count(*) FILTER (WHERE x.state IN ('offered', 'accepted')),
			count(*) FILTER (WHERE x.state = 'declined' AND x.closed_at >= $2 AND x.closed_at < $3),
			count(*) FILTER (WHERE x.state = 'expired' AND x.closed_at >= $2 AND x.closed_at < $3)
		FROM assignments x JOIN people p ON p.id = x.person_id
		WHERE x.tenant_id = $1 AND (x.state IN ('offered', 'accepted')
			OR (x.offered_at >= $2 AND x.offered_at < $3)
			OR (x.accepted_at >= $2 AND x.accepted_at < $3)
			OR (x.closed_at >= $2 AND x.closed_at < $3))
		GROUP BY x.person_id, p.name, x.role
		ORDER BY p.name, x.person_id, x.role`, tenantID, start, end)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Workload, error) {
		var w Workload
		err := row.Scan(&w.PersonID, &w.Name, &w.Role, &w.Offers, &w.Accepted, &w.Completed, &w.Open, &w.Declined, &w.Expired)
		return w, err
	})
	if out == nil {
		out = []Workload{}
	}
	return out, err
}
