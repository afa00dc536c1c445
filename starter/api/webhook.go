package api

import (
	"errors"
	"io"
	"net/http"
	"time"

	"awardengine/email/webhook"
	"awardengine/storage/postgres"
)

const maxWebhookBody = 8 << 20

// sendgridEvents receives SendGrid's signed event webhook. Each event is stored once (SendGrid
// may post an event again); "processed" events let the email activity settle a send whose
// outcome it never heard; bounces and drops flag the person's address for admins; deferrals
// and engagement events need no action.
func (s *Server) sendgridEvents(w http.ResponseWriter, r *http.Request) {
	if s.Webhook == nil {
		writeProblem(w, *notFound("the SendGrid event webhook is not configured (SENDGRID_WEBHOOK_PUBLIC_KEY)"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		writeProblem(w, *badRequest("malformed-body", "could not read the body: "+err.Error()))
		return
	}
	err = s.Webhook.Verify(r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.TimestampHeader), body)
	switch {
	case errors.Is(err, webhook.ErrStale):
		writeProblem(w, problem{Status: http.StatusUnauthorized, Type: "stale-signature", Title: "Stale signature", Detail: err.Error()})
		return
	case err != nil:
		writeProblem(w, problem{Status: http.StatusUnauthorized, Type: "bad-signature", Title: "Bad signature", Detail: err.Error()})
		return
	}
	events, err := webhook.Parse(body)
	if err != nil {
		writeProblem(w, *badRequest("malformed-json", err.Error()))
		return
	}
	for _, e := range events {
		if e.Ignored() {
			continue
		}
		fresh, err := s.DB.RecordEmailEvent(r.Context(), postgres.EmailEvent{EventID: e.ID, TenantID: e.Tenant, DedupeKey: e.DedupeKey,
			Kind: e.Kind, Email: e.Email, MessageID: e.MessageID, Reason: e.Reason, OccurredAt: time.Unix(e.Timestamp, 0)})
		if err != nil {
			fail(w, r, err) // SendGrid retries the whole batch; stored events are not counted twice
			return
		}
		if fresh && e.IsBounce() && e.Tenant != "" {
			problem := e.Kind
			if e.Reason != "" {
				problem += ": " + e.Reason
			}
			if err := s.DB.FlagEmailProblem(r.Context(), e.Tenant, e.Email, problem); err != nil {
				fail(w, r, err)
				return
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
