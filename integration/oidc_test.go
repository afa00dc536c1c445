package integration

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"awardengine/services/oidc"
	"awardengine/services/oidc/oidctest"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Council staff sign in through the product's routes with a real OpenID provider running in
// the test process (zitadel's example OP on httptest), the session then answering /v1/me.
func TestOIDCSignInOfASeededStaffMember(t *testing.T) {
	op, set := eastmereOIDC(t)
	admin := as(t, shared, "demo-eastmere-admin")
	as(t, shared, "demo-northshire-admin").must(404, "GET", "/v1/admin/oidc", nil) // another tenant's is not theirs

	var assessor struct{ ID, Email string }
	as(t, shared, "demo-eastmere-assessor").must(200, "GET", "/v1/me", nil).json(t, &assessor)
	op.AddUser("sub-priya", "priya", strings.ToUpper(assessor.Email), true)
	op.AddUser("sub-priya-again", "priya-again", assessor.Email, true)
	op.AddUser("sub-stranger", "stranger", "stranger@eastmere.example", true)

	// Signed in: the session answers /v1/me as the seeded assessor.
	b := oidctest.NewBrowser(t, shared.APIURL)
	p, callback := signIn(b, set.SignInURL, "priya")
	if p.Status != 200 || p.URL.Path != "/assess" { // an assessor starts at their inbox
		t.Fatalf("after signing in: %d at %s: %.300s", p.Status, p.URL, p.Body)
	}
	if id := meID(t, b); id != assessor.ID {
		t.Fatalf("/v1/me with the session is %q, want %q", id, assessor.ID)
	}

	// The provider's answer again: a sign-in is used once.
	if p := b.Get(callback); p.Status != 400 || !strings.Contains(p.Body, "expired or was started in another browser") {
		t.Fatalf("replayed callback: %d %.300s", p.Status, p.Body)
	}
	// A second account at the provider with the same address, and nobody invited.
	if p, _ := signIn(oidctest.NewBrowser(t, shared.APIURL), set.SignInURL, "priya-again"); p.Status != 403 || !strings.Contains(p.Body, "already linked to a different council account") {
		t.Fatalf("second account with the same email: %d %.300s", p.Status, p.Body)
	}
	if p, _ := signIn(oidctest.NewBrowser(t, shared.APIURL), set.SignInURL, "stranger"); p.Status != 403 || !strings.Contains(p.Body, "Ask your award team to invite you") {
		t.Fatalf("nobody invited: %d %.300s", p.Status, p.Body)
	}

	// Both changes are in the audit trail.
	var audit struct {
		Entries []struct{ Action, Actor string } `json:"entries"`
	}
	admin.must(200, "GET", "/v1/admin/audit", nil).json(t, &audit)
	var linked, providerSet bool
	for _, l := range audit.Entries {
		linked = linked || (l.Action == "oidc_identity_linked" && l.Actor == assessor.ID)
		providerSet = providerSet || (l.Action == "oidc_provider_set" && l.Actor == "p_eastmere_admin")
	}
	if !linked || !providerSet {
		t.Fatalf("audit trail: linked %v, provider set %v", linked, providerSet)
	}
}

// A moderator an admin invites signs in with the council account; deactivated, their session
// is refused at once and the council account no longer signs them in; reactivated, it does.
func TestOIDCInvitedStaffMemberDeactivatedAndReactivated(t *testing.T) {
	op, set := eastmereOIDC(t)
	admin := as(t, shared, "demo-eastmere-admin")
	email := fmt.Sprintf("quinn.%d@eastmere.example", time.Now().UnixNano())
	var quinn struct{ ID string }
	admin.must(201, "POST", "/v1/people", structs.InviteRequest{Name: "Quinn Hale", Email: email,
		Roles: []string{"moderator"}}).json(t, &quinn)
	op.AddUser("sub-quinn", "quinn", email, true)

	b := oidctest.NewBrowser(t, shared.APIURL)
	if p, _ := signIn(b, set.SignInURL, "quinn"); p.Status != 200 {
		t.Fatalf("invited moderator signing in: %d at %s: %.300s", p.Status, p.URL, p.Body)
	}
	if id := meID(t, b); id != quinn.ID {
		t.Fatalf("/v1/me is %q, want %q", id, quinn.ID)
	}

	admin.must(200, "POST", "/v1/people/"+quinn.ID+"/deactivate", nil)
	if p := b.Get(shared.APIURL + "/v1/me"); p.Status != 401 {
		t.Fatalf("a deactivated person's session: /v1/me %d", p.Status)
	}
	if p, _ := signIn(oidctest.NewBrowser(t, shared.APIURL), set.SignInURL, "quinn"); p.Status != 403 || !strings.Contains(p.Body, "not active") {
		t.Fatalf("a deactivated person signing in: %d %.300s", p.Status, p.Body)
	}

	admin.must(200, "POST", "/v1/people/"+quinn.ID+"/reactivate", nil)
	again := oidctest.NewBrowser(t, shared.APIURL)
	if p, _ := signIn(again, set.SignInURL, "quinn"); p.Status != 200 || meID(t, again) != quinn.ID {
		t.Fatalf("reactivated, signing in: %d %.300s", p.Status, p.Body)
	}
}

