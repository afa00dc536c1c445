package integration

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/devmail"
	"awardengine/email"
	"awardengine/email/webhook"
	"awardengine/starter/cli"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/worker"
	"awardengine/workflows"
)

// stuckEntry is one entry of GET /v1/admin/stuck (package structs).
type stuckEntry = structs.StuckEntry

// stuckDoc is GET /v1/admin/stuck's answer, with the tests' lookups (entry, …).
type stuckDoc struct{ structs.StuckList }

func stuckList(t *testing.T, c *client) stuckDoc {
	t.Helper()
	var d stuckDoc
	c.must(200, "GET", "/v1/admin/stuck", nil).json(t, &d)
	if len(d.Warnings) > 0 {
		t.Logf("stuck list warnings: %v", d.Warnings)
	}
	return d
}

// entry finds the entry of an application for a reason.
func (d stuckDoc) entry(appID, reason string) (stuckEntry, bool) {
	for _, e := range d.Stuck {
		if e.ApplicationID == appID && e.Reason == reason {
			return e, true
		}
	}
	return stuckEntry{}, false
}

// mentions says whether any entry is about one of the applications.
func (d stuckDoc) mentions(appIDs ...string) bool {
	for _, e := range d.Stuck {
		for _, id := range appIDs {
			if e.ApplicationID == id {
				return true
			}
		}
	}
	return false
}

func (d stuckDoc) String() string {
	var b strings.Builder
	for _, e := range d.Stuck {
		fmt.Fprintf(&b, "\n  %s %s since %s (%s) holder %s/%s attempt %d error %q", e.ApplicationID, e.Reason,
			e.Since.Format(time.RFC3339), e.Age, e.Who, e.HolderName, e.Attempt, e.LastError)
	}
	return b.String()
}

// waitFor polls like eventually, with a deadline of its own (retries and backoffs take longer
// than eventually's 30 seconds).
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// registerFoster registers a learning_homes application and, with target set, uploads evidence
// for every standard of that level.
func (tm *awardTeam) registerFoster(t *testing.T, ref, name, variant, approval string, target award.Level) string {
	t.Helper()
	body := map[string]any{"setting_reference": ref, "setting_name": name, "track": "learning_homes", "variant": variant}
	if approval != "" {
		body["approval_date"] = approval
	}
	var app application
	tm.applicant.must(201, "POST", "/v1/applications", body).json(t, &app)
	if target == award.NotMet {
		return app.ID
	}
	var fw award.Framework
	tm.applicant.must(200, "GET", "/v1/applications/"+app.ID+"/framework", nil).json(t, &fw)
	for _, s := range fw.StandardsFor(target) {
		tm.applicant.uploadEvidence(app.ID, s.Code+".pdf", pdf(s.Code), s.Code)
	}
	return app.ID
}

