package devmail

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

func newServer(t *testing.T, storePath string) (*Sink, *httptest.Server) {
	t.Helper()
	s, err := New(storePath)
	if err != nil {
		t.Fatalf("New(%q): %v", storePath, err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return s, srv
}

func sampleMail() *mail.SGMailV3 {
	m := mail.NewV3Mail()
	m.SetFrom(mail.NewEmail("Awards Office", "awards@example.org"))
	m.SetReplyTo(mail.NewEmail("Help Desk", "help@example.org"))
	m.Subject = "Your award decision"
	p := mail.NewPersonalization()
	p.AddTos(mail.NewEmail("Ada Lovelace", "ada@example.com"), mail.NewEmail("", "charles@example.com"))
	p.AddCCs(mail.NewEmail("Registrar", "registrar@example.org"))
	p.SetCustomArg("application_id", "app-42")
	m.AddPersonalizations(p)
	m.AddContent(mail.NewContent("text/plain", "Congratulations."), mail.NewContent("text/html", "<p>Congratulations.</p>"))
	m.AddCategories("decision")
	m.SetCustomArg("env", "dev")
	return m
}

func send(t *testing.T, baseURL, key string, body []byte) *rest.Response {
	t.Helper()
	req := sendgrid.GetRequest(key, "/v3/mail/send", baseURL)
	req.Method = rest.Post
	req.Body = body
	resp, err := sendgrid.MakeRequest(req)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return resp
}

func header(resp *rest.Response, name string) string {
	return http.Header(resp.Headers).Get(name)
}

type errorsBody struct {
	Errors []struct {
		Message string  `json:"message"`
		Field   *string `json:"field"`
		Help    *string `json:"help"`
	} `json:"errors"`
}

func decodeErrors(t *testing.T, body string) errorsBody {
	t.Helper()
	var e errorsBody
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	if len(e.Errors) == 0 || e.Errors[0].Message == "" {
		t.Fatalf("error body has no errors: %s", body)
	}
	return e
}

func TestSendStoresMessage(t *testing.T) {
	s, srv := newServer(t, "")
	body := mail.GetRequestBody(sampleMail())
	resp := send(t, srv.URL, "SG.dev-key", body)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, body %s", resp.StatusCode, resp.Body)
	}
	if resp.Body != "" {
		t.Errorf("body = %q, want empty", resp.Body)
	}
	id := header(resp, "X-Message-Id")
	if len(id) != 22 || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		t.Errorf("X-Message-Id = %q, want 22 URL-safe chars", id)
	}

	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ID != id {
		t.Errorf("ID = %q, want %q", m.ID, id)
	}
	if m.ReceivedAt.IsZero() {
		t.Error("ReceivedAt is zero")
	}
	if m.From != (Address{Email: "awards@example.org", Name: "Awards Office"}) {
		t.Errorf("From = %+v", m.From)
	}
	if m.ReplyTo == nil || m.ReplyTo.Email != "help@example.org" {
		t.Errorf("ReplyTo = %+v", m.ReplyTo)
	}
	wantTo := []Address{{Email: "ada@example.com", Name: "Ada Lovelace"}, {Email: "charles@example.com"}}
	if len(m.To) != 2 || m.To[0] != wantTo[0] || m.To[1] != wantTo[1] {
		t.Errorf("To = %+v, want %+v", m.To, wantTo)
	}
	if len(m.Cc) != 1 || m.Cc[0].Email != "registrar@example.org" {
		t.Errorf("Cc = %+v", m.Cc)
	}
	if m.Subject != "Your award decision" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.Text != "Congratulations." || m.HTML != "<p>Congratulations.</p>" {
		t.Errorf("Text/HTML = %q / %q", m.Text, m.HTML)
	}
	if m.CustomArgs["env"] != "dev" || m.CustomArgs["application_id"] != "app-42" {
		t.Errorf("CustomArgs = %v", m.CustomArgs)
	}
	if len(m.Categories) != 1 || m.Categories[0] != "decision" {
		t.Errorf("Categories = %v", m.Categories)
	}
	if string(m.Raw) != string(body) {
		t.Errorf("Raw differs from the request body")
	}

	// The mailbox endpoint, with and without a filter.
	for _, tc := range []struct {
		query string
		want  int
	}{{"", 1}, {"?to=ADA@example.com", 1}, {"?to=registrar@example.org", 1}, {"?to=nobody@example.com", 0}} {
		r, err := http.Get(srv.URL + "/dev/mailbox.json" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Messages []Message `json:"messages"`
		}
		err = json.NewDecoder(r.Body).Decode(&got)
		r.Body.Close()
		if err != nil {
			t.Fatalf("mailbox%s: %v", tc.query, err)
		}
		if got.Messages == nil || len(got.Messages) != tc.want {
			t.Errorf("mailbox%s: %d messages (nil=%v), want %d", tc.query, len(got.Messages), got.Messages == nil, tc.want)
		}
	}
}

func TestTemplateSendNeedsNoSubjectOrContent(t *testing.T) {
	s, srv := newServer(t, "")
	m := mail.NewV3Mail()
	m.SetFrom(mail.NewEmail("", "awards@example.org"))
	m.SetTemplateID("d-123")
	p := mail.NewPersonalization()
	p.AddTos(mail.NewEmail("", "ada@example.com"))
	p.SetDynamicTemplateData("name", "Ada")
	m.AddPersonalizations(p)
	resp := send(t, srv.URL, "key", mail.GetRequestBody(m))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, body %s", resp.StatusCode, resp.Body)
	}
	if got := s.Messages(); len(got) != 1 || got[0].TemplateID != "d-123" {
		t.Fatalf("messages = %+v", got)
	}
}

