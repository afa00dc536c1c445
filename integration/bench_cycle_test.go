package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"awardengine/award"
	"awardengine/metrics"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// BenchmarkAwardCycle drives one setting through a whole award cycle on the real stack and
// counts the Temporal history events of every workflow the cycle made (issue 16: "a full
// three-year cycle under 1,000 history events"):
//
//   - the award journey: registration, a quiet spell before any evidence (toolkit nudge, three
//     inactivity nudges, the dormant flag), the 13-file bronze portfolio (batched), submit,
//     offer, assessment, moderation when sampled, the award; its one-month reassessment
//     reminder; the reassessment's signals (started, awarded: superseded); erasure at the end
//     of retention, and the end of its workflow;
//   - the reassessment journey (the same setting, the award's evidence carried forward): a
//     quiet spell (three inactivity nudges, dormant), submit, offer, assessment, its award;
//   - the digest workflows the reminders started.
//
// Time is compressed through the tenant's settings: a day of nudges is 100 ms and retention
// 5 s. Reassessment reminders are calendar months before the expiry and are skipped when
// already past at the award, so a short validity sends none: the award is valid for one
// month and 30 s, so that its one-month reminder fires 30 s after the award (the 12-, 6- and
// 3-month ones were past). The three-year figure (cycle-events-3y) adds what compressed time
// hides: the 12-, 6- and 3-month reminders, each costing what the one-month reminder cost on
// the real stack, and one digest workflow per reminder email (in three years each reminder
// comes on its own day; compressed, a day's reminders share a digest).
//
//	go test ./integration -run '^$' -bench AwardCycle -benchtime 1x -count=1 -v
func BenchmarkAwardCycle(b *testing.B) {
	for i := 0; i < b.N; i++ {
		benchAwardCycle(b, i)
	}
}

// cycleDay is a day of the preparation's nudges in compressed time.
const cycleDay = 100 * time.Millisecond

// reminderAfterAward is how long after the award its one-month reassessment reminder fires.
const reminderAfterAward = 30 * time.Second

