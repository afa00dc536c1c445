package api

import (
	"log/slog"
	"net/http"

	"awardengine/services/oidc"
	"awardengine/services/signin"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Council staff sign in with their tenant's OpenID provider (services/oidc), which starts
// the same browser session as an emailed link (services/signin); admins set the provider.

func (s *Server) oidcRoutes(mux *http.ServeMux, authed func(string, personHandler)) {
	cfg := s.OIDC
	cfg.Store = s.DB
	cfg.SignIn = s.startOIDCSession
	cfg.InsecureCookies = !s.Sessions.Cookie.Secure // the session cookie's setting, for the same reason
	if cfg.AfterSignIn == "" {
		cfg.AfterSignIn = "/signin/done"
	}
	cfg.Refused = func(w http.ResponseWriter, r *http.Request, ref *oidc.Refusal) {
		s.web.Refusal(w, r, ref.Status, ref.Title, ref.Detail)
	}
	h, err := oidc.New(cfg)
	if err != nil {
		// No public URL: no redirect URI can be registered, so council sign-in is off.
		slog.Warn("council sign-in (OIDC) is off", "reason", err)
		return
	}
	mux.HandleFunc("GET /signin/oidc/{tenant}", h.Start)
	mux.Handle("GET /signin/oidc/{tenant}/callback", s.Sessions.LoadAndSave(http.HandlerFunc(h.Callback)))
	authed("GET /v1/admin/oidc", func(w http.ResponseWriter, r *http.Request, me postgres.Person) {
		p, err := h.Provider(r.Context(), me)
		if err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
	authed("PUT /v1/admin/oidc", func(w http.ResponseWriter, r *http.Request, me postgres.Person) {
		var req structs.OIDCProviderRequest
		if err := decode(r, &req); err != nil {
			fail(w, r, err)
			return
		}
		p, err := h.SetProvider(r.Context(), me, req)
		if err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
}

// startOIDCSession starts the browser session of a person the provider vouched for, as an
// emailed link's Continue does.
func (s *Server) startOIDCSession(w http.ResponseWriter, r *http.Request, tenantID, personID string) error {
	acct, err := s.DB.SignInAccount(r.Context(), tenantID, personID)
	if err != nil {
		return err
	}
	if !acct.Active {
		return oidc.ErrDeactivated
	}
	return signin.StartSession(r.Context(), s.Sessions, signin.SignedIn{PersonID: acct.PersonID, TenantID: acct.TenantID,
		AccessVersion: acct.AccessVersion, SessionsGeneration: acct.SessionsGeneration})
}
