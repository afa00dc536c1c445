package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"awardengine/devmail"
	"awardengine/email/webhook"
	"awardengine/storage/postgres"
)

// welcomeFor registers an application for an applicant (by an admin, no supporter), so
// the journey's only email is that applicant's welcome, and returns its dedupe key.
func welcomeFor(t *testing.T, name string) (appID, addr, key string) {
	t.Helper()
	addr = strings.ToLower(name) + "@mail-test.example"
	// The applicant exists already, so registering on their behalf sends no invitation: the
	// faults these tests inject must meet the journey's welcome, the first email it sends.
	if _, err := shared.DB.UpsertPerson(t.Context(), postgres.Person{TenantID: "northshire", Name: name,
		Email: addr, Roles: []string{postgres.RoleApplicant}}); err != nil {
		t.Fatal(err)
	}
	var app application
	as(t, shared, "demo-northshire-admin").must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "MAIL-" + name, "setting_name": name + " School", "track": "caring_schools", "variant": "primary",
		"applicant_name": name, "applicant_email": addr,
	}).json(t, &app)
	p, err := shared.DB.PersonByEmail(t.Context(), "northshire", addr)
	if err != nil {
		t.Fatal(err)
	}
	return app.ID, addr, app.ID + "/registration/welcome/" + p.ID
}

func outboxStatus(t *testing.T, key string) string {
	t.Helper()
	var status string
	if err := shared.DB.Pool().QueryRow(t.Context(), `SELECT status FROM email_outbox WHERE dedupe_key=$1`, key).Scan(&status); err != nil {
		return "none"
	}
	return status
}

func delivered(key string) int {
	n := 0
	for _, m := range shared.Mail.Messages() {
		if m.CustomArgs["dedupe_key"] == key {
			n++
		}
	}
	return n
}

// requireExactlyOnce waits for the message, then makes sure no second copy follows.
func requireExactlyOnce(t *testing.T, key string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for delivered(key) == 0 || outboxStatus(t, key) != "sent" {
		if time.Now().After(deadline) {
			t.Fatalf("%s not delivered within %s (outbox: %s)", key, within, outboxStatus(t, key))
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	if n := delivered(key); n != 1 {
		t.Fatalf("%s delivered %d times", key, n)
	}
}

func TestProviderRateLimitThenAccepted(t *testing.T) {
	before := shared.Mail.Attempts()
	shared.Mail.Inject(devmail.Fault{Status: 429, Times: 1, RetryAfter: 2 * time.Second})
	_, _, key := welcomeFor(t, "Rita")
	requireExactlyOnce(t, key, 30*time.Second)
	if n := shared.Mail.Attempts() - before; n != 2 {
		t.Fatalf("want one refused and one accepted attempt, got %d", n)
	}
}

func TestProviderServerErrorsThenAccepted(t *testing.T) {
	before := shared.Mail.Attempts()
	shared.Mail.Inject(devmail.Fault{Status: 500, Times: 2})
	_, _, key := welcomeFor(t, "Sami")
	requireExactlyOnce(t, key, 60*time.Second)
	if n := shared.Mail.Attempts() - before; n != 3 {
		t.Fatalf("want 500, 500, 202: got %d attempts", n)
	}
}

func TestProviderBadRequestIsNotRetriedAndFlags(t *testing.T) {
	before := shared.Mail.Attempts()
	shared.Mail.Inject(devmail.Fault{Status: 400, Times: 1})
	appID, _, key := welcomeFor(t, "Bea")
	eventually(t, "the refusal recorded", func() bool { return outboxStatus(t, key) == "failed" })
	time.Sleep(6 * time.Second) // longer than the first retry interval
	if n := shared.Mail.Attempts() - before; n != 1 {
		t.Fatalf("a 400 was retried: %d attempts", n)
	}
	p, _ := shared.DB.PersonByEmail(t.Context(), "northshire", "bea@mail-test.example")
	if problem, _ := shared.DB.EmailProblem(t.Context(), "northshire", p.ID); !strings.Contains(problem, "400") {
		t.Fatalf("the address is not flagged for admins: %q", problem)
	}
	// The journey goes on.
	admin := as(t, shared, "demo-northshire-admin")
	var app application
	admin.must(200, "GET", "/v1/applications/"+appID, nil).json(t, &app)
	if app.Stage != "toolkit" {
		t.Fatalf("journey blocked: %q", app.Stage)
	}
	admin.must(201, "POST", "/v1/applications/"+appID+"/evidence", map[string]any{"filename": "a.pdf", "size": 10,
		"content_type": "application/pdf", "sha256": strings.Repeat("a", 64), "standards": []string{"LD1"}})
}

func TestProviderDownForAMinuteThenDeliveredOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("takes over a minute")
	}
	shared.Mail.Inject(devmail.Fault{Down: time.Minute})
	_, _, key := welcomeFor(t, "Dara")
	time.Sleep(3 * time.Second)
	if delivered(key) != 0 {
		t.Fatal("delivered while the provider was down")
	}
	requireExactlyOnce(t, key, 3*time.Minute)
}