// eastmereOIDC runs a provider for tenant eastmere and has eastmere's admin set it through the
// API (after a refused attempt by an assessor and a refused Entra multi-tenant issuer); it is
// disabled again when the test ends.
func eastmereOIDC(t *testing.T) (*oidctest.Provider, structs.OIDCProvider) {
	t.Helper()
	const tenant, clientID = "eastmere", "award-eastmere"
	op := oidctest.StartProvider(t, map[string]string{clientID: shared.APIURL + "/signin/oidc/" + tenant + "/callback"})
	t.Setenv(oidc.SecretEnvName(tenant), oidctest.SecretOf(clientID)) // the API runs in this process

	admin := as(t, shared, "demo-eastmere-admin")
	want := structs.OIDCProviderRequest{Issuer: op.Issuer(), ClientID: clientID, DisplayName: "Sign in with Eastmere Council", Enabled: true}
	as(t, shared, "demo-eastmere-assessor").must(403, "PUT", "/v1/admin/oidc", want)
	if r := admin.do("PUT", "/v1/admin/oidc", structs.OIDCProviderRequest{
		Issuer: "https://login.microsoftonline.com/common/v2.0", ClientID: clientID, DisplayName: "x", Enabled: true}); r.Status != 422 {
		t.Fatalf("a multi-tenant Entra issuer: %d %s", r.Status, r.Body)
	}
	var set structs.OIDCProvider
	admin.must(200, "PUT", "/v1/admin/oidc", want).json(t, &set)
	t.Cleanup(func() {
		off := want
		off.Enabled = false
		admin.must(200, "PUT", "/v1/admin/oidc", off)
	})
	if set.RedirectURI != shared.APIURL+"/signin/oidc/eastmere/callback" || !set.SecretSet || set.SecretEnv != "OIDC_SECRET_EASTMERE" {
		t.Fatalf("provider as set: %+v", set)
	}
	return op, set
}

// signIn starts at the product's sign-in URL start, logs in at the provider as username and
// follows the provider's answer to the product's callback; it returns the page the browser
// ends on and the callback URL.
func signIn(b *oidctest.Browser, start, username string) (oidctest.Page, string) {
	callback := b.UntilCallback(start, username)
	return b.Get(callback), callback
}

// meID is the id /v1/me answers with this browser's session.
func meID(t *testing.T, b *oidctest.Browser) string {
	t.Helper()
	p := b.Get(shared.APIURL + "/v1/me")
	if p.Status != 200 {
		t.Fatalf("/v1/me with the session: %d %s", p.Status, p.Body)
	}
	var me struct{ ID string }
	(response{Status: p.Status, Body: []byte(p.Body)}).json(t, &me)
	return me.ID
}

// The sign-ins under way on PostgreSQL: taken once, only by their browser, never once expired.
func TestOIDCFlowsAreTakenOnceByTheirBrowser(t *testing.T) {
	ctx := context.Background()
	h := func(s string) []byte { sum := sha256.Sum256([]byte(s)); return sum[:] }
	flow := postgres.OIDCFlow{StateHash: h(t.Name() + "state"), TenantID: "eastmere", BrowserHash: h("browser"),
		Nonce: "n", CodeVerifier: "v", ExpiresAt: time.Now().Add(time.Minute)}
	if err := shared.DB.SaveOIDCFlow(ctx, flow); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.DB.TakeOIDCFlow(ctx, flow.StateHash, h("another browser")); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("another browser took the flow: %v", err)
	}
	got, err := shared.DB.TakeOIDCFlow(ctx, flow.StateHash, flow.BrowserHash)
	if err != nil || got.Nonce != "n" || got.CodeVerifier != "v" || got.TenantID != "eastmere" {
		t.Fatalf("taking the flow: %+v %v", got, err)
	}
	if _, err := shared.DB.TakeOIDCFlow(ctx, flow.StateHash, flow.BrowserHash); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("the flow was taken twice: %v", err)
	}

	expired := flow
	expired.StateHash, expired.ExpiresAt = h(t.Name()+"expired"), time.Now().Add(-time.Second)
	if err := shared.DB.SaveOIDCFlow(ctx, expired); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.DB.TakeOIDCFlow(ctx, expired.StateHash, expired.BrowserHash); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("an expired flow was taken: %v", err)
	}
}
