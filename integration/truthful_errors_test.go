package integration

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStalledStorageAnswersInProgressNotNothingChanged stalls MinIO (SIGSTOP: the process holds
// its connections but answers nothing, like a storage node that hangs) while the applicant
// confirms an upload. The confirmation is sent to the journey, which waits for storage; the API
// cannot know the outcome in time and says so: 503 "still in progress — check the application
// before trying again", never "nothing was changed". Once storage answers again, the
// confirmation the API could not report completes, and the application shows it.
func TestStalledStorageAnswersInProgressNotNothingChanged(t *testing.T) {
	applicant := as(t, shared, "demo-northshire-applicant")
	appID := registered(t, applicant, "URN-STALL-1")
	standards := bronzeStandards(t, applicant, appID)
	content := pdf("stall")
	u := applicant.declare(appID, "stall.pdf", "application/pdf", content, standards[0])
	put(t, u, content)

	pid := minioPID(t)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stalling MinIO (pid %d): %v", pid, err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
				t.Errorf("resuming MinIO (pid %d): %v", pid, err)
			}
		}
	}
	defer resume() // never leave storage stalled for the tests that follow

	confirm := "/v1/applications/" + appID + "/evidence/" + u.Evidence.ID + "/confirm"
	start := time.Now()
	r := applicant.do("POST", confirm, nil)
	took := time.Since(start)
	if r.Status != 503 {
		t.Fatalf("want 503 while storage is stalled, got %d: %s", r.Status, r.Body)
	}
	p := r.problem(t)
	detail, _ := p["detail"].(string)
	if !strings.HasSuffix(p["type"].(string), "/in-progress") || !strings.Contains(detail, "still in progress") ||
		!strings.Contains(detail, "check the application before trying again") {
		t.Fatalf("want an in-progress answer, got %s", r.Body)
	}
	if strings.Contains(detail, "nothing was changed") || strings.Contains(detail, "nothing was lost") {
		t.Fatalf("claims nothing was changed of a change still in progress: %q", detail)
	}
	t.Logf("answered in %s: %s", took.Round(time.Second), detail)

	resume()
	waitFor(t, "the confirmation to complete once storage answers", 2*time.Minute, func() bool {
		var app application
		applicant.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &app)
		for _, e := range app.Evidence {
			if e.ID == u.Evidence.ID {
				return e.State == "confirmed"
			}
		}
		return false
	})

	// Confirming again is what a person told "check before trying again" may still do: the item
	// is confirmed with the same checksum, so that is a success, not a conflict.
	applicant.must(200, "POST", confirm, nil)
}

// minioPID finds the stack's MinIO server process by the API address on its command line.
func minioPID(t *testing.T) int {
	t.Helper()
	addr := []byte("127.0.0.1:" + portOf(t, shared.MinIO.Endpoint()))
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		args := bytes.Split(cmdline, []byte{0})
		if len(args) < 2 || filepath.Base(string(args[0])) != "minio" || !bytes.Equal(args[1], []byte("server")) {
			continue
		}
		for _, a := range args {
			if bytes.Equal(a, addr) {
				pid, _ := strconv.Atoi(filepath.Base(d))
				return pid
			}
		}
	}
	t.Fatalf("no MinIO process serving %s", addr)
	return 0
}

func portOf(t *testing.T, endpoint string) string {
	t.Helper()
	i := strings.LastIndexByte(endpoint, ':')
	if i < 0 {
		t.Fatalf("endpoint %q has no port", endpoint)
	}
	return endpoint[i+1:]
}
