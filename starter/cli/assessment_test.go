package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"awardengine/structs"
)

// assessedSample is an application in an assessment stage, with its assessment.
func assessedSample(id, stage string, assessment map[string]any) map[string]any {
	ap := sampleApplication(id, stage)
	ap["target_level"] = "silver"
	ap["next"] = map[string]any{"action": "Score every standard and write feedback", "who": "assessor", "due_at": "2030-02-01T17:00:00Z"}
	if assessment != nil {
		ap["assessment"] = assessment
	}
	return ap
}

// bodyOf decodes the JSON body of the only request seen with method and path.
func bodyOf(t *testing.T, f *fakeAPI, method, path string) map[string]any {
	t.Helper()
	reqs := f.requests(method, path)
	if len(reqs) != 1 {
		t.Fatalf("want 1 %s %s, got %d", method, path, len(reqs))
	}
	var body map[string]any
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
		t.Fatalf("%s %s body %q: %v", method, path, reqs[0].Body, err)
	}
	return body
}

func TestInboxListsOpenAssignmentsFirst(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/assignments", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"assignments": []map[string]any{
				{"id": "app-9/offer/1", "application_id": "app-9", "setting_reference": "URN9", "setting_name": "Elm School",
					"person_id": "p_a", "role": "assessor", "state": "declined", "reason": "on leave",
					"offered_at": "2030-01-02T09:00:00Z", "closed_at": "2030-01-03T09:00:00Z"},
				{"id": "app-1/offer/1", "application_id": "app-1", "setting_reference": "URN123456", "setting_name": "Oakfield Primary",
					"person_id": "p_a", "role": "assessor", "state": "accepted",
					"offered_at": "2030-01-05T09:00:00Z", "accepted_at": "2030-01-06T09:00:00Z"},
				{"id": "app-2/moderation/1", "application_id": "app-2", "setting_reference": "HH-7", "setting_name": "The Smiths",
					"person_id": "p_a", "role": "moderator", "state": "offered", "offered_at": "2030-01-07T09:00:00Z"},
			},
			"applications": []map[string]any{
				{"id": "app-1", "setting_reference": "URN123456", "setting_name": "Oakfield Primary", "stage": "assessment",
					"next_action": "Score", "due_at": "2030-02-01T17:00:00Z", "flags": []string{}},
				{"id": "app-2", "setting_reference": "HH-7", "setting_name": "The Smiths", "stage": "moderation",
					"next_action": "Moderate", "due_at": "2030-01-21T17:00:00Z", "flags": []string{}},
			},
		})
	})
	code, out, errOut := run(t, "inbox")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and 3 rows:\n%s", out)
	}
	for _, h := range []string{"APPLICATION", "SETTING", "ROLE", "STATE", "OFFERED", "ACCEPTED", "DUE"} {
		if !strings.Contains(lines[0], h) {
			t.Errorf("header %q lacks %s", lines[0], h)
		}
	}
	wantRows := []struct{ parts []string }{
		{[]string{"app-1", "Oakfield Primary (URN123456)", "assessor", "accepted", "2030-01-0", "2030-02-01", "in "}},
		{[]string{"app-2", "The Smiths (HH-7)", "moderator", "offered", "2030-01-21"}},
		{[]string{"app-9", "Elm School (URN9)", "declined"}},
	}
	for i, w := range wantRows {
		for _, p := range w.parts {
			if !strings.Contains(lines[i+1], p) {
				t.Errorf("row %d %q lacks %q", i+1, lines[i+1], p)
			}
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(lines[3]), "-") {
		t.Errorf("a closed assignment has no due date: %q", lines[3])
	}

	code, out, _ = run(t, "inbox", "--json")
	var raw map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &raw) != nil || raw["assignments"] == nil {
		t.Errorf("--json: exit %d, stdout %q", code, out)
	}
}