// A first-year carer approved 13 months ago is past the 12-month due date the moment they
// register (overdue, held by the applicant); a bounce of the applicant's address blocks their
// step (email_bounced); a fostering portfolio submitted to a team whose assessors only assess
// schools finds no eligible assessor. Only the tenant's admins see them.
func TestStuckOverdueNoAssessorAndBounce(t *testing.T) {
	tm := newAwardTeam(t, "stuckshire", 3)
	admin := tm.adm
	approval := time.Now().AddDate(-1, -1, 0).Format(time.DateOnly)
	late := tm.registerFoster(t, "STUCK-FY1", "The Birches", "first_year_foster", approval, award.NotMet)

	var overdue stuckEntry
	eventually(t, "the first-year application overdue", func() bool {
		var ok bool
		overdue, ok = stuckList(t, admin).entry(late, "overdue")
		return ok
	})
	if overdue.Who != "applicant" || overdue.HolderID != tm.ids["applicant"] || overdue.HolderName != "Asha Applicant" ||
		overdue.SettingName != "The Birches" || overdue.SettingReference != "STUCK-FY1" || overdue.Stage != "toolkit" ||
		!strings.Contains(overdue.Unstick, "nudge") {
		t.Fatalf("overdue entry = %+v", overdue)
	}
	if age := time.Since(overdue.Since); age < 25*24*time.Hour || age > 40*24*time.Hour || !strings.HasSuffix(overdue.Age, "days") {
		t.Fatalf("overdue since %s (%s), want about a month ago", overdue.Since, overdue.Age)
	}

	// No eligible assessor: the team's assessors assess schools only.
	orphan := tm.registerFoster(t, "STUCK-MF1", "Rowan House", "mainstream_foster", "", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+orphan+"/submit", map[string]any{"target_level": "bronze"})
	var noAssessor stuckEntry
	eventually(t, "no eligible assessor on the stuck list", func() bool {
		var ok bool
		noAssessor, ok = stuckList(t, admin).entry(orphan, "no_eligible_assessor")
		return ok
	})
	if noAssessor.Who != "admin" || noAssessor.HolderName == "" || !strings.Contains(noAssessor.Unstick, "allocate") ||
		noAssessor.Stage != "awaiting_allocation" || time.Since(noAssessor.Since) > 5*time.Minute {
		t.Fatalf("no_eligible_assessor entry = %+v", noAssessor)
	}

	// The applicant's address bounces (SendGrid's signed webhook): their step is blocked.
	bounce := webhook.Event{ID: fmt.Sprintf("evt-stuck-bounce-%d", time.Now().UnixNano()), Kind: "bounce", Type: "bounce",
		Email: "applicant@stuckshire.example", Timestamp: time.Now().Unix(), Reason: "550 mailbox unavailable", Tenant: "stuckshire"}
	if r := postEvents(t, []webhook.Event{bounce}, time.Now(), false); r.StatusCode != 204 {
		t.Fatalf("bounce webhook: %d", r.StatusCode)
	}
	d := stuckList(t, admin)
	bounced, ok := d.entry(late, "email_bounced")
	if !ok || bounced.HolderID != tm.ids["applicant"] || !strings.Contains(bounced.Detail, "550 mailbox unavailable") ||
		!strings.Contains(bounced.Unstick, "email address") {
		t.Fatalf("email_bounced entry %+v in%s", bounced, d)
	}
	// Exactly these three, oldest first: the submitted application waits on admins, not on the
	// applicant, so the bounce does not block it.
	if len(d.Stuck) != 3 {
		t.Fatalf("want overdue, email_bounced and no_eligible_assessor, got%s", d)
	}
	for i := 1; i < len(d.Stuck); i++ {
		if d.Stuck[i].Since.Before(d.Stuck[i-1].Since) {
			t.Fatalf("not oldest first:%s", d)
		}
	}
	if d.Stuck[0].ApplicationID != late || d.Stuck[0].Reason != "overdue" {
		t.Fatalf("the month-old overdue step comes first:%s", d)
	}

	// The command line shows the same list.
	var out, errOut bytes.Buffer
	code := cli.Run(t.Context(), []string{"--api", shared.APIURL, "--token", "test-stuckshire-admin", "stuck"}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), late) || !strings.Contains(out.String(), "no_eligible_assessor") ||
		!strings.Contains(out.String(), "Asha Applicant (applicant)") {
		t.Fatalf("starter stuck: exit %d\n%s%s", code, out.String(), errOut.String())
	}

	// Another authority's admin sees nothing of this one; people who are not admins are refused.
	other := newAwardTeam(t, "unstuckshire", 3)
	if od := stuckList(t, other.adm); len(od.Stuck) != 0 || od.mentions(late, orphan) {
		t.Fatalf("another tenant's admin sees%s", od)
	}
	out.Reset()
	if code := cli.Run(t.Context(), []string{"--api", shared.APIURL, "--token", "test-unstuckshire-admin", "stuck"}, &out, &errOut); code != 0 ||
		strings.TrimSpace(out.String()) != "Nothing is stuck." {
		t.Fatalf("starter stuck for an empty tenant: exit %d %q", code, out.String())
	}
	if od := stuckList(t, as(t, shared, "demo-northshire-admin")); od.mentions(late, orphan) {
		t.Fatalf("northshire's admin sees stuckshire's applications:%s", od)
	}
	for _, c := range []*client{tm.applicant, tm.assessor, tm.moderator} {
		if p := c.must(403, "GET", "/v1/admin/stuck", nil).problem(t); !strings.Contains(fmt.Sprint(p["detail"]), "admins") {
			t.Fatalf("refusal: %v", p)
		}
	}
	as(t, shared, "").must(401, "GET", "/v1/admin/stuck", nil)
	if code := cli.Run(t.Context(), []string{"--api", shared.APIURL, "--token", "test-stuckshire-applicant", "stuck"}, &out, &errOut); code != 1 {
		t.Fatalf("starter stuck as an applicant: exit %d, want 1", code)
	}
}

