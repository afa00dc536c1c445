package integration

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"awardengine/starter/cli"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// postCSV sends a cohort file as text/csv.
func (c *client) postCSV(path, body string) response {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: raw, Header: resp.Header}
}

const cohortHeader = "setting_reference,setting_name,track,variant,approval_date,applicant_name,applicant_email,supporter_email,supporter_name\n"

// cohortFile is a good file of three rows, all new: a school, a first-year foster household
// with a new supporter, and a childminder whose name looks like a spreadsheet formula.
func cohortFile(key string) (file string, refs, applicants []string, supporter, formula string) {
	refs = []string{"URN-C1-" + key, "FH-C2-" + key, "EY-C3-" + key}
	applicants = []string{"c1-" + key + "@school.example", "c2-" + key + "@home.example", "c3-" + key + "@minder.example"}
	supporter = "sw-" + key + "@northshire.example"
	formula = `=HYPERLINK("http://evil.example","click")`
	file = cohortHeader +
		refs[0] + ",Cohort Primary,caring_schools,primary,,Cara Head," + applicants[0] + ",,\n" +
		refs[1] + ",\"Foster, household\",learning_homes,first_year_foster,2025-09-01,Fin Carer," + applicants[1] + "," + supporter + ",Sol Worker\n" +
		refs[2] + ",\"" + strings.ReplaceAll(formula, `"`, `""`) + "\",learning_homes,childminder,,Cy Minder," + applicants[2] + ",,\n"
	return
}

func TestCohortImportCreatesEverythingAndStartsEveryJourney(t *testing.T) {
	admin := as(t, shared, "demo-northshire-admin")
	key := postgres.NewID("k")
	file, refs, applicants, supporter, formula := cohortFile(key)

	// A dry run shows what would be created and creates nothing.
	var dry structs.CohortResult
	r := admin.postCSV("/v1/admin/imports/cohort?dry_run=true", file)
	if r.Status != 200 {
		t.Fatalf("dry run: %d %s", r.Status, r.Body)
	}
	r.json(t, &dry)
	if !dry.DryRun || len(dry.Applications) != 3 || !dry.Applications[1].SupporterInvited || !strings.Contains(dry.Message, "nothing was imported") {
		t.Fatalf("dry run: %+v", dry)
	}
	assertNobody(t, admin, key)
	if _, err := shared.DB.SettingID(t.Context(), "northshire", refs[0]); err == nil {
		t.Fatal("the dry run created a setting")
	}

	var res structs.CohortResult
	r = admin.postCSV("/v1/admin/imports/cohort", file)
	if r.Status != 201 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	r.json(t, &res)
	if res.DryRun || len(res.Applications) != 3 {
		t.Fatalf("import: %+v", res)
	}
	for i, a := range res.Applications {
		if a.Line != i+2 || a.SettingReference != refs[i] || !a.ApplicantInvited || a.ApplicationID == "" {
			t.Fatalf("row %d: %+v", i, a)
		}
		// Every journey starts (by the import, or by the sweeper within seconds).
		eventually(t, "the journey of "+a.ApplicationID, func() bool {
			return admin.do("GET", "/v1/applications/"+a.ApplicationID, nil).Status == 200
		})
		var view map[string]any
		admin.must(200, "GET", "/v1/applications/"+a.ApplicationID, nil).json(t, &view)
		if view["stage"] != "toolkit" {
			t.Fatalf("%s: stage %v", a.ApplicationID, view["stage"])
		}
		if i == 2 { // the formula-looking value is text, stored and shown as given
			setting, _ := view["setting"].(map[string]any)
			if setting["name"] != formula {
				t.Fatalf("setting name %q, want %q", setting["name"], formula)
			}
		}
	}
	if !res.Applications[1].SupporterInvited || res.Applications[1].SupporterID == "" {
		t.Fatalf("supporter: %+v", res.Applications[1])
	}
	// Every new person is invited by email with a sign-in link.
	for _, addr := range append(applicants, supporter) {
		eventually(t, "the invitation to "+addr, func() bool { return signInMails(addr) == 1 })
	}
	var list structs.PeopleList
	admin.must(200, "GET", "/v1/people?q="+url.QueryEscape(key), nil).json(t, &list)
	if len(list.People) != 4 {
		t.Fatalf("people: %+v", list)
	}

	// The same file again: every setting already has an active application; nothing imported.
	r = admin.postCSV("/v1/admin/imports/cohort", file)
	if r.Status != 422 {
		t.Fatalf("again: %d %s", r.Status, r.Body)
	}
	var again structs.CohortProblem
	r.json(t, &again)
	if len(again.Rows) != 3 || !strings.Contains(again.Detail, "nothing was imported: 3 rows have problems") {
		t.Fatalf("again: %+v", again)
	}
}