func TestInboxEmpty(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/assignments", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"assignments": []any{}, "applications": []any{}})
	})
	code, out, _ := run(t, "inbox")
	if code != 0 || out != "Nothing in your inbox.\n" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if code, _, errOut := run(t, "inbox", "app-1"); code != exitUsage || !strings.Contains(errOut, `unexpected argument "app-1"`) {
		t.Errorf("inbox with an argument: exit %d, stderr %q", code, errOut)
	}
}

func TestAcceptSendsNoBodyAndShowsStage(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-1/offer/accept", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "assessment", map[string]any{"assessor_id": "p_a", "assessor_name": "Priya Shah"}))
	})
	code, out, errOut := run(t, "accept", "app-1")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, s := range []string{"Accepted the assessment of Oakfield Primary (app-1)", "Stage: assessment",
		"Next:  Score every standard and write feedback (assessor, due 2030-02-01"} {
		if !strings.Contains(out, s) {
			t.Errorf("stdout lacks %q:\n%s", s, out)
		}
	}
	req := f.requests("POST", "/v1/applications/app-1/offer/accept")[0]
	if len(req.Body) != 0 || req.Header.Get("Authorization") != "Bearer tok-applicant" {
		t.Errorf("accept: body %q, Authorization %q: want no body and the token", req.Body, req.Header.Get("Authorization"))
	}
}

func TestDecline(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-1/offer/decline", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "awaiting_allocation", nil))
	})
	if code, _, errOut := run(t, "decline", "app-1"); code != exitUsage || !strings.Contains(errOut, "missing --reason") {
		t.Errorf("without --reason: exit %d, stderr %q", code, errOut)
	}
	if f.count() != 0 {
		t.Fatal("a usage error must not reach the API")
	}
	code, out, errOut := run(t, "decline", "app-1", "--reason", " on leave until May ")
	if code != 0 || !strings.Contains(out, "Declined the assessment of Oakfield Primary (app-1)") || !strings.Contains(out, "Stage: awaiting_allocation") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if body := bodyOf(t, f, "POST", "/v1/applications/app-1/offer/decline"); !reflect.DeepEqual(body, map[string]any{"reason": "on leave until May"}) {
		t.Errorf("body %v", body)
	}
}

func TestAssessSubmitMergesRatingsFileAndFlags(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-1/assessment", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "moderation", map[string]any{
			"assessor_id": "p_a", "recommended": "silver", "ratings": map[string]string{"LD1": "gold"},
			"moderation": map[string]any{"required": true, "reasons": []string{"one of the assessor's first 3 assessments"}},
		}))
	})
	file := filepath.Join(t.TempDir(), "ratings.json")
	os.WriteFile(file, []byte(`{"LD1": "bronze", "LD3": "Not-Met", " RB1 ": "gold"}`), 0o644)

	code, out, errOut := run(t, "assess", "app-1", "--rating", "LD1=gold", "--rating", "LD2=Silver",
		"--ratings-file", file, "--feedback", "Strong leadership.", "--visit-date", "2026-12-01")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := map[string]any{
		"ratings":    map[string]any{"LD1": "gold", "LD2": "silver", "LD3": "not_met", "RB1": "gold"},
		"feedback":   "Strong leadership.",
		"visit_date": "2026-12-01",
	}
	if body := bodyOf(t, f, "POST", "/v1/applications/app-1/assessment"); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	for _, s := range []string{"Submitted the assessment of Oakfield Primary (app-1)", "Rated: 4 standards",
		"Recommended: silver", "Moderation: required (one of the assessor's first 3 assessments)", "Stage: moderation"} {
		if !strings.Contains(out, s) {
			t.Errorf("stdout lacks %q:\n%s", s, out)
		}
	}
	if len(f.requests("PUT", "/v1/applications/app-1/assessment")) != 0 {
		t.Error("a submission must not PUT")
	}
}

