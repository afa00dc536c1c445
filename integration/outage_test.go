package integration

import (
	"testing"
	"time"
)

// TestEmailProviderOutagePausesAndLosesNothing takes the email endpoint down while a journey
// sends its welcome: the journey goes on (it never blocks on email), the send is retried,
// and once the endpoint is back the message arrives exactly once.
func TestEmailProviderOutagePausesAndLosesNothing(t *testing.T) {
	s := shared
	s.StopMailEndpoint()
	restarted := false
	defer func() {
		if !restarted {
			_ = s.StartMailEndpoint()
		}
	}()
	admin := as(t, s, "demo-northshire-admin")
	var app application
	admin.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "OUTAGE-1", "setting_name": "Outage Academy", "track": "caring_schools", "variant": "secondary",
		"applicant_name": "Olu Outage", "applicant_email": "olu@outage.example",
	}).json(t, &app)

	// The journey is not held up: the applicant can work while the email waits.
	var status application
	admin.must(200, "GET", "/v1/applications/"+app.ID, nil).json(t, &status)
	if status.Stage != "toolkit" {
		t.Fatalf("stage %q", status.Stage)
	}
	time.Sleep(2 * time.Second)
	if n := len(mailTo(s, "olu@outage.example")); n != 0 {
		t.Fatalf("%d emails delivered while the provider was down", n)
	}
	var pending int
	if err := s.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE application_id=$1 AND status='pending' AND last_error IS NOT NULL`, app.ID).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 1 {
		t.Fatalf("want the welcome waiting in the outbox with its error, got %d", pending)
	}

	if err := s.StartMailEndpoint(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	eventually(t, "the welcome after the outage", func() bool { return len(mailTo(s, "olu@outage.example")) == 1 })
	time.Sleep(2 * time.Second)
	if n := len(mailTo(s, "olu@outage.example")); n != 1 {
		t.Fatalf("welcome delivered %d times", n)
	}
}
