package integration

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// awardTeam is a tenant of its own with the people of an assessment: tests that count offers
// and capacity must not share assessors with other tests.
type awardTeam struct {
	tenant                                     string
	applicant, assessor, other, moderator, adm *client
	ids                                        map[string]string // key → person id
}

func newAwardTeam(t testing.TB, tenant string, capacity int) *awardTeam {
	t.Helper()
	ctx := t.Context()
	db := shared.DB
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: tenant, Name: strings.ToUpper(tenant[:1]) + tenant[1:] + " Council",
		SenderEmail: "awards@" + tenant + ".example", SenderName: tenant + " awards", ReplyTo: "team@" + tenant + ".example"}); err != nil {
		t.Fatal(err)
	}
	team := &awardTeam{tenant: tenant, ids: map[string]string{}}
	mk := func(key, name string, roles ...string) *client {
		p, err := db.UpsertPerson(ctx, postgres.Person{TenantID: tenant, Name: name, Email: key + "@" + tenant + ".example", Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		token := "test-" + tenant + "-" + key
		if err := db.StoreToken(ctx, p.ID, "test", token); err != nil {
			t.Fatal(err)
		}
		team.ids[key] = p.ID
		return as(t, shared, token)
	}
	team.applicant = mk("applicant", "Asha Applicant", postgres.RoleApplicant)
	team.assessor = mk("assessor", "Ada Assessor", postgres.RoleAssessor)
	team.other = mk("other", "Carl Conflicted", postgres.RoleAssessor)
	team.moderator = mk("moderator", "Mo Moderator", postgres.RoleModerator)
	team.adm = mk("admin", "Alex Admin", postgres.RoleAdmin)
	for _, key := range []string{"assessor", "other"} {
		team.adm.must(200, "PUT", "/v1/roster/"+team.ids[key], map[string]any{
			"tracks": []string{"caring_schools"}, "specialisms": []string{}, "capacity": capacity, "active": true})
	}
	team.adm.must(200, "PUT", "/v1/roster/"+team.ids["moderator"], map[string]any{
		"tracks": []string{"caring_schools"}, "specialisms": []string{}, "capacity": 3, "active": true})
	return team
}

// portfolio registers a setting and submits evidence for every standard of the target level.
func (tm *awardTeam) portfolio(t testing.TB, ref, name string, target award.Level) (string, []string) {
	t.Helper()
	var app application
	tm.applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": ref, "setting_name": name, "track": "caring_schools", "variant": "primary",
	}).json(t, &app)
	var fw award.Framework
	tm.applicant.must(200, "GET", "/v1/applications/"+app.ID+"/framework", nil).json(t, &fw)
	var codes []string
	for _, s := range fw.StandardsFor(target) {
		codes = append(codes, s.Code)
		tm.applicant.uploadEvidence(app.ID, s.Code+".pdf", pdf(s.Code), s.Code)
	}
	return app.ID, codes
}

type assessedApp struct {
	Stage      string `json:"stage"`
	Assessment *struct {
		Offer *struct {
			PersonID string `json:"person_id"`
		} `json:"offer"`
		AssessorID  string `json:"assessor_id"`
		Recommended string `json:"recommended"`
		Decision    string `json:"decision"`
		Certificate string `json:"certificate"`
		Moderation  *struct {
			Required    bool     `json:"required"`
			Reasons     []string `json:"reasons"`
			ModeratorID string   `json:"moderator_id"`
			Outcome     string   `json:"outcome"`
		} `json:"moderation"`
	} `json:"assessment"`
	Flags []string `json:"flags"`
}

func (tm *awardTeam) get(t testing.TB, appID string) assessedApp {
	t.Helper()
	var a assessedApp
	tm.adm.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &a)
	return a
}

func (tm *awardTeam) waitStage(t testing.TB, appID, stage string) assessedApp {
	t.Helper()
	var a assessedApp
	eventually(t, appID+" at stage "+stage, func() bool { a = tm.get(t, appID); return a.Stage == stage })
	return a
}

func ratingsAll(codes []string, level string) map[string]string {
	out := map[string]string{}
	for _, c := range codes {
		out[c] = level
	}
	return out
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return body
}

