package cli

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func sampleRosterEntry() map[string]any {
	return map[string]any{
		"person_id": "p_ns_assessor", "name": "Priya Shah", "email": "assessor@northshire.example",
		"roles": []string{"assessor"}, "tracks": []string{"caring_schools", "learning_homes"},
		"specialisms": []string{"early_years"}, "capacity": 3, "active": true, "open": 1,
		"last_allocated_at": "2030-01-10T09:00:00Z",
		"conflicts": []map[string]any{{"setting_id": "set_1", "setting_reference": "URN1",
			"setting_name": "Hill Primary", "reason": "my sister teaches there"}},
	}
}

func TestRosterListPrintsATable(t *testing.T) {
	f := newFake(t)
	f.handle("GET /v1/roster", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"assessors": []any{sampleRosterEntry()}})
	})
	code, out, errOut := run(t, "roster")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"PERSON", "p_ns_assessor", "Priya Shah", "caring_schools,learning_homes", "early_years", "1/3", "yes", "URN1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "roster", "list", "--json")
	if code != 0 || !json.Valid([]byte(out)) || !strings.Contains(out, `"assessors"`) {
		t.Errorf("--json: exit %d, %q", code, out)
	}
}

func TestRosterSetSendsOnlyTheGivenFields(t *testing.T) {
	f := newFake(t)
	f.handle("PUT /v1/roster/p_ns_assessor", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, sampleRosterEntry())
	})
	code, out, errOut := run(t, "roster", "set", "p_ns_assessor", "--tracks", "caring_schools, learning_homes",
		"--specialisms", "", "--active=false")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Updated Priya Shah (p_ns_assessor)") || !strings.Contains(out, "1 of 3") {
		t.Errorf("stdout %q", out)
	}
	var body map[string]any
	if err := json.Unmarshal(f.requests("PUT", "/v1/roster/p_ns_assessor")[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"tracks": []any{"caring_schools", "learning_homes"}, "specialisms": []any{}, "active": false}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v, want %v (capacity was not given, so it is not sent)", body, want)
	}
}

func TestRosterConflictAndUnconflict(t *testing.T) {
	f := newFake(t)
	f.handle("POST /v1/roster/p_ns_assessor/conflicts", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, sampleRosterEntry())
	})
	f.handle("DELETE /v1/roster/p_ns_assessor/conflicts/URN 1", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	code, out, errOut := run(t, "roster", "conflict", "p_ns_assessor", "URN1", "--reason", "my sister teaches there")
	if code != 0 || !strings.Contains(out, "URN1 (Hill Primary): my sister teaches there") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var body map[string]string
	json.Unmarshal(f.requests("POST", "/v1/roster/p_ns_assessor/conflicts")[0].Body, &body)
	if body["setting_reference"] != "URN1" || body["reason"] != "my sister teaches there" {
		t.Errorf("body %v", body)
	}
	code, out, errOut = run(t, "roster", "unconflict", "p_ns_assessor", "URN 1")
	if code != 0 || !strings.Contains(out, "Withdrew") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestRosterRefusalsAndUsage(t *testing.T) {
	f := newFake(t)
	f.handle("PUT /v1/roster/p_x", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: 422, Title: "Invalid input", Detail: "tracks: unknown track",
			Errors: []fieldError{{Field: "tracks", Message: `unknown track "nope"`}}})
	})
	f.handle("GET /v1/roster", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: 403, Title: "Not allowed", Detail: "only admins"})
	})
	code, _, errOut := run(t, "roster", "set", "p_x", "--tracks", "nope")
	if code != exitRefused || !strings.Contains(errOut, `tracks: unknown track "nope"`) {
		t.Errorf("422: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut = run(t, "roster"); code != exitRefused || !strings.Contains(errOut, "only admins") {
		t.Errorf("403: exit %d, stderr %q", code, errOut)
	}
	before := f.count()
	for _, args := range [][]string{
		{"roster", "set", "p_x"},                                // nothing to set
		{"roster", "set", "p_x", "--capacity", "-1"},            // negative
		{"roster", "set", "p_x", "--reason", "x"},               // another subcommand's flag
		{"roster", "conflict", "p_x", "URN1"},                   // no reason
		{"roster", "unconflict", "p_x"},                         // no setting
		{"roster", "promote", "p_x"},                            // unknown subcommand
		{"roster", "list", "extra"},                             // stray argument
		{"roster", "set", "p_x", "--capacity", "3", "more"},     // stray argument
		{"roster", "grant", "p_x"},                              // no role
		{"roster", "grant", "p_x", "admin"},                     // not a role admins grant
		{"roster", "revoke", "p_x", "moderator", "more"},        // stray argument
		{"roster", "grant", "p_x", "assessor", "--reason", "x"}, // another subcommand's flag
	} {
		if code, _, errOut := run(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	if f.count() != before {
		t.Error("a usage error must not reach the API")
	}
}

func TestRosterGrantAndRevokeRoles(t *testing.T) {
	f := newFake(t)
	f.handle("PUT /v1/roster/p_ns_x/roles/moderator", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"person_id": "p_ns_x", "name": "Jo Reid", "roles": []string{"assessor", "moderator"}, "changed": true})
	})
	f.handle("DELETE /v1/roster/p_ns_x/roles/assessor", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem{Status: 409, Title: "Work still held",
			Detail: "cannot remove the assessor role: this person holds 2 open assessments (offered or accepted)"})
	})
	f.handle("DELETE /v1/roster/p_ns_x/roles/moderator", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"person_id": "p_ns_x", "name": "Jo Reid", "roles": []string{"assessor"}, "changed": false})
	})
	code, out, errOut := run(t, "roster", "grant", "p_ns_x", "Moderator")
	if code != 0 || !strings.Contains(out, "Granted the moderator role to Jo Reid (p_ns_x)") || !strings.Contains(out, "Roles: assessor, moderator") {
		t.Fatalf("grant: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := len(f.requests("PUT", "/v1/roster/p_ns_x/roles/moderator")); n != 1 {
		t.Errorf("%d grant requests", n)
	}
	code, _, errOut = run(t, "roster", "revoke", "p_ns_x", "assessor")
	if code != exitRefused || !strings.Contains(errOut, "holds 2 open assessments") {
		t.Errorf("revoke with open work: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut = run(t, "roster", "revoke", "p_ns_x", "moderator")
	if code != 0 || !strings.Contains(out, "does not hold the moderator role: nothing changed") {
		t.Errorf("revoke, not held: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = run(t, "roster", "grant", "p_ns_x", "moderator", "--json")
	if code != 0 || !json.Valid([]byte(out)) || !strings.Contains(out, `"changed":true`) {
		t.Errorf("--json: exit %d, %q", code, out)
	}
}
