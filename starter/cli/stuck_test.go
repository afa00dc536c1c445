package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func sampleStuck() map[string]any {
	return map[string]any{
		"checked_at": "2030-02-01T10:00:00Z",
		"stuck": []map[string]any{
			{
				"application_id": "app_overdue", "setting_name": "Hill Primary", "setting_reference": "URN1",
				"stage": "assessment", "reason": "overdue", "detail": "Ada assesses the portfolio", "who": "assessor",
				"holder_id": "p_ada", "holder_name": "Ada Assessor", "unstick": "nudge, extend the deadline or reassign",
				"since": "2030-01-20T17:00:00Z", "age": "11 days", "age_seconds": 950400,
			},
			{
				"application_id": "app_mail", "setting_name": "Oak Nursery", "setting_reference": "URN2",
				"stage": "toolkit", "reason": "activity_failing", "detail": "SendEmail has failed 3 times", "who": "system",
				"holder_name": "engineers", "unstick": "fix the cause in the last error: it retries by itself (or retry it now)",
				"since": "2030-02-01T09:58:00Z", "age": "2 minutes", "age_seconds": 120,
				"attempt": 4, "last_error": "sending welcome: provider answered 500:\n internal error",
				"next_retry": "2030-02-01T10:00:35Z", "activity_type": "SendEmail",
			},
		},
	}
}

func TestStuckPrintsATableOldestFirstWithFailures(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/stuck", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, sampleStuck())
	})
	t.Setenv("AWARD_TOKEN", "tok-admin")
	code, out, errOut := run(t, "stuck")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"APPLICATION", "SETTING", "REASON", "HOLDER", "SINCE/AGE", "UNSTICK",
		"app_overdue", "Hill Primary (URN1)", "overdue", "Ada Assessor (assessor)", "11 days", "nudge, extend the deadline or reassign",
		"app_mail", "activity_failing", "engineers", "2 minutes",
		"Failures:", "SendEmail, attempt 4, next retry", "provider answered 500: internal error", "2 entries"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "app_overdue") > strings.Index(out, "app_mail") {
		t.Errorf("the API's order (oldest first) is kept:\n%s", out)
	}
	if got := f.requests("GET", "/v1/admin/stuck"); len(got) != 1 || got[0].Header.Get("Authorization") != "Bearer tok-admin" {
		t.Fatalf("requests %+v", got)
	}
}

func TestStuckJSONIsTheAPIAnswer(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/stuck", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, sampleStuck())
	})
	code, out, _ := run(t, "stuck", "--json")
	var doc struct {
		Stuck []map[string]any `json:"stuck"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Stuck) != 2 || doc.Stuck[1]["attempt"] != 4.0 {
		t.Fatalf("exit %d, %q", code, out)
	}
}

func TestStuckEmptyIsGoodNews(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/stuck", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"stuck": []any{}, "checked_at": "2030-02-01T10:00:00Z"})
	})
	code, out, errOut := run(t, "stuck")
	if code != exitOK || strings.TrimSpace(out) != "Nothing is stuck." || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestStuckWarningsGoToStderr(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/stuck", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"stuck": []any{}, "checked_at": "2030-02-01T10:00:00Z",
			"warnings": []string{"could not list failing workflow tasks from Temporal: unavailable"}})
	})
	code, out, errOut := run(t, "stuck")
	if code != exitOK || !strings.Contains(out, "Nothing is stuck.") || !strings.Contains(errOut, "could not list failing workflow tasks") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestStuckRefusedUnreachableAndUsage(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/stuck", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: 403, Title: "Not allowed", Detail: "only your award team's admins see the stuck list"})
	})
	code, _, errOut := run(t, "stuck")
	if code != exitRefused || !strings.Contains(errOut, "only your award team's admins") {
		t.Errorf("403: exit %d, stderr %q", code, errOut)
	}
	code, out, _ := run(t, "stuck", "--json")
	if code != exitRefused || !strings.Contains(out, `"status":403`) {
		t.Errorf("403 --json: exit %d, stdout %q", code, out)
	}

	before := f.count()
	if code, _, errOut := run(t, "stuck", "extra"); code != exitUsage || !strings.Contains(errOut, "unexpected argument") {
		t.Errorf("stray argument: exit %d, stderr %q", code, errOut)
	}
	if f.count() != before {
		t.Error("a usage error must not reach the API")
	}

	t.Setenv("AWARD_API_URL", "http://127.0.0.1:1")
	if code, _, errOut := run(t, "stuck"); code != exitUnavailable || !strings.Contains(errOut, "cannot reach the API") {
		t.Errorf("unreachable: exit %d, stderr %q", code, errOut)
	}
}

func TestStuckIsInTheHelp(t *testing.T) {
	code, out, _ := run(t, "help")
	if code != exitOK || !strings.Contains(out, "stuck") {
		t.Fatalf("help lacks stuck: %q", out)
	}
	code, out, _ = run(t, "help", "stuck")
	if code != exitOK || !strings.Contains(out, "Usage: starter stuck") || !strings.Contains(out, "email_bounced") {
		t.Fatalf("help stuck: exit %d, %q", code, out)
	}
}
