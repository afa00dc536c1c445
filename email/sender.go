package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

// Address is a name and an email address.
type Address struct {
	Name  string
	Email string
}

// Message is one email to one person.
type Message struct {
	From       Address
	ReplyTo    Address
	To         Address
	Subject    string
	Text       string
	HTML       string
	TemplateID string            // a SendGrid dynamic template, used instead of Subject/Text/HTML when set
	Dynamic    map[string]any    // the template's data
	CustomArgs map[string]string // travels with the message into SendGrid's event webhook
}

// Sender sends through SendGrid's v3 API (or any endpoint that speaks it).
type Sender struct {
	apiKey  string
	baseURL string
	timeout time.Duration
}

// NewSender returns a sender for the SendGrid API at baseURL (https://api.sendgrid.com in production).
func NewSender(apiKey, baseURL string) *Sender {
	return &Sender{apiKey: apiKey, baseURL: baseURL, timeout: 20 * time.Second}
}

// ProviderError is SendGrid's refusal of a message.
type ProviderError struct {
	Status     int
	Body       string
	Retryable  bool
	RetryAfter time.Duration // from X-RateLimit-Reset on 429
	// NotSent is true when the request certainly never reached the provider (the connection
	// could not be made), so sending again cannot duplicate it.
	NotSent bool
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("email provider answered %d: %s", e.Status, truncate(e.Body, 300))
}

// Send hands one message to the provider and returns the provider's message id.
// Network failures, 429 and 5xx are retryable; other 4xx answers are not.
func (s *Sender) Send(ctx context.Context, m Message) (string, error) {
	v3 := mail.NewV3Mail()
	v3.SetFrom(mail.NewEmail(m.From.Name, m.From.Email))
	if m.ReplyTo.Email != "" {
		v3.SetReplyTo(mail.NewEmail(m.ReplyTo.Name, m.ReplyTo.Email))
	}
	p := mail.NewPersonalization()
	p.AddTos(mail.NewEmail(m.To.Name, m.To.Email))
	if m.TemplateID != "" {
		v3.SetTemplateID(m.TemplateID)
		for k, v := range m.Dynamic {
			p.SetDynamicTemplateData(k, v)
		}
	} else {
		v3.Subject = m.Subject
		v3.AddContent(mail.NewContent("text/plain", m.Text), mail.NewContent("text/html", m.HTML))
	}
	v3.AddPersonalizations(p)
	for k, v := range m.CustomArgs {
		v3.SetCustomArg(k, v)
	}
	// Our links carry secrets (sign-in, one-click offers) and name applications: the provider
	// must not rewrite them through its own redirect (click tracking) nor plant a pixel.
	tracking := mail.NewTrackingSettings()
	tracking.SetClickTracking(mail.NewClickTrackingSetting().SetEnable(false).SetEnableText(false))
	tracking.SetOpenTracking(mail.NewOpenTrackingSetting().SetEnable(false))
	v3.SetTrackingSettings(tracking)

	req := sendgrid.GetRequest(s.apiKey, "/v3/mail/send", s.baseURL)
	req.Method = http.MethodPost
	req.Body = mail.GetRequestBody(v3)
	client := &rest.Client{HTTPClient: &http.Client{Timeout: s.timeout}}
	resp, err := client.SendWithContext(ctx, req)
	if err != nil {
		var op *net.OpError
		notSent := errors.As(err, &op) && op.Op == "dial"
		return "", &ProviderError{Status: 0, Body: err.Error(), Retryable: true, NotSent: notSent}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return firstHeader(resp.Headers, "X-Message-Id"), nil
	}
	pe := &ProviderError{Status: resp.StatusCode, Body: resp.Body}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		pe.Retryable = true
		if reset, err := strconv.ParseInt(firstHeader(resp.Headers, "X-RateLimit-Reset"), 10, 64); err == nil {
			if d := time.Until(time.Unix(reset, 0)); d > 0 {
				pe.RetryAfter = d
			}
		}
	case resp.StatusCode >= 500:
		pe.Retryable = true
	}
	return "", pe
}

func firstHeader(h map[string][]string, name string) string {
	if v := http.Header(h).Get(name); v != "" {
		return v
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
