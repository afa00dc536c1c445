package workflows_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"awardengine/payloadcrypt"
	"awardengine/worker"
	"awardengine/workflows"
)

// Replay tests (docs/replay.md): the histories of real journeys, captured from the integration
// suite into testdata/histories, must replay on the current workflow code. A change that
// would break a running journey fails here: guard it with workflow.GetVersion.

const historiesDir = "testdata/histories"

// replayRegistry lets worker.Register fill a replayer, so replays register exactly the
// workflows (and names) the real worker does. Activities are not needed to replay.
type replayRegistry struct {
	sdkworker.WorkflowReplayer
	sdkworker.NexusServiceRegistry // never called by worker.Register
}

func (replayRegistry) RegisterActivity(any)                                         {}
func (replayRegistry) RegisterActivityWithOptions(any, activity.RegisterOptions)    {}
func (replayRegistry) RegisterDynamicActivity(any, activity.DynamicRegisterOptions) {}

// payloadKeysFile holds the data keys of the encrypted histories (payloadcrypt), re-wrapped
// under a throwaway test key-encryption key when they were captured
// (integration/encryption_test.go). Unencrypted histories replay through the same converter:
// payloads that are not encrypted pass through it unchanged.
const payloadKeysFile = "testdata/payload-keys.json"

type payloadKeys struct {
	Keyring  json.RawMessage          `json:"keyring"`
	DataKeys []payloadcrypt.StoredKey `json:"data_keys"`
}

// testKeys are the data keys of the encrypted histories.
func testKeys(t *testing.T) *payloadcrypt.Keys {
	t.Helper()
	store := payloadcrypt.NewMemoryStore()
	raw, err := os.ReadFile(payloadKeysFile)
	if err != nil {
		t.Fatalf("%s: %v (the keys of the encrypted histories)", payloadKeysFile, err)
	}
	var f payloadKeys
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	ring, err := payloadcrypt.ParseKeyring(f.Keyring)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range f.DataKeys {
		store.Keys[k.KeyID] = k
	}
	return payloadcrypt.NewKeys(store, ring)
}

// newReplayer is a replayer with the product's payload encryption (the converters every
// worker has).
func newReplayer(t *testing.T) sdkworker.WorkflowReplayer {
	t.Helper()
	dc := payloadcrypt.NewDataConverter(testKeys(t))
	r, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
		DataConverter: dc, FailureConverter: payloadcrypt.NewFailureConverter(dc)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The encrypted histories really are encrypted: they replay with their keys (above) and not
// without them.
func TestEncryptedHistoriesNeedTheirKeys(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(historiesDir, "encrypted_*.json"))
	if len(files) == 0 {
		t.Fatal("no encrypted history (encrypted_*.json): capture one (docs/replay.md)")
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "YmluYXJ5L2VuY3J5cHRlZA==") { // base64 of "binary/encrypted"
			t.Fatalf("%s holds no encrypted payload", file)
		}
		r := sdkworker.NewWorkflowReplayer()
		worker.Register(replayRegistry{WorkflowReplayer: r}, nil)
		quiet := log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err := r.ReplayWorkflowHistoryFromJSONFile(quiet, file); err == nil {
			t.Fatalf("%s replays without its keys: its payloads are not encrypted", file)
		}
	}
}

func histories(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(historiesDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no histories in %s: the replay test needs them (see docs/replay.md)", historiesDir)
	}
	return files
}

func TestReplayCapturedHistories(t *testing.T) {
	for _, file := range histories(t) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
			_ = f.Close()
			if err != nil {
				t.Fatalf("reading %s: %v", file, err)
			}
			t.Logf("%s: %d events", file, len(h.GetEvents()))
			r := newReplayer(t)
			worker.Register(replayRegistry{WorkflowReplayer: r}, nil)
			if err := r.ReplayWorkflowHistory(nil, h); err != nil {
				t.Fatalf("%s no longer replays on this code: %v\n"+
					"A running journey with this history would fail. Guard the change with workflow.GetVersion (docs/replay.md).", file, err)
			}
		})
	}
}

// An unguarded change (here: a timer before the journey's first step) is caught by replay.
func TestUnguardedChangeIsCaughtByReplay(t *testing.T) {
	file := filepath.Join(historiesDir, "awarded.json")
	if _, err := os.Stat(file); err != nil {
		file = histories(t)[0]
	}
	changed := func(ctx workflow.Context, in workflows.ApplicationInput) (workflows.Outcome, error) {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return workflows.Outcome{}, err
		}
		return workflows.ApplicationWorkflow(ctx, in)
	}
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(changed, workflow.RegisterOptions{Name: "ApplicationWorkflow"})
	quiet := log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) // the SDK logs the expected panic
	err := r.ReplayWorkflowHistoryFromJSONFile(quiet, file)
	if err == nil {
		t.Fatalf("replaying %s on changed workflow code succeeded: replay would not catch a breaking change", file)
	}
	// Every non-determinism error of the Go SDK carries the code TMPRL1100 ("nondeterministic
	// workflow: …", "lookup failed …", "a matching … command was expected …").
	if !regexp.MustCompile(`TMPRL1100|(?i)non-?determinis|mismatch`).MatchString(err.Error()) {
		t.Fatalf("replay failed, but not with a non-determinism error: %v", err)
	}
	t.Logf("caught, as it should be: %v", err)

	// The same change behind workflow.GetVersion replays: old histories take the old path.
	guarded := func(ctx workflow.Context, in workflows.ApplicationInput) (workflows.Outcome, error) {
		if workflow.GetVersion(ctx, "replay-test-sleep", workflow.DefaultVersion, 1) == 1 {
			if err := workflow.Sleep(ctx, time.Second); err != nil {
				return workflows.Outcome{}, err
			}
		}
		return workflows.ApplicationWorkflow(ctx, in)
	}
	r = sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(guarded, workflow.RegisterOptions{Name: "ApplicationWorkflow"})
	if err := r.ReplayWorkflowHistoryFromJSONFile(quiet, file); err != nil {
		t.Fatalf("the guarded change does not replay: %v", err)
	}
}
