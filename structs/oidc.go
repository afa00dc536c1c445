package structs

import "time"

// OIDCProviderRequest sets the tenant's OpenID provider, for council staff to sign in with
// (PUT /v1/admin/oidc, admins, their own tenant). The client secret is not sent: it is read
// from the environment variable named by OIDCProvider.SecretEnv.
type OIDCProviderRequest struct {
	// Issuer is exact: for Microsoft Entra ID, https://login.microsoftonline.com/<directory-id>/v2.0.
	Issuer      string `json:"issuer"`
	ClientID    string `json:"client_id"`
	DisplayName string `json:"display_name"` // the button's words: "Sign in with Northshire Council"
	Enabled     bool   `json:"enabled"`
}

// OIDCProvider is the tenant's provider as admins see it.
type OIDCProvider struct {
	Issuer      string    `json:"issuer"`
	ClientID    string    `json:"client_id"`
	DisplayName string    `json:"display_name"`
	Enabled     bool      `json:"enabled"`
	UpdatedAt   time.Time `json:"updated_at"`
	// RedirectURI is what to register at the provider for this tenant.
	RedirectURI string `json:"redirect_uri"`
	// SignInURL is where staff start signing in (the button's link).
	SignInURL string `json:"sign_in_url"`
	// SecretEnv names the environment variable holding the client secret; SecretSet says
	// whether the API process has it (the secret itself is never shown).
	SecretEnv string `json:"secret_env"`
	SecretSet bool   `json:"secret_set"`
}
