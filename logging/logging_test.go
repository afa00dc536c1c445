package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONRecordsCarryTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "json", "info")
	log.InfoContext(WithRequestID(context.Background(), "abc-1"), "hello", "route", "GET /x")
	log.Debug("hidden at info")
	var rec map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &rec); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if rec["request_id"] != "abc-1" || rec["msg"] != "hello" || rec["route"] != "GET /x" {
		t.Fatalf("record %v", rec)
	}
	buf.Reset()
	New(&buf, "text", "debug").With("a", 1).Debug("shown")
	if !strings.Contains(buf.String(), "msg=shown") || !strings.Contains(buf.String(), "a=1") {
		t.Fatalf("text record %q", buf.String())
	}
}

func TestValidRequestID(t *testing.T) {
	for id, want := range map[string]bool{"abc-DEF_1.2": true, "": false, "a b": false, "é": false,
		strings.Repeat("x", 64): true, strings.Repeat("x", 65): false, "a\nb": false} {
		if ValidRequestID(id) != want {
			t.Errorf("%q: want %v", id, want)
		}
	}
	if a, b := NewRequestID(), NewRequestID(); a == b || !ValidRequestID(a) {
		t.Fatalf("ids %q %q", a, b)
	}
}
