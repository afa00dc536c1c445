package api

import (
	"net/http"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// addEvidence declares a file; the answer carries a presigned PUT so the bytes go straight to
// object storage, never through the API. The client must send the answer's upload.headers as
// they are: they are signed.
func (s *Server) addEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.AddEvidenceRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	created, err := s.apps().AddEvidence(r.Context(), me, r.PathValue("id"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

func (s *Server) confirmEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	e, err := s.apps().ConfirmEvidence(r.Context(), me, r.PathValue("id"), r.PathValue("evidence"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// addEvidenceBatch declares several files in one action; each item of the answer carries its
// own presigned PUT.
func (s *Server) addEvidenceBatch(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.AddEvidenceBatchRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	created, err := s.apps().AddEvidenceBatch(r.Context(), me, r.PathValue("id"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

// confirmEvidenceBatch confirms several uploads in one action: 200 with each item's outcome,
// whether or not every item was confirmed.
func (s *Server) confirmEvidenceBatch(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.ConfirmEvidenceBatchRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	res, err := s.apps().ConfirmEvidenceBatch(r.Context(), me, r.PathValue("id"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	for _, it := range res.Items {
		if it.Problem != nil {
			it.Problem.Type = problemType(it.Problem.Type)
		}
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) removeEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if err := s.apps().RemoveEvidence(r.Context(), me, r.PathValue("id"), r.PathValue("evidence")); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) mapEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	var req structs.MapEvidenceRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	e, err := s.apps().MapEvidence(r.Context(), me, r.PathValue("id"), r.PathValue("evidence"), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}
