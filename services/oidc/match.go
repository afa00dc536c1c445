package oidc

import (
	"context"
	"errors"
	"slices"

	"awardengine/storage/postgres"
)

// staffMember finds the person a verified account signs in as. The subject decides: an
// account linked before signs in its person whatever email it now asserts. An account not
// linked yet is linked once to the invited staff member with the confirmed email; a person
// already linked to a different account at this issuer is refused, never re-linked.
func (h *Handler) staffMember(ctx context.Context, tenantID, issuer string, c claims) (postgres.Person, error) {
	p, err := h.cfg.Store.OIDCIdentity(ctx, tenantID, issuer, c.Subject)
	switch {
	case err == nil:
		return p, allowed(p)
	case !errors.Is(err, postgres.ErrNotFound):
		return p, err
	}
	if c.Email == "" || !c.EmailVerified {
		return p, errEmailUnverified
	}
	p, err = h.cfg.Store.PersonByEmail(ctx, tenantID, c.Email)
	if errors.Is(err, postgres.ErrNotFound) {
		return p, errNotInvited
	}
	if err != nil {
		return p, err
	}
	if err := allowed(p); err != nil {
		return p, err
	}
	err = h.cfg.Store.LinkOIDCIdentity(ctx, tenantID, issuer, c.Subject, p.ID)
	if errors.Is(err, postgres.ErrIdentityTaken) {
		return p, errOtherAccount
	}
	return p, err
}

// allowed: council sign-in is for active members of the award team.
func allowed(p postgres.Person) error {
	if !slices.ContainsFunc(p.Roles, func(r string) bool { return slices.Contains(postgres.StaffRoles, r) }) {
		return errNotInvited
	}
	if !p.Active {
		return ErrDeactivated
	}
	return nil
}
