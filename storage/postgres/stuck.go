package postgres

import (
	"context"
	"time"
	"unicode/utf8"

	"awardengine/structs"
)

// Reasons an application is stuck (SPEC §4). All but workflow_task_failing come from PostgreSQL
// (StuckFromProjection); workflow_task_failing comes from Temporal's visibility store.
const (
	StuckOverdue             = "overdue"               // a human step is past its due date
	StuckActivityFailing     = "activity_failing"      // an activity failed 3 or more times
	StuckDataError           = "data_error"            // an activity's data was refused by the database: never retried
	StuckWorkflowTaskFailing = "workflow_task_failing" // the journey's code cannot run (e.g. non-determinism)
	StuckNoAssessor          = "no_eligible_assessor"  // allocation found nobody
	StuckNoModerator         = "no_eligible_moderator" // nobody may moderate it
	StuckDormant             = "dormant"               // the portfolio has been quiet for months
	StuckEmailBounced        = "email_bounced"         // the person who must act next cannot be emailed
	StuckJourneyMissing      = "journey_missing"       // registered, but its journey has not started (journey_starts)
)

// Who holds a stuck application besides a named person.
const (
	HolderAdmins    = "admin"  // the tenant's award team
	HolderEngineers = "system" // the engineers running the product
)

// StuckEntry is structs.StuckReason: the wire type is declared once, in structs.
type StuckEntry = structs.StuckReason

// stuckQuery finds every PostgreSQL-visible reason in one statement. Each branch starts from
// an index: overdue from applications_tenant_due (tenant, due_at) WHERE active; the flags from
// the GIN index on flags; bounced addresses from the few people flagged (people_email_problem)
// and then the applications they hold (applications_tenant_applicant, _assessor, _moderator);
// failing activities from activity_problems_tenant. A flag's "since" is the first audit line
// that raised it after the last one that cleared it (audit_log_application).
const stuckQuery = `
SELECT u.application_id, COALESCE(s.name, ''), COALESCE(s.reference, ''), u.stage, u.reason, u.detail, u.who,
       COALESCE(u.holder_id, ''), COALESCE(h.name, ''), u.since, u.attempt, u.last_error,
       u.workflow_id, u.run_id, u.activity_id, u.activity_type
FROM (
    -- 1. A human step past its due date.
    SELECT a.id AS application_id, a.setting_id, a.stage, 'overdue' AS reason, a.next_action AS detail, a.next_who AS who,
           CASE a.next_who WHEN 'applicant' THEN a.applicant_id WHEN 'assessor' THEN a.assessor_id
                           WHEN 'moderator' THEN a.moderator_id END AS holder_id,
           a.due_at AS since, 0 AS attempt, '' AS last_error, '' AS workflow_id, '' AS run_id, '' AS activity_id, '' AS activity_type
    FROM applications a
    WHERE a.tenant_id = $1 AND a.active AND a.due_at < $2
      AND a.next_who IN ('applicant', 'assessor', 'moderator', 'admin')

    UNION ALL
    -- 2. Flags: nobody to assess, nobody to moderate, a dormant portfolio.
    SELECT a.id, a.setting_id, a.stage, f.flag, a.next_action,
           CASE f.flag WHEN 'dormant' THEN 'applicant' ELSE 'admin' END,
           CASE f.flag WHEN 'dormant' THEN a.applicant_id END,
           COALESCE(CASE f.flag
               WHEN 'dormant' THEN (SELECT max(l.at) FROM audit_log l WHERE l.application_id = a.id AND l.action = 'flagged_dormant')
               ELSE (SELECT min(l.at) FROM audit_log l
                     WHERE l.application_id = a.id
                       AND l.action = CASE f.flag WHEN 'no_eligible_assessor' THEN 'allocation_failed' ELSE 'moderator_not_found' END
                       AND l.id > COALESCE((SELECT max(c.id) FROM audit_log c WHERE c.application_id = a.id
                           AND c.action = CASE f.flag WHEN 'no_eligible_assessor' THEN 'assessor_offered' ELSE 'moderation_requested' END), 0))
           END, a.updated_at),
           0, '', '', '', '', ''
    FROM applications a
    CROSS JOIN LATERAL unnest(a.flags) AS f(flag)
    WHERE a.tenant_id = $1 AND a.active
      AND a.flags && ARRAY['no_eligible_assessor', 'no_eligible_moderator', 'dormant']::text[]
      AND f.flag IN ('no_eligible_assessor', 'no_eligible_moderator', 'dormant')

    UNION ALL
    -- 3. The person who must act next has an address that bounced or was refused.
    SELECT a.id, a.setting_id, a.stage, 'email_bounced', p.email_problem || ' — next: ' || a.next_action, a.next_who, p.id,
           COALESCE(p.email_problem_at, a.updated_at), 0, '', '', '', '', ''
    FROM people p
    CROSS JOIN LATERAL (
        SELECT x.id, x.setting_id, x.stage, x.next_action, x.next_who, x.updated_at FROM applications x
        WHERE x.tenant_id = p.tenant_id AND x.active AND x.applicant_id = p.id AND x.next_who = 'applicant'
        UNION ALL
        SELECT x.id, x.setting_id, x.stage, x.next_action, x.next_who, x.updated_at FROM applications x
        WHERE x.tenant_id = p.tenant_id AND x.active AND x.assessor_id = p.id AND x.next_who = 'assessor'
        UNION ALL
        SELECT x.id, x.setting_id, x.stage, x.next_action, x.next_who, x.updated_at FROM applications x
        WHERE x.tenant_id = p.tenant_id AND x.active AND x.moderator_id = p.id AND x.next_who = 'moderator'
    ) a
    WHERE p.tenant_id = $1 AND p.email_problem IS NOT NULL

    UNION ALL
    -- 4. Activities that failed three or more times (checked against Temporal by the caller),
    --    and activities whose data the database refused, failed for good at their first attempt.
    SELECT COALESCE(ap.application_id, ''), a.setting_id, COALESCE(a.stage, ''),
           CASE WHEN ap.failed_for_good THEN 'data_error' ELSE 'activity_failing' END,
           CASE WHEN ap.failed_for_good THEN ap.activity_type || ' failed for good: the database refused its data, and it is not retried'
                ELSE ap.activity_type || ' keeps failing' END,
           'system', NULL,
           CASE WHEN ap.failed_for_good THEN ap.failed_at ELSE ap.scheduled_at END,
           ap.attempt, ap.last_error, ap.workflow_id, ap.run_id, ap.activity_id, ap.activity_type
    FROM activity_problems ap
    LEFT JOIN applications a ON a.id = ap.application_id AND a.tenant_id = ap.tenant_id
    WHERE ap.tenant_id = $1

    UNION ALL
    -- 5. Registered, but the journey has not started after the grace (the registering process
    --    stopped in between, and the sweeper has not started it yet or cannot): journey_starts_pending.
    SELECT a.id, a.setting_id, a.stage, 'journey_missing',
           'registered, but its journey has not been seen started, so nothing happens for this application yet',
           'system', NULL, j.created_at, j.attempts, COALESCE(j.last_error, ''), '', '', '', ''
    FROM journey_starts j
    JOIN applications a ON a.id = j.application_id
    WHERE j.tenant_id = $1 AND j.started_at IS NULL AND j.created_at < $2 - make_interval(secs => $3)
) u
-- One primary-key lookup per entry (LIMIT keeps the planner from hashing all the tenant's
-- settings and people for the few hundred entries of a list).
LEFT JOIN LATERAL (SELECT st.name, st.reference FROM settings st WHERE st.id = u.setting_id LIMIT 1) s ON true
LEFT JOIN LATERAL (SELECT pp.name FROM people pp WHERE pp.id = u.holder_id AND pp.tenant_id = $1 LIMIT 1) h ON true
ORDER BY u.since, u.application_id, u.reason`

