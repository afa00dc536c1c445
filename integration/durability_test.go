package integration

import (
	"context"
	"testing"
	"time"

	"awardengine/deploy/stack"
)

// TestJourneySurvivesWorkerKillAndStackRestart kills the worker mid-portfolio, then stops and
// restarts the whole stack on the same data directory (as Ctrl-C and `make run` again do):
// the journey continues with its evidence intact, in the workflow, PostgreSQL and MinIO.
func TestJourneySurvivesWorkerKillAndStackRestart(t *testing.T) {
	dir := t.TempDir()
	start := func() *stack.Stack {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		s, err := stack.Start(ctx, stack.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := start()
	applicant := as(t, s, "demo-eastmere-applicant")
	var app application
	applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "FH-DUR-1", "setting_name": "The Ahmed household",
		"track": "learning_homes", "variant": "mainstream_foster",
	}).json(t, &app)
	standards := bronzeStandards(t, applicant, app.ID)
	first := applicant.uploadEvidence(app.ID, "first.pdf", pdf("first"), standards[0])

	// The worker dies; a new one takes over and the journey goes on.
	s.StopWorker()
	if err := s.StartWorker(); err != nil {
		t.Fatal(err)
	}
	applicant.uploadEvidence(app.ID, "second.pdf", pdf("second"), standards[1])

	// The whole stack stops and starts again on the same data.
	s.Stop()
	s = start()
	defer s.Stop()
	applicant = as(t, s, "demo-eastmere-applicant")

	var after application
	applicant.must(200, "GET", "/v1/applications/"+app.ID, nil).json(t, &after)
	if after.Stage != "portfolio" || len(after.Evidence) != 2 || after.Evidence[0].ID != first {
		t.Fatalf("after restart: stage %q, evidence %+v", after.Stage, after.Evidence)
	}
	for _, e := range after.Evidence {
		d, err := s.Objects.Digest(t.Context(), "tenants/eastmere/applications/"+app.ID+"/evidence/"+e.ID)
		if err != nil || d.SHA256 != e.SHA256 {
			t.Fatalf("evidence %s in storage after restart: %v %+v", e.ID, err, d)
		}
	}
	for i, code := range standards[2:] {
		applicant.uploadEvidence(app.ID, code+".pdf", pdf(code+string(rune('a'+i))), code)
	}
	applicant.must(200, "POST", "/v1/applications/"+app.ID+"/submit", map[string]any{"target_level": "bronze"}).json(t, &after)
	if after.Stage != "awaiting_allocation" {
		t.Fatalf("after submission: %q", after.Stage)
	}
	// Emails from before the restart were not sent again after it.
	eventually(t, "submission receipt", func() bool { return len(mailTo(s, "applicant@eastmere.example")) >= 2 })
	time.Sleep(2 * time.Second)
	welcomes := 0
	for _, m := range mailTo(s, "applicant@eastmere.example") {
		if m.Subject != "" && m.CustomArgs["dedupe_key"] == app.ID+"/registration/welcome/p_eastmere_applicant" {
			welcomes++
		}
	}
	if welcomes != 1 {
		t.Fatalf("welcome email sent %d times", welcomes)
	}
}
