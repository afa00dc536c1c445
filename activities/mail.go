package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"awardengine/email"
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
	data := in.Data
	data.RecipientName = person.Name
	data.TenantName = tenant.Name
	if data.Link == "" && in.ApplicationID != "" {
		data.Link = a.PublicURL + "/v1/applications/" + in.ApplicationID
	}
	subject, text, html, err := email.Render(in.Kind, data)
	if err != nil {
		return EmailResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "BadTemplate", err)
	}
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
			return EmailResult{Status: "sent", ProviderID: id}, a.DB.MarkEmailSent(ctx, in.DedupeKey, id)
		}
		if claimedAt != nil && time.Since(*claimedAt) < processedGrace {
			wait := processedGrace - time.Since(*claimedAt)
			return EmailResult{}, temporal.NewApplicationErrorWithOptions(
				"the provider may have accepted this message: waiting for its processed event", "AwaitingProcessedEvent",
				temporal.ApplicationErrorOptions{NextRetryDelay: min(wait, 15*time.Second)})
		}
	}
	if err := a.DB.MarkEmailSending(ctx, in.DedupeKey); err != nil {
		return EmailResult{}, err
	}
	id, err := a.Mail.Send(ctx, email.Message{
		From:       email.Address{Name: tenant.SenderName, Email: tenant.SenderEmail},
		ReplyTo:    email.Address{Email: tenant.ReplyTo},
		To:         email.Address{Name: person.Name, Email: person.Email},
		Subject:    subject,
		Text:       text,
		HTML:       html,
		CustomArgs: map[string]string{"dedupe_key": in.DedupeKey, "tenant": in.TenantID},
	})
	var pe *email.ProviderError
	switch {
	case err == nil:
		if err := a.DB.MarkEmailSent(ctx, in.DedupeKey, id); err != nil {
			return EmailResult{}, err
		}
		return EmailResult{Status: "sent", ProviderID: id}, nil
	case errors.As(err, &pe) && pe.Status != 0 && !pe.Retryable:
		return a.refused(ctx, in, person, pe)
	case errors.As(err, &pe) && (pe.Status != 0 || pe.NotSent):
		// 429 or 5xx (the provider answered), or no connection at all: it certainly did not
		// take the message, so it may simply be sent again.
		if err := a.DB.MarkEmailPending(ctx, in.DedupeKey, pe.Error()); err != nil {
			return EmailResult{}, err
		}
		if pe.RetryAfter > 0 {
			return EmailResult{}, temporal.NewApplicationErrorWithOptions(pe.Error(), "RateLimited",
				temporal.ApplicationErrorOptions{NextRetryDelay: pe.RetryAfter})
		}
		return EmailResult{}, fmt.Errorf("sending %s: %w", in.Kind, err)
	default:
		// No answer: the row stays "sending" and the retry looks for the processed event.
		_ = a.DB.NoteEmailError(ctx, in.DedupeKey, err.Error())
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
