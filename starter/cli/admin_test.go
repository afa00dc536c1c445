package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sampleReport() map[string]any {
	return map[string]any{
		"tenant_id": "northshire", "from": "2026-01-01", "to": "2026-12-31", "generated_at": "2027-01-02T09:00:00Z",
		"awarded": []map[string]any{
			{"track": "caring_schools", "level": "bronze", "settings": 3},
			{"track": "caring_schools", "level": "silver", "settings": 1},
			{"track": "caring_schools", "level": "gold", "settings": 0},
			{"track": "learning_homes", "level": "bronze", "settings": 0},
			{"track": "learning_homes", "level": "silver", "settings": 0},
			{"track": "learning_homes", "level": "gold", "settings": 2},
		},
		"awarded_total": 6, "reassessed_higher": 1, "toolkits_accessed": 9, "working_towards": 4,
		"in_assessment": 5, "lapsed": 1,
		"median_working_days": []map[string]any{
			{"stage": "portfolio", "median": 12.5, "spans": 4}, {"stage": "assessment", "median": 18, "spans": 3},
		},
		"assessor_workload": []map[string]any{
			{"person_id": "p_ada", "name": "Ada Assessor", "role": "assessor", "offers": 4, "accepted": 3,
				"completed": 2, "open": 1, "declined": 1, "expired": 0},
		},
		"notes": []string{"working_towards and in_assessment are as now"},
	}
}

func TestReportPrintsEveryFigure(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/reports", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("from") != "2026-01-01" || r.URL.Query().Get("to") != "2026-12-31" || r.URL.Query().Get("format") != "" {
			t.Errorf("query %q", r.URL.RawQuery)
		}
		writeJSON(w, 200, sampleReport())
	})
	code, out, errOut := run(t, "report", "--from", "2026-01-01", "--to", "2026-12-31")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Report for northshire, 2026-01-01 to 2026-12-31",
		"caring_schools  3       1       0", "learning_homes  0       0       2",
		"Settings awarded, in all        6", "Reassessed at a higher level    1", "Toolkits accessed               9",
		"Working towards an award (now)  4", "In assessment (now)             5", "Lapsed                          1",
		"portfolio   12.5", "assessment  18",
		"p_ada   Ada Assessor  assessor  4       3         2          1     1         0",
		"working_towards and in_assessment are as now",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--json")
	if code != 0 || !json.Valid([]byte(out)) || !strings.Contains(out, `"awarded_total":6`) {
		t.Errorf("--json: exit %d, %q", code, out)
	}
}

const reportCSV = "section,key,measure,value\nperiod,tenant,,northshire\nawarded,caring_schools/bronze,settings,3\n"