// An email the provider refuses with 500 again and again: from the third failed attempt the
// stuck list shows it with Temporal's attempt count, last error and next retry; once the
// provider is back the retry succeeds and the entry is gone (the worker deletes its row).
func TestStuckActivityFailingThenRecovers(t *testing.T) {
	tm := newAwardTeam(t, "failshire", 3)
	// A fault left queued by an earlier test (an AcceptThenDrop without Times applies until
	// cleared) would stand in front of this one: start from a provider without faults.
	shared.Mail.ClearFaults()
	shared.Mail.Inject(devmail.Fault{Status: 500}) // until cleared
	defer shared.Mail.ClearFaults()
	var app application
	tm.applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "FAIL-1", "setting_name": "Failing Fields Primary", "track": "caring_schools", "variant": "primary",
	}).json(t, &app)

	var e stuckEntry
	var d stuckDoc
	// Attempts at 0 s, 5 s and 15 s (initial interval 5 s, backoff 2).
	deadline := time.Now().Add(90 * time.Second)
	for {
		var ok bool
		d = stuckList(t, tm.adm)
		if e, ok = d.entry(app.ID, "activity_failing"); ok {
			break
		}
		if time.Now().After(deadline) {
			explainActivity(t, app.ID)
			t.Fatalf("timed out waiting for the welcome email on the stuck list; the list:%s", d)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if e.Attempt < 3 || !strings.Contains(e.LastError, "500") || e.NextRetry == nil || e.ActivityType != "SendEmail" ||
		e.Who != "system" || e.SettingName != "Failing Fields Primary" || !strings.Contains(e.Unstick, "retr") {
		t.Fatalf("activity_failing entry = %+v", e)
	}
	if e.NextRetry.Before(d.CheckedAt.Add(-time.Second)) || e.NextRetry.After(d.CheckedAt.Add(time.Minute)) {
		t.Fatalf("next retry %s, checked at %s: want the coming backoff", e.NextRetry, d.CheckedAt)
	}
	if n := countRows(t, `SELECT count(*) FROM activity_problems WHERE application_id=$1 AND tenant_id='failshire' AND attempt >= 3`, app.ID); n != 1 {
		t.Fatalf("the worker's row: %d", n)
	}
	if od := stuckList(t, as(t, shared, "demo-northshire-admin")); od.mentions(app.ID) {
		t.Fatalf("another tenant sees the failing activity:%s", od)
	}

	shared.Mail.ClearFaults()
	waitFor(t, "the entry to clear after the retry succeeds", 90*time.Second, func() bool {
		_, ok := stuckList(t, tm.adm).entry(app.ID, "activity_failing")
		return !ok
	})
	if n := countRows(t, `SELECT count(*) FROM activity_problems WHERE application_id=$1`, app.ID); n != 0 {
		t.Fatalf("the row outlived the success: %d", n)
	}
	eventually(t, "the welcome delivered", func() bool {
		return countRows(t, `SELECT count(*) FROM email_outbox WHERE application_id=$1 AND message_type='welcome' AND status='sent'`, app.ID) == 1
	})
}

// A deploy whose workflow code does not replay an application's history (here: a build that
// sleeps first) fails its workflow tasks; Temporal marks the journey (TemporalReportedProblems)
// and the stuck list shows it with the attempt and the non-determinism error. With the good
// build back, the journey goes on and the entry clears.
func TestStuckWorkflowTaskFailingAfterABadDeploy(t *testing.T) {
	tm := newAwardTeam(t, "taskshire", 3)
	var app application
	tm.applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "TASK-1", "setting_name": "Task Lane Primary", "track": "caring_schools", "variant": "primary",
	}).json(t, &app)
	wid := workflows.WorkflowID(app.ID)
	eventually(t, "the journey idle (welcome sent)", func() bool {
		d, err := shared.Client.DescribeWorkflowExecution(t.Context(), wid, "")
		return err == nil && len(d.GetPendingActivities()) == 0 && d.GetPendingWorkflowTask() == nil &&
			countRows(t, `SELECT count(*) FROM email_outbox WHERE application_id=$1 AND status='sent'`, app.ID) == 1
	})

	// The bad build: the same workflows and activities, except that this application's journey
	// now sleeps before anything else, which its history does not have.
	shared.StopWorker()
	defer func() {
		if err := shared.StartWorker(); err != nil {
			t.Errorf("restarting the worker: %v", err)
		}
	}()
	acts := &activities.Activities{DB: shared.DB, Objects: shared.Objects, Mail: email.NewSender("SG.stuck-test", shared.MailURL),
		PublicURL: shared.APIURL, Temporal: shared.Client}
	bad := sdkworker.New(shared.Client, workflows.TaskQueue, sdkworker.Options{
		WorkflowPanicPolicy: sdkworker.BlockWorkflow,
		Interceptors:        []interceptor.WorkerInterceptor{worker.NewProblemRecorder(shared.DB, nil)},
	})
	target := app.ID
	bad.RegisterWorkflowWithOptions(func(ctx workflow.Context, in workflows.ApplicationInput) (workflows.Outcome, error) {
		if in.ApplicationID == target {
			if err := workflow.Sleep(ctx, time.Second); err != nil {
				return workflows.Outcome{}, err
			}
		}
		return workflows.ApplicationWorkflow(ctx, in)
	}, workflow.RegisterOptions{Name: "ApplicationWorkflow"})
	bad.RegisterWorkflowWithOptions(workflows.DigestWorkflow, workflow.RegisterOptions{Name: activities.DigestWorkflowName})
	bad.RegisterActivity(acts)
	if err := bad.Start(); err != nil {
		t.Fatal(err)
	}
	var stopBad sync.Once
	defer stopBad.Do(bad.Stop)

	// A signal the journey ignores makes a workflow task, which the bad build cannot replay.
	if err := shared.Client.SignalWorkflow(t.Context(), wid, "", workflows.SignalReassessment,
		workflows.ReassessmentSignal{ApplicationID: "app_nobody", Event: "poke"}); err != nil {
		t.Fatal(err)
	}
	var e stuckEntry
	waitFor(t, "the failing workflow task on the stuck list", 90*time.Second, func() bool {
		var ok bool
		e, ok = stuckList(t, tm.adm).entry(app.ID, "workflow_task_failing")
		return ok
	})
	msg := strings.ToLower(e.LastError)
	if e.Attempt < 2 || !(strings.Contains(msg, "nondetermin") || strings.Contains(msg, "tmprl1100")) ||
		e.Who != "system" || e.SettingReference != "TASK-1" || !strings.Contains(e.Unstick, "worker build") ||
		time.Since(e.Since) > 5*time.Minute {
		t.Fatalf("workflow_task_failing entry = %+v", e)
	}
	if od := stuckList(t, as(t, shared, "demo-northshire-admin")); od.mentions(app.ID) {
		t.Fatalf("another tenant sees the failing journey:%s", od)
	}

	// The good build is back: the next attempt replays, the journey goes on, the entry clears.
	stopBad.Do(bad.Stop)
	if err := shared.StartWorker(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the journey's workflow tasks to succeed again", 2*time.Minute, func() bool {
		d, err := shared.Client.DescribeWorkflowExecution(t.Context(), wid, "")
		return err == nil && d.GetPendingWorkflowTask() == nil
	})
	tm.applicant.must(200, "GET", "/v1/applications/"+app.ID+"/toolkit", nil) // an Update: the journey answers
	waitFor(t, "the entry to clear", time.Minute, func() bool {
		_, ok := stuckList(t, tm.adm).entry(app.ID, "workflow_task_failing")
		return !ok
	})
}