func TestAssessDraftPuts(t *testing.T) {
	f := newFake(t)
	f.handle("PUT /v1/applications/app-1/assessment", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "assessment", map[string]any{"ratings": map[string]string{"LD1": "gold"}}))
	})
	// A file holding a whole request body works too; its other fields are ignored.
	file := filepath.Join(t.TempDir(), "draft.json")
	os.WriteFile(file, []byte(`{"ratings": {"LD2": "bronze"}, "feedback": "ignored"}`), 0o644)
	code, out, errOut := run(t, "assess", "app-1", "--draft", "--rating", "LD1=gold", "--ratings-file", file)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := map[string]any{"ratings": map[string]any{"LD1": "gold", "LD2": "bronze"}, "feedback": ""}
	if body := bodyOf(t, f, "PUT", "/v1/applications/app-1/assessment"); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if !strings.Contains(out, "Saved a draft assessment of Oakfield Primary (app-1)") || strings.Contains(out, "Recommended") {
		t.Errorf("stdout %q", out)
	}
	if len(f.requests("POST", "/v1/applications/app-1/assessment")) != 0 {
		t.Error("a draft must not be submitted")
	}

	feedback := filepath.Join(t.TempDir(), "feedback.txt")
	os.WriteFile(feedback, []byte("Para one.\n\nPara two.\n"), 0o644)
	if code, _, errOut := run(t, "assess", "app-1", "--draft", "--feedback-file", feedback); code != 0 {
		t.Fatalf("--feedback-file: exit %d, stderr %q", code, errOut)
	}
	var body assessRequest
	json.Unmarshal(f.requests("PUT", "/v1/applications/app-1/assessment")[1].Body, &body)
	if body.Feedback != "Para one.\n\nPara two." || len(body.Ratings) != 0 {
		t.Errorf("body %+v", body)
	}
}

