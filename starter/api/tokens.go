package api

import (
	"net/http"
	"strings"

	"awardengine/storage/postgres"
)

// API tokens (services/signin): a person's own, and admins' view of anyone's in their tenant.

func (s *Server) tokenRoutes(authed func(string, personHandler)) {
	authed("GET /v1/me/tokens", s.listOwnTokens)
	authed("POST /v1/me/tokens", s.createToken)
	authed("DELETE /v1/me/tokens/{id}", s.revokeOwnToken)
	authed("DELETE /v1/me/token", s.revokePresentedToken)
	authed("GET /v1/admin/people/{person}/tokens", s.listPersonTokens)
	authed("DELETE /v1/admin/tokens/{id}", s.revokeAnyToken)
}

type createTokenRequest struct {
	Label         string `json:"label"`
	ExpiresInDays int    `json:"expires_in_days"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req createTokenRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	tok, err := s.SignIn.CreateToken(r.Context(), me, req.Label, req.ExpiresInDays)
	if err != nil {
		writeSigninError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tok)
}

func (s *Server) listOwnTokens(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	list, err := s.SignIn.Tokens(r.Context(), me, me.ID)
	if err != nil {
		writeSigninError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
}

func (s *Server) listPersonTokens(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	list, err := s.SignIn.Tokens(r.Context(), me, r.PathValue("person"))
	if err != nil {
		writeSigninError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
}

func (s *Server) revokeOwnToken(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	t, err := s.SignIn.RevokeOwnToken(r.Context(), me, r.PathValue("id"))
	if err != nil {
		writeSigninError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) revokeAnyToken(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	t, err := s.SignIn.RevokeAnyToken(r.Context(), me, r.PathValue("id"))
	if err != nil {
		writeSigninError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// revokePresentedToken revokes the bearer token the request came with (`starter logout`).
func (s *Server) revokePresentedToken(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || viaSession(r.Context()) {
		writeSigninError(w, r, invalidForSession)
		return
	}
	if err := s.SignIn.RevokePresentedToken(r.Context(), token); err != nil {
		writeSigninError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