func TestReportCSVToStdoutAndFile(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/reports", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("format") != "csv" {
			writeJSON(w, 200, sampleReport())
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="report-northshire-2026-01-01-2026-12-31.csv"`)
		w.Write([]byte(reportCSV))
	})
	code, out, errOut := run(t, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--csv")
	if code != 0 || out != reportCSV {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	dest := filepath.Join(t.TempDir(), "r.csv")
	code, out, errOut = run(t, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", "-o", dest)
	if code != 0 || !strings.Contains(out, "Saved "+dest) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(dest); string(b) != reportCSV {
		t.Errorf("file holds %q", b)
	}
	// -o without --csv saves the JSON answer.
	dest = filepath.Join(t.TempDir(), "r.json")
	if code, _, errOut = run(t, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--output", dest); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(dest); !json.Valid(b) {
		t.Errorf("file holds %q", b)
	}
	if reqs := f.requests("GET", "/v1/admin/reports"); len(reqs) != 3 || reqs[0].Header.Get("Authorization") != "Bearer tok-applicant" {
		t.Errorf("requests %+v", reqs)
	}
}

func TestReportRefusalsAndUsage(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/reports", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: 403, Title: "Not allowed", Detail: "only your award team's admins may see reports"})
	})
	dest := filepath.Join(t.TempDir(), "r.csv")
	code, _, errOut := run(t, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", "-o", dest)
	if code != exitRefused || !strings.Contains(errOut, "only your award team's admins") {
		t.Errorf("403: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Error("a refused export must not leave a file")
	}
	before := f.count()
	for _, args := range [][]string{
		{"report"},                         // no dates
		{"report", "--from", "2026-01-01"}, // no --to
		{"report", "--from", "2026-13-01", "--to", "2026-12-31"},
		{"report", "--from", "2026-12-31", "--to", "2026-01-01"}, // reversed
		{"report", "--from", "2026-01-01", "--to", "2026-12-31", "extra"},
		{"report", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", "--json"},
		{"audit", "--from", "yesterday"},
		{"search"},
		{"show"},
		{"show", "app_1", "app_2"},
		{"show", "app_1", "--audit", "-1"},
	} {
		if code, _, errOut := run(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	if f.count() != before {
		t.Error("a usage error must not reach the API")
	}
}

func TestAuditTableAndCSV(t *testing.T) {
	f := newFake(t)
	const auditCSV = "id,at,application_id,actor,actor_name,action,stage_before,stage_after,detail\n" +
		"1,2026-03-02T09:00:00Z,app_1,p_asha,Asha,registered,toolkit,toolkit,\"{\"\"track\"\":\"\"caring_schools\"\"}\"\n"
	f.handle("GET /v1/admin/audit", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("application") != "app_1" || q.Get("from") != "2026-03-01" || q.Get("to") != "" {
			t.Errorf("query %q", r.URL.RawQuery)
		}
		if q.Get("format") == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Write([]byte(auditCSV))
			return
		}
		writeJSON(w, 200, map[string]any{"truncated": true, "limit": 2, "entries": []map[string]any{
			{"id": 1, "application_id": "app_1", "actor": "p_asha", "actor_name": "Asha", "action": "registered",
				"stage_before": "toolkit", "stage_after": "toolkit", "detail": map[string]any{"track": "caring_schools"}, "at": "2026-03-02T09:00:00Z"},
			{"id": 2, "application_id": "app_1", "actor": "p_asha", "actor_name": "Asha", "action": "toolkit_opened",
				"stage_before": "toolkit", "stage_after": "portfolio", "at": "2026-03-03T09:00:00Z"},
		}})
	})
	code, out, errOut := run(t, "audit", "--application", "app_1", "--from", "2026-03-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"AT", "ACTOR", "Asha (p_asha)", "registered", `{"track":"caring_schools"}`,
		"toolkit → portfolio", "Only the first 2 lines"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "APPLICATION") {
		t.Errorf("one application's trail needs no application column:\n%s", out)
	}
	code, out, errOut = run(t, "audit", "--application", "app_1", "--from", "2026-03-01", "--csv")
	if code != 0 || out != auditCSV {
		t.Fatalf("csv: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestSearchTable(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/search", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("q"); q == "zzz" {
			writeJSON(w, 200, map[string]any{"query": "zzz", "applications": []any{}})
			return
		} else if q != "Hill Primary" {
			t.Errorf("q %q", q)
		}
		writeJSON(w, 200, map[string]any{"query": "Hill Primary", "applications": []map[string]any{
			{"id": "app_1", "setting_reference": "URN1", "setting_name": "Hill Primary", "stage": "portfolio",
				"applicant_name": "Asha", "updated_at": "2026-03-02T09:00:00Z", "match": "setting_name"},
		}})
	})
	code, out, errOut := run(t, "search", "Hill", "Primary")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"ID", "REFERENCE", "app_1", "URN1", "Hill Primary", "portfolio", "Asha", "setting name"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := run(t, "search", "zzz"); code != 0 || !strings.Contains(out, `Nothing found for "zzz"`) {
		t.Errorf("exit %d, %q", code, out)
	}
}

func sampleDetail() map[string]any {
	audit := []map[string]any{}
	for i, action := range []string{"registered", "toolkit_granted", "toolkit_opened", "evidence_declared", "submitted"} {
		audit = append(audit, map[string]any{"id": i + 1, "application_id": "app_1", "actor": "p_asha", "actor_name": "Asha",
			"action": action, "stage_after": "portfolio", "at": "2026-03-02T09:00:00Z"})
	}
	return map[string]any{
		"summary": map[string]any{"id": "app_1", "setting": map[string]any{"reference": "URN1", "name": "Hill Primary"},
			"track": "caring_schools", "variant": "primary", "stage": "offered", "active": true, "next_action": "Ada accepts",
			"flags": []string{}, "applicant": map[string]any{"id": "p_asha", "name": "Asha"}, "updated_at": "2026-03-05T09:00:00Z"},
		"application": map[string]any{"next": map[string]any{"action": "Ada Assessor accepts or declines the offer to assess", "who": "assessor"},
			"target_level": "bronze", "assessment": map[string]any{"assessor_name": ""}},
		"timeline": []map[string]any{
			{"stage": "toolkit", "at": "2026-03-02T09:00:00Z", "until": "2026-03-03T09:00:00Z", "working_days": 1, "actor": "p_asha", "actor_name": "Asha", "action": "registered"},
			{"stage": "offered", "from": "toolkit", "at": "2026-03-03T09:00:00Z", "working_days": 2, "actor": "system", "action": "assessor_offered"},
		},
		"allocation": map[string]any{"chosen": "p_ada", "reason": "least loaded"},
		"emails": []map[string]any{{"message_type": "welcome", "recipient_id": "p_asha", "recipient_name": "Asha",
			"subject": "Welcome to the award", "status": "sent", "attempts": 1, "created_at": "2026-03-02T09:00:00Z", "sent_at": "2026-03-02T09:00:01Z"}},
		"audit": audit, "audit_truncated": false,
		"assignments": []map[string]any{{"id": "app_1/offer/1", "application_id": "app_1", "person_id": "p_ada", "person_name": "Ada Assessor",
			"role": "assessor", "state": "offered", "offered_at": "2026-03-03T09:00:00Z"}},
		"temporal_ui": "http://127.0.0.1:8233/namespaces/awards/workflows/application%2Fapp_1", "workflow_id": "application/app_1",
	}
}

func TestShowPrintsTheAdminPage(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/admin/applications/app_1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, sampleDetail())
	})
	f.handle("GET /v1/admin/applications/app_x", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: 404, Title: "Not found", Detail: "no application app_x"})
	})
	code, out, errOut := run(t, "show", "app_1", "--audit", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"app_1 — Hill Primary (URN1)", "caring_schools / primary", "offered", "Ada Assessor accepts or declines",
		"Asha (p_asha)", "Ada Assessor (p_ada): least loaded",
		"Timeline:", "toolkit", "assessor_offered",
		"Emails:", "welcome", "Welcome to the award", "sent",
		"last 2 of 5 lines", "evidence_declared", "submitted",
		"Temporal Web UI: http://127.0.0.1:8233/namespaces/awards/workflows/application%2Fapp_1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "toolkit_granted") {
		t.Errorf("--audit 2 shows only the last two lines:\n%s", out)
	}
	if code, out, _ := run(t, "show", "app_1", "--json"); code != 0 || !json.Valid([]byte(out)) {
		t.Errorf("--json: exit %d %q", code, out)
	}
	if code, _, errOut := run(t, "show", "app_x"); code != exitRefused || !strings.Contains(errOut, "no application app_x") {
		t.Errorf("404: exit %d, %q", code, errOut)
	}
}

func TestAdminCommandsUnreachable(t *testing.T) {
	t.Setenv("AWARD_API_URL", "http://127.0.0.1:1")
	t.Setenv("AWARD_TOKEN", "tok")
	for _, args := range [][]string{
		{"report", "--from", "2026-01-01", "--to", "2026-01-31", "--csv"},
		{"audit"},
		{"search", "x"},
		{"show", "app_1"},
	} {
		if code, _, errOut := run(t, args...); code != exitUnavailable || !strings.Contains(errOut, "cannot reach the API") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
