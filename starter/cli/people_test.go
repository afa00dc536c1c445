package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"awardengine/structs"
)

func samplePerson(changed bool) structs.PersonView {
	return structs.PersonView{ID: "p_1", Name: "Priya Shah", Email: "priya@northshire.example",
		Roles: []string{"assessor", "moderator"}, Active: true, Changed: changed}
}

func TestPeopleListSendsTheFiltersAndPrintsATable(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/people", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("q") != "priya" || r.URL.Query().Get("role") != "assessor" || r.URL.Query().Get("active") != "false" {
			t.Errorf("query %q", r.URL.RawQuery)
		}
		writeJSON(w, 200, structs.PeopleList{People: []structs.PersonView{samplePerson(false)}})
	})
	code, out, errOut := run(t, "people", "list", "--q", "priya", "--role", "assessor", "--active=false")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"PERSON", "p_1", "Priya Shah", "priya@northshire.example", "assessor,moderator", "yes"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestPeopleInviteRolesDeactivateReactivate(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/people", func(w http.ResponseWriter, r *http.Request) {
		p := samplePerson(true)
		p.Invitation = "sent"
		writeJSON(w, 201, p)
	})
	f.handle("PUT /v1/people/p_1/roles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, samplePerson(true)) })
	f.handle("POST /v1/people/p_1/deactivate", func(w http.ResponseWriter, r *http.Request) {
		p := samplePerson(true)
		p.Active = false
		writeJSON(w, 200, p)
	})
	f.handle("POST /v1/people/p_1/reactivate", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, samplePerson(false)) })

	code, out, errOut := run(t, "people", "invite", "Priya Shah", "priya@northshire.example", "--roles", "assessor, moderator")
	if code != 0 || !strings.Contains(out, "Invited Priya Shah (p_1)") || !strings.Contains(out, "sign-in link") {
		t.Fatalf("invite: exit %d %q %s", code, out, errOut)
	}
	var inv structs.InviteRequest
	if err := json.Unmarshal(f.requests("POST", "/v1/people")[0].Body, &inv); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(inv, structs.InviteRequest{Name: "Priya Shah", Email: "priya@northshire.example", Roles: []string{"assessor", "moderator"}}) {
		t.Fatalf("body %+v", inv)
	}
	code, out, _ = run(t, "people", "roles", "p_1", "assessor,moderator")
	if code != 0 || !strings.Contains(out, "Set the roles of Priya Shah") {
		t.Fatalf("roles: %d %q", code, out)
	}
	code, out, _ = run(t, "people", "deactivate", "p_1")
	if code != 0 || !strings.Contains(out, "Deactivated Priya Shah") || !strings.Contains(out, "no") {
		t.Fatalf("deactivate: %d %q", code, out)
	}
	code, out, _ = run(t, "people", "reactivate", "p_1")
	if code != 0 || !strings.Contains(out, "nothing changed") {
		t.Fatalf("reactivate: %d %q", code, out)
	}
}

func TestPeopleRefusalsAndUsage(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/people", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: 409, Type: "already-member", Title: "Already a member",
			Detail: "already a member (p_1): change their roles instead"})
	})
	code, _, errOut := run(t, "people", "invite", "X", "x@y.example", "--roles", "applicant")
	if code != exitRefused || !strings.Contains(errOut, "change their roles instead") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	for _, args := range [][]string{
		{"people", "invite", "X", "x@y.example"},             // no roles
		{"people", "list", "--roles", "admin"},               // a flag of another subcommand
		{"people", "roles", "p_1"},                           // no roles
		{"people", "fire", "p_1"},                            // unknown subcommand
		{"people", "deactivate"},                             // no person
		{"people", "invite", "X", "x@y.example", "--q", "a"}, // a flag of another subcommand
	} {
		if code, _, _ := run(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestImportCohortSendsTheFileAndPrintsWhatWasCreated(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/admin/imports/cohort", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, structs.CohortResult{DryRun: true, Message: "dry run: nothing was imported",
			Applications: []structs.CohortApplication{{Line: 2, SettingReference: "100001", ApplicationID: "app_1", ApplicantID: "p_2", ApplicantInvited: true}}})
	})
	file := filepath.Join(t.TempDir(), "cohort.csv")
	csv := "setting_reference,setting_name,track,variant,applicant_name,applicant_email\n100001,Oak,caring_schools,primary,Ann,ann@oak.example\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "import", "cohort", file, "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run") || !strings.Contains(out, "p_2 (new, invited)") {
		t.Fatalf("exit %d %q %s", code, out, errOut)
	}
	req := f.requests("POST", "/v1/admin/imports/cohort")[0]
	if string(req.Body) != csv || !strings.HasPrefix(req.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("sent %q as %q", req.Body, req.Header.Get("Content-Type"))
	}
}

func TestImportCohortPrintsEveryRowProblemByLine(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/admin/imports/cohort", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(422)
		json.NewEncoder(w).Encode(structs.CohortProblem{
			Problem: structs.Problem{Status: 422, Type: "cohort-rows", Title: "Nothing was imported", Detail: "nothing was imported: 2 rows have problems"},
			Rows:    []structs.CohortRowProblem{{Line: 3, Column: "track", Message: "unknown track"}, {Line: 7, Column: "applicant_email", Message: "is not an email address"}}})
	})
	file := filepath.Join(t.TempDir(), "cohort.csv")
	if err := os.WriteFile(file, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "import", "cohort", file)
	if code != exitRefused {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"nothing was imported: 2 rows have problems", "line 3, track: unknown track", "line 7, applicant_email: is not an email address"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, _ := run(t, "import", "people", file); code != exitUsage {
		t.Errorf("import people: exit %d", code)
	}
	if code, _, _ := run(t, "import", "cohort", filepath.Join(t.TempDir(), "missing.csv")); code != exitUsage {
		t.Errorf("missing file: exit %d", code)
	}
}
