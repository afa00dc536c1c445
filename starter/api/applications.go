package api

import (
	"net/http"

	"awardengine/services/applications"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	writeJSON(w, http.StatusOK, me)
}

// register is stage 1 (applications.Service.Register): 201 with the application, or 202 when
// the registration is committed but its journey is still starting.
func (s *Server) register(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.RegisterRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	reg, err := s.apps().Register(r.Context(), me, req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeRegistration(w, reg)
}

// writeRegistration answers a registration or a reapplication.
func writeRegistration(w http.ResponseWriter, reg applications.Registration) {
	switch {
	case !reg.Started:
		w.Header().Set("Location", "/v1/applications/"+reg.ID)
		w.Header().Set("Retry-After", applications.JourneyRetryAfter)
		writeJSON(w, http.StatusAccepted, reg.Answer())
	case reg.View == nil:
		writeJSON(w, http.StatusCreated, reg.Answer()) // no Location: the journey has not answered yet
	default:
		w.Header().Set("Location", "/v1/applications/"+reg.ID)
		writeJSON(w, http.StatusCreated, reg.Answer())
	}
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	apps, err := s.apps().List(r.Context(), me)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"applications": apps})
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	v, err := s.apps().Get(r.Context(), me, r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) getFramework(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	fw, err := s.apps().Framework(r.Context(), me, r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, fw)
}

// openToolkit records the opening in the journey and hands out short-lived download links.
func (s *Server) openToolkit(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	tk, err := s.apps().OpenToolkit(r.Context(), me, r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tk)
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.SubmitRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Submit(r.Context(), me, r.PathValue("id"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ReasonRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Withdraw(r.Context(), me, r.PathValue("id"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