func benchAwardCycle(b *testing.B, round int) {
	ctx := b.Context()
	tenant := fmt.Sprintf("cycle%d", time.Now().UnixNano()%1e9)
	tm := newBenchTeam(b, tenant)
	sup, err := shared.DB.UpsertPerson(ctx, postgres.Person{TenantID: tenant, Name: "Bench supporter",
		Email: "supporter@" + tenant + ".example", Roles: []string{postgres.RoleSupporter}})
	if err != nil {
		b.Fatal(err)
	}
	s := award.DefaultSettings()
	s.ToolkitNudgeAfter = 14 * cycleDay
	s.InactivityNudgeAfter = 56 * cycleDay
	s.InactivityNudgeEvery = 28 * cycleDay
	s.DormantAfter = 183 * cycleDay
	s.DigestDelay = time.Second
	s.RetainFor = 5 * time.Second
	now := time.Now().UTC()
	s.AwardValidFor = now.AddDate(0, 1, 0).Sub(now) + reminderAfterAward
	if err := shared.DB.SetTenantSettings(ctx, tenant, s); err != nil {
		b.Fatal(err)
	}
	queuedBefore := localActivities(b, "QueueReminder")
	b.ResetTimer()
	start := time.Now()

	// The award journey.
	ref := fmt.Sprintf("CYCLE-%d-%d", time.Now().UnixNano(), round)
	var a application
	tm.applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": ref, "setting_name": "Cycle Primary", "track": "caring_schools", "variant": "primary",
		"supporter_email": sup.Email,
	}).json(b, &a)
	oldID := a.ID
	tm.until(b, oldID, "the award journey's quiet spell (dormant)", time.Minute, func(v application) bool {
		return slices.Contains(v.Flags, workflows.FlagDormant)
	})
	var fw award.Framework
	tm.applicant.must(200, "GET", "/v1/applications/"+oldID+"/framework", nil).json(b, &fw)
	var codes []string
	for _, st := range fw.StandardsFor(award.Bronze) {
		codes = append(codes, st.Code)
	}
	tm.batchedEvidence(b, oldID, ref, codes, func(_ string, f func()) { f() })
	tm.submitToAward(b, oldID, codes)
	// The award's history before its reminder: the reminder's cost is what comes after.
	beforeReminder := len(cycleHistory(b, workflows.WorkflowID(oldID)).GetEvents())
	tm.until(b, oldID, "the one-month reassessment reminder", time.Minute, func(v application) bool {
		return v.Lifecycle != nil && slices.Contains(v.Lifecycle.RemindersDone, 1)
	})
	reminderEvents := cycleHistory(b, workflows.WorkflowID(oldID)).GetEvents()[beforeReminder:]
	if len(reminderEvents) == 0 || reminderEvents[0].GetEventType() != enums.EVENT_TYPE_TIMER_FIRED {
		b.Fatalf("the reminder's events do not begin with its timer: the award's own steps were still running %s after it", reminderAfterAward)
	}

	// The reassessment: registered with the default validity (its award's own life is the
	// next cycle's), the award's evidence carried forward.
	s.AwardValidFor = 0
	if err := shared.DB.SetTenantSettings(ctx, tenant, s); err != nil {
		b.Fatal(err)
	}
	var created struct {
		ID string `json:"id"`
	}
	tm.applicant.must(201, "POST", "/v1/applications/"+oldID+"/reapply", map[string]any{"carry_forward": true}).json(b, &created)
	newID := created.ID
	tm.until(b, oldID, "the award's reminders to pause", time.Minute, func(v application) bool {
		return v.Lifecycle != nil && v.Lifecycle.Reassessment == newID
	})
	tm.until(b, newID, "the reassessment's quiet spell (dormant)", time.Minute, func(v application) bool {
		return slices.Contains(v.Flags, workflows.FlagDormant)
	})
	tm.submitToAward(b, newID, codes)
	// Once erased, the award's view keeps its stage but no longer names what replaced it.
	tm.until(b, oldID, "the old award superseded and erased", time.Minute, func(v application) bool {
		return v.Stage == "superseded" && v.Lifecycle != nil && v.Lifecycle.Erased
	})
	cycleWaitClosed(b, workflows.WorkflowID(oldID))
	elapsed := time.Since(start)
	b.StopTimer()

	// Every workflow the cycle made: its two journeys and the digests of its reminders.
	ids := []string{workflows.WorkflowID(oldID), workflows.WorkflowID(newID)}
	digests := cycleDigests(b, tenant)
	ids = append(ids, digests...)
	var total, first, reassess, digest historyCost
	byType := map[string]map[string]int{}
	var completeDigests, completeDigestEvents, reminderEmails, unfired int
	for _, id := range ids {
		h := cycleHistory(b, id)
		c := cycleCost(b, id, h)
		total.add(c)
		kind := "digests"
		switch id {
		case ids[0]:
			kind, first = "award journey", c
		case ids[1]:
			kind, reassess = "reassessment journey", c
		default:
			digest.add(c)
			if last := h.GetEvents()[len(h.GetEvents())-1]; last.GetEventType() == enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
				completeDigests++
				completeDigestEvents += c.events
			}
		}
		if byType[kind] == nil {
			byType[kind] = map[string]int{}
		}
		for _, e := range h.GetEvents() {
			byType[kind][strings.TrimPrefix(e.GetEventType().String(), "EVENT_TYPE_")]++
			if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "QueueReminder" {
				reminderEmails++ // journeys from before reminder-local
			}
			// A journey keeps a pending timer when a later plan needs an earlier one (lean
			// journeys, waitLean); a timer set for a real-length deadline (an offer's five
			// working days) outlives the compressed journey but fires within three years.
			if kind != "digests" {
				switch e.GetEventType() {
				case enums.EVENT_TYPE_TIMER_STARTED:
					unfired++
				case enums.EVENT_TYPE_TIMER_FIRED:
					unfired--
				}
			}
		}
		b.Logf("%s: %d events, %d activities, %d local activities, %d workflow tasks, %d upserts, %.1f KiB",
			id, c.events, c.activities, c.local, c.tasks, c.upserts, float64(c.bytes)/1024)
	}
	for _, kind := range slices.Sorted(maps.Keys(byType)) {
		b.Logf("%s by event type: %s", kind, cycleBreakdown(byType[kind]))
	}
	reminder := map[string]int{}
	var order []string
	for _, e := range reminderEvents {
		t := strings.TrimPrefix(e.GetEventType().String(), "EVENT_TYPE_")
		reminder[t]++
		order = append(order, t)
	}
	b.Logf("one reassessment reminder in the award journey (%d events): %s", len(reminderEvents), cycleBreakdown(reminder))
	b.Logf("in order: %s", strings.Join(order, " "))
	if completeDigests == 0 {
		b.Fatal("no digest workflow completed: no per-email digest cost to project from")
	}
	perDigest := float64(completeDigestEvents) / float64(completeDigests)

	// Three years: the 12-, 6- and 3-month reminders (each one step like the one-month
	// reminder, with two reminder emails), a digest workflow per reminder email, and the
	// journeys' timers still pending firing (a timer fired and the workflow task that finds
	// nothing due: 4 events each).
	hidden := len(s.ReassessmentReminderMonths) - 1
	// Reminders are queued by local activities, whose markers name their type only in
	// encrypted data (and the award's data key is shredded at its erasure): the SDK's own
	// count of them, in this process's metrics, tells how many ran.
	reminderEmails += localActivities(b, "QueueReminder") - queuedBefore
	emails3y := reminderEmails + 2*hidden
	events3y := float64(first.events+reassess.events+hidden*len(reminderEvents)+4*unfired) + perDigest*float64(emails3y)
	b.Logf("measured: %d workflows, %d events (%d digest workflows, %d complete, %.1f events each) in %s; "+
		"3 years: journeys %d + %d reminders × %d events + %d pending timers × 4 + %d reminder emails × %.1f digest events = %.0f events",
		len(ids), total.events, len(digests), completeDigests, perDigest, elapsed.Round(time.Second),
		first.events+reassess.events, hidden, len(reminderEvents), unfired, emails3y, perDigest, events3y)

	b.ReportMetric(float64(total.events), "cycle-events")
	b.ReportMetric(events3y, "cycle-events-3y")
	b.ReportMetric(float64(first.events), "award-journey-events")
	b.ReportMetric(float64(reassess.events), "reassessment-journey-events")
	b.ReportMetric(float64(digest.events), "digest-events")
	b.ReportMetric(float64(len(digests)), "digest-workflows")
	b.ReportMetric(float64(len(reminderEvents)), "reminder-step-events")
	b.ReportMetric(float64(total.activities), "cycle-activities")
	b.ReportMetric(float64(total.local), "cycle-local-activities")
	b.ReportMetric(float64(total.tasks), "cycle-wftasks")
	b.ReportMetric(float64(total.upserts), "cycle-upserts")
	b.ReportMetric(float64(total.bytes)/1024, "cycle-history-KiB")
}