func TestCohortFileWithThreeBadRowsCreatesNothing(t *testing.T) {
	admin := as(t, shared, "demo-northshire-admin")
	key := postgres.NewID("k")
	good := func(n int) string {
		return fmt.Sprintf("URN-B%d-%s,Good %d,caring_schools,primary,,Good Person,good%d-%s@x.example,,\n", n, key, n, n, key)
	}
	file := cohortHeader + good(1) +
		"URN-BAD1-" + key + ",,caring_schools,primary,,No Setting Name,bad1-" + key + "@x.example,,\n" + // line 3: no name
		good(2) +
		"URN-BAD2-" + key + ",Bad,caring,primary,,Bad Track,bad2-" + key + "@x.example,,\n" + // line 5: unknown track
		"URN-BAD3-" + key + ",Bad,caring_schools,primary,,Staff Address,assessor@northshire.example,,\n" + // line 6: staff
		good(3)
	r := admin.postCSV("/v1/admin/imports/cohort", file)
	if r.Status != 422 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var p structs.CohortProblem
	r.json(t, &p)
	if !strings.Contains(p.Detail, "nothing was imported") {
		t.Fatalf("%+v", p)
	}
	// Every problem in one answer: the file's own (lines 3 and 5) and the database's (line 6).
	lines := map[int]string{}
	for _, row := range p.Rows {
		lines[row.Line] = row.Column
	}
	if len(p.Rows) != 3 || lines[3] != "setting_name" || lines[5] != "track" || lines[6] != "applicant_email" ||
		!strings.Contains(p.Detail, "nothing was imported: 3 rows have problems") {
		t.Fatalf("%s: rows %+v", p.Detail, p.Rows)
	}
	assertNobody(t, admin, key)
	for _, ref := range []string{"URN-B1-" + key, "URN-B2-" + key, "URN-B3-" + key} {
		if _, err := shared.DB.SettingID(t.Context(), "northshire", ref); err == nil {
			t.Fatalf("a good row of a refused file was imported: %s", ref)
		}
	}
}

func TestCohortImportIsForAdminsOnly(t *testing.T) {
	file, _, _, _, _ := cohortFile(postgres.NewID("k"))
	r := as(t, shared, "demo-northshire-applicant").postCSV("/v1/admin/imports/cohort", file)
	if r.Status != 403 {
		t.Fatalf("applicant: %d %s", r.Status, r.Body)
	}
	r = as(t, shared, "demo-northshire-admin").postCSV("/v1/admin/imports/cohort", strings.Repeat("x", 6<<20))
	if r.Status != 413 {
		t.Fatalf("too large: %d", r.Status)
	}
}

// assertNobody checks that no person whose address holds key exists (through the API).
func assertNobody(t *testing.T, admin *client, key string) {
	t.Helper()
	var list structs.PeopleList
	admin.must(200, "GET", "/v1/people?q="+url.QueryEscape(key), nil).json(t, &list)
	if len(list.People) != 0 {
		t.Fatalf("people were created: %+v", list.People)
	}
}

func TestCohortAndPeopleThroughTheCommandLine(t *testing.T) {
	key := postgres.NewID("k")
	starter := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := cli.Run(t.Context(), append([]string{"--api", shared.APIURL, "--token", "demo-northshire-admin"}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	addr := "cli-" + key + "@northshire.example"
	if code, out, errOut := starter("people", "invite", "Cli Person", addr, "--roles", "assessor"); code != 0 || !strings.Contains(out, "Invited Cli Person") {
		t.Fatalf("invite: %d %s %s", code, out, errOut)
	}
	eventually(t, "the invitation", func() bool { return signInMails(addr) == 1 })

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	file, _, _, _, _ := cohortFile(key)
	file = strings.Replace(file, "caring_schools,primary", "caring_schools,nursery", 1) // line 2
	if err := os.WriteFile(bad, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := starter("import", "cohort", bad)
	if code != 1 || !strings.Contains(errOut, "nothing was imported: 1 row has problems") || !strings.Contains(errOut, "line 2, variant:") {
		t.Fatalf("bad file: %d %s", code, errOut)
	}
	good := filepath.Join(dir, "good.csv")
	file, _, _, _, _ = cohortFile(key)
	if err := os.WriteFile(good, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := starter("import", "cohort", good, "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run: nothing was imported") {
		t.Fatalf("dry run: %d %s %s", code, out, errOut)
	}
	assertNobody(t, as(t, shared, "demo-northshire-admin"), "c1-"+key)
}
