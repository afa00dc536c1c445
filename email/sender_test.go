package email

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSendTurnsTrackingOff: links carry secrets (sign-in, one-click offers), so the provider
// is told not to rewrite them (click tracking) nor to add an open-tracking pixel.
func TestSendTurnsTrackingOff(t *testing.T) {
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("request body: %v", err)
		}
		w.Header().Set("X-Message-Id", "m1")
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	id, err := NewSender("SG.test", srv.URL).Send(t.Context(), Message{From: Address{Email: "a@example.org"},
		To: Address{Email: "b@example.org"}, Subject: "s", Text: "https://x.example/offers/secret", HTML: "<p>x</p>"})
	if err != nil || id != "m1" {
		t.Fatalf("send: %q %v", id, err)
	}
	ts, _ := body["tracking_settings"].(map[string]any)
	click, _ := ts["click_tracking"].(map[string]any)
	open, _ := ts["open_tracking"].(map[string]any)
	if click["enable"] != false || click["enable_text"] != false || open["enable"] != false {
		t.Fatalf("tracking settings sent: %v", body["tracking_settings"])
	}
}
