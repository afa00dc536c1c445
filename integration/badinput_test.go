package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"awardengine/award"
)

// registered registers a fresh application for the given applicant and returns its id.
func registered(t *testing.T, c *client, ref string) string {
	t.Helper()
	var app application
	c.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": ref, "setting_name": "Setting " + ref, "track": "caring_schools", "variant": "secondary",
	}).json(t, &app)
	return app.ID
}

// snapshot is what a refused request must leave unchanged.
func snapshot(t *testing.T, c *client, appID string) string {
	t.Helper()
	r := c.must(200, "GET", "/v1/applications/"+appID, nil)
	var v map[string]any
	r.json(t, &v)
	delete(v, "next") // derived from the clock only
	return string(mustJSON(v))
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	s := shared
	applicant := as(t, s, "demo-northshire-applicant")
	appID := registered(t, applicant, "URN-BAD-1")
	standards := bronzeStandards(t, applicant, appID)
	before := snapshot(t, applicant, appID)
	content := pdf("bad")
	sum := sha256.Sum256(content)
	digest := hex.EncodeToString(sum[:])
	evidence := "/v1/applications/" + appID + "/evidence"

	cases := []struct {
		name, method, path string
		body               any
		token              string
		status             int
		problemType        string
		detail             string
	}{
		{"duplicate registration", "POST", "/v1/applications", map[string]any{"setting_reference": "URN-BAD-1", "setting_name": "x",
			"track": "caring_schools", "variant": "secondary"}, "", 409, "duplicate-application", appID},
		{"variant of another track", "POST", "/v1/applications", map[string]any{"setting_reference": "URN-BAD-2", "setting_name": "x",
			"track": "learning_homes", "variant": "primary"}, "", 422, "wrong-variant", "does not belong"},
		{"unknown field", "POST", "/v1/applications", `{"setting_reference":"URN-BAD-3","setting_name":"x","track":"caring_schools","variant":"primary","colour":"red"}`,
			"", 400, "malformed-json", "colour"},
		{"malformed JSON", "POST", "/v1/applications", `{"setting_reference":`, "", 400, "malformed-json", "malformed"},
		{"empty file", "POST", evidence, map[string]any{"filename": "a.pdf", "size": 0, "content_type": "application/pdf",
			"sha256": digest, "standards": standards[:1]}, "", 422, "invalid", "empty"},
		{"oversized file", "POST", evidence, map[string]any{"filename": "a.pdf", "size": award.DefaultMaxFileBytes + 1, "content_type": "application/pdf",
			"sha256": digest, "standards": standards[:1]}, "", 422, "invalid", "250"},
		{"type not allowed", "POST", evidence, map[string]any{"filename": "a.exe", "size": 10, "content_type": "application/x-msdownload",
			"sha256": digest, "standards": standards[:1]}, "", 422, "invalid", "not allowed"},
		{"unknown standard", "POST", evidence, map[string]any{"filename": "a.pdf", "size": 10, "content_type": "application/pdf",
			"sha256": digest, "standards": []string{"NOPE9"}}, "", 422, "invalid", "NOPE9"},
		{"submit with missing standards", "POST", "/v1/applications/" + appID + "/submit", map[string]any{"target_level": "bronze"},
			"", 422, "missing-evidence", standards[0]},
		{"another applicant's token", "GET", "/v1/applications/" + appID, nil, "demo-northshire-applicant2", 404, "not-found", ""},
		{"another applicant's upload", "POST", evidence, map[string]any{"filename": "a.pdf", "size": 10, "content_type": "application/pdf",
			"sha256": digest, "standards": standards[:1]}, "demo-northshire-applicant2", 404, "not-found", ""},
		{"another tenant's admin", "GET", "/v1/applications/" + appID, nil, "demo-eastmere-admin", 404, "not-found", ""},
		{"a supporter acting", "POST", "/v1/applications/" + appID + "/submit", map[string]any{"target_level": "bronze"},
			"demo-northshire-supporter", 404, "not-found", ""},
		{"withdraw without a reason", "POST", "/v1/applications/" + appID + "/withdraw", map[string]any{"reason": " "},
			"", 422, "invalid", "reason"},
		{"no token", "GET", "/v1/applications/" + appID, nil, "-", 401, "unauthorized", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			who := applicant
			switch c.token {
			case "":
			case "-":
				who = as(t, s, "")
			default:
				who = as(t, s, c.token)
			}
			r := who.do(c.method, c.path, c.body)
			if r.Status != c.status {
				t.Fatalf("want %d, got %d: %s", c.status, r.Status, r.Body)
			}
			p := r.problem(t)
			if !strings.HasSuffix(p["type"].(string), "/"+c.problemType) {
				t.Fatalf("problem type %v, want %s", p["type"], c.problemType)
			}
			if !strings.Contains(string(r.Body), c.detail) {
				t.Fatalf("problem %s does not mention %q", r.Body, c.detail)
			}
		})
	}
	if after := snapshot(t, applicant, appID); after != before {
		t.Fatalf("refused requests changed the application:\nbefore %s\nafter  %s", before, after)
	}
	if n := countRows(t, "SELECT count(*) FROM applications WHERE id <> $1 AND setting_id IN (SELECT id FROM settings WHERE reference LIKE 'URN-BAD-%')", appID); n != 0 {
		t.Fatalf("a refused registration left %d rows", n)
	}

	t.Run("checksum mismatch", func(t *testing.T) {
		u := applicant.declare(appID, "claimed.pdf", "application/pdf", content, standards[0])
		// As long as the declared file, different bytes: the link signs the declared SHA-256,
		// so storage itself refuses them (evidence_integrity_test.go has the other cases).
		if status, body := tryPut(t, u, pdf("bax")); status != 400 || !strings.Contains(body, "Checksum") {
			t.Fatalf("storage took different bytes: %d %s", status, body)
		}
		r := applicant.do("POST", evidence+"/"+u.Evidence.ID+"/confirm", nil)
		if r.Status != 409 || !strings.HasSuffix(r.problem(t)["type"].(string), "/not-uploaded") {
			t.Fatalf("want 409 not-uploaded, got %d %s", r.Status, r.Body)
		}
		exists, err := s.Objects.Exists(t.Context(), "tenants/northshire/applications/"+appID+"/evidence/"+u.Evidence.ID)
		if err != nil || exists {
			t.Fatalf("the mismatching bytes were kept (%v)", err)
		}
		assertPending(t, applicant, appID, u.Evidence.ID)
	})
	t.Run("confirm before upload", func(t *testing.T) {
		u := applicant.declare(appID, "later.pdf", "application/pdf", content, standards[0])
		r := applicant.do("POST", evidence+"/"+u.Evidence.ID+"/confirm", nil)
		if r.Status != 409 || !strings.HasSuffix(r.problem(t)["type"].(string), "not-uploaded") {
			t.Fatalf("want 409 not-uploaded, got %d %s", r.Status, r.Body)
		}
		assertPending(t, applicant, appID, u.Evidence.ID)
	})
	t.Run("action in the wrong stage", func(t *testing.T) {
		other := registered(t, applicant, "URN-BAD-STAGE")
		applicant.must(200, "POST", "/v1/applications/"+other+"/withdraw", map[string]any{"reason": "testing"})
		r := applicant.do("POST", "/v1/applications/"+other+"/evidence", map[string]any{"filename": "a.pdf", "size": 10,
			"content_type": "application/pdf", "sha256": digest, "standards": standards[:1]})
		if r.Status != http.StatusConflict || !strings.HasSuffix(r.problem(t)["type"].(string), "wrong-stage") {
			t.Fatalf("want 409 wrong-stage, got %d %s", r.Status, r.Body)
		}
		captureHistory(t, other, "withdrawn")
	})
}

func assertPending(t *testing.T, c *client, appID, evidenceID string) {
	t.Helper()
	var app application
	c.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &app)
	for _, e := range app.Evidence {
		if e.ID == evidenceID {
			if e.State != "pending" {
				t.Fatalf("evidence %s is %s, want pending", evidenceID, e.State)
			}
			return
		}
	}
	t.Fatalf("evidence %s disappeared", evidenceID)
}

func countRows(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := shared.DB.Pool().QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
