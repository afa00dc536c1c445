package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	temporalclient "go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// BenchmarkBronzeJourney13 drives the 13-file bronze journey through the API (register, 13
// files declared, PUT and confirmed, submit, accept the offer, assess, moderate when sampled,
// awarded) and prints what it cost in Temporal: history events, activities (regular and
// local), workflow tasks, search-attribute upserts and history bytes per journey, and the
// p50/p99 of each Update-backed action beside the p50/p99 of a bare Update on a baseline
// workflow served by the same Temporal server (its own worker and task queue, registered only
// here). Two ways of sending the evidence, as sub-benchmarks: per-file (13 × declare → PUT →
// confirm) and batched (the 13 files declared in one action, PUT, confirmed in one action;
// issue 16). Journeys run one after another (c=1): the machine is small and shared.
//
//	go test ./integration -run '^$' -bench BronzeJourney13 -benchtime 3x -v
func BenchmarkBronzeJourney13(b *testing.B) {
	var bare []time.Duration // measured once, for both
	for _, batched := range []bool{false, true} {
		name := map[bool]string{false: "per-file", true: "batched"}[batched]
		b.Run(name, func(b *testing.B) {
			if bare == nil {
				bare = bareUpdates(b, 60)
			}
			benchBronzeJourney(b, batched, bare)
		})
	}
}

func benchBronzeJourney(b *testing.B, batched bool, bare []time.Duration) {
	tm := newBenchTeam(b, map[bool]string{false: "benchshire", true: "benchbatchshire"}[batched])
	lat := map[string][]time.Duration{}
	timed := func(action string, f func()) {
		start := time.Now()
		f()
		lat[action] = append(lat[action], time.Since(start))
	}
	var sum historyCost
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		appID := tm.journey(b, fmt.Sprintf("BENCH-J-%d-%d", time.Now().UnixNano(), i), timed, batched)
		b.StopTimer()
		sum.add(benchHistory(b, appID))
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(sum.events)/n, "events/journey")
	b.ReportMetric(float64(sum.activities)/n, "activities/journey")
	b.ReportMetric(float64(sum.local)/n, "local-activities/journey")
	b.ReportMetric(float64(sum.tasks)/n, "wftasks/journey")
	b.ReportMetric(float64(sum.upserts)/n, "upserts/journey")
	b.ReportMetric(float64(sum.bytes)/n/1024, "history-KiB/journey")
	actions := []string{"declare", "confirm", "declare13", "confirm13", "submit", "accept", "assess", "moderate"}
	for _, a := range append([]string{"register"}, actions...) {
		if d := lat[a]; len(d) > 0 {
			b.ReportMetric(ms(pct(d, 50)), a+"-p50-ms")
			b.ReportMetric(ms(pct(d, 99)), a+"-p99-ms")
		}
	}
	b.ReportMetric(ms(pct(bare, 50)), "bare-update-p50-ms")
	b.ReportMetric(ms(pct(bare, 99)), "bare-update-p99-ms")
	var worst float64
	for _, a := range actions {
		if d := lat[a]; len(d) > 0 {
			worst = max(worst, ms(pct(d, 99)))
		}
	}
	b.ReportMetric(worst/ms(pct(bare, 99)), "worst-action-p99/bare-p99")
}

// TestBronzeJourneyHistory walks the benchmark's journey once, checks it ends awarded with no
// failed workflow task and, when capturing (docs/replay.md), keeps its history as the replay
// history bronze_awarded-perf (the lean journey of issue 16).
func TestBronzeJourneyHistory(t *testing.T) {
	tm := newBenchTeam(t, "benchhistshire")
	appID := tm.journey(t, fmt.Sprintf("BENCH-H-%d", time.Now().UnixNano()), func(_ string, f func()) { f() }, false)
	captureHistory(t, appID, "bronze_awarded-perf")
}

// TestBronzeJourneyBatchedHistory is TestBronzeJourneyHistory with the 13 files declared in
// one action and confirmed in one: the replay history bronze_awarded-batched.
func TestBronzeJourneyBatchedHistory(t *testing.T) {
	tm := newBenchTeam(t, "benchhistbatchshire")
	appID := tm.journey(t, fmt.Sprintf("BENCH-HB-%d", time.Now().UnixNano()), func(_ string, f func()) { f() }, true)
	captureHistory(t, appID, "bronze_awarded-batched")
}

type benchTeam struct {
	applicant, assessor, other, moderator, admin *client
	ids                                          map[string]string
}