// TestAcceptedButNeverHeardIsNotSentTwice: the provider accepts the message but the answer is
// lost (as when the worker dies between accept and record). The retry finds SendGrid's
// processed event for the dedupe key and records the message as sent instead of resending.
func TestAcceptedButNeverHeardIsNotSentTwice(t *testing.T) {
	before := shared.Mail.Attempts()
	shared.Mail.Inject(devmail.Fault{AcceptThenDrop: true})
	defer shared.Mail.ClearFaults() // the fault lasts until cleared: later tests need a working provider
	_, _, key := welcomeFor(t, "Ade")
	requireExactlyOnce(t, key, 60*time.Second)
	if n := shared.Mail.Attempts() - before; n != 1 {
		t.Fatalf("the message was handed to the provider %d times", n)
	}
	var provider string
	_ = shared.DB.Pool().QueryRow(t.Context(), `SELECT provider_id FROM email_outbox WHERE dedupe_key=$1`, key).Scan(&provider)
	if provider == "" {
		t.Fatal("the provider's message id was not recorded from the processed event")
	}
}

func postEvents(t *testing.T, events []webhook.Event, at time.Time, tamper bool) *http.Response {
	t.Helper()
	req, err := shared.Signer.Request(t.Context(), shared.APIURL+"/v1/webhooks/sendgrid", events, at)
	if err != nil {
		t.Fatal(err)
	}
	if tamper {
		body, _ := json.Marshal(append(events, webhook.Event{ID: "injected", Kind: "processed", Email: "x@y"}))
		req.Body = http.NoBody
		req, _ = http.NewRequestWithContext(t.Context(), "POST", req.URL.String(), strings.NewReader(string(body)))
		sig, _ := shared.Signer.Sign(fmt.Sprint(at.Unix()), []byte("[]"))
		req.Header.Set(webhook.SignatureHeader, sig)
		req.Header.Set(webhook.TimestampHeader, fmt.Sprint(at.Unix()))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestEventWebhook(t *testing.T) {
	bounce := webhook.Event{ID: "evt-bounce-1", Kind: "bounce", Type: "bounce", Email: "applicant2@northshire.example",
		Timestamp: time.Now().Unix(), Reason: "550 mailbox unavailable", Tenant: "northshire", DedupeKey: "k1"}
	deferred := webhook.Event{ID: "evt-deferred-1", Kind: "deferred", Email: "applicant@northshire.example",
		Timestamp: time.Now().Unix(), Tenant: "northshire"}

	if r := postEvents(t, []webhook.Event{bounce, deferred}, time.Now(), true); r.StatusCode != 401 {
		t.Fatalf("tampered body: %d", r.StatusCode)
	}
	if r := postEvents(t, []webhook.Event{bounce}, time.Now().Add(-time.Hour), false); r.StatusCode != 401 {
		t.Fatalf("stale timestamp: %d", r.StatusCode)
	}
	if n := countRows(t, `SELECT count(*) FROM email_events WHERE event_id='evt-bounce-1'`); n != 0 {
		t.Fatal("a rejected post stored events")
	}
	for i := 0; i < 2; i++ { // SendGrid may deliver the same events again
		if r := postEvents(t, []webhook.Event{bounce, deferred}, time.Now(), false); r.StatusCode != 204 {
			t.Fatalf("valid post: %d", r.StatusCode)
		}
	}
	if n := countRows(t, `SELECT count(*) FROM email_events WHERE event_id='evt-bounce-1'`); n != 1 {
		t.Fatalf("duplicate event counted %d times", n)
	}
	if n := countRows(t, `SELECT count(*) FROM email_events WHERE event_id='evt-deferred-1'`); n != 0 {
		t.Fatal("a deferral was recorded")
	}
	problem, _ := shared.DB.EmailProblem(t.Context(), "northshire", "p_northshire_applicant2")
	if !strings.Contains(problem, "bounce") {
		t.Fatalf("bounce did not flag the person: %q", problem)
	}
	if p, _ := shared.DB.EmailProblem(t.Context(), "northshire", "p_northshire_applicant"); p != "" {
		t.Fatalf("a deferral flagged the person: %q", p)
	}
}

// TestWorkerKilledBetweenAcceptAndRecordSendsOnce: the provider accepts the message and the
// worker dies before recording it. The restarted worker's retry finds the row "sending" and
// SendGrid's processed event for its dedupe key, and records it as sent without resending.
func TestWorkerKilledBetweenAcceptAndRecordSendsOnce(t *testing.T) {
	before := shared.Mail.Attempts()
	shared.Mail.Inject(devmail.Fault{AcceptThenDrop: true})
	defer shared.Mail.ClearFaults()
	// However this test ends, the suite after it needs a worker.
	t.Cleanup(func() {
		if err := shared.StartWorker(); err != nil {
			t.Error(err)
		}
	})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for shared.Mail.Attempts() == before {
			time.Sleep(2 * time.Millisecond)
		}
		shared.StopWorker()
	}()
	_, _, key := welcomeFor(t, "Kit")
	select {
	case <-stopped:
	case <-time.After(60 * time.Second):
		t.Fatal("the message never reached the provider")
	}
	if status := outboxStatus(t, key); status != "sending" {
		t.Fatalf("after the worker died the outbox says %q, want sending", status)
	}
	time.Sleep(2 * time.Second)
	if err := shared.StartWorker(); err != nil {
		t.Fatal(err)
	}
	requireExactlyOnce(t, key, 3*time.Minute)
	if n := shared.Mail.Attempts() - before; n != 1 {
		t.Fatalf("the message was handed to the provider %d times", n)
	}
}