func countMail(addr, kind string) int {
	n := 0
	for _, m := range mailTo(shared, addr) {
		if strings.Contains(m.CustomArgs["dedupe_key"], "/"+kind+"/") {
			n++
		}
	}
	return n
}

// From registration to an awarded certificate through the HTTP API, with the allocation's
// reasons visible to the admin and every wrong actor refused on the way.
func TestJourneyToCertificateThroughTheAPI(t *testing.T) {
	tm := newAwardTeam(t, "certshire", 3)
	appID, codes := tm.portfolio(t, "CERT-1", "Oak & Ash <Primary>", award.Silver)

	// Carl declares a conflict with the setting: allocation must pass him over and say so.
	tm.adm.must(201, "POST", "/v1/roster/"+tm.ids["other"]+"/conflicts", map[string]any{"setting_reference": "CERT-1", "reason": "governor of the school"})
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "silver"})

	a := tm.waitStage(t, appID, "offered")
	if a.Assessment.Offer.PersonID != tm.ids["assessor"] {
		t.Fatalf("offered to %s, want the assessor", a.Assessment.Offer.PersonID)
	}
	var alloc struct {
		Allocation award.Allocation `json:"allocation"`
	}
	tm.adm.must(200, "GET", "/v1/applications/"+appID+"/allocation", nil).json(t, &alloc)
	if alloc.Allocation.Chosen != tm.ids["assessor"] || alloc.Allocation.Reason == "" {
		t.Fatalf("allocation = %+v", alloc.Allocation)
	}
	if len(alloc.Allocation.Excluded) != 1 || !strings.Contains(alloc.Allocation.Excluded[0].Reason, "governor of the school") {
		t.Fatalf("excluded = %+v", alloc.Allocation.Excluded)
	}
	tm.assessor.must(403, "GET", "/v1/applications/"+appID+"/allocation", nil) // reasons are for admins

	// The offer is in the assessor's inbox; only they may accept it.
	var inbox struct {
		Assignments []postgres.Assignment `json:"assignments"`
	}
	tm.assessor.must(200, "GET", "/v1/assignments", nil).json(t, &inbox)
	if len(inbox.Assignments) != 1 || inbox.Assignments[0].State != "offered" {
		t.Fatalf("inbox = %+v", inbox.Assignments)
	}
	tm.other.must(404, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	tm.applicant.must(403, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	// Before accepting, the portfolio is closed to the assessor.
	var full struct {
		Evidence []struct {
			ID string `json:"id"`
		} `json:"evidence"`
	}
	tm.applicant.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &full)
	tm.assessor.must(403, "GET", "/v1/applications/"+appID+"/evidence/"+full.Evidence[0].ID+"/download", nil)
	tm.assessor.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)

	// The assessor reads the portfolio through short-lived links; nobody else who is not entitled can.
	var link struct {
		URL string `json:"url"`
	}
	tm.assessor.must(200, "GET", "/v1/applications/"+appID+"/evidence/"+full.Evidence[0].ID+"/download", nil).json(t, &link)
	if body := fetch(t, link.URL); !bytes.HasPrefix(body, []byte("%PDF")) {
		t.Fatalf("downloaded evidence is not the upload: %q", body[:20])
	}
	tm.other.must(404, "GET", "/v1/applications/"+appID+"/evidence/"+full.Evidence[0].ID+"/download", nil)

	// Bad scoring is refused and changes nothing.
	bad := ratingsAll(codes, "silver")
	bad["NOPE9"] = "gold"
	p := tm.assessor.must(422, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": bad, "feedback": "x"}).problem(t)
	if !strings.Contains(fmt.Sprint(p["detail"]), "NOPE9") {
		t.Fatalf("problem = %v", p)
	}
	p = tm.assessor.must(422, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes[1:], "silver"), "feedback": "x"}).problem(t)
	if !strings.Contains(fmt.Sprint(p["detail"]), codes[0]) {
		t.Fatalf("problem = %v", p)
	}
	tm.assessor.must(422, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes, "platinum"), "feedback": "x"})
	tm.applicant.must(403, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes, "silver"), "feedback": "x"})
	if got := tm.get(t, appID); got.Stage != "assessment" || got.Assessment.Recommended != "not_met" {
		t.Fatalf("after refused scoring: %+v", got)
	}

	// Scored gold everywhere for a silver application: the decision is capped at silver.
	tm.assessor.must(200, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{
		"ratings": ratingsAll(codes, "gold"), "feedback": "A caring, well-evidenced school.", "visit_date": "2026-11-20"})
	// The assessor's first assessments are always moderated.
	a = tm.waitStage(t, appID, "moderation")
	eventually(t, "a moderator", func() bool {
		a = tm.get(t, appID)
		return a.Assessment.Moderation != nil && a.Assessment.Moderation.ModeratorID != ""
	})
	if a.Assessment.Moderation.ModeratorID != tm.ids["moderator"] || !a.Assessment.Moderation.Required {
		t.Fatalf("moderation = %+v", a.Assessment.Moderation)
	}
	p = tm.assessor.must(403, "POST", "/v1/applications/"+appID+"/moderation", map[string]any{"decision": "confirm"}).problem(t)
	if !strings.Contains(fmt.Sprint(p["detail"]), "own assessment") {
		t.Fatalf("problem = %v", p)
	}
	tm.moderator.must(422, "POST", "/v1/applications/"+appID+"/moderation", map[string]any{"decision": "amend", "ratings": ratingsAll(codes, "bronze")})
	tm.moderator.must(200, "POST", "/v1/applications/"+appID+"/moderation", map[string]any{"decision": "confirm"})

	a = tm.waitStage(t, appID, "awarded")
	if a.Assessment.Decision != "silver" {
		t.Fatalf("decision %q, want silver (capped at the target)", a.Assessment.Decision)
	}
	tm.applicant.must(200, "GET", "/v1/applications/"+appID+"/certificate", nil).json(t, &link)
	cert := fetch(t, link.URL)
	if !bytes.HasPrefix(cert, []byte("%PDF-")) || !bytes.Contains(cert, []byte("Silver")) || !bytes.Contains(cert, []byte("Oak & Ash <Primary>")) {
		t.Fatalf("certificate is not a PDF naming the setting and level (%d bytes)", len(cert))
	}

	// Every message of the journey arrived exactly once.
	eventually(t, "the award email", func() bool { return countMail("applicant@certshire.example", "awarded") == 1 })
	for _, m := range []struct{ addr, kind string }{
		{"assessor@certshire.example", "assessor_offer"},
		{"applicant@certshire.example", "assessor_allocated"},
		{"moderator@certshire.example", "moderation_request"},
		{"applicant@certshire.example", "awarded"},
		{"applicant@certshire.example", "submission_receipt"},
	} {
		if n := countMail(m.addr, m.kind); n != 1 {
			t.Errorf("%s to %s: %d messages, want 1", m.kind, m.addr, n)
		}
	}
	// The assessor's capacity is free again.
	var roster struct {
		Roster []postgres.AssessorProfile `json:"assessors"`
	}
	tm.adm.must(200, "GET", "/v1/roster", nil).json(t, &roster)
	for _, p := range roster.Roster {
		if p.Open != 0 {
			t.Errorf("%s still holds %d open assessments", p.Name, p.Open)
		}
	}
	captureHistory(t, appID, "awarded")
}

