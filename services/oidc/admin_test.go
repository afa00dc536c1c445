package oidc

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

func TestAdminsSetTheirOwnTenantsProvider(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	admin := postgres.Person{ID: "p-admin", TenantID: "b", Roles: []string{postgres.RoleAdmin}, Active: true}
	assessor := postgres.Person{ID: "p-assessor", TenantID: "b", Roles: []string{postgres.RoleAssessor}, Active: true}
	req := structs.OIDCProviderRequest{Issuer: f.opA.Issuer(), ClientID: " award-b2 ", DisplayName: "Sign in with Council B", Enabled: true}

	status := func(err error) int {
		var p *structs.Problem
		if !errors.As(err, &p) {
			t.Fatalf("expected a problem, got %v", err)
		}
		return p.Status
	}
	if _, err := f.h.SetProvider(ctx, assessor, req); status(err) != http.StatusForbidden {
		t.Fatalf("an assessor set the provider: %v", err)
	}
	if _, err := f.h.Provider(ctx, assessor); status(err) != http.StatusForbidden {
		t.Fatalf("an assessor read the provider: %v", err)
	}

	got, err := f.h.SetProvider(ctx, admin, req)
	if err != nil {
		t.Fatal(err)
	}
	stored := f.store.providers["b"]
	if stored.Issuer != f.opA.Issuer() || stored.ClientID != "award-b2" || f.store.providers["a"].ClientID != "award-a" {
		t.Fatalf("stored %+v; tenant a's %+v", stored, f.store.providers["a"])
	}
	if got.RedirectURI != f.product+"/signin/oidc/b/callback" || got.SecretEnv != "OIDC_SECRET_B" || !got.SecretSet {
		t.Fatalf("view: %+v", got)
	}

	for _, bad := range []structs.OIDCProviderRequest{
		{Issuer: "https://login.microsoftonline.com/common/v2.0", ClientID: "c", DisplayName: "d"},
		{Issuer: "http://127.0.0.1:1", ClientID: "c", DisplayName: "d", Enabled: true}, // nothing answers there
	} {
		_, err := f.h.SetProvider(ctx, admin, bad)
		var p *structs.Problem
		if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity || p.Errors[0].Field != "issuer" {
			t.Errorf("%+v: got %v, want 422 naming issuer", bad, err)
		}
	}
	if f.store.providers["b"].ClientID != "award-b2" {
		t.Fatal("a refused change was saved")
	}
}