func TestAssessUsageErrorsSendNothing(t *testing.T) {
	f := newFake(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`["LD1", "gold"]`), 0o644)
	badLevel := filepath.Join(dir, "level.json")
	os.WriteFile(badLevel, []byte(`{"LD1": "platinum"}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"assess"}, "missing APPLICATION_ID"},
		{[]string{"assess", "app-1", "--rating", "LD1", "--feedback", "x"}, "want CODE=LEVEL"},
		{[]string{"assess", "app-1", "--rating", "=gold", "--feedback", "x"}, "want CODE=LEVEL"},
		{[]string{"assess", "app-1", "--rating", "LD1=platinum", "--feedback", "x"}, `rating "platinum": want not_met, bronze, silver, gold`},
		{[]string{"assess", "app-1", "--rating", "LD1=gold", "--rating", "LD1=silver", "--feedback", "x"}, "LD1 is rated twice"},
		{[]string{"assess", "app-1", "--rating", "LD1=gold"}, "missing --feedback"},
		{[]string{"assess", "app-1", "--feedback", "x"}, "missing --rating"},
		{[]string{"assess", "app-1", "--rating", "LD1=gold", "--feedback", "x", "--visit-date", "1/12/2026"}, `--visit-date "1/12/2026"`},
		{[]string{"assess", "app-1", "--ratings-file", bad, "--feedback", "x"}, "want a JSON object of standard codes to ratings"},
		{[]string{"assess", "app-1", "--ratings-file", badLevel, "--feedback", "x"}, `LD1: rating "platinum"`},
		{[]string{"assess", "app-1", "--ratings-file", filepath.Join(dir, "none.json"), "--feedback", "x"}, "--ratings-file"},
		{[]string{"assess", "app-1", "--draft"}, "nothing to save"},
		{[]string{"assess", "app-1", "--draft", "--feedback", "x", "--feedback-file", bad}, "not both"},
	} {
		code, out, errOut := run(t, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want one usage line with %q", c.args, code, out, errOut, c.want)
		}
	}
	if f.count() != 0 {
		t.Errorf("usage errors sent %d requests", f.count())
	}
}

func TestModerateDecisions(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-1/moderation", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "assessment", nil))
	})
	cases := []struct {
		args     []string
		body     map[string]any
		headline string
	}{
		{[]string{"moderate", "app-1", "confirm"}, map[string]any{"decision": "confirm"}, "Confirmed the assessment of Oakfield Primary (app-1)"},
		{[]string{"moderate", "app-1", "refer-back", "--rationale", "Look again at RB2."},
			map[string]any{"decision": "refer_back", "rationale": "Look again at RB2."}, "Referred the assessment of Oakfield Primary (app-1) back to the assessor"},
		{[]string{"moderate", "app-1", "Amend", "--rating", "LD1=silver", "--rating", "LD2=bronze", "--rationale", "Evidence thin."},
			map[string]any{"decision": "amend", "ratings": map[string]any{"LD1": "silver", "LD2": "bronze"}, "rationale": "Evidence thin."},
			"Amended the assessment of Oakfield Primary (app-1)"},
	}
	for i, c := range cases {
		code, out, errOut := run(t, c.args...)
		if code != 0 || !strings.Contains(out, c.headline) || !strings.Contains(out, "Stage: assessment") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, errOut)
			continue
		}
		reqs := f.requests("POST", "/v1/applications/app-1/moderation")
		var body map[string]any
		json.Unmarshal(reqs[i].Body, &body)
		if !reflect.DeepEqual(body, c.body) {
			t.Errorf("%v: body %v\nwant %v", c.args, body, c.body)
		}
	}

	n := f.count()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"moderate", "app-1"}, "missing DECISION"},
		{[]string{"moderate", "app-1", "approve"}, `decision "approve": want confirm, amend or refer-back`},
		{[]string{"moderate", "app-1", "amend", "--rationale", "x"}, "amend needs the ratings"},
		{[]string{"moderate", "app-1", "amend", "--rating", "LD1=gold"}, "missing --rationale"},
		{[]string{"moderate", "app-1", "refer-back"}, "missing --rationale"},
		{[]string{"moderate", "app-1", "confirm", "--rating", "LD1=gold"}, "ratings go with amend only"},
		{[]string{"moderate", "app-1", "amend", "--rating", "LD1:gold", "--rationale", "x"}, "want CODE=LEVEL"},
	} {
		code, _, errOut := run(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q: want a usage line with %q", c.args, code, errOut, c.want)
		}
	}
	if f.count() != n {
		t.Error("usage errors must not reach the API")
	}
}

func TestAllocateAndReassign(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-1/allocate", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "offered", map[string]any{
			"offer": map[string]any{"person_id": "p_b", "name": "Ben Okafor", "expires_at": "2030-01-10T17:00:00Z"}}))
	})
	f.handle("POST /v1/applications/app-1/reassign", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-1", "awaiting_allocation", nil))
	})

	code, out, errOut := run(t, "allocate", "app-1", "p_b", "--reason", "local knowledge")
	if code != 0 || !strings.Contains(out, "Offered Oakfield Primary (app-1) to Ben Okafor (p_b)") || !strings.Contains(out, "Stage: offered") {
		t.Errorf("allocate: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if body := bodyOf(t, f, "POST", "/v1/applications/app-1/allocate"); !reflect.DeepEqual(body, map[string]any{"assessor": "p_b", "reason": "local knowledge"}) {
		t.Errorf("allocate body %v", body)
	}

	code, out, errOut = run(t, "reassign", "app-1", "--reason", "overdue and unreachable")
	if code != 0 || !strings.Contains(out, "Reassigned Oakfield Primary (app-1)") || !strings.Contains(out, "Stage: awaiting_allocation") {
		t.Errorf("reassign: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if body := bodyOf(t, f, "POST", "/v1/applications/app-1/reassign"); !reflect.DeepEqual(body, map[string]any{"reason": "overdue and unreachable"}) {
		t.Errorf("reassign body %v", body)
	}

	n := f.count()
	for _, args := range [][]string{{"allocate", "app-1"}, {"allocate", "app-1", " "}, {"reassign", "app-1"}, {"allocate", "app-1", "p_b", "p_c"}} {
		if code, _, errOut := run(t, args...); code != exitUsage || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q: want a usage error", args, code, errOut)
		}
	}
	if f.count() != n {
		t.Error("usage errors must not reach the API")
	}
}

func TestAdminCommandsRefusedForOthers(t *testing.T) {
	f := newFake(t)
	forbid := func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/forbidden", Title: "Not allowed", Status: 403, Detail: "only admins may do this"})
	}
	f.handle("POST /v1/applications/app-1/allocate", forbid)
	f.handle("POST /v1/applications/app-1/reassign", forbid)
	f.handle("GET /v1/applications/app-1/allocation", forbid)
	for _, args := range [][]string{
		{"allocate", "app-1", "p_b"},
		{"reassign", "app-1", "--reason", "r"},
		{"allocation", "app-1"},
	} {
		code, out, errOut := run(t, args...)
		if code != exitRefused || out != "" || errOut != "starter: Not allowed: only admins may do this\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestAllocationShowsChoiceAndExclusions(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications/app-1/allocation", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"allocation": map[string]any{
				"chosen": "p_b", "reason": "least loaded (0 open), then longest since last allocation",
				"ranked": []string{"p_b", "p_c"},
				"excluded": []map[string]any{
					{"person_id": "p_a", "name": "Ann Lee", "reason": "declared conflict with the setting: her sister teaches there"},
					{"person_id": "p_d", "name": "Dev Rao", "reason": "at capacity (3 of 3 open)"},
				},
			},
			"excluded_from_offers": map[string]string{"p_e": "declined the offer"},
			"assignments": []map[string]any{
				{"id": "app-1/offer/1", "application_id": "app-1", "person_id": "p_e", "person_name": "Eve Hart", "role": "assessor",
					"state": "declined", "reason": "on leave", "offered_at": "2030-01-02T09:00:00Z", "closed_at": "2030-01-03T09:00:00Z"},
				{"id": "app-1/offer/2", "application_id": "app-1", "person_id": "p_b", "person_name": "Ben Okafor", "role": "assessor",
					"state": "offered", "offered_at": "2030-01-03T09:05:00Z"},
			},
		})
	})
	code, out, errOut := run(t, "allocation", "app-1")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, s := range []string{
		"Allocation of app-1",
		"Chosen    Ben Okafor (p_b)",
		"Reason    least loaded (0 open), then longest since last allocation",
		"Eligible  Ben Okafor (p_b), p_c",
		"Excluded candidates:",
		"p_a     Ann Lee  declared conflict with the setting: her sister teaches there",
		"p_d     Dev Rao  at capacity (3 of 3 open)",
		"Not to be offered it again:",
		"p_e     Eve Hart  declined the offer",
		"Offers and assignments:",
		"declined", "on leave",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if len(f.requests("GET", "/v1/applications/app-1/allocation")) != 1 {
		t.Error("want one GET of the allocation")
	}
}

func TestAllocationNotRunYet(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications/app-1/allocation", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"allocation": nil, "excluded_from_offers": map[string]string{}, "assignments": []any{}})
	})
	code, out, _ := run(t, "allocation", "app-1")
	if code != 0 || !strings.Contains(out, "No allocation has run yet.") || !strings.Contains(out, "none yet") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	code, out, _ = run(t, "--json", "allocation", "app-1")
	if code != 0 || !json.Valid([]byte(out)) || !strings.Contains(out, `"allocation":null`) {
		t.Errorf("--json: exit %d, stdout %q", code, out)
	}
}

// linkFake serves a download link at apiPath to a file in the fake's object storage.
func linkFake(t *testing.T, apiPath, filename, content string) *fakeAPI {
	f := newFake(t)
	f.handle("GET "+apiPath, func(w http.ResponseWriter, r *http.Request) {
		q := url.Values{"X-Amz-Signature": {"sig"}, "response-content-disposition": {`attachment; filename="` + filename + `"`}}
		writeJSON(w, 200, map[string]any{"url": f.srv.URL + "/bucket/obj?" + q.Encode(), "expires_at": "2030-01-01T00:15:00Z"})
	})
	f.handle("GET /bucket/obj", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("X-Amz-Signature") != "sig" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Write([]byte(content))
	})
	return f
}

func TestCertificateLinkAndSave(t *testing.T) {
	f := linkFake(t, "/v1/applications/app-1/certificate", "certificate-app-1.pdf", "%PDF-1.4 certificate")

	code, out, errOut := run(t, "certificate", "app-1")
	if code != 0 || !strings.Contains(out, "Certificate of app-1:") || !strings.Contains(out, f.srv.URL+"/bucket/obj?") ||
		!strings.Contains(out, "The link expires at 20") {
		t.Errorf("link: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if len(f.requests("GET", "/bucket/obj")) != 0 {
		t.Error("without -o nothing is downloaded")
	}

	dest := filepath.Join(t.TempDir(), "award.pdf")
	code, out, errOut = run(t, "certificate", "app-1", "-o", dest)
	if code != 0 || !strings.Contains(out, "Saved "+dest) {
		t.Fatalf("-o: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if b, err := os.ReadFile(dest); err != nil || string(b) != "%PDF-1.4 certificate" {
		t.Errorf("saved %q, %v", b, err)
	}
	if got := f.requests("GET", "/bucket/obj")[0].Header.Get("Authorization"); got != "" {
		t.Error("the API token must not be sent to object storage")
	}

	// Into a directory: under the name the link gives.
	dir := t.TempDir()
	if code, _, errOut := run(t, "certificate", "app-1", "--output", dir, "--json"); code != 0 {
		t.Fatalf("-o DIR: exit %d, stderr %q", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "certificate-app-1.pdf")); err != nil || string(b) != "%PDF-1.4 certificate" {
		t.Errorf("saved into the directory: %q, %v", b, err)
	}
}

func TestCertificateNotAwarded(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications/app-1/certificate", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/not-found", Title: "Not found", Status: 404,
			Detail: "no certificate: the application has not been awarded"})
	})
	dest := filepath.Join(t.TempDir(), "c.pdf")
	code, out, errOut := run(t, "certificate", "app-1", "-o", dest)
	if code != exitRefused || out != "" || errOut != "starter: Not found: no certificate: the application has not been awarded\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Error("no file may be written on a refusal")
	}
}

func TestDownloadEvidence(t *testing.T) {
	linkFake(t, "/v1/applications/app-1/evidence/ev-1/download", "policy.pdf", "policy bytes")

	code, out, errOut := run(t, "download", "app-1", "ev-1")
	if code != 0 || !strings.Contains(out, "Evidence ev-1:") || !strings.Contains(out, "/bucket/obj?") {
		t.Errorf("link: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	dir := t.TempDir()
	code, out, errOut = run(t, "download", "app-1", "ev-1", "-o", dir+string(os.PathSeparator))
	if code != 0 || !strings.Contains(out, "Saved "+filepath.Join(dir, "policy.pdf")) {
		t.Fatalf("-o DIR/: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "policy.pdf")); err != nil || string(b) != "policy bytes" {
		t.Errorf("saved %q, %v", b, err)
	}
	code, out, _ = run(t, "--json", "download", "app-1", "ev-1", "-o", filepath.Join(dir, "copy.pdf"))
	var link structs.DownloadLink
	if code != 0 || json.Unmarshal([]byte(out), &link) != nil || link.URL == "" {
		t.Errorf("--json -o: exit %d, stdout %q: want only the link document", code, out)
	}
	if code, _, errOut := run(t, "download", "app-1"); code != exitUsage || !strings.Contains(errOut, "missing EVIDENCE_ID") {
		t.Errorf("without an evidence id: exit %d, stderr %q", code, errOut)
	}
}

func TestDownloadExpiredLink(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/applications/app-1/evidence/ev-1/download", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"url": f.srv.URL + "/bucket/gone", "expires_at": "2030-01-01T00:00:00Z"})
	})
	f.handle("GET /bucket/gone", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`))
	})
	code, _, errOut := run(t, "download", "app-1", "ev-1", "-o", filepath.Join(t.TempDir(), "x"))
	if code != exitRefused || !strings.Contains(errOut, "AccessDenied") || !strings.Contains(errOut, "run the command again") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestAssessmentCommandsRefusedAndJSON(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/applications/app-1/assessment", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/invalid", Title: "Invalid input", Status: 422,
			Detail: "ratings: every standard must be rated; missing: RB2, WB1"})
	})
	f.handle("POST /v1/applications/app-1/offer/accept", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/wrong-stage", Title: "Not allowed at this stage", Status: 409,
			Detail: `cannot answer an offer: the application is at stage "assessment"`})
	})
	f.handle("POST /v1/applications/app-1/moderation", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Type: "https://award.example/problems/forbidden", Title: "Not allowed", Status: 403,
			Detail: "only the moderator assigned to this application may moderate it"})
	})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"assess", "app-1", "--rating", "LD1=gold", "--feedback", "ok"}, "starter: Invalid input: ratings: every standard must be rated; missing: RB2, WB1\n"},
		{[]string{"accept", "app-1"}, "starter: Not allowed at this stage: cannot answer an offer: the application is at stage \"assessment\"\n"},
		{[]string{"moderate", "app-1", "confirm"}, "starter: Not allowed: only the moderator assigned to this application may moderate it\n"},
	} {
		code, out, errOut := run(t, c.args...)
		if code != exitRefused || out != "" || errOut != c.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, errOut)
		}
		code, out, _ = run(t, append([]string{"--json"}, c.args...)...)
		var p problem
		if code != exitRefused || json.Unmarshal([]byte(out), &p) != nil || p.Status < 400 {
			t.Errorf("--json %v: exit %d, stdout %q: want the problem document", c.args, code, out)
		}
	}

	f.handle("POST /v1/applications/app-2/offer/decline", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, assessedSample("app-2", "awaiting_allocation", nil))
	})
	code, out, errOut := run(t, "decline", "app-2", "--reason", "busy", "--json")
	var ap map[string]any
	if code != 0 || errOut != "" || json.Unmarshal([]byte(out), &ap) != nil || ap["id"] != "app-2" {
		t.Errorf("--json decline: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestAssessmentCommandsUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	api := srv.URL
	srv.Close()
	t.Setenv("AWARD_TOKEN", "tok")
	for _, args := range [][]string{
		{"inbox"},
		{"accept", "app-1"},
		{"decline", "app-1", "--reason", "r"},
		{"assess", "app-1", "--rating", "LD1=gold", "--feedback", "f"},
		{"assess", "app-1", "--rating", "LD1=gold", "--draft"},
		{"moderate", "app-1", "confirm"},
		{"allocate", "app-1", "p_b"},
		{"reassign", "app-1", "--reason", "r"},
		{"allocation", "app-1"},
		{"certificate", "app-1"},
		{"download", "app-1", "ev-1"},
	} {
		code, _, errOut := run(t, append(args, "--api", api)...)
		if code != exitUnavailable || !strings.HasPrefix(errOut, "starter: cannot reach the API at "+api) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q: want 3 and one line", args, code, errOut)
		}
	}
}

func TestAssessmentCommandsHelp(t *testing.T) {
	newFake(t)
	_, list, _ := run(t, "help")
	for _, name := range []string{"inbox", "accept", "decline", "assess", "moderate", "allocate", "reassign", "allocation", "certificate", "download"} {
		if !strings.Contains(list, "  "+name+" ") {
			t.Errorf("'starter help' does not list %s", name)
		}
		code, out, _ := run(t, "help", name)
		if code != 0 || !strings.HasPrefix(out, "Usage: starter "+name) {
			t.Errorf("help %s: exit %d, stdout %q", name, code, out)
		}
	}
	_, out, _ := run(t, "assess", "-h")
	for _, s := range []string{"--rating CODE=LEVEL", "--ratings-file file", "--draft", "--visit-date date"} {
		if !strings.Contains(out, s) {
			t.Errorf("assess help lacks %q:\n%s", s, out)
		}
	}
	_, out, _ = run(t, "help", "certificate")
	if !strings.Contains(out, "  -o FILE\n") {
		t.Errorf("certificate help:\n%s", out)
	}
}
