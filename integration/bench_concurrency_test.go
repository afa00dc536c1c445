package integration

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	temporalclient "go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"awardengine/deploy/stack"
	awardworker "awardengine/worker"
)

// journeys20People is the concurrency of BenchmarkJourneys20: 20 people at once (issue 16).
const journeys20People = 20

// BenchmarkJourneys20 runs the 13-file bronze journey through the API at concurrency 20 (20
// goroutines, each with its own tenant, applicant, assessors and moderator: a benchTeam) and,
// on the same Temporal server and at the same concurrency, a bare baseline workflow (6 no-op
// activities and 3 Updates: benchBaseline20, its own task queue and worker), in alternating
// rounds: batched journeys, baseline, per-file journeys, baseline, ... A round is 20
// journeys (or 20 baseline workflows), one per goroutine; each kind runs max(1, b.N/20)
// rounds, after an unmeasured warm-up round of batched journeys and one of baseline. It
// prints journeys/s of each kind, baseline/s and their ratio, and the p50/p99 of every
// Update-backed action at c=20 beside the p99 of the baseline's bare Updates at c=20, with
// the ratio of the worst. A journey or baseline failing under load is counted
// (failed-journeys, failed-baselines), not in journeys/s or baseline/s. The figures are in docs/performance.md.
//
//	go test ./integration -run '^$' -bench Journeys20 -benchtime 40x -count=1
//
// (2 rounds of each kind; a few minutes on 2 cores.)
func BenchmarkJourneys20(b *testing.B) { journeys20(b) }

// BenchmarkJourneys20PostgresTemporal is BenchmarkJourneys20 on a second stack whose Temporal
// server keeps its persistence and visibility on PostgreSQL, production's stores (issue 16's
// second figure: every action's p99 ≤ 250 ms at c=20). Its worst-action-p99-ms figures are
// the ones to read against 250.
//
//	go test ./integration -run '^$' -bench Journeys20PostgresTemporal -benchtime 40x -count=1
func BenchmarkJourneys20PostgresTemporal(b *testing.B) {
	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	s, err := stack.Start(ctx, stack.Options{DataDir: b.TempDir(), TemporalDB: stack.TemporalPostgres})
	cancel()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	// The benchmark's helpers talk to the package's stack; benchmarks run one at a time, so
	// this one lends them its own for its run.
	prev := shared
	shared = s
	defer func() { shared = prev }()
	journeys20(b)
}

func journeys20(b *testing.B) {
	rounds := max(1, b.N/journeys20People)
	run := time.Now().UnixNano()
	// A journey that fails under load (an action refused, a stage not reached in a minute)
	// stops its goroutine for the round and is counted, not fatal to the benchmark; so is a
	// baseline workflow that fails.
	failures, baseFailures := &softFailures{}, &softFailures{}
	teams := make([]*benchTeam, journeys20People)
	for i := range teams {
		teams[i] = newBenchTeam(failures.tb(b), fmt.Sprintf("bench20shire%d", i))
	}
	stopBaseline := startBaseline20(b)
	defer stopBaseline()

	kinds := []string{"batched", "per-file"}
	lat := map[string]*latencies{"batched": {}, "per-file": {}, "baseline": {}}
	elapsed := map[string]time.Duration{}
	done := map[string]int{}
	// One unmeasured round of each first: the server's and worker's caches warm, the
	// start-up work of the stack done.
	parallel(func(g int) {
		teams[g].journey(failures.tb(b), fmt.Sprintf("BENCH20-%d-warm-%d", run, g), func(_ string, f func()) { f() }, true)
	})
	parallel(func(g int) {
		baseline20(baseFailures.tb(b), fmt.Sprintf("bench-baseline20-%d-warm-%d", run, g), func(_ string, f func()) { f() })
	})
	for _, f := range append(failures.reset(), baseFailures.reset()...) {
		b.Log("failed in warm-up: ", f)
	}
	b.ResetTimer()
	for r := range rounds {
		for _, kind := range kinds {
			start, failed := time.Now(), len(failures.list())
			parallel(func(g int) {
				ref := fmt.Sprintf("BENCH20-%d-%d-%s-%d", run, r, kind, g)
				teams[g].journey(failures.tb(b), ref, lat[kind].timed, kind == "batched")
			})
			elapsed[kind] += time.Since(start)
			done[kind] += journeys20People - (len(failures.list()) - failed) // journeys awarded

			start, failed = time.Now(), len(baseFailures.list())
			parallel(func(g int) {
				baseline20(baseFailures.tb(b), fmt.Sprintf("bench-baseline20-%d-%d-%s-%d", run, r, kind, g), lat["baseline"].timed)
			})
			elapsed["baseline"] += time.Since(start)
			done["baseline"] += journeys20People - (len(baseFailures.list()) - failed)
		}
	}
	b.StopTimer()
	for _, f := range failures.list() {
		b.Log("failed journey: ", f)
	}
	for _, f := range baseFailures.list() {
		b.Log("failed baseline: ", f)
	}
	b.ReportMetric(float64(len(failures.list())), "failed-journeys")
	b.ReportMetric(float64(len(baseFailures.list())), "failed-baselines")

	perSec := func(kind string) float64 { return float64(done[kind]) / elapsed[kind].Seconds() }
	base := perSec("baseline")
	b.ReportMetric(base, "baseline/s")
	bare := lat["baseline"].of("update")
	b.ReportMetric(ms(pct(bare, 50)), "bare-update-p50-ms")
	b.ReportMetric(ms(pct(bare, 99)), "bare-update-p99-ms")
	actions := []string{"declare", "confirm", "declare13", "confirm13", "submit", "accept", "assess", "moderate"}
	for _, kind := range kinds {
		b.ReportMetric(perSec(kind), kind+"-journeys/s")
		b.ReportMetric(perSec(kind)/base, kind+"-journeys/baseline")
		var worst float64
		for _, a := range append([]string{"register"}, actions...) {
			d := lat[kind].of(a)
			if len(d) == 0 {
				continue
			}
			b.ReportMetric(ms(pct(d, 50)), kind+"-"+a+"-p50-ms")
			b.ReportMetric(ms(pct(d, 99)), kind+"-"+a+"-p99-ms")
			if a != "register" {
				worst = max(worst, ms(pct(d, 99)))
			}
		}
		b.ReportMetric(worst, kind+"-worst-action-p99-ms")
		b.ReportMetric(worst/ms(pct(bare, 99)), kind+"-worst-action-p99/bare-p99")
	}
}