// submitToAward submits a bronze portfolio and takes it through the offer, the assessment
// and moderation (when sampled) to its award, as benchTeam.journey does.
func (tm *benchTeam) submitToAward(b *testing.B, appID string, codes []string) {
	app := "/v1/applications/" + appID
	tm.applicant.must(200, "POST", app+"/submit", map[string]any{"target_level": "bronze"})
	st := tm.waitFor(b, appID, func(s benchStatus) bool { return s.Stage == "offered" && s.Assessment.Offer != nil })
	holder := map[string]*client{tm.ids["assessor"]: tm.assessor, tm.ids["other"]: tm.other}[st.Assessment.Offer.PersonID]
	if holder == nil {
		b.Fatalf("offered to %q, not to a bench assessor", st.Assessment.Offer.PersonID)
	}
	holder.must(200, "POST", app+"/offer/accept", nil)
	ratings := map[string]string{}
	for _, c := range codes {
		ratings[c] = "bronze"
	}
	holder.must(200, "POST", app+"/assessment", map[string]any{"ratings": ratings, "feedback": "Well evidenced."})
	st = tm.waitFor(b, appID, func(s benchStatus) bool {
		return s.Stage == "awarded" || (s.Assessment.Moderation != nil && s.Assessment.Moderation.ModeratorID != "")
	})
	if st.Stage != "awarded" {
		tm.moderator.must(200, "POST", app+"/moderation", map[string]any{"decision": "confirm"})
		tm.waitFor(b, appID, func(s benchStatus) bool { return s.Stage == "awarded" })
	}
}