func TestUnauthorized(t *testing.T) {
	s, srv := newServer(t, "")
	body := mail.GetRequestBody(sampleMail())
	for _, auth := range []string{"", "Bearer ", "Basic abc"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v3/mail/send", strings.NewReader(string(body)))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("auth %q: status = %d, want 401", auth, resp.StatusCode)
		}
		e := decodeErrors(t, string(b))
		if e.Errors[0].Field != nil || e.Errors[0].Help != nil {
			t.Errorf("auth %q: field/help should be null: %s", auth, b)
		}
		if !strings.Contains(string(b), `"field":null`) || !strings.Contains(string(b), `"help":null`) {
			t.Errorf("auth %q: body lacks explicit nulls: %s", auth, b)
		}
	}
	// The real client with an empty key sends "Bearer ".
	if resp := send(t, srv.URL, "", body); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("empty key: status = %d, want 401", resp.StatusCode)
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("stored %d messages on unauthorized requests", n)
	}
}

func TestBadRequests(t *testing.T) {
	s, srv := newServer(t, "")

	noFrom := sampleMail()
	noFrom.From = nil
	resp := send(t, srv.URL, "key", mail.GetRequestBody(noFrom))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("no from: status = %d, body %s", resp.StatusCode, resp.Body)
	}
	e := decodeErrors(t, resp.Body)
	if e.Errors[0].Field == nil || *e.Errors[0].Field != "from.email" {
		t.Errorf("no from: errors = %s", resp.Body)
	}

	cases := map[string]struct {
		body  string
		field string
	}{
		"invalid json":          {`{"from":`, ""},
		"no personalizations":   {`{"from":{"email":"a@example.org"},"subject":"s","content":[{"type":"text/plain","value":"x"}]}`, "personalizations"},
		"personalization no to": {`{"from":{"email":"a@example.org"},"subject":"s","personalizations":[{}],"content":[{"type":"text/plain","value":"x"}]}`, "personalizations.0.to"},
		"bad to":                {`{"from":{"email":"a@example.org"},"subject":"s","personalizations":[{"to":[{"email":"nope"}]}],"content":[{"type":"text/plain","value":"x"}]}`, "personalizations.0.to.0.email"},
		"no subject":            {`{"from":{"email":"a@example.org"},"personalizations":[{"to":[{"email":"b@example.com"}]}],"content":[{"type":"text/plain","value":"x"}]}`, "subject"},
		"no content":            {`{"from":{"email":"a@example.org"},"subject":"s","personalizations":[{"to":[{"email":"b@example.com"}]}]}`, "content"},
		"duplicate recipient":   {`{"from":{"email":"a@example.org"},"subject":"s","personalizations":[{"to":[{"email":"b@example.com"}],"cc":[{"email":"B@example.com"}]}],"content":[{"type":"text/plain","value":"x"}]}`, "personalizations.0"},
	}
	for name, tc := range cases {
		resp := send(t, srv.URL, "key", []byte(tc.body))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status = %d, want 400", name, resp.StatusCode)
			continue
		}
		e := decodeErrors(t, resp.Body)
		if tc.field != "" && (e.Errors[0].Field == nil || *e.Errors[0].Field != tc.field) {
			t.Errorf("%s: first error field = %v, want %q: %s", name, e.Errors[0].Field, tc.field, resp.Body)
		}
	}

	// Subject only on every personalization is fine.
	ok := `{"from":{"email":"a@example.org"},"personalizations":[{"to":[{"email":"b@example.com"}],"subject":"per-recipient"}],"content":[{"type":"text/plain","value":"x"}]}`
	if resp := send(t, srv.URL, "key", []byte(ok)); resp.StatusCode != http.StatusAccepted {
		t.Errorf("personalization subject: status = %d, body %s", resp.StatusCode, resp.Body)
	}
	if msgs := s.Messages(); len(msgs) != 1 || msgs[0].Subject != "per-recipient" {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailbox.jsonl")
	s1, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s1.Handler())
	var ids []string
	for i := 0; i < 3; i++ {
		resp := send(t, srv.URL, "key", mail.GetRequestBody(sampleMail()))
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		ids = append(ids, header(resp, "X-Message-Id"))
	}
	srv.Close()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	// Simulate a crash in the middle of an append.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"id":"torn","from":{"em`)
	f.Close()

	s2, srv2 := newServer(t, path)
	got := s2.Messages()
	if len(got) != 3 {
		t.Fatalf("after restart: %d messages, want 3", len(got))
	}
	for i, m := range got {
		if m.ID != ids[i] || m.Subject != "Your award decision" || len(m.To) != 2 || len(m.Raw) == 0 {
			t.Errorf("message %d after restart = %+v", i, m)
		}
	}
	// New messages append after the loaded ones and survive another restart.
	if resp := send(t, srv2.URL, "key", mail.GetRequestBody(sampleMail())); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	s2.Close()
	s3, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	if n := len(s3.Messages()); n != 4 {
		t.Fatalf("after second restart: %d messages, want 4", n)
	}
}

func TestConcurrentSends(t *testing.T) {
	s, srv := newServer(t, filepath.Join(t.TempDir(), "mailbox.jsonl"))
	body := mail.GetRequestBody(sampleMail())
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v3/mail/send", strings.NewReader(string(body)))
			req.Header.Set("Authorization", "Bearer k")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("status = %d", resp.StatusCode)
			}
			_ = s.Messages()
		}()
	}
	wg.Wait()
	if n := len(s.Messages()); n != 20 {
		t.Fatalf("%d messages, want 20", n)
	}
}
