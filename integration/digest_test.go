package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/devmail"
	"awardengine/storage/postgres"
)

// newTenant makes a tenant of its own for a test that changes tenant settings, with one
// applicant, and returns the applicant's token and person.
func newTenant(t *testing.T, id string, settings *award.Settings, templates map[string]string) (string, postgres.Person) {
	t.Helper()
	ctx := t.Context()
	db := shared.DB
	if err := db.UpsertTenant(ctx, postgres.Tenant{ID: id, Name: "Council of " + id, SenderEmail: "awards@" + id + ".example",
		SenderName: id + " awards", ReplyTo: "team@" + id + ".example"}); err != nil {
		t.Fatal(err)
	}
	if settings != nil {
		if err := db.SetTenantSettings(ctx, id, *settings); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetEmailTemplates(ctx, id, templates); err != nil {
		t.Fatal(err)
	}
	p, err := db.UpsertPerson(ctx, postgres.Person{TenantID: id, Name: "Dana Applicant", Email: "dana@" + id + ".example",
		Roles: []string{postgres.RoleApplicant}})
	if err != nil {
		t.Fatal(err)
	}
	token := "test-" + id + "-applicant"
	if err := db.StoreToken(ctx, p.ID, "test", token); err != nil {
		t.Fatal(err)
	}
	return token, p
}

func messagesTo(addr string) []devmail.Message {
	var out []devmail.Message
	for _, m := range shared.Mail.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to.Email, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Three toolkit nudges to one person on one day arrive as one digest email.
func TestRemindersOnTheSameDayArriveAsOneDigest(t *testing.T) {
	s := award.DefaultSettings()
	s.ToolkitNudgeAfter = 2 * time.Second
	s.DigestDelay = 8 * time.Second
	token, p := newTenant(t, "digestshire", &s, nil)
	var first string
	for i := range 3 {
		var app struct {
			ID string `json:"id"`
		}
		as(t, shared, token).must(201, "POST", "/v1/applications", map[string]any{
			"setting_reference": fmt.Sprintf("DIG-%d", i), "setting_name": fmt.Sprintf("Digest School %d", i),
			"track": "caring_schools", "variant": "primary",
		}).json(t, &app)
		if i == 0 {
			first = app.ID
		}
	}
	key := "digest/digestshire/" + p.ID + "/"
	deadline := time.Now().Add(90 * time.Second)
	var digests []devmail.Message
	for time.Now().Before(deadline) {
		digests = digests[:0]
		for _, m := range messagesTo(p.Email) {
			if strings.HasPrefix(m.CustomArgs["dedupe_key"], key) {
				digests = append(digests, m)
			}
		}
		if len(digests) > 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(digests) != 1 {
		t.Fatalf("want one digest, got %d", len(digests))
	}
	time.Sleep(3 * time.Second) // nothing else follows
	var nudges, welcomes, others int
	for _, m := range messagesTo(p.Email) {
		k := m.CustomArgs["dedupe_key"]
		switch {
		case strings.HasPrefix(k, key):
		case strings.Contains(k, "/toolkit_nudge/"):
			nudges++
		case strings.Contains(k, "/welcome/"):
			welcomes++
		default:
			others++
		}
	}
	if nudges != 0 || welcomes != 3 || others != 0 {
		t.Fatalf("besides the digest: %d nudges, %d welcomes, %d others; want 0, 3, 0", nudges, welcomes, others)
	}
	d := digests[0]
	for i := range 3 {
		if !strings.Contains(d.Text, fmt.Sprintf("Digest School %d", i)) {
			t.Errorf("digest does not mention Digest School %d:\n%s", i, d.Text)
		}
	}
	if !strings.Contains(d.Subject, "3") {
		t.Errorf("subject %q does not count the reminders", d.Subject)
	}
	// The toolkit nudge queued by a local activity (reminder-local), for the replay test.
	captureHistory(t, first, "toolkit_nudge_local")
}

// A tenant that names a SendGrid dynamic template for a message type gets template_id and the
// same data instead of the app's rendering.
func TestTenantDynamicTemplateIsUsed(t *testing.T) {
	token, p := newTenant(t, "templatedale", nil, map[string]string{"welcome": "d-welcome-123"})
	var app application
	as(t, shared, token).must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "TPL-1", "setting_name": "Template <Primary>", "track": "caring_schools", "variant": "primary",
	}).json(t, &app)
	requireExactlyOnce(t, app.ID+"/registration/welcome/"+p.ID, 30*time.Second)
	m := messagesTo(p.Email)[0]
	if m.TemplateID != "d-welcome-123" {
		t.Fatalf("template_id = %q", m.TemplateID)
	}
	var raw struct {
		Personalizations []struct {
			Data map[string]any `json:"dynamic_template_data"`
		} `json:"personalizations"`
	}
	if err := json.Unmarshal(m.Raw, &raw); err != nil {
		t.Fatal(err)
	}
	data := raw.Personalizations[0].Data
	if data["setting_name"] != "Template <Primary>" || data["recipient_name"] != "Dana Applicant" ||
		data["tenant_name"] != "Council of templatedale" || data["subject"] == "" || data["application_id"] != app.ID {
		t.Fatalf("dynamic data = %v", data)
	}
}