// parallel runs f(0..19) in 20 goroutines and waits for them all.
func parallel(f func(g int)) {
	var wg sync.WaitGroup
	for g := range journeys20People {
		wg.Add(1)
		go func() {
			defer wg.Done() // also when f stops its goroutine with b.Fatal
			f(g)
		}()
	}
	wg.Wait()
}

// softFailures records a goroutine's fatal failure and ends only that goroutine.
type softFailures struct {
	mu  sync.Mutex
	msg []string
}

func (s *softFailures) tb(b testing.TB) testing.TB { return softTB{TB: b, s: s} }

func (s *softFailures) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msg)
}

func (s *softFailures) reset() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := s.msg
	s.msg = nil
	return msg
}

type softTB struct {
	testing.TB
	s *softFailures
}

func (t softTB) Fatalf(format string, args ...any) { t.fail(fmt.Sprintf(format, args...)) }
func (t softTB) Fatal(args ...any)                 { t.fail(fmt.Sprint(args...)) }
func (t softTB) FailNow()                          { t.fail("FailNow") }

func (t softTB) fail(msg string) {
	t.s.mu.Lock()
	t.s.msg = append(t.s.msg, msg)
	t.s.mu.Unlock()
	runtime.Goexit()
}

// latencies collects timings per action from several goroutines.
type latencies struct {
	mu sync.Mutex
	d  map[string][]time.Duration
}

func (l *latencies) timed(action string, f func()) {
	start := time.Now()
	f()
	d := time.Since(start)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.d == nil {
		l.d = map[string][]time.Duration{}
	}
	l.d[action] = append(l.d[action], d)
}

func (l *latencies) of(action string) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.d[action]
}

// benchBaseline20Queue is benchBaseline20's own task queue.
const benchBaseline20Queue = "bench-baseline20"

// benchBaseline20 is the bare journey of issue 16's comparison: 3 Updates that only answer,
// each followed by 2 no-op activities (6 in all), then it ends.
func benchBaseline20(ctx workflow.Context) error {
	updates := 0
	if err := workflow.SetUpdateHandler(ctx, "act", func(ctx workflow.Context, n int) (int, error) {
		updates++
		return n + 1, nil
	}); err != nil {
		return err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	for k := range 3 {
		ok, err := workflow.AwaitWithTimeout(ctx, 10*time.Minute, func() bool { return updates > k })
		if err != nil || !ok {
			return err
		}
		for range 2 {
			if err := workflow.ExecuteActivity(ctx, "BenchNoop").Get(ctx, nil); err != nil {
				return err
			}
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// startBaseline20 starts the baseline's worker, with as many workflow-task pollers as the
// product's worker, and returns its stop.
func startBaseline20(b *testing.B) func() {
	w := sdkworker.New(shared.Client, benchBaseline20Queue,
		sdkworker.Options{MaxConcurrentWorkflowTaskPollers: awardworker.WorkflowTaskPollers})
	w.RegisterWorkflowWithOptions(benchBaseline20, workflow.RegisterOptions{Name: "BenchBaseline20"})
	w.RegisterActivityWithOptions(func(context.Context) error { return nil }, activity.RegisterOptions{Name: "BenchNoop"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	return w.Stop
}

// baseline20 runs one baseline workflow to its end, timing each Update as "update".
func baseline20(b testing.TB, id string, timed func(string, func())) {
	ctx := b.Context()
	run, err := shared.Client.ExecuteWorkflow(ctx, temporalclient.StartWorkflowOptions{ID: id, TaskQueue: benchBaseline20Queue},
		"BenchBaseline20")
	if err != nil {
		b.Fatal(err)
	}
	for k := range 3 {
		timed("update", func() {
			h, err := shared.Client.UpdateWorkflow(ctx, temporalclient.UpdateWorkflowOptions{
				WorkflowID: id, UpdateName: "act", Args: []any{k}, WaitForStage: temporalclient.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err != nil {
				b.Fatalf("baseline update: %v", err)
			}
		})
	}
	if err := run.Get(ctx, nil); err != nil {
		b.Fatalf("baseline %s: %v", id, err)
	}
}
