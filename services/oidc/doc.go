// Package oidc signs council staff in with their council's OpenID provider (Microsoft Entra
// ID, Google Workspace, any OpenID Connect provider), configured per tenant.
//
// The flow is the authorization code flow with PKCE (S256) and a nonce:
//
//   - GET /signin/oidc/{tenant} looks up the tenant's provider (its exact issuer: Entra ID
//     issuers are per directory, https://login.microsoftonline.com/<directory-id>/v2.0),
//     stores the sign-in under way server-side (state, nonce and PKCE verifier, see below)
//     and redirects the browser to the provider.
//   - GET /signin/oidc/{tenant}/callback takes that sign-in back (once), exchanges the code
//     with the verifier at this tenant's provider with this tenant's client, verifies the ID
//     token (signature, issuer, audience = this tenant's client id, expiry) and its nonce, and
//     finds the person: by the issuer's subject, never by email alone.
//
// Why server-side and not a cookie holding the state: the row (oidc_flows) is deleted when
// the callback takes it, so a callback is accepted once; nothing secret travels in the
// browser and there is no key to manage or rotate. The browser is bound by a random HttpOnly
// cookie (SameSite=Lax, so it comes back on the provider's top-level redirect; over HTTPS a
// __Host- cookie, which no subdomain can plant; plain only for HTTP development) whose
// SHA-256 the row holds: a callback from
// another browser, or a state from a sign-in started elsewhere, finds nothing. One cookie per
// browser serves any number of tabs. A sign-in under way lasts ten minutes.
//
// Matching (staffMember): an account already linked signs its person in. Otherwise a person
// invited by an admin (in this tenant, active, holding assessor, moderator or admin) whose
// provider asserts the same email with email_verified true is linked to the subject once
// (audited); afterwards only the subject matches, so an email changed at the provider does
// not re-link and a second account with the same email is refused. Nobody matching is
// refused with a page saying to ask the award team for an invitation. Applicants and
// supporters sign in by email link, not here.
//
// The client secret is not stored: it is read from the environment variable
// OIDC_SECRET_<TENANT> (SecretEnvName), so a database dump holds no secret, rotating it is a
// deployment change, and an admin (who can change the issuer) cannot make the product send
// some other environment variable to a server of their choosing. A tenant without a secret is
// a public client: PKCE alone protects the code.
//
// Each network address may start 120 sign-ins in ten minutes (each keeps a row until it
// expires). A provider's discovery document is fetched with a timeout (the HTTP client's, ten
// seconds by default) and kept for an hour; a failed fetch is not kept.
//
// Starting the session is the caller's: the package takes a SignIn function.
package oidc