// stuckBenchTenant is the tenant BenchmarkStuckList50k fills.
const stuckBenchTenant = "benchstuck"

// loadStuckBench fills stuckBenchTenant once (in bulk, INSERT … SELECT generate_series) with
// 50,000 applications and their settings, a realistic mix as of now: 30% closed or awarded; of
// the open ones most wait on the applicant, an assessor, a moderator or allocation before their
// due date; about 1.7% are past it, 0.5% have no eligible assessor or moderator, 1.3% are
// dormant; 20 of the 5,000 applicants and one of the 50 assessors have a bounced address; 20
// activities are failing. It returns the number of applications.
func loadStuckBench(tb testing.TB, now time.Time) int {
	tb.Helper()
	ctx := context.Background()
	db := shared.DB
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE tenant_id=$1`, stuckBenchTenant).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	if n > 0 {
		return n
	}
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: stuckBenchTenant, Name: "Bench Council", SenderEmail: "awards@bench.example",
		SenderName: "Bench awards", ReplyTo: "team@bench.example"}); err != nil {
		tb.Fatal(err)
	}
	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, q := range []string{
		`INSERT INTO people (id, tenant_id, name, email, roles, email_problem, email_problem_at)
		 SELECT 'bp_app_' || g, $1, 'Bench Applicant ' || g, 'applicant' || g || '@bench.example', ARRAY['applicant'],
		        CASE WHEN g % 250 = 0 THEN 'bounce: 550 mailbox unavailable' END,
		        CASE WHEN g % 250 = 0 THEN $2::timestamptz - interval '3 days' END
		 FROM generate_series(1, 5000) g`,
		`INSERT INTO people (id, tenant_id, name, email, roles, email_problem, email_problem_at)
		 SELECT 'bp_ass_' || g, $1, 'Bench Assessor ' || g, 'assessor' || g || '@bench.example', ARRAY['assessor'],
		        CASE WHEN g = 7 THEN 'dropped: invalid' END, CASE WHEN g = 7 THEN $2::timestamptz - interval '9 days' END
		 FROM generate_series(1, 50) g`,
		`INSERT INTO people (id, tenant_id, name, email, roles, created_at)
		 SELECT 'bp_mod_' || g, $1, 'Bench Moderator ' || g, 'moderator' || g || '@bench.example', ARRAY['moderator'], $2
		 FROM generate_series(1, 10) g`,
		`INSERT INTO settings (id, tenant_id, reference, name, track, variant, applicant_id, created_at)
		 SELECT 'bset_' || g, $1, 'BREF-' || g, 'Bench Setting ' || g, 'caring_schools', 'primary', 'bp_app_' || (g % 5000 + 1),
		        $2::timestamptz - interval '400 days'
		 FROM generate_series(1, 50000) g`,
		`INSERT INTO applications (id, tenant_id, setting_id, applicant_id, track, variant, framework_id, framework_version,
		     stage, active, next_action, next_who, due_at, flags, assessor_id, moderator_id, created_at, updated_at, seq)
		 SELECT 'bapp_' || g, $1, 'bset_' || g, 'bp_app_' || (g % 5000 + 1), 'caring_schools', 'primary', 'cs-primary', 1,
		   CASE WHEN m < 300 THEN 'awarded' WHEN m < 610 THEN 'portfolio' WHEN m < 755 THEN 'assessment'
		        WHEN m < 857 THEN 'moderation' WHEN m < 870 THEN 'portfolio' ELSE 'awaiting_allocation' END,
		   m >= 300,
		   'the next step',
		   CASE WHEN m < 610 THEN 'applicant' WHEN m < 755 THEN 'assessor' WHEN m < 852 THEN 'moderator'
		        WHEN m < 855 THEN 'admin' WHEN m < 857 THEN 'system' WHEN m < 870 THEN 'applicant' ELSE 'system' END,
		   CASE WHEN m < 300 THEN $2::timestamptz + interval '700 days'
		        WHEN m >= 600 AND m < 610 OR m >= 750 AND m < 755 OR m >= 850 AND m < 852 THEN $2::timestamptz - (m % 90 + 1) * interval '1 day'
		        WHEN m >= 857 AND m < 870 THEN NULL
		        ELSE $2::timestamptz + (m % 40 + 1) * interval '1 day' END,
		   CASE WHEN m >= 750 AND m < 755 THEN ARRAY['assessment_overdue'] WHEN m >= 850 AND m < 852 THEN ARRAY['moderation_overdue']
		        WHEN m >= 852 AND m < 855 THEN ARRAY['no_eligible_assessor'] WHEN m >= 855 AND m < 857 THEN ARRAY['no_eligible_moderator']
		        WHEN m >= 857 AND m < 870 THEN ARRAY['dormant'] ELSE ARRAY[]::text[] END,
		   CASE WHEN m >= 610 AND m < 852 THEN 'bp_ass_' || (g % 50 + 1) END,
		   CASE WHEN m >= 755 AND m < 852 THEN 'bp_mod_' || (g % 10 + 1) END,
		   $2::timestamptz - (m % 300 + 1) * interval '1 day', $2::timestamptz - (m % 60) * interval '1 day', 1
		 FROM (SELECT g, g % 1000 AS m FROM generate_series(1, 50000) g) s`,
		`INSERT INTO activity_problems (workflow_id, run_id, activity_id, tenant_id, application_id, activity_type, attempt,
		     last_error, scheduled_at, failed_at)
		 SELECT 'application/bapp_' || (g * 997), 'run-' || g, '5', $1, 'bapp_' || (g * 997), 'SendEmail', 3 + g % 5,
		        'sending welcome: email provider answered 500', $2::timestamptz - g * interval '1 hour', $2
		 FROM generate_series(1, 20) g`,
	} {
		if _, err := tx.Exec(ctx, q, stuckBenchTenant, now); err != nil {
			tb.Fatalf("loading the stuck bench: %v\n%s", err, q)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
	// As autovacuum would have, long before a tenant reached this size: statistics for the
	// planner, and the GIN index's pending list merged.
	if _, err := db.Pool().Exec(ctx, `VACUUM (ANALYZE) people, settings, applications, activity_problems, audit_log`); err != nil {
		tb.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE tenant_id=$1`, stuckBenchTenant).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// explainActivity logs what Temporal, the outbox and the worker's rows say of an
