package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// claims are what the package reads from a verified sign-in.
type claims struct {
	Subject       string
	Email         string
	EmailVerified bool
}

// verify checks the ID token (signature by the issuer's keys, issuer exactly this tenant's,
// audience this tenant's client id, not expired), its nonce against the one this sign-in
// sent, and the access token's hash when the token carries one. Providers that keep the email
// out of the ID token (the code flow lets them) are asked at their userinfo endpoint, whose
// subject must be the ID token's.
func (c *client) verify(ctx context.Context, token *oauth2.Token, nonce string) (claims, error) {
	raw, ok := token.Extra("id_token").(string)
	if !ok || raw == "" {
		return claims{}, errors.New("no id_token in the token response")
	}
	idToken, err := c.provider.Verifier(&gooidc.Config{ClientID: c.oauth.ClientID}).Verify(ctx, raw)
	if err != nil {
		return claims{}, err
	}
	if idToken.Nonce == "" || subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(nonce)) != 1 {
		return claims{}, errors.New("nonce missing or not this sign-in's")
	}
	if idToken.AccessTokenHash != "" {
		if err := idToken.VerifyAccessToken(token.AccessToken); err != nil {
			return claims{}, err
		}
	}
	var fromToken struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"` // a boolean, or "true" from some providers
		// Microsoft Entra ID sends no email_verified; its optional claim xms_edov ("email
		// domain owner verified") is Microsoft's answer to accounts asserting an address they
		// do not own. The tenant's app registration must add it as an optional claim.
		EmailDomainOwnerVerified any `json:"xms_edov"`
	}
	if err := idToken.Claims(&fromToken); err != nil {
		return claims{}, err
	}
	out := claims{Subject: idToken.Subject, Email: fromToken.Email,
		EmailVerified: isTrue(fromToken.EmailVerified) || (fromToken.EmailVerified == nil && isTrue(fromToken.EmailDomainOwnerVerified))}
	if out.Subject == "" {
		return claims{}, errors.New("ID token has no subject")
	}
	if out.Email != "" || c.provider.UserInfoEndpoint() == "" {
		return out, nil
	}
	info, err := c.provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil {
		return claims{}, fmt.Errorf("userinfo: %w", err)
	}
	if info.Subject != out.Subject {
		return claims{}, errors.New("userinfo answered for another subject")
	}
	out.Email, out.EmailVerified = info.Email, info.EmailVerified
	return out, nil
}

func isTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}