// newBenchTeam makes a tenant with an applicant, two assessors and a moderator on the roster.
func newBenchTeam(b testing.TB, tenant string) *benchTeam {
	ctx := b.Context()
	db := shared.DB
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: tenant, Name: "Bench Council",
		SenderEmail: "awards@" + tenant + ".example", SenderName: "bench awards", ReplyTo: "team@" + tenant + ".example"}); err != nil {
		b.Fatal(err)
	}
	tm := &benchTeam{ids: map[string]string{}}
	mk := func(key string, roles ...string) *client {
		p, err := db.UpsertPerson(ctx, postgres.Person{TenantID: tenant, Name: "Bench " + key, Email: key + "@" + tenant + ".example", Roles: roles})
		if err != nil {
			b.Fatal(err)
		}
		token := "test-" + tenant + "-" + key
		if err := db.StoreToken(ctx, p.ID, "test", token); err != nil {
			b.Fatal(err)
		}
		tm.ids[key] = p.ID
		return as(b, shared, token)
	}
	tm.applicant = mk("applicant", postgres.RoleApplicant)
	tm.assessor = mk("assessor", postgres.RoleAssessor)
	tm.other = mk("other", postgres.RoleAssessor)
	tm.moderator = mk("moderator", postgres.RoleModerator)
	adm := mk("admin", postgres.RoleAdmin)
	tm.admin = adm
	for _, key := range []string{"assessor", "other"} {
		adm.must(200, "PUT", "/v1/roster/"+tm.ids[key], map[string]any{
			"tracks": []string{"caring_schools"}, "specialisms": []string{}, "capacity": 100, "active": true})
	}
	adm.must(200, "PUT", "/v1/roster/"+tm.ids["moderator"], map[string]any{
		"tracks": []string{"caring_schools"}, "specialisms": []string{}, "capacity": 100, "active": true})
	return tm
}

// journey runs one bronze journey to its award and returns the application's id: the
// evidence declared and confirmed file by file, or (batched) in one action each.
func (tm *benchTeam) journey(b testing.TB, ref string, timed func(string, func()), batched bool) string {
	app := "/v1/applications/"
	var a application
	timed("register", func() {
		tm.applicant.must(201, "POST", "/v1/applications", map[string]any{
			"setting_reference": ref, "setting_name": "Bench Primary", "track": "caring_schools", "variant": "primary",
		}).json(b, &a)
	})
	var fw award.Framework
	tm.applicant.must(200, "GET", app+a.ID+"/framework", nil).json(b, &fw)
	var codes []string
	for _, s := range fw.StandardsFor(award.Bronze) {
		codes = append(codes, s.Code)
	}
	if len(codes) != 13 {
		b.Fatalf("bronze has %d standards, this benchmark expects 13", len(codes))
	}
	if batched {
		tm.batchedEvidence(b, a.ID, ref, codes, timed)
	} else {
		for _, code := range codes {
			content := pdf(ref + code)
			var u upload
			timed("declare", func() { u = tm.applicant.declare(a.ID, code+".pdf", "application/pdf", content, code) })
			put(b, u, content)
			timed("confirm", func() { tm.applicant.must(200, "POST", app+a.ID+"/evidence/"+u.Evidence.ID+"/confirm", nil) })
		}
	}
	timed("submit", func() { tm.applicant.must(200, "POST", app+a.ID+"/submit", map[string]any{"target_level": "bronze"}) })
	// A status answered from the projection (the journey busy) does not name the offer's holder.
	st := tm.waitFor(b, a.ID, func(s benchStatus) bool { return s.Stage == "offered" && s.Assessment.Offer != nil })
	holder := map[string]*client{tm.ids["assessor"]: tm.assessor, tm.ids["other"]: tm.other}[st.Assessment.Offer.PersonID]
	if holder == nil {
		b.Fatalf("offered to %q, not to a bench assessor", st.Assessment.Offer.PersonID)
	}
	timed("accept", func() { holder.must(200, "POST", app+a.ID+"/offer/accept", nil) })
	ratings := map[string]string{}
	for _, c := range codes {
		ratings[c] = "bronze"
	}
	timed("assess", func() {
		holder.must(200, "POST", app+a.ID+"/assessment", map[string]any{"ratings": ratings, "feedback": "Well evidenced."})
	})
	st = tm.waitFor(b, a.ID, func(s benchStatus) bool {
		return s.Stage == "awarded" || (s.Assessment.Moderation != nil && s.Assessment.Moderation.ModeratorID != "")
	})
	if st.Stage != "awarded" {
		timed("moderate", func() {
			tm.moderator.must(200, "POST", app+a.ID+"/moderation", map[string]any{"decision": "confirm"})
		})
		tm.waitFor(b, a.ID, func(s benchStatus) bool { return s.Stage == "awarded" })
	}
	return a.ID
}

// batchedEvidence declares a file per standard in one action, PUTs each and confirms them
// all in one action.
func (tm *benchTeam) batchedEvidence(b testing.TB, appID, ref string, codes []string, timed func(string, func())) {
	evidence := "/v1/applications/" + appID + "/evidence"
	contents := make([][]byte, len(codes))
	items := make([]structs.AddEvidenceRequest, len(codes))
	for i, code := range codes {
		contents[i] = pdf(ref + code)
		sum := sha256.Sum256(contents[i])
		items[i] = structs.AddEvidenceRequest{Filename: code + ".pdf", Size: int64(len(contents[i])), ContentType: "application/pdf",
			SHA256: hex.EncodeToString(sum[:]), Standards: []string{code}}
	}
	var created structs.EvidenceBatchCreated
	timed("declare13", func() {
		tm.applicant.must(201, "POST", evidence+"/batch", structs.AddEvidenceBatchRequest{Items: items}).json(b, &created)
	})
	ids := make([]string, len(created.Items))
	for i, u := range created.Items {
		put(b, u, contents[i])
		ids[i] = u.Evidence.ID
	}
	var res structs.EvidenceBatchConfirmed
	timed("confirm13", func() {
		tm.applicant.must(200, "POST", evidence+"/batch/confirm", structs.ConfirmEvidenceBatchRequest{EvidenceIDs: ids}).json(b, &res)
	})
	if res.Confirmed != len(codes) {
		b.Fatalf("confirmed %d of %d files: %+v", res.Confirmed, len(codes), res)
	}
}