// StuckFromProjection lists what PostgreSQL knows to be stuck in a tenant at now, oldest first:
// overdue human steps, no eligible assessor or moderator, dormant portfolios, bounced addresses
// of the person who must act next, and activities failing again and again (as last recorded:
// the caller checks them against Temporal), and registrations whose journey has not started
// after JourneyStartGrace. It is one query.
func (db *DB) StuckFromProjection(ctx context.Context, tenantID string, now time.Time) ([]StuckEntry, error) {
	rows, err := db.pool.Query(ctx, stuckQuery, tenantID, now, JourneyStartGrace.Seconds())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StuckEntry{}
	for rows.Next() {
		var e StuckEntry
		if err := rows.Scan(&e.ApplicationID, &e.SettingName, &e.SettingReference, &e.Stage, &e.Reason, &e.Detail, &e.Who,
			&e.HolderID, &e.HolderName, &e.Since, &e.Attempt, &e.LastError,
			&e.WorkflowID, &e.RunID, &e.ActivityID, &e.ActivityType); err != nil {
			return nil, err
		}
		if e.HolderName == "" {
			e.HolderName = HolderLabel(e.Who)
		}
		e.Unstick = UnstickHint(e.Reason, e.Who)
		out = append(out, e)
	}
	return out, rows.Err()
}

// HolderLabel names a holder that is not one person.
func HolderLabel(who string) string {
	switch who {
	case HolderAdmins:
		return "award team (admins)"
	case HolderEngineers, "":
		return "engineers"
	}
	return who
}