// until polls the application (as an admin) until ok holds.
func (tm *benchTeam) until(b *testing.B, appID, what string, within time.Duration, ok func(application) bool) {
	deadline := time.Now().Add(within)
	for {
		var v application
		r := tm.admin.must(200, "GET", "/v1/applications/"+appID, nil)
		r.json(b, &v)
		if ok(v) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: waited %s for %s: %s", appID, within, what, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cycleHistory reads a workflow's history once nothing is in flight (a pending timer may
// remain). A journey that continued as new would need its earlier runs too: none does here.
func cycleHistory(b *testing.B, id string) *historypb.History {
	ctx, cancel := context.WithTimeout(b.Context(), time.Minute)
	defer cancel()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		d, err := shared.Client.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			b.Fatal(err)
		}
		if d.GetPendingWorkflowTask() == nil && len(d.GetPendingActivities()) == 0 {
			break
		}
	}
	h, err := fetchHistory(ctx, shared.Client, id, "")
	if err != nil {
		b.Fatal(err)
	}
	if prev := h.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId(); prev != "" {
		b.Fatalf("%s continued as new: its earlier runs are not counted", id)
	}
	return h
}

// cycleCost counts what a workflow's history cost (benchHistory's count, for any workflow).
func cycleCost(b *testing.B, id string, h *historypb.History) historyCost {
	c := historyCost{events: len(h.GetEvents()), bytes: proto.Size(h)}
	for _, e := range h.GetEvents() {
		if f := e.GetWorkflowTaskFailedEventAttributes(); f != nil {
			b.Fatalf("%s: workflow task failed at event %d: %s", id, e.GetEventId(), f.GetFailure().GetMessage())
		}
		switch e.GetEventType() {
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			c.activities++
		case enums.EVENT_TYPE_MARKER_RECORDED:
			if m := e.GetMarkerRecordedEventAttributes(); m.GetMarkerName() == "LocalActivity" {
				c.local++
				if m.GetFailure() != nil { // a reminder's local activity gave up: a regular one followed
					b.Logf("%s: a local activity failed for good at event %d", id, e.GetEventId())
				}
			}
		case enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			c.tasks++
		case enums.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			c.upserts++
		}
	}
	return c
}

// cycleWaitClosed waits for a workflow to end (the superseded award, once erased).
func cycleWaitClosed(b *testing.B, id string) {
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		d, err := shared.Client.DescribeWorkflowExecution(b.Context(), id, "")
		if err != nil {
			b.Fatal(err)
		}
		if s := d.GetWorkflowExecutionInfo().GetStatus(); s != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			if s != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				b.Fatalf("%s ended %s", id, s)
			}
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s still running a minute after its erasure", id)
		}
	}
}

// cycleDigests lists the digest workflows of the tenant's people (the visibility store of the
// embedded server answers a plain listing; the tenant is in the digest's id).
func cycleDigests(b *testing.B, tenant string) []string {
	var out []string
	var token []byte
	for {
		resp, err := shared.Client.ListWorkflow(b.Context(), &workflowservice.ListWorkflowExecutionsRequest{NextPageToken: token, PageSize: 1000})
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range resp.GetExecutions() {
			if id := e.GetExecution().GetWorkflowId(); strings.HasPrefix(id, "digest/"+tenant+"/") {
				out = append(out, id)
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// cycleBreakdown prints counts by event type, largest first.
func cycleBreakdown(m map[string]int) string {
	keys := slices.SortedFunc(maps.Keys(m), func(x, y string) int {
		if m[x] != m[y] {
			return m[y] - m[x]
		}
		return strings.Compare(x, y)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// localActivities is how many local activities of this type the process's workers have run
// (the SDK's temporal_local_activity_total, reported into metrics.Registry every second).
func localActivities(b *testing.B, activityType string) int {
	time.Sleep(1500 * time.Millisecond) // the SDK's metrics scope reports once a second
	families, err := metrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "temporal_local_activity_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "activity_type" && l.GetValue() == activityType {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return int(n)
}
