package api

import (
	"net/http"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Routes of stages 5–9: offers, assessment, moderation, admin allocation, the certificate.
func (s *Server) assessmentRoutes(authed func(string, personHandler)) {
	authed("GET /v1/assignments", s.myAssignments)
	authed("POST /v1/applications/{id}/offer/accept", s.acceptOffer)
	authed("POST /v1/applications/{id}/offer/decline", s.declineOffer)
	authed("PUT /v1/applications/{id}/assessment", s.saveAssessment)
	authed("POST /v1/applications/{id}/assessment", s.submitAssessment)
	authed("POST /v1/applications/{id}/moderation", s.moderate)
	authed("POST /v1/applications/{id}/allocate", s.allocate)
	authed("POST /v1/applications/{id}/reassign", s.reassign)
	authed("GET /v1/applications/{id}/allocation", s.allocation)
	authed("GET /v1/applications/{id}/evidence/{evidence}/download", s.downloadEvidence)
	authed("GET /v1/applications/{id}/certificate", s.downloadCertificate)
}

// myAssignments is an assessor's or moderator's inbox: offers, assessments and moderations
// with their due dates.
func (s *Server) myAssignments(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	out, err := s.apps().Assignments(r.Context(), me)
	answer(w, r, http.StatusOK, out, err)
}

func (s *Server) acceptOffer(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ReasonRequest
	if err := decodeOptional(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().AcceptOffer(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

func (s *Server) declineOffer(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ReasonRequest
	if err := decodeOptional(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().DeclineOffer(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

func (s *Server) saveAssessment(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.RatingsRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().SaveAssessment(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

func (s *Server) submitAssessment(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.RatingsRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().SubmitAssessment(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

func (s *Server) moderate(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ModerateRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Moderate(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

// allocate is an admin allocating an assessor by hand.
func (s *Server) allocate(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.AllocateRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Allocate(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

func (s *Server) reassign(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ReasonRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	v, err := s.apps().Reassign(r.Context(), me, r.PathValue("id"), req)
	answer(w, r, http.StatusOK, v, err)
}

// allocation shows admins the last allocation's choice and every excluded candidate's reason,
// with the history of offers and assignments.
func (s *Server) allocation(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	out, err := s.apps().Allocation(r.Context(), me, r.PathValue("id"))
	answer(w, r, http.StatusOK, out, err)
}

// downloadEvidence hands out a short-lived link to one evidence file.
func (s *Server) downloadEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	link, err := s.apps().DownloadEvidence(r.Context(), me, r.PathValue("id"), r.PathValue("evidence"))
	answer(w, r, http.StatusOK, link, err)
}

// downloadCertificate hands out a short-lived link to the award certificate.
func (s *Server) downloadCertificate(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	link, err := s.apps().DownloadCertificate(r.Context(), me, r.PathValue("id"))
	answer(w, r, http.StatusOK, link, err)
}

// answer writes a service's answer, or its error.
func answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}
