package people

import (
	"context"

	"awardengine/services/signin"
)

// SignInLinks sends invitations as the sign-in service's magic links (PurposeInvite): the
// email says the award team gave the person access, and the link signs them in.
type SignInLinks struct{ SignIn *signin.Service }

// SendInvitation emails the person a new sign-in link, at once.
func (l SignInLinks) SendInvitation(ctx context.Context, tenantID, personID string) error {
	return l.SignIn.SendLink(ctx, tenantID, personID, signin.PurposeInvite)
}
