package cli

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestNudgeExtendRetry(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-1/nudge", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "assessment", nil))
	})
	f.handle("POST /v1/applications/app-1/extend", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "assessment", nil))
	})
	f.handle("POST /v1/applications/app-1/retry", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"retried": []map[string]any{{"activity": "SendEmail", "attempt": 4, "last_error": "email provider answered 500"}}})
	})
	f.handle("POST /v1/applications/app-2/retry", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/nothing-to-retry", Title: "Nothing to retry", Status: 409,
			Detail: "no activity of this application is failing"})
	})

	code, out, errOut := run(t, "nudge", "app-1", "--reason", "visit booked?")
	if code != 0 || !strings.Contains(out, "Nudged about Oakfield Primary (app-1)") {
		t.Errorf("nudge: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if body := bodyOf(t, f, "POST", "/v1/applications/app-1/nudge"); !reflect.DeepEqual(body, map[string]any{"reason": "visit booked?"}) {
		t.Errorf("nudge body %v", body)
	}
	code, out, errOut = run(t, "extend", "app-1", "--until", "2027-01-29", "--reason", "leave")
	if code != 0 || !strings.Contains(out, "Deadline moved for Oakfield Primary (app-1)") {
		t.Errorf("extend: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if body := bodyOf(t, f, "POST", "/v1/applications/app-1/extend"); !reflect.DeepEqual(body, map[string]any{"until": "2027-01-29", "reason": "leave"}) {
		t.Errorf("extend body %v", body)
	}
	if code, _, _ := run(t, "extend", "app-1", "--days", "5", "--reason", "leave"); code != 0 {
		t.Errorf("extend --days: exit %d", code)
	}
	reqs := f.requests("POST", "/v1/applications/app-1/extend")
	if got := string(reqs[len(reqs)-1].Body); !strings.Contains(got, `"working_days":5`) || strings.Contains(got, "until") {
		t.Errorf("extend --days body %s", got)
	}
	code, out, _ = run(t, "retry", "app-1")
	if code != 0 || !strings.Contains(out, "Retrying SendEmail now (had failed 4 times: email provider answered 500)") {
		t.Errorf("retry: exit %d, stdout %q", code, out)
	}
	code, out, errOut = run(t, "retry", "app-2")
	if code != exitRefused || out != "" || !strings.Contains(errOut, "no activity of this application is failing") {
		t.Errorf("retry with nothing failing: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	n := f.count()
	for _, args := range [][]string{{"extend", "app-1", "--reason", "x"}, {"extend", "app-1", "--until", "tomorrow", "--reason", "x"},
		{"extend", "app-1", "--until", "2027-01-29"}, {"extend", "app-1", "--until", "2027-01-29", "--days", "2", "--reason", "x"}, {"nudge"}, {"retry"}} {
		if code, _, errOut := run(t, args...); code != exitUsage || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	if f.count() != n {
		t.Error("usage errors must not reach the API")
	}
}
