package oidc

import (
	"context"
	"errors"
	"net/url"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Admins of a tenant read and set their own tenant's provider; nobody else does.

// Provider returns the tenant's provider settings (404 when none is set).
func (h *Handler) Provider(ctx context.Context, me postgres.Person) (structs.OIDCProvider, error) {
	if !me.Has(postgres.RoleAdmin) {
		return structs.OIDCProvider{}, structs.Forbidden("only admins see the council sign-in settings")
	}
	p, err := h.cfg.Store.OIDCProvider(ctx, me.TenantID)
	if errors.Is(err, postgres.ErrNotFound) {
		return structs.OIDCProvider{}, structs.NotFound("council sign-in is not set up: PUT /v1/admin/oidc sets it")
	}
	if err != nil {
		return structs.OIDCProvider{}, err
	}
	return h.view(p), nil
}

// SetProvider checks and saves the tenant's provider, audited. Enabling it fetches the
// issuer's discovery document first, so a wrong issuer is said now rather than at the first
// sign-in.
func (h *Handler) SetProvider(ctx context.Context, me postgres.Person, req structs.OIDCProviderRequest) (structs.OIDCProvider, error) {
	if !me.Has(postgres.RoleAdmin) {
		return structs.OIDCProvider{}, structs.Forbidden("only admins change the council sign-in settings")
	}
	p := postgres.OIDCProvider{TenantID: me.TenantID, Issuer: req.Issuer, ClientID: req.ClientID,
		DisplayName: req.DisplayName, Enabled: req.Enabled}
	var fe *FieldError
	if err := CheckProvider(&p, h.cfg.AllowHTTPIssuers); errors.As(err, &fe) {
		return structs.OIDCProvider{}, structs.Invalid(fe.Field, fe.Message)
	}
	if p.Enabled {
		if _, err := h.providers.get(ctx, p.Issuer); err != nil {
			return structs.OIDCProvider{}, structs.Invalid("issuer",
				"the issuer's discovery document (/.well-known/openid-configuration) could not be read, or names another issuer; check the URL, or save with enabled false")
		}
	}
	saved, err := h.cfg.Store.SetOIDCProvider(ctx, p, me.ID)
	if err != nil {
		return structs.OIDCProvider{}, err
	}
	return h.view(saved), nil
}

func (h *Handler) view(p postgres.OIDCProvider) structs.OIDCProvider {
	return structs.OIDCProvider{
		Issuer: p.Issuer, ClientID: p.ClientID, DisplayName: p.DisplayName, Enabled: p.Enabled, UpdatedAt: p.UpdatedAt,
		RedirectURI: h.CallbackURL(p.TenantID),
		SignInURL:   h.cfg.PublicURL + "/signin/oidc/" + url.PathEscape(p.TenantID),
		SecretEnv:   SecretEnvName(p.TenantID),
		SecretSet:   h.cfg.Secret(p.TenantID) != "",
	}
}
