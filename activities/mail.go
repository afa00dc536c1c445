package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"awardengine/email"
	"awardengine/metrics"
	"awardengine/storage/postgres"
)

// EmailInput is one email for one event to one person.
type EmailInput struct {
	DedupeKey     string // (journey, step, message type, recipient): the outbox's primary key
	TenantID      string
	ApplicationID string
	Kind          string // template name
	RecipientID   string // looked up here, so addresses stay out of workflow histories
	Data          email.Data
	Digest        []EmailInput // for DigestKind: the reminders it merges
}

// EmailResult says what happened to the message.
type EmailResult struct {
	Status     string // sent, failed (refused for good), already (sent earlier), skipped (no such person)
	ProviderID string
}

// processedGrace is how long a message handed to the provider with no recorded outcome is
// given for SendGrid's "processed" event to arrive before it is sent again.
const processedGrace = 2 * time.Minute

// SendEmail sends a message once per dedupe key.
//
// The outbox row moves pending → sending (committed before the request goes out) → sent.
// Passing failures where the provider certainly did not accept the message (429, 5xx) move it
// back to pending and Temporal retries (after X-RateLimit-Reset for 429). A permanent refusal
// (400/401/403/413) marks it failed, flags the address or the configuration for admins, and
// returns normally: journeys never block on email.
//
// The ambiguous case — the request went out but no answer was recorded (timeout, connection
// lost, the worker died) — leaves the row "sending". The retry then looks for SendGrid's
// "processed" event for this dedupe key (it travels in custom_args and comes back through the
// event webhook); if found, the message is recorded as sent without sending it again. If no
// event has arrived within processedGrace, the message is sent again.
//
// Remaining window, honestly: if SendGrid accepted the message but its processed event takes
// longer than processedGrace to arrive (webhook outage or delay), the person may get it twice.
func (a *Activities) SendEmail(ctx context.Context, in EmailInput) (EmailResult, error) {
	person, err := a.DB.Person(ctx, in.TenantID, in.RecipientID)
	if errors.Is(err, postgres.ErrNotFound) {
		return EmailResult{Status: "skipped"}, nil
	}
	if err != nil {
		return EmailResult{}, err
	}
	tenant, err := a.DB.Tenant(ctx, in.TenantID)
	if err != nil {
		return EmailResult{}, err
	}
	data := a.fill(in, person, tenant)
	if data, err = a.withOfferLink(ctx, in, data); err != nil { // offerlink.go
		return EmailResult{}, err
	}
	msg, err := a.compose(in, data, tenant)
	if err != nil {
		return EmailResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadTemplate", err)
	}
	subject := msg.Subject
	status, claimedAt, err := a.DB.ClaimEmail(ctx, postgres.OutboxEmail{
		DedupeKey: in.DedupeKey, TenantID: in.TenantID, ApplicationID: in.ApplicationID,
		MessageType: in.Kind, Recipient: person.ID, Subject: subject,
	})
	if err != nil {
		return EmailResult{}, err
	}
	switch status {
	case postgres.EmailSent, postgres.EmailFailed:
		return EmailResult{Status: "already"}, nil
	case postgres.EmailSending:
		id, err := a.DB.ProcessedMessageID(ctx, in.DedupeKey)
		if err != nil {
			return EmailResult{}, err
		}
		if id != "" {
			if err := a.DB.MarkEmailSent(ctx, in.DedupeKey, id); err != nil {
				return EmailResult{}, err
			}
			metrics.Email(metrics.EmailSent) // the attempt that sent it had no answer: counted here
			return EmailResult{Status: "sent", ProviderID: id}, nil
		}
		if claimedAt != nil && time.Since(*claimedAt) < processedGrace {
			wait := processedGrace - time.Since(*claimedAt)
			metrics.Email(metrics.EmailRetrying)
			return EmailResult{}, temporal.NewApplicationErrorWithOptions(
				"the provider may have accepted this message: waiting for its processed event", "AwaitingProcessedEvent",
				temporal.ApplicationErrorOptions{NextRetryDelay: min(wait, 15*time.Second)})
		}
	}
	if err := a.DB.MarkEmailSending(ctx, in.DedupeKey); err != nil {
		return EmailResult{}, err
	}
	msg.From = email.Address{Name: tenant.SenderName, Email: tenant.SenderEmail}
	msg.ReplyTo = email.Address{Email: tenant.ReplyTo}
	msg.To = email.Address{Name: person.Name, Email: person.Email}
	msg.CustomArgs = map[string]string{"dedupe_key": in.DedupeKey, "tenant": in.TenantID}
	id, err := a.Mail.Send(ctx, msg)
	var pe *email.ProviderError
	switch {
	case err == nil:
		if err := a.DB.MarkEmailSent(ctx, in.DedupeKey, id); err != nil {
			return EmailResult{}, err
		}
		metrics.Email(metrics.EmailSent)
		return EmailResult{Status: "sent", ProviderID: id}, nil
	case errors.As(err, &pe) && pe.Status != 0 && !pe.Retryable:
		return a.refused(ctx, in, person, pe)
	case errors.As(err, &pe) && (pe.Status != 0 || pe.NotSent):
		// 429 or 5xx (the provider answered), or no connection at all: it certainly did not
		// take the message, so it may simply be sent again.
		if err := a.DB.MarkEmailPending(ctx, in.DedupeKey, pe.Error()); err != nil {
			return EmailResult{}, err
		}
		metrics.Email(metrics.EmailRetrying)
		if pe.RetryAfter > 0 {
			return EmailResult{}, temporal.NewApplicationErrorWithOptions(pe.Error(), "RateLimited",
				temporal.ApplicationErrorOptions{NextRetryDelay: pe.RetryAfter})
		}
		return EmailResult{}, fmt.Errorf("sending %s: %w", in.Kind, err)
	default:
		// No answer: the row stays "sending" and the retry looks for the processed event.
		_ = a.DB.NoteEmailError(ctx, in.DedupeKey, err.Error())
		metrics.Email(metrics.EmailRetrying)
		return EmailResult{}, fmt.Errorf("sending %s: %w", in.Kind, err)
	}
}

