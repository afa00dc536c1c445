package integration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	temporalclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/workflows"
)

// TestControlCharactersAreRefusedBeforeTheJourney: NUL and other control characters in any
// free-text field, and line breaks in single-line ones, are refused with a 422 naming the
// field, and nothing reaches the journey or the database; paragraphs stay allowed where they
// make sense.
func TestControlCharactersAreRefusedBeforeTheJourney(t *testing.T) {
	applicant := as(t, shared, "demo-northshire-applicant")
	admin := as(t, shared, "demo-northshire-admin")
	appID := registered(t, applicant, "URN-CTRL-1")
	standards := bronzeStandards(t, applicant, appID)
	before := snapshot(t, applicant, appID)
	content := pdf("ctrl")
	sum := sha256.Sum256(content)
	declaration := func(field, value string) map[string]any {
		d := map[string]any{"filename": "ctrl.pdf", "size": len(content), "content_type": "application/pdf",
			"sha256": hex.EncodeToString(sum[:]), "standards": standards[:1]}
		d[field] = value
		return d
	}
	app := "/v1/applications/" + appID
	cases := []struct {
		name, method, path string
		body               any
		who                *client
		field              string
	}{
		{"NUL in an evidence note", "POST", app + "/evidence", declaration("note", "a\x00b"), applicant, "note"},
		{"escape in an evidence note", "POST", app + "/evidence", declaration("note", "\x1b[2J"), applicant, "note"},
		{"line break in a filename", "POST", app + "/evidence", declaration("filename", "a\r\nb.pdf"), applicant, "filename"},
		{"NUL in a standard code", "POST", app + "/evidence", map[string]any{"filename": "x.pdf", "size": 1,
			"content_type": "application/pdf", "sha256": hex.EncodeToString(sum[:]), "standards": []string{standards[0], "S\x00"}}, applicant, "standards[1]"},
		{"line break in a setting name (an email subject)", "POST", "/v1/applications", map[string]any{"setting_reference": "URN-CTRL-2",
			"setting_name": "Hill\r\nBcc: someone@example.org", "track": "caring_schools", "variant": "secondary"}, applicant, "setting_name"},
		{"line separator in an applicant name", "POST", "/v1/applications", map[string]any{"setting_reference": "URN-CTRL-3",
			"setting_name": "Hill", "track": "caring_schools", "variant": "secondary", "applicant_name": "Ann\u2028Other",
			"applicant_email": "ann@ctrl.example"}, admin, "applicant_name"},
		{"NUL in a withdrawal reason", "POST", app + "/withdraw", map[string]any{"reason": "moving\x00away"}, applicant, "reason"},
		{"NUL in the search", "GET", "/v1/admin/search?q=" + url.QueryEscape("Hill\x00"), nil, admin, "q"},
		{"line break in the audit filter", "GET", "/v1/admin/audit?application=" + url.QueryEscape(appID+"\n"), nil, admin, "application"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.who.do(c.method, c.path, c.body)
			if r.Status != 422 {
				t.Fatalf("want 422, got %d: %s", r.Status, r.Body)
			}
			p := r.problem(t)
			errs, _ := p["errors"].([]any)
			if len(errs) == 0 || errs[0].(map[string]any)["field"] != c.field {
				t.Fatalf("want the field %q named: %s", c.field, r.Body)
			}
			if strings.ContainsAny(p["detail"].(string), "\x00\r\n\x1b\u2028") {
				t.Fatalf("the answer repeats the control character: %q", p["detail"])
			}
		})
	}
	if after := snapshot(t, applicant, appID); after != before {
		t.Fatalf("a refused request changed the application:\n%s\n%s", before, after)
	}
	var n int
	if err := shared.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM applications WHERE setting_id IN
		(SELECT id FROM settings WHERE reference IN ('URN-CTRL-2', 'URN-CTRL-3'))`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused registrations reached the database: %d %v", n, err)
	}
	// Paragraphs are welcome where they make sense: a note of several lines.
	ok := declaration("note", "First line.\r\nSecond line.\n\n\tIndented.")
	applicant.must(201, "POST", app+"/evidence", ok)
}

// TestDataErrorFailsForGoodWithoutJammingTheJourney sends a note holding NUL straight to the
// journey through Temporal (as a client that skips the API's check, or a journey that took it
// in before the check existed): PostgreSQL refuses it (SQLSTATE 22021). The Record activity
// fails for good at once instead of retrying for ever with the journey's lock held; the update
// fails with a DataError; the stuck list shows it with its error and says an engineer must act;
// and the journey goes on: a clean declaration and the withdrawal work.
func TestDataErrorFailsForGoodWithoutJammingTheJourney(t *testing.T) {
	applicant := as(t, shared, "demo-northshire-applicant")
	admin := as(t, shared, "demo-northshire-admin")
	appID := registered(t, applicant, "URN-NUL-1")
	standards := bronzeStandards(t, applicant, appID)
	var me struct {
		ID string `json:"id"`
	}
	applicant.must(200, "GET", "/v1/me", nil).json(t, &me)
	content := pdf("nul")
	sum := sha256.Sum256(content)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	h, err := shared.Client.UpdateWorkflow(ctx, temporalclient.UpdateWorkflowOptions{
		WorkflowID: workflows.WorkflowID(appID), UpdateName: workflows.UpdateAddEvidence,
		Args: []any{workflows.AddEvidenceRequest{Actor: workflows.Actor{ID: me.ID, Role: workflows.RoleApplicant},
			Filename: "nul.pdf", ContentType: "application/pdf", Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]),
			Standards: standards[:1], Note: "a\x00b"}},
		WaitForStage: temporalclient.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrData {
		t.Fatalf("want the update to fail with a %s, got %v", activities.ErrData, err)
	}
	if !strings.Contains(appErr.Message(), "SQLSTATE 22021") || strings.Contains(appErr.Message(), "a\x00b") {
		t.Fatalf("the failure should name the SQLSTATE and not the value: %q", appErr.Message())
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("the data error took %s: it was retried", took)
	}

	// Admins see it at once, with its error, and are told it needs an engineer.
	var entry stuckEntry
	waitFor(t, "the data error on the stuck list", 30*time.Second, func() bool {
		var ok bool
		entry, ok = stuckList(t, admin).entry(appID, "data_error")
		return ok
	})
	if entry.ActivityType != "Record" || !strings.Contains(entry.LastError, "SQLSTATE 22021") || entry.Attempt != 1 ||
		!strings.Contains(entry.Unstick, "engineer") || strings.Contains(entry.Unstick, "retries by itself") || entry.Who != "system" {
		t.Fatalf("stuck entry: %+v", entry)
	}

	// Not jammed: the next update runs at once (the lock was released), and so does withdraw.
	applicant.declare(appID, "clean.pdf", "application/pdf", pdf("clean"), standards[0])
	var st application
	applicant.must(200, "POST", "/v1/applications/"+appID+"/withdraw", map[string]any{"reason": "testing\nthe data error"}).json(t, &st)
	if st.Stage != "withdrawn" {
		t.Fatalf("stage %q after withdraw", st.Stage)
	}
	var stored int
	if err := shared.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM evidence WHERE application_id=$1 AND filename='nul.pdf'`,
		appID).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the refused evidence is in the database: %d %v", stored, err)
	}
	// Still listed: the refused step's data is still the journey's, for an engineer to correct.
	if _, ok := stuckList(t, admin).entry(appID, "data_error"); !ok {
		t.Fatal("the data error left the stuck list by itself")
	}
}
