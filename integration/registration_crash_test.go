package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"

	"awardengine/award"
	"awardengine/journeys"
	"awardengine/starter/api"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// A registration commits its application row and the journey's start input together, then
// starts the journey and marks it started. These tests stop registrations at each point a
// process can die (api.Server.CrashAt drops the connection and does nothing more, as kill -9
// would) and show the invariant: after the sweeper has run there is either no application or an
// application with a running journey, never a row without one.

// crashingAPI serves the API on the shared stack's database and Temporal, stopping registrations
// where crashAt says. temporal replaces the Temporal client when given.
func crashingAPI(t *testing.T, crashAt func(api.CrashPoint, workflows.ApplicationInput) bool, temporal sdkclient.Client) *httptest.Server {
	t.Helper()
	if temporal == nil {
		temporal = shared.Client
	}
	srv := httptest.NewServer((&api.Server{DB: shared.DB, Temporal: temporal, Objects: shared.Objects,
		Settings: award.DefaultSettings(), Limits: award.DefaultUploadLimits(), Namespace: "awards", CrashAt: crashAt}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// registerThrough posts a registration and says whether an answer came back at all.
func registerThrough(base, token string, body any) (status int, answered bool) {
	req, _ := http.NewRequest("POST", base+"/v1/applications", bytes.NewReader(mustJSON(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return 0, false
	}
	resp.Body.Close()
	return resp.StatusCode, true
}

func school(ref string) map[string]any {
	return map[string]any{"setting_reference": ref, "setting_name": "School " + ref, "track": "caring_schools", "variant": "primary"}
}

// applicationsOf maps the tenant's application ids by setting reference, as the admins' list has them.
func applicationsOf(t *testing.T, adm *client) map[string]string {
	t.Helper()
	var list struct {
		Applications []struct {
			ID               string `json:"id"`
			SettingReference string `json:"setting_reference"`
		} `json:"applications"`
	}
	adm.must(200, "GET", "/v1/applications", nil).json(t, &list)
	out := map[string]string{}
	for _, a := range list.Applications {
		out[a.SettingReference] = a.ID
	}
	return out
}

// journeyless lists the tenant's applications that Temporal knows no journey of: the orphans.
func journeyless(t *testing.T, tenant string) []string {
	t.Helper()
	rows, err := shared.DB.Pool().Query(t.Context(), `SELECT id FROM applications WHERE tenant_id=$1 ORDER BY id`, tenant)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		_, err := shared.Client.DescribeWorkflowExecution(t.Context(), workflows.WorkflowID(id), "")
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			out = append(out, id)
		case err != nil:
			t.Fatalf("describing the journey of %s: %v", id, err)
		}
	}
	return out
}

// lateStarts returns the audit lines that say who started a journey left behind.
func lateStarts(t *testing.T, tenant, appID string) []postgres.AuditEntry {
	t.Helper()
	trail, err := shared.DB.AuditTrail(t.Context(), tenant, appID)
	if err != nil {
		t.Fatal(err)
	}
	var out []postgres.AuditEntry
	for _, l := range trail {
		if l.Action == "journey_started_late" {
			out = append(out, l)
		}
	}
	return out
}

// pauseSweeper stops the stack's sweeper for the test, so that a registration left behind can be
// looked at before it is repaired.
func pauseSweeper(t *testing.T) {
	shared.Sweeper.Stop()
	t.Cleanup(shared.Sweeper.Start)
}

func TestRegistrationCrashAtEachPoint(t *testing.T) {
	tm := newAwardTeam(t, "orphanshire", 2)
	pauseSweeper(t)
	crashes := map[string]api.CrashPoint{
		"CR-BEFORE": api.CrashBeforeCommit, // nothing written
		"CR-RETRY":  api.CrashAfterCommit,  // committed, no journey: an admin's retry repairs it
		"CR-OPEN":   api.CrashAfterCommit,  // opening it starts it on demand
		"CR-WD":     api.CrashAfterCommit,  // withdrawing it starts it, then withdraws
		"CR-SWEEP":  api.CrashAfterCommit,  // the sweeper starts it
		"CR-MARK":   api.CrashAfterStart,   // the journey runs, not marked started: the sweeper marks it
	}
	srv := crashingAPI(t, func(p api.CrashPoint, in workflows.ApplicationInput) bool {
		return crashes[in.SettingReference] == p
	}, nil)
	token := "test-orphanshire-applicant"
	for ref := range crashes {
		if status, answered := registerThrough(srv.URL, token, school(ref)); answered {
			t.Fatalf("%s: the crashed registration answered %d", ref, status)
		}
	}
	apps := applicationsOf(t, tm.adm)
	if id, ok := apps["CR-BEFORE"]; ok {
		t.Errorf("a registration stopped before its commit left application %s", id)
	}
	for ref, p := range crashes {
		if p != api.CrashBeforeCommit && apps[ref] == "" {
			t.Fatalf("%s: the committed registration is not listed", ref)
		}
	}
	// The state a crash leaves: rows without a journey (the one stopped after its start has one).
	orphans := journeyless(t, "orphanshire")
	want := []string{apps["CR-RETRY"], apps["CR-OPEN"], apps["CR-WD"], apps["CR-SWEEP"]}
	slices.Sort(want)
	if !slices.Equal(orphans, want) {
		t.Fatalf("orphans before the sweep %v, want %v", orphans, want)
	}

	// After the grace, the admins' stuck list shows each one, with its age and the repair.
	var doc stuckDoc
	waitFor(t, "the stuck list to show the missing journeys", postgres.JourneyStartGrace+15*time.Second, func() bool {
		doc = stuckList(t, tm.adm)
		for _, ref := range []string{"CR-RETRY", "CR-OPEN", "CR-WD", "CR-SWEEP", "CR-MARK"} {
			if _, ok := doc.entry(apps[ref], postgres.StuckJourneyMissing); !ok {
				return false
			}
		}
		return true
	})
	e, _ := doc.entry(apps["CR-RETRY"], postgres.StuckJourneyMissing)
	if e.Who != "system" || e.SettingReference != "CR-RETRY" || e.AgeSeconds < int64(postgres.JourneyStartGrace/time.Second) ||
		e.Age == "" || !strings.Contains(e.Unstick, "retry") || !strings.Contains(e.Detail, "journey") {
		t.Errorf("journey_missing entry %+v", e)
	}

	// The admin's action repairs it, and says so; the start is audited as the admin's.
	var retried struct {
		JourneyStarted bool `json:"journey_started"`
	}
	tm.adm.must(200, "POST", "/v1/applications/"+apps["CR-RETRY"]+"/retry", map[string]any{}).json(t, &retried)
	if !retried.JourneyStarted {
		t.Error("retry of a missing journey did not say it started it")
	}
	if l := lateStarts(t, "orphanshire", apps["CR-RETRY"]); len(l) != 1 || l[0].Actor != tm.ids["admin"] || l[0].Detail["by"] != journeys.ByRetry {
		t.Errorf("audit of the admin's repair: %+v", l)
	}
	var got application
	tm.applicant.must(200, "GET", "/v1/applications/"+apps["CR-RETRY"], nil).json(t, &got)
	if got.Stage != "toolkit" {
		t.Errorf("repaired application at stage %q", got.Stage)
	}

	// Opening or withdrawing an application still waiting for its journey does not answer "not
	// found": it starts the journey (idempotently) and answers.
	tm.applicant.must(200, "GET", "/v1/applications/"+apps["CR-OPEN"], nil).json(t, &got)
	if got.ID != apps["CR-OPEN"] || got.Stage != "toolkit" {
		t.Errorf("opened %+v", got)
	}
	tm.applicant.must(200, "POST", "/v1/applications/"+apps["CR-WD"]+"/withdraw", map[string]any{"reason": "registered twice by mistake"}).json(t, &got)
	if got.Stage != "withdrawn" {
		t.Errorf("withdrawn application at stage %q", got.Stage)
	}

	// The sweeper starts the rest (CR-SWEEP) and marks the one whose journey already ran (CR-MARK).
	res, err := shared.Sweeper.Sweep(t.Context())
	if err != nil || res.Started < 2 || res.Failed != 0 {
		t.Fatalf("sweep: %+v, %v", res, err)
	}
	if o := journeyless(t, "orphanshire"); len(o) != 0 {
		t.Fatalf("orphans after the sweep: %v", o)
	}
	for _, ref := range []string{"CR-SWEEP", "CR-MARK"} {
		if l := lateStarts(t, "orphanshire", apps[ref]); len(l) != 1 || l[0].Actor != "system" || l[0].Detail["by"] != journeys.BySweeper {
			t.Errorf("%s: audit of the sweeper's start: %+v", ref, l)
		}
	}
	doc = stuckList(t, tm.adm)
	for ref, id := range apps {
		if _, ok := doc.entry(id, postgres.StuckJourneyMissing); ok {
			t.Errorf("%s is still on the stuck list as journey_missing:%s", ref, doc)
		}
	}

	// A later registration of each setting: 409 naming the existing application, which answers;
	// the setting whose registration never committed registers normally; the withdrawn one again.
	for ref := range crashes {
		r := tm.applicant.do("POST", "/v1/applications", school(ref))
		switch ref {
		case "CR-BEFORE", "CR-WD":
			if r.Status != 201 {
				t.Errorf("%s: registering again: %d %s", ref, r.Status, r.Body)
			}
		default:
			p := r.problem(t)
			if r.Status != 409 || p["existing_application_id"] != apps[ref] {
				t.Errorf("%s: registering again: %d %v, want 409 naming %s", ref, r.Status, p, apps[ref])
			}
			tm.applicant.must(200, "GET", "/v1/applications/"+apps[ref], nil)
		}
	}
}

// refusingTemporal is a Temporal that cannot start workflows just now.
type refusingTemporal struct{ sdkclient.Client }

func (refusingTemporal) ExecuteWorkflow(context.Context, sdkclient.StartWorkflowOptions, any, ...any) (sdkclient.WorkflowRun, error) {
	return nil, serviceerror.NewUnavailable("the workflow engine is unavailable (test)")
}

// A start that fails keeps the registration and says so with 202; the journey then starts.
func TestRegistrationAnswers202WhenTheJourneyCannotStartYet(t *testing.T) {
	tm := newAwardTeam(t, "startlessshire", 2)
	pauseSweeper(t) // so that the application is still waiting when it is opened
	srv := crashingAPI(t, nil, refusingTemporal{shared.Client})
	down := &client{t: t, base: srv.URL, token: "test-startlessshire-applicant"}
	r := down.must(202, "POST", "/v1/applications", school("NS-1"))
	var body struct {
		ID      string `json:"id"`
		Stage   string `json:"stage"`
		Message string `json:"message"`
	}
	r.json(t, &body)
	if body.ID == "" || body.Message != "registered; the journey is starting — it will appear shortly" ||
		r.Header.Get("Location") != "/v1/applications/"+body.ID || r.Header.Get("Retry-After") == "" {
		t.Errorf("202 answer %+v, headers %v", body, r.Header)
	}
	// While Temporal still cannot start it, opening it says it is starting, not "not found".
	p := down.do("GET", "/v1/applications/"+body.ID, nil)
	if p.Status != 503 || p.Header.Get("Retry-After") == "" || p.problem(t)["type"] != "https://award.example/problems/journey-starting" {
		t.Errorf("GET while starting: %d %s", p.Status, p.Body)
	}
	// A second registration of the setting is refused, naming this one; once Temporal answers
	// the application opens.
	if p := tm.applicant.do("POST", "/v1/applications", school("NS-1")); p.Status != 409 || p.problem(t)["existing_application_id"] != body.ID {
		t.Errorf("registering again: %d %s", p.Status, p.Body)
	}
	tm.applicant.must(200, "GET", "/v1/applications/"+body.ID, nil)
}

// Twenty registrations at once, each stopped at a random point (or not at all) as if the
// process were killed mid-burst, then the server gone: once the stack's own sweeper has run (with
// a second sweeper racing it, as a second worker process would), no application is left without
// a journey, each journey was started once, and every setting can be registered or names its
// application, which answers.
func TestRegistrationBurstWithCrashesLeavesNoOrphans(t *testing.T) {
	tm := newAwardTeam(t, "burstshire", 2)
	pauseSweeper(t)
	points := []api.CrashPoint{"", api.CrashBeforeCommit, api.CrashAfterCommit, api.CrashAfterStart}
	plan := map[string]api.CrashPoint{}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 10))
	for i := range 20 {
		p := points[i%len(points)] // every point at least twice...
		if i >= 8 {
			p = points[rng.IntN(len(points))] // ...and the rest at random
		}
		plan[fmt.Sprintf("BURST-%02d", i)] = p
	}
	srv := crashingAPI(t, func(p api.CrashPoint, in workflows.ApplicationInput) bool {
		return plan[in.SettingReference] == p
	}, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]int{}
	for ref := range plan {
		wg.Go(func() {
			status, answered := registerThrough(srv.URL, "test-burstshire-applicant", school(ref))
			mu.Lock()
			defer mu.Unlock()
			if answered {
				answers[ref] = status
			}
		})
	}
	wg.Wait()
	srv.Close() // the process is gone
	for ref, p := range plan {
		status, answered := answers[ref]
		if (p == "") != answered || (answered && status != 201) {
			t.Errorf("%s (crash %q): answered %v with %d", ref, p, answered, status)
		}
	}
	before := journeyless(t, "burstshire")
	t.Logf("%d applications without a journey before the sweep", len(before))
	if len(before) == 0 {
		t.Fatal("the burst left no orphan to sweep: the crash hook did not work")
	}

	// The stack's sweeper, and a second one racing it as another worker process would.
	shared.Sweeper.Start()
	other := &journeys.Sweeper{Starter: journeys.Starter{DB: shared.DB, Temporal: shared.Client}, Every: 200 * time.Millisecond}
	other.Start()
	defer other.Stop()
	waitFor(t, "the sweepers to leave no orphan", postgres.JourneyStartGrace+20*time.Second, func() bool {
		var pending int
		if err := shared.DB.Pool().QueryRow(t.Context(),
			`SELECT count(*) FROM journey_starts WHERE tenant_id='burstshire' AND started_at IS NULL`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		return pending == 0
	})
	if o := journeyless(t, "burstshire"); len(o) != 0 {
		t.Fatalf("orphans after the sweep: %v", o)
	}

	apps := applicationsOf(t, tm.adm)
	for ref, p := range plan {
		id, registered := apps[ref]
		if registered == (p == api.CrashBeforeCommit) {
			t.Errorf("%s (crash %q): registered %v", ref, p, registered)
		}
		if p == api.CrashAfterCommit {
			if l := lateStarts(t, "burstshire", id); len(l) != 1 {
				t.Errorf("%s: %d audit lines of its late start, want 1: %+v", ref, len(l), l)
			}
		}
		r := tm.applicant.do("POST", "/v1/applications", school(ref))
		switch {
		case !registered && r.Status != 201:
			t.Errorf("%s: registering the never-committed setting again: %d %s", ref, r.Status, r.Body)
		case registered:
			if r.Status != 409 || r.problem(t)["existing_application_id"] != id {
				t.Errorf("%s: registering again: %d %s, want 409 naming %s", ref, r.Status, r.Body, id)
			}
			var got application
			tm.applicant.must(200, "GET", "/v1/applications/"+id, nil).json(t, &got)
			if got.Stage != "toolkit" {
				t.Errorf("%s: stage %q", ref, got.Stage)
			}
		}
	}
	for _, e := range stuckList(t, tm.adm).Stuck {
		if e.Reason == postgres.StuckJourneyMissing {
			t.Errorf("still on the stuck list: %+v", e)
		}
	}
}