// refused handles a permanent refusal: the message is failed, and the address (400, 413) or
// the provider configuration (401, 403) is flagged for admins.
func (a *Activities) refused(ctx context.Context, in EmailInput, person postgres.Person, pe *email.ProviderError) (EmailResult, error) {
	activity.GetLogger(ctx).Warn("email refused for good", "key", in.DedupeKey, "status", pe.Status)
	if err := a.DB.MarkEmailFailed(ctx, in.DedupeKey, pe.Error()); err != nil {
		return EmailResult{}, err
	}
	metrics.Email(metrics.EmailFailed)
	entry := postgres.AuditEntry{TenantID: in.TenantID, ApplicationID: in.ApplicationID, Actor: "system",
		Detail: map[string]any{"message": in.DedupeKey, "status": pe.Status}, DedupeKey: "email-refused/" + in.DedupeKey, At: time.Now()}
	if pe.Status == 401 || pe.Status == 403 {
		entry.Action = "email_configuration_refused"
	} else {
		entry.Action = "email_address_refused"
		entry.Detail["person"] = person.ID
		if err := a.DB.FlagEmailProblem(ctx, in.TenantID, person.Email, fmt.Sprintf("refused by the provider (%d)", pe.Status)); err != nil {
			return EmailResult{}, err
		}
	}
	if err := a.DB.Record(ctx, postgres.Change{Audit: []postgres.AuditEntry{entry}}); err != nil {
		return EmailResult{}, err
	}
	return EmailResult{Status: "failed"}, nil
}

// fill completes a message's data with what only the activity may know: names and links.
func (a *Activities) fill(in EmailInput, person postgres.Person, tenant postgres.Tenant) email.Data {
	data := in.Data
	data.RecipientName = person.Name
	data.TenantName = tenant.Name
	data.Link = a.link(in.ApplicationID, data.Link)
	return data
}

// link is where an email's link leads: a page (never the JSON API), opened after sign-in.
// With no link of its own, a message about an application leads to the application's page,
// PublicURL/applications/{id}, which shows each person (applicant, supporter, assessor,
// moderator, admin) their side of it. A workflow names a page by its API path
// ("/v1/applications/{id}/certificate", relative): the value stays as it is in the workflow,
// because running journeys must replay with their histories, and is mapped to its page here
// (PublicURL/applications/{id}/certificate, which signs in, then hands over the short-lived
// download). Any other path is made absolute on PublicURL; an absolute link is kept.
func (a *Activities) link(applicationID, link string) string {
	base := strings.TrimRight(a.PublicURL, "/")
	switch {
	case link == "" && applicationID != "":
		return base + "/applications/" + url.PathEscape(applicationID)
	case strings.HasPrefix(link, "/v1/applications/"):
		return base + strings.TrimPrefix(link, "/v1")
	case strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//"):
		return base + link
	}
	return link
}

// compose renders a message, or — when the tenant named a SendGrid dynamic template for this
// message type — hands SendGrid the template id with the same data.
func (a *Activities) compose(in EmailInput, data email.Data, tenant postgres.Tenant) (email.Message, error) {
	var m email.Message
	var err error
	if in.Kind == DigestKind {
		for _, it := range in.Digest {
			itemData := it.Data
			itemData.RecipientName, itemData.TenantName = data.RecipientName, data.TenantName
			itemData.Link = a.link(it.ApplicationID, itemData.Link)
			subject, body, err := email.RenderBody(it.Kind, itemData)
			if err != nil {
				return m, err
			}
			data.Items = append(data.Items, email.DigestItem{Kind: it.Kind, Subject: subject, Text: body})
		}
		m.Subject, m.Text, m.HTML, err = email.RenderDigest(data)
	} else {
		m.Subject, m.Text, m.HTML, err = email.Render(in.Kind, data)
	}
	if err != nil {
		return m, err
	}
	if id := tenant.EmailTemplates[in.Kind]; id != "" {
		m.TemplateID = id
		m.Dynamic, err = dynamicData(data, m.Subject)
	}
	return m, err
}

// dynamicData is the message's data as SendGrid's dynamic_template_data: the same fields the
// app's own templates use (JSON names), plus the subject the app would have used.
func dynamicData(d email.Data, subject string) (map[string]any, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m["subject"] = subject
	return m, nil
}
