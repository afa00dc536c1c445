package devmail

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const plainMail = `{"from":{"email":"awards@example.org"},"subject":"s","personalizations":[{"to":[{"email":"ada@example.com"}]}],"content":[{"type":"text/plain","value":"x"}]}`

// faultServer returns a sink and a test server of its Handler.
func faultServer(t *testing.T) (*Sink, *httptest.Server) {
	t.Helper()
	s, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return s, srv
}

type result struct {
	status int
	header http.Header
	body   string
}

// post sends body to /v3/mail/send with plain net/http. A non-nil error
// means the client got no response at all.
func post(t *testing.T, srv *httptest.Server, body string) (result, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v3/mail/send", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer SG.test")
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return result{resp.StatusCode, resp.Header, string(b)}, nil
}

func mustPost(t *testing.T, srv *httptest.Server, want int) result {
	t.Helper()
	res, err := post(t, srv, plainMail)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if res.status != want {
		t.Fatalf("status = %d, want %d; body %s", res.status, want, res.body)
	}
	return res
}

func TestFault429ThenAccepted(t *testing.T) {
	s, srv := faultServer(t)
	s.Inject(Fault{Status: http.StatusTooManyRequests, Times: 2, RetryAfter: 2 * time.Second})
	for i := 0; i < 2; i++ {
		before := time.Now()
		res := mustPost(t, srv, http.StatusTooManyRequests)
		e := decodeErrors(t, res.body)
		if e.Errors[0].Field != nil || e.Errors[0].Help != nil || !strings.Contains(res.body, `"field":null`) {
			t.Errorf("429 body = %s", res.body)
		}
		reset, err := strconv.ParseInt(res.header.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil {
			t.Fatalf("X-RateLimit-Reset = %q", res.header.Get("X-RateLimit-Reset"))
		}
		if lo, hi := before.Add(2*time.Second).Unix(), time.Now().Add(2*time.Second).Unix()+1; reset < lo || reset > hi {
			t.Errorf("X-RateLimit-Reset = %d, want in [%d,%d]", reset, lo, hi)
		}
		if res.header.Get("X-RateLimit-Remaining") != "0" || res.header.Get("X-RateLimit-Limit") == "" {
			t.Errorf("rate limit headers = %v", res.header)
		}
	}
	res := mustPost(t, srv, http.StatusAccepted)
	if res.header.Get("X-Message-Id") == "" {
		t.Error("no X-Message-Id")
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if n := s.Attempts(); n != 3 {
		t.Errorf("Attempts = %d, want 3", n)
	}
}

func TestFault500Then400InOrder(t *testing.T) {
	s, srv := faultServer(t)
	s.Inject(Fault{Status: http.StatusInternalServerError, Times: 1})
	s.Inject(Fault{Status: http.StatusBadRequest, Times: 1})
	decodeErrors(t, mustPost(t, srv, http.StatusInternalServerError).body)
	res := mustPost(t, srv, http.StatusBadRequest)
	if e := decodeErrors(t, res.body); e.Errors[0].Message != "Bad Request" {
		t.Errorf("400 body = %s", res.body)
	}
	mustPost(t, srv, http.StatusAccepted)
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if n := s.Attempts(); n != 3 {
		t.Errorf("Attempts = %d, want 3", n)
	}
}

func TestFaultUntilCleared(t *testing.T) {
	s, srv := faultServer(t)
	s.Inject(Fault{Status: http.StatusUnauthorized}) // Times 0: until cleared
	for i := 0; i < 3; i++ {
		decodeErrors(t, mustPost(t, srv, http.StatusUnauthorized).body)
	}
	s.ClearFaults()
	mustPost(t, srv, http.StatusAccepted)
	if n := s.Attempts(); n != 4 {
		t.Errorf("Attempts = %d, want 4", n)
	}
}

func TestFaultDownWindow(t *testing.T) {
	s, srv := faultServer(t)
	mustPost(t, srv, http.StatusAccepted) // a kept-alive connection gets dropped too
	const window = 300 * time.Millisecond
	s.Inject(Fault{Down: window})
	start := time.Now()
	failures := 0
	for {
		res, err := post(t, srv, plainMail)
		if err == nil {
			if res.status != http.StatusAccepted {
				t.Fatalf("after the window: status = %d, body %s", res.status, res.body)
			}
			break
		}
		failures++
		if time.Since(start) > 5*time.Second {
			t.Fatalf("still down after 5s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if elapsed := time.Since(start); elapsed < window {
		t.Errorf("served again after %v, before the %v window ended", elapsed, window)
	}
	if failures < 2 {
		t.Errorf("%d failed requests during the window, want several", failures)
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("%d messages, want 2 (none during the window)", n)
	}
	if n := s.Attempts(); n != failures+2 {
		t.Errorf("Attempts = %d, want %d", n, failures+2)
	}
}

func TestFaultAcceptThenDrop(t *testing.T) {
	s, srv := faultServer(t)
	got := make(chan Message, 4)
	s.OnAccepted(func(m Message) { got <- m })
	s.Inject(Fault{AcceptThenDrop: true, Times: 1})

	// An invalid request gets its usual error and leaves the fault queued.
	res, err := post(t, srv, `{"from":{"email":"awards@example.org"}}`)
	if err != nil || res.status != http.StatusBadRequest {
		t.Fatalf("invalid request: %v %+v", err, res)
	}

	if _, err := post(t, srv, plainMail); err == nil {
		t.Fatal("AcceptThenDrop: got a response, want a connection error")
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].ID == "" || msgs[0].To[0].Email != "ada@example.com" {
		t.Fatalf("messages = %+v", msgs)
	}
	select {
	case m := <-got:
		if m.ID != msgs[0].ID {
			t.Errorf("OnAccepted got %q, want %q", m.ID, msgs[0].ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnAccepted not called for the dropped message")
	}

	id := mustPost(t, srv, http.StatusAccepted).header.Get("X-Message-Id")
	select {
	case m := <-got:
		if m.ID != id {
			t.Errorf("OnAccepted got %q, want %q", m.ID, id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnAccepted not called for the accepted message")
	}
	if n := s.Attempts(); n != 3 {
		t.Errorf("Attempts = %d, want 3", n)
	}
}

func TestAttemptsCountsEverything(t *testing.T) {
	s, srv := faultServer(t)
	s.Inject(Fault{Status: http.StatusInternalServerError, Times: 1})
	mustPost(t, srv, http.StatusInternalServerError)
	if res, err := post(t, srv, `{`); err != nil || res.status != http.StatusBadRequest {
		t.Fatalf("bad json: %v %+v", err, res)
	}
	resp, err := http.Get(srv.URL + "/v3/mail/send")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mustPost(t, srv, http.StatusAccepted)
	if n := s.Attempts(); n != 4 {
		t.Errorf("Attempts = %d, want 4", n)
	}
}

func TestInjectRejectsInvalidFault(t *testing.T) {
	s, _ := New("")
	for _, f := range []Fault{{}, {Status: 200}, {Status: 500, Down: time.Second}, {Status: 500, Times: -1}, {Status: 500, RetryAfter: time.Second}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Inject(%+v) did not panic", f)
				}
			}()
			s.Inject(f)
		}()
	}
}

func faultsRequest(t *testing.T, srv *httptest.Server, method, body string) result {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+"/dev/faults", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

func TestFaultsOverHTTP(t *testing.T) {
	s, srv := faultServer(t)
	if res := faultsRequest(t, srv, http.MethodPost, `{"status":429,"times":1,"retry_after_seconds":1.5}`); res.status != http.StatusNoContent {
		t.Fatalf("POST /dev/faults = %d %s", res.status, res.body)
	}
	if res := faultsRequest(t, srv, http.MethodPost, `{"accept_then_drop":true,"times":1}`); res.status != http.StatusNoContent {
		t.Fatalf("POST /dev/faults = %d %s", res.status, res.body)
	}
	res := mustPost(t, srv, http.StatusTooManyRequests)
	if res.header.Get("X-RateLimit-Reset") == "" {
		t.Error("no X-RateLimit-Reset")
	}
	if _, err := post(t, srv, plainMail); err == nil {
		t.Error("accept_then_drop: got a response")
	}
	mustPost(t, srv, http.StatusAccepted)
	if n := len(s.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}

	// Until cleared, then DELETE.
	if res := faultsRequest(t, srv, http.MethodPost, `{"status":503}`); res.status != http.StatusNoContent {
		t.Fatalf("POST /dev/faults = %d %s", res.status, res.body)
	}
	mustPost(t, srv, http.StatusServiceUnavailable)
	mustPost(t, srv, http.StatusServiceUnavailable)
	if res := faultsRequest(t, srv, http.MethodDelete, ""); res.status != http.StatusNoContent {
		t.Fatalf("DELETE /dev/faults = %d %s", res.status, res.body)
	}
	mustPost(t, srv, http.StatusAccepted)

	// Down over HTTP.
	if res := faultsRequest(t, srv, http.MethodPost, `{"down_seconds":0.2}`); res.status != http.StatusNoContent {
		t.Fatalf("POST /dev/faults = %d %s", res.status, res.body)
	}
	if _, err := post(t, srv, plainMail); err == nil {
		t.Error("down: got a response")
	}
	s.ClearFaults() // also ends the window
	mustPost(t, srv, http.StatusAccepted)

	for _, body := range []string{
		`{"status":500,"colour":"red"}`,
		`{"status":200}`,
		`{}`,
		`{"status":500,"down_seconds":1}`,
		`{"status":500,"times":-1}`,
		`{"status":500,"retry_after_seconds":1}`,
		`{"down_seconds":-1}`,
		`{"status":"500"}`,
		`{"status":500} {"status":500}`,
		`not json`,
	} {
		res := faultsRequest(t, srv, http.MethodPost, body)
		if res.status != http.StatusBadRequest {
			t.Errorf("POST /dev/faults %s = %d, want 400", body, res.status)
			continue
		}
		var e struct {
			Errors []apiError `json:"errors"`
		}
		if err := json.Unmarshal([]byte(res.body), &e); err != nil || len(e.Errors) == 0 {
			t.Errorf("POST /dev/faults %s: body %s", body, res.body)
		}
	}
	if res := faultsRequest(t, srv, http.MethodGet, ""); res.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /dev/faults = %d, want 405", res.status)
	}
	mustPost(t, srv, http.StatusAccepted) // the rejected bodies queued nothing
}