// application's activities, when a test waiting for them times out.
func explainActivity(t *testing.T, appID string) {
	t.Helper()
	if d, err := shared.Client.DescribeWorkflowExecution(t.Context(), workflows.WorkflowID(appID), ""); err != nil {
		t.Logf("describe: %v", err)
	} else {
		for _, pa := range d.GetPendingActivities() {
			t.Logf("pending %s %s attempt %d state %s last failure %q next %v", pa.GetActivityId(), pa.GetActivityType().GetName(),
				pa.GetAttempt(), pa.GetState(), pa.GetLastFailure().GetMessage(), pa.GetNextAttemptScheduleTime().AsTime())
		}
	}
	rows, err := shared.DB.Pool().Query(t.Context(), `SELECT 'problem ' || activity_type || ' attempt ' || attempt || ' tenant ' || COALESCE(tenant_id, '?') || ': ' || last_error
		FROM activity_problems WHERE application_id=$1
		UNION ALL SELECT 'outbox ' || dedupe_key || ' ' || status || ' attempts ' || attempts || ' ' || COALESCE(last_error, '') FROM email_outbox WHERE application_id=$1`, appID)
	if err != nil {
		t.Logf("rows: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var line string
		_ = rows.Scan(&line)
		t.Log(line)
	}
	t.Logf("mail attempts so far: %d", shared.Mail.Attempts())
}
