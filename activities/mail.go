package activities

import (
	"context"
	"errors"
	"fmt"

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

// SendEmail sends a message at most once per dedupe key. Passing provider failures (network,
// 429, 5xx) are returned as errors so Temporal retries with backoff; a permanent refusal
// (400/401/403/413) marks the message failed and returns normally: journeys never block on email.
//
// Remaining window: if the process dies after the provider accepted the message but before
// MarkEmailSent commits, the row stays "pending" and the retry sends again. The email issue
// closes most of that window with the provider's processed events.
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
	status, err := a.DB.ClaimEmail(ctx, postgres.OutboxEmail{
		DedupeKey: in.DedupeKey, TenantID: in.TenantID, ApplicationID: in.ApplicationID,
		MessageType: in.Kind, Recipient: person.ID, Subject: subject,
	})
	if err != nil {
		return EmailResult{}, err
	}
	if status != postgres.EmailPending {
		return EmailResult{Status: "already"}, nil
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
	case errors.As(err, &pe) && !pe.Retryable:
		activity.GetLogger(ctx).Warn("email refused for good", "key", in.DedupeKey, "status", pe.Status)
		if err := a.DB.MarkEmailFailed(ctx, in.DedupeKey, pe.Error()); err != nil {
			return EmailResult{}, err
		}
		return EmailResult{Status: "failed"}, nil
	default:
		_ = a.DB.NoteEmailError(ctx, in.DedupeKey, err.Error())
		if errors.As(err, &pe) && pe.RetryAfter > 0 {
			return EmailResult{}, temporal.NewApplicationErrorWithOptions(err.Error(), "RateLimited",
				temporal.ApplicationErrorOptions{NextRetryDelay: pe.RetryAfter})
		}
		return EmailResult{}, fmt.Errorf("sending %s: %w", in.Kind, err)
	}
}
