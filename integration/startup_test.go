package integration

import (
	"context"
	"strings"
	"testing"

	"awardengine/deploy/stack"
)

// TestBusyPortIsOneClearLine: starting a second copy on a port in use fails at once with one
// line saying what to do, and starts nothing.
func TestBusyPortIsOneClearLine(t *testing.T) {
	addr := strings.TrimPrefix(shared.APIURL, "http://")
	_, err := stack.Start(context.Background(), stack.Options{DataDir: t.TempDir(), HTTPAddr: addr})
	if err == nil {
		t.Fatal("a second stack started on a busy port")
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, addr) || !strings.Contains(msg, "another port") {
		t.Fatalf("error is not one clear line: %q", msg)
	}
}
