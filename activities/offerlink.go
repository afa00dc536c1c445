package activities

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"awardengine/email"
	"awardengine/services/offerlinks/offertoken"
	"awardengine/storage/postgres"
)

// OfferKind is the message whose link answers its offer without signing in.
const OfferKind = "assessor_offer"

// offerLinkFallback is the expiry stored for a link when the projection does not (yet) show
// the offer's deadline; the page checks the journey's own deadline anyway.
const offerLinkFallback = 30 * 24 * time.Hour

// withOfferLink gives an assessor_offer email its one-click link, PublicURL/offers/<token>:
// it opens that one offer's accept-or-decline page for its assessor without signing in
// (services/offerlinks; web/offerlink.go). Every other message is returned as it is.
//
// The token is made here, in the activity, from the offer's row and never from the
// workflow: the workflow's input names no secret, and none enters its history. It is
// derived (offertoken.Derive) from the offer and a salt kept with the link's row, so a retry
// of this activity, or an admin's nudge that sends the offer again, puts the same link in
// the email and stores the same hash: the link already sent keeps working, and there are
// never two live tokens for one offer. The outbox still sends each message once.
//
// Without a key (Activities built by hand in tests) the email keeps the application page's
// link; an offer that cannot be found (answered or withdrawn before its email went out) too.
func (a *Activities) withOfferLink(ctx context.Context, in EmailInput, data email.Data) (email.Data, error) {
	if in.Kind != OfferKind || len(a.OfferLinkKey) == 0 || in.ApplicationID == "" {
		return data, nil
	}
	offer, err := a.DB.LatestOffer(ctx, in.TenantID, in.ApplicationID, in.RecipientID)
	if errors.Is(err, postgres.ErrNotFound) {
		return data, nil
	}
	if err != nil {
		return data, err
	}
	expires := time.Now().Add(offerLinkFallback)
	if app, err := a.DB.Application(ctx, in.TenantID, in.ApplicationID); err == nil &&
		app.Stage == "offered" && app.AssessorID == in.RecipientID && app.DueAt != nil {
		expires = *app.DueAt
	}
	bound := offertoken.Offer{TenantID: in.TenantID, ApplicationID: in.ApplicationID, AssignmentID: offer.ID, PersonID: in.RecipientID}
	var token string
	err = a.DB.PutOfferLink(ctx, postgres.OfferLink{AssignmentID: offer.ID, TenantID: in.TenantID, ApplicationID: in.ApplicationID,
		PersonID: in.RecipientID, ExpiresAt: expires}, offertoken.NewSalt(), func(salt []byte) []byte {
		token = offertoken.Derive(a.OfferLinkKey, bound, salt)
		return offertoken.Hash(token)
	})
	if err != nil {
		return data, err
	}
	if err := a.DB.ForgetOfferLinks(ctx); err != nil && activity.IsActivity(ctx) {
		activity.GetLogger(ctx).Warn("forgetting old offer links", "error", err)
	}
	data.Link = strings.TrimRight(a.PublicURL, "/") + "/offers/" + url.PathEscape(token)
	return data, nil
}