// "Not yet", then resubmitted within the window to the same assessor, and awarded.
func TestNotYetThenResubmittedAndAwarded(t *testing.T) {
	tm := newAwardTeam(t, "retryshire", 3)
	appID, codes := tm.portfolio(t, "RETRY-1", "Willow Primary", award.Bronze)
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	a := tm.waitStage(t, appID, "offered")
	first := a.Assessment.Offer.PersonID
	holder := map[string]*client{tm.ids["assessor"]: tm.assessor, tm.ids["other"]: tm.other}[first]
	holder.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	weak := ratingsAll(codes, "bronze")
	weak[codes[0]] = "not_met"
	holder.must(200, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": weak, "feedback": "Standard " + codes[0] + " needs evidence of impact."})
	eventually(t, "a moderator", func() bool {
		a = tm.get(t, appID)
		return a.Assessment.Moderation != nil && a.Assessment.Moderation.ModeratorID != ""
	})
	tm.moderator.must(200, "POST", "/v1/applications/"+appID+"/moderation", map[string]any{"decision": "confirm"})
	tm.waitStage(t, appID, "not_yet")
	eventually(t, "the not-yet email", func() bool { return countMail("applicant@retryshire.example", "not_yet") == 1 })

	// More evidence, then resubmission: back to the same assessor.
	tm.applicant.uploadEvidence(appID, "impact.pdf", pdf("impact"), codes[0])
	tm.applicant.must(200, "POST", "/v1/applications/"+appID+"/submit", map[string]any{"target_level": "bronze"})
	a = tm.waitStage(t, appID, "offered")
	if a.Assessment.Offer.PersonID != first {
		t.Fatalf("resubmission offered to %s, want the same assessor %s", a.Assessment.Offer.PersonID, first)
	}
	holder.must(200, "POST", "/v1/applications/"+appID+"/offer/accept", nil)
	holder.must(200, "POST", "/v1/applications/"+appID+"/assessment", map[string]any{"ratings": ratingsAll(codes, "bronze"), "feedback": "Now well evidenced."})
	eventually(t, "moderation or decision", func() bool {
		a = tm.get(t, appID)
		return a.Stage == "awarded" || (a.Assessment.Moderation != nil && a.Assessment.Moderation.ModeratorID != "")
	})
	if a.Stage != "awarded" {
		tm.moderator.must(200, "POST", "/v1/applications/"+appID+"/moderation", map[string]any{"decision": "confirm"})
	}
	a = tm.waitStage(t, appID, "awarded")
	if a.Assessment.Decision != "bronze" {
		t.Fatalf("decision %q", a.Assessment.Decision)
	}
	captureHistory(t, appID, "not_yet_resubmitted")
}

// Applications submitted at the same moment never push an assessor over capacity: with one
// assessor of capacity 2 (the other inactive), two of five get offers and three are flagged.
func TestConcurrentAllocationsRespectCapacity(t *testing.T) {
	tm := newAwardTeam(t, "busyshire", 2)
	tm.adm.must(200, "PUT", "/v1/roster/"+tm.ids["other"], map[string]any{
		"tracks": []string{"caring_schools"}, "specialisms": []string{}, "capacity": 2, "active": false})
	var apps []string
	for i := range 5 {
		id, _ := tm.portfolio(t, fmt.Sprintf("BUSY-%d", i), fmt.Sprintf("Busy School %d", i), award.Bronze)
		apps = append(apps, id)
	}
	var wg sync.WaitGroup
	for _, id := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tm.applicant.must(200, "POST", "/v1/applications/"+id+"/submit", map[string]any{"target_level": "bronze"})
		}()
	}
	wg.Wait()
	var offered, flagged int
	eventually(t, "every application allocated or flagged", func() bool {
		offered, flagged = 0, 0
		for _, id := range apps {
			a := tm.get(t, id)
			switch {
			case a.Stage == "offered":
				offered++
			case a.Stage == "awaiting_allocation" && contains(a.Flags, "no_eligible_assessor"):
				flagged++
			}
		}
		return offered+flagged == len(apps)
	})
	if offered != 2 || flagged != 3 {
		t.Fatalf("offered %d, flagged %d; want 2 and 3", offered, flagged)
	}
	var roster struct {
		Roster []postgres.AssessorProfile `json:"assessors"`
	}
	tm.adm.must(200, "GET", "/v1/roster", nil).json(t, &roster)
	for _, p := range roster.Roster {
		if p.PersonID == tm.ids["assessor"] && p.Open != 2 {
			t.Fatalf("assessor holds %d open, want 2", p.Open)
		}
	}
	// An admin allocates by hand to a full assessor: refused with the reason; to nobody: refused.
	var waiting string
	for _, id := range apps {
		if tm.get(t, id).Stage == "awaiting_allocation" {
			waiting = id
		}
	}
	p := tm.adm.must(409, "POST", "/v1/applications/"+waiting+"/allocate", map[string]any{"assessor": tm.ids["assessor"]}).problem(t)
	if !strings.Contains(fmt.Sprint(p["detail"]), "capacity") {
		t.Fatalf("problem = %v", p)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
