package signin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"awardengine/email"
	"awardengine/storage/postgres"
)

// Purposes of a sign-in link.
const (
	PurposeSignIn = "sign_in" // the person asked on the sign-in page (or by the API)
	PurposeInvite = "invite"  // an admin added the person, or registered them on their behalf
	PurposeCLI    = "cli"     // `starter login`: the Continue page shows a one-time code
)

// MessageType is the outbox's message type of a sign-in email.
const MessageType = "sign_in_link"

// SendLink emails a person of the tenant a new sign-in link for purpose (PurposeSignIn or
// PurposeInvite), at once, and returns when the provider has the message (or refused it).
// Every call is a new link and a new email. A deactivated person gets nothing (ErrDeactivated);
// an unknown one is a *Error 404.
//
// This is what people administration calls when it invites someone.
func (s *Service) SendLink(ctx context.Context, tenantID, personID, purpose string) error {
	if purpose != PurposeSignIn && purpose != PurposeInvite {
		return fmt.Errorf("SendLink: purpose %q (want %q or %q)", purpose, PurposeSignIn, PurposeInvite)
	}
	acct, err := s.DB.SignInAccount(ctx, tenantID, personID)
	if errors.Is(err, postgres.ErrNotFound) {
		return notFound("no person " + personID)
	}
	if err != nil {
		return err
	}
	if !acct.Active {
		return ErrDeactivated
	}
	return s.sendLink(ctx, acct, purpose, nil)
}

// sendLink makes a link, stores its hash and emails it.
func (s *Service) sendLink(ctx context.Context, acct postgres.SignInAccount, purpose string, cliNonceHash []byte) error {
	if s.Mail == nil {
		return errors.New("sign-in: no email provider configured")
	}
	token, hash := newSecret("")
	link := postgres.SignInLink{ID: postgres.NewID("sil"), TenantID: acct.TenantID, PersonID: acct.PersonID,
		Purpose: purpose, ExpiresAt: time.Now().Add(s.cfg.LinkTTL)}
	if err := s.DB.CreateSignInLink(ctx, link, hash, cliNonceHash); err != nil {
		return err
	}
	data := email.Data{Link: s.ContinueURL(token)}
	if purpose == PurposeInvite {
		data.Reason = "Your award team has given you access to the awards service."
	}
	return s.mailNow(ctx, link, data)
}

// ContinueURL is the page an emailed link opens.
func (s *Service) ContinueURL(token string) string {
	return s.cfg.PublicURL + "/signin/continue?token=" + url.QueryEscape(token)
}
