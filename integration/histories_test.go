package integration

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	temporalclient "go.temporal.io/sdk/client"

	"awardengine/workflows"
)

// Replay histories (docs/replay.md): the journeys of this suite are written to
// workflows/testdata/histories when asked, and `go test ./workflows` replays them against the
// current workflow code.
//
//	CAPTURE_HISTORIES=1 go test ./integration -run '<tests>' -count=1 -v
//	go test ./integration -run '<tests>' -count=1 -v -capture-histories
var captureFlag = flag.Bool("capture-histories", false,
	"write the histories of the journeys the tests run to workflows/testdata/histories (also CAPTURE_HISTORIES=1)")

// historiesDir is where the replay test of package workflows reads its histories.
const historiesDir = "../workflows/testdata/histories"

func capturing() bool { return *captureFlag || os.Getenv("CAPTURE_HISTORIES") == "1" }

// captureHistory fetches the history of an application's workflow from the shared stack and,
// when capturing, writes it as JSON (the format of `temporal workflow show --output json`,
// which the SDK's replayer reads) to workflows/testdata/histories/<name>.json. Every run of
// a journey that continued as new is captured: a single run is <name>.json, several runs are
// <name>-run1.json … <name>-runN.json (each replays on its own; a later run starts from the
// state its input carries). The event count is always logged, so `go test -v` shows how
// long a journey's history is.
//
// It first waits (up to 30s) until the workflow is quiescent: closed, or running with no
// workflow task or activity in flight, so that the history ends on a completed workflow task.
func captureHistory(t *testing.T, applicationID, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c := shared.Client
	id := workflows.WorkflowID(applicationID)
	waitQuiescent(ctx, t, c, id)

	var runs []*historypb.History // oldest first
	runID := ""
	for {
		h, err := fetchHistory(ctx, c, id, runID)
		if err != nil {
			t.Fatalf("history of %s (run %q): %v", id, runID, err)
		}
		runs = append([]*historypb.History{h}, runs...)
		started := h.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes()
		runID = started.GetContinuedExecutionRunId()
		if runID == "" {
			break
		}
	}
	total := 0
	for _, h := range runs {
		total += len(h.GetEvents())
	}
	last := runs[len(runs)-1].GetEvents()
	t.Logf("history %q of %s: %d events in %d run(s), last event %s", name, id, total, len(runs),
		last[len(last)-1].GetEventType())
	if !capturing() {
		return
	}
	// A failed workflow task (a panic, a non-determinism) is a bug, not a history to keep.
	for _, h := range runs {
		for _, e := range h.GetEvents() {
			if f := e.GetWorkflowTaskFailedEventAttributes(); f != nil {
				t.Fatalf("not capturing %q: workflow task failed at event %d (%s): %s", name, e.GetEventId(),
					f.GetCause(), f.GetFailure().GetMessage())
			}
		}
	}
	if err := os.MkdirAll(historiesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, h := range runs {
		file := name + ".json"
		if len(runs) > 1 {
			file = fmt.Sprintf("%s-run%d.json", name, i+1)
		}
		raw, err := historyJSON(h)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(historiesDir, file)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("captured %s: %d events, %d bytes", path, len(h.GetEvents()), len(raw))
		capturePayloadKeys(t, h) // the replay test's keys of its encrypted payloads (encryption_test.go)
	}
}

// historyJSON is the proto JSON of a History ({"events": [...]}), one event per line: compact,
// yet a diff shows which events changed. The SDK's replayer reads it as it reads a file
// written by `temporal workflow show --output json`.
func historyJSON(h *historypb.History) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\"events\": [\n")
	for i, e := range h.GetEvents() {
		raw, err := temporalproto.CustomJSONMarshalOptions{}.Marshal(e)
		if err != nil {
			return nil, err
		}
		b.Write(raw)
		if i < len(h.GetEvents())-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes(), nil
}

func fetchHistory(ctx context.Context, c temporalclient.Client, id, runID string) (*historypb.History, error) {
	it := c.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, e)
	}
	if len(h.Events) == 0 {
		return nil, fmt.Errorf("empty history")
	}
	return h, nil
}

// waitQuiescent waits until the workflow is closed or has nothing in flight.
func waitQuiescent(ctx context.Context, t *testing.T, c temporalclient.Client, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			t.Fatalf("describing %s: %v", id, err)
		}
		if d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING ||
			(d.GetPendingWorkflowTask() == nil && len(d.GetPendingActivities()) == 0) {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("%s is still busy after 30s (%d activities pending): capturing as it is", id, len(d.GetPendingActivities()))
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