// UnstickHint says what would unstick an entry.
func UnstickHint(reason, who string) string {
	switch reason {
	case StuckOverdue:
		switch who {
		case RoleApplicant:
			return "nudge the applicant or extend the deadline"
		case RoleAdmin:
			return "allocate an assessor by hand, or grant someone the assessor role (PUT /v1/roster/{person}/roles/assessor; starter roster grant PERSON_ID assessor) and set their tracks"
		}
		return "nudge, extend the deadline or reassign"
	case StuckNoAssessor:
		return "allocate an assessor by hand, or grant someone the assessor role (PUT /v1/roster/{person}/roles/assessor; starter roster grant PERSON_ID assessor) " +
			"and qualify them for this track (starter roster set), or reactivate an assessor on the roster"
	case StuckNoModerator:
		return "grant the moderator role to someone other than this application's assessor, applicant and supporter " +
			"(PUT /v1/roster/{person}/roles/moderator; starter roster grant PERSON_ID moderator), or reactivate a moderator on the roster"
	case StuckDormant:
		return "nudge the applicant, or withdraw the application"
	case StuckEmailBounced:
		return "correct the person's email address or contact them another way, then nudge"
	case StuckActivityFailing:
		return "fix the cause in the last error: it retries by itself (or retry it now)"
	case StuckDataError:
		return "needs an engineer: the database refused this step's data, so it is not retried and retrying changes nothing; " +
			"reset the journey in Temporal to before the failed step (the entry's workflow_id and run_id), then the person can do it again with clean text"
	case StuckWorkflowTaskFailing:
		return "deploy a worker build that can replay this journey (or reset the workflow to before the failing task)"
	case StuckJourneyMissing:
		return "the sweeper starts the journey by itself within seconds (if it keeps failing, see the last error); or start it now with retry"
	}
	return ""
}

// ActivityProblem is an activity attempt that failed, from the third attempt on.
type ActivityProblem struct {
	WorkflowID    string
	RunID         string
	ActivityID    string
	ApplicationID string // the application the workflow runs, if it is an application's journey
	TenantID      string // the tenant when the workflow id names it (used when there is no application)
	ActivityType  string
	Attempt       int
	LastError     string
	ScheduledAt   time.Time
	FailedAt      time.Time
	FailedForGood bool // a data error (activities.ErrData): not retried, listed from the first attempt
}

// maxProblemError keeps a stored error message short enough for a list.
const maxProblemError = 2000

// RecordActivityProblem upserts the row of a failing activity. The tenant comes from the
// application's projection when the workflow is an application's journey.
func (db *DB) RecordActivityProblem(ctx context.Context, p ActivityProblem) error {
	msg := p.LastError
	if len(msg) > maxProblemError {
		cut := maxProblemError
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO activity_problems (workflow_id, run_id, activity_id, tenant_id, application_id, activity_type,
			attempt, last_error, scheduled_at, failed_at, failed_for_good)
		SELECT $1, $2, $3, COALESCE(a.tenant_id, NULLIF($4, '')), a.id, $6, $7, $8, $9, $10, $11
		FROM (SELECT 1) one LEFT JOIN applications a ON a.id = NULLIF($5, '')
		ON CONFLICT (workflow_id, run_id, activity_id) DO UPDATE SET
			attempt = EXCLUDED.attempt, last_error = EXCLUDED.last_error, failed_at = EXCLUDED.failed_at,
			failed_for_good = EXCLUDED.failed_for_good,
			activity_type = EXCLUDED.activity_type,
			tenant_id = COALESCE(EXCLUDED.tenant_id, activity_problems.tenant_id),
			application_id = COALESCE(EXCLUDED.application_id, activity_problems.application_id)
		WHERE activity_problems.attempt <= EXCLUDED.attempt`,
		p.WorkflowID, p.RunID, p.ActivityID, p.TenantID, p.ApplicationID, p.ActivityType, p.Attempt, msg,
		p.ScheduledAt, p.FailedAt, p.FailedForGood)
	return err
}

// ClearActivityProblem removes the row of an activity that succeeded or is no longer pending.
func (db *DB) ClearActivityProblem(ctx context.Context, workflowID, runID, activityID string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM activity_problems WHERE workflow_id=$1 AND run_id=$2 AND activity_id=$3`,
		workflowID, runID, activityID)
	return err
}

// ApplicationsIn returns the tenant's applications among ids, by id (ids of another tenant,
// or unknown, are simply absent).
func (db *DB) ApplicationsIn(ctx context.Context, tenantID string, ids []string) (map[string]Application, error) {
	out := make(map[string]Application, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+applicationColumns+`
		FROM applications a JOIN settings s ON s.id = a.setting_id WHERE a.tenant_id=$1 AND a.id = ANY($2)`, tenantID, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out[a.ID] = a
	}
	return out, rows.Err()
}
