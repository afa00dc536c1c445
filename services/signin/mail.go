package signin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"awardengine/email"
	"awardengine/storage/postgres"
)

// mailNow sends a sign-in email through the outbox, directly from the service.
//
// Why not a workflow and the SendEmail activity, as every other email: the message carries the
// link's secret, and an activity's input and result stay in the journey's history (and
// SendEmail looks up everything else from ids). Sending here keeps the secret in memory only:
// the outbox row holds the dedupe key, the message type, the recipient's id and the subject,
// never the link. It is also never a digest item: digests are built by the reminder workflow
// from its own steps, and this path does not go near it.
//
// Exactly once: the dedupe key is the link's id ("sign_in_link/<id>"), so each link is one
// outbox row and at most one email; a second request is a second link, hence a second email.
// A send the provider certainly did not take (429, 5xx, no connection) is tried again for a
// few seconds; one whose outcome is unknown (the request went out, no answer) is NOT sent
// again — no duplicate, and a lost link costs the person one more request, whereas a link
// resent minutes later would be near its 15-minute end anyway. If the process dies mid-send,
// the row stays pending or sending and nothing resends it, for the same reason.
func (s *Service) mailNow(ctx context.Context, link postgres.SignInLink, data email.Data) error {
	person, err := s.DB.Person(ctx, link.TenantID, link.PersonID)
	if err != nil {
		return err
	}
	tenant, err := s.DB.Tenant(ctx, link.TenantID)
	if err != nil {
		return err
	}
	data.RecipientName, data.TenantName = person.Name, tenant.Name
	subject, text, html, err := email.Render(MessageType, data)
	if err != nil {
		return err
	}
	key := MessageType + "/" + link.ID
	status, _, err := s.DB.ClaimEmail(ctx, postgres.OutboxEmail{DedupeKey: key, TenantID: link.TenantID,
		MessageType: MessageType, Recipient: person.ID, Subject: subject})
	if err != nil {
		return err
	}
	if status != postgres.EmailPending {
		return nil // a link is sent by one call only; nothing else claims its key
	}
	msg := email.Message{
		From:    email.Address{Name: tenant.SenderName, Email: tenant.SenderEmail},
		ReplyTo: email.Address{Email: tenant.ReplyTo},
		To:      email.Address{Name: person.Name, Email: person.Email},
		Subject: subject, Text: text, HTML: html,
		CustomArgs: map[string]string{"dedupe_key": key, "tenant": link.TenantID},
	}
	deadline := time.Now().Add(10 * time.Second)
	for attempt := 1; ; attempt++ {
		if err := s.DB.MarkEmailSending(ctx, key); err != nil {
			return err
		}
		id, err := s.Mail.Send(ctx, msg)
		var pe *email.ProviderError
		switch {
		case err == nil:
			return s.DB.MarkEmailSent(ctx, key, id)
		case errors.As(err, &pe) && pe.Status != 0 && !pe.Retryable:
			// Refused for good (bad address or configuration): admins see the address flagged.
			_ = s.DB.MarkEmailFailed(ctx, key, pe.Error())
			if pe.Status != 401 && pe.Status != 403 {
				_ = s.DB.FlagEmailProblem(ctx, link.TenantID, person.Email, fmt.Sprintf("refused by the provider (%d)", pe.Status))
			}
			return fmt.Errorf("sign-in link %s refused by the email provider: %w", link.ID, err)
		case errors.As(err, &pe) && (pe.Status != 0 || pe.NotSent):
			// Certainly not taken: safe to send again, briefly.
			_ = s.DB.MarkEmailPending(ctx, key, pe.Error())
			wait := max(pe.RetryAfter, time.Duration(attempt)*500*time.Millisecond)
			if time.Now().Add(wait).After(deadline) {
				return fmt.Errorf("sign-in link %s not sent: %w", link.ID, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		default:
			// Unknown outcome: never sent twice (see above).
			_ = s.DB.NoteEmailError(ctx, key, err.Error())
			return fmt.Errorf("sign-in link %s: the provider's answer was lost: %w", link.ID, err)
		}
	}
}