type benchStatus struct {
	Stage      string `json:"stage"`
	Assessment struct {
		Offer *struct {
			PersonID string `json:"person_id"`
		} `json:"offer"`
		Moderation *struct {
			ModeratorID string `json:"moderator_id"`
		} `json:"moderation"`
	} `json:"assessment"`
}

func (tm *benchTeam) waitFor(b testing.TB, appID string, ok func(benchStatus) bool) benchStatus {
	deadline := time.Now().Add(time.Minute)
	for {
		var s benchStatus
		r := tm.admin.must(200, "GET", "/v1/applications/"+appID, nil) // the applicant does not see who moderates
		r.json(b, &s)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: still at stage %s after a minute: %s", appID, s.Stage, r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// historyCost is what one journey's history holds.
type historyCost struct{ events, activities, local, tasks, upserts, bytes int }

func (h *historyCost) add(o historyCost) {
	h.events += o.events
	h.activities += o.activities
	h.local += o.local
	h.tasks += o.tasks
	h.upserts += o.upserts
	h.bytes += o.bytes
}

// benchHistory reads the journey's history through the stack's Temporal client, once nothing
// is in flight (emails sent, the award's last step written).
func benchHistory(b *testing.B, appID string) historyCost {
	id := workflows.WorkflowID(appID)
	return cycleCost(b, id, cycleHistory(b, id))
}

// benchBaselineQueue is the baseline workflow's own task queue.
const benchBaselineQueue = "bench-baseline"

// benchBaseline is the bare workflow: an Update that does nothing but answer, and one that ends it.
func benchBaseline(ctx workflow.Context) error {
	done := false
	if err := workflow.SetUpdateHandler(ctx, "act", func(ctx workflow.Context, n int) (int, error) { return n + 1, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, "done", func(ctx workflow.Context) error { done = true; return nil }); err != nil {
		return err
	}
	ok, err := workflow.AwaitWithTimeout(ctx, 10*time.Minute, func() bool { return done })
	if err != nil || !ok {
		return err
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// bareUpdates measures n bare Updates (a few per baseline workflow) on the shared server.
func bareUpdates(b *testing.B, n int) []time.Duration {
	w := sdkworker.New(shared.Client, benchBaselineQueue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(benchBaseline, workflow.RegisterOptions{Name: "BenchBaseline"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	ctx := b.Context()
	update := func(id, name string, args ...any) time.Duration {
		start := time.Now()
		h, err := shared.Client.UpdateWorkflow(ctx, temporalclient.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: name, Args: args, WaitForStage: temporalclient.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err != nil {
			b.Fatalf("baseline update %s: %v", name, err)
		}
		return time.Since(start)
	}
	var out []time.Duration
	for i := 0; len(out) < n; i++ {
		id := fmt.Sprintf("bench-baseline-%d-%d", time.Now().UnixNano(), i)
		if _, err := shared.Client.ExecuteWorkflow(ctx, temporalclient.StartWorkflowOptions{ID: id, TaskQueue: benchBaselineQueue},
			"BenchBaseline"); err != nil {
			b.Fatal(err)
		}
		for k := range 3 {
			out = append(out, update(id, "act", k))
		}
		update(id, "done")
	}
	return out
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkRegister20 registers applications through the API from 20 people at once and
// prints the p50/p99 of a registration (issue 16: it answers from what it knows, without
// waiting for the new journey's first workflow task).
//
//	go test ./integration -run '^$' -bench Register20 -benchtime 100x -v
func BenchmarkRegister20(b *testing.B) {
	const people = 20
	admin := as(b, shared, "demo-northshire-admin")
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	var mu sync.Mutex
	var lat []time.Duration
	next := make(chan int)
	var wg sync.WaitGroup
	b.ResetTimer()
	for range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				r := admin.do("POST", "/v1/applications", map[string]any{
					"setting_reference": fmt.Sprintf("BENCH20-%s-%d", run, i), "setting_name": "Bench school",
					"track": "caring_schools", "variant": "primary",
					"applicant_name": "Bench Applicant", "applicant_email": fmt.Sprintf("bench20-%s-%d@northshire.example", run, i),
				})
				d := time.Since(start)
				if r.Status != 201 {
					b.Errorf("register: %d %s", r.Status, r.Body)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < b.N; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(ms(pct(lat, 50)), "register-p50-ms")
	b.ReportMetric(ms(pct(lat, 99)), "register-p99-ms")
}
