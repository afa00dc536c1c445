package api

import (
	"net/http"
	"strings"

	"awardengine/activities"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

type addEvidenceRequest struct {
	Filename    string   `json:"filename"`
	Size        int64    `json:"size"`
	ContentType string   `json:"content_type"`
	SHA256      string   `json:"sha256"`
	Standards   []string `json:"standards"`
	Note        string   `json:"note" text:"multiline"`
}

// addEvidence declares a file; the journey checks it against the limits, and the answer
// carries a presigned PUT so the bytes go straight to object storage, never through the API.
// The client must send the answer's upload.headers as they are: they are signed.
func (s *Server) addEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canAct)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req addEvidenceRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	var item activities.Evidence
	err = s.update(r.Context(), app.ID, workflows.UpdateAddEvidence, workflows.AddEvidenceRequest{
		Actor: actor(me), Filename: req.Filename, ContentType: req.ContentType, Size: req.Size,
		SHA256: strings.ToLower(req.SHA256), Standards: req.Standards, Note: req.Note,
	}, &item)
	if err != nil {
		fail(w, r, err)
		return
	}
	// The link writes the item's upload key (a staging key, for items that go through staging)
	// and binds the declared size and SHA-256: storage refuses any other bytes.
	up, err := s.Objects.PresignPut(r.Context(), item.UploadKey(), item.ContentType, item.Size, item.SHA256, s.Settings.UploadLinkTTL)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Evidence evidenceView            `json:"evidence"`
		Upload   objects.PresignedUpload `json:"upload"`
	}{viewEvidence(item), up})
}

func (s *Server) confirmEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.evidenceAction(w, r, me, workflows.UpdateConfirmUpload, http.StatusOK)
}

func (s *Server) removeEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	s.evidenceAction(w, r, me, workflows.UpdateRemoveEvidence, http.StatusNoContent)
}

func (s *Server) evidenceAction(w http.ResponseWriter, r *http.Request, me postgres.Person, update string, status int) {
	app, err := s.application(r, me, canAct)
	if err != nil {
		fail(w, r, err)
		return
	}
	req := workflows.EvidenceRequest{Actor: actor(me), EvidenceID: r.PathValue("evidence")}
	var item activities.Evidence
	var result any = &item
	if status == http.StatusNoContent {
		result = nil
	}
	if err := s.update(r.Context(), app.ID, update, req, result); err != nil {
		fail(w, r, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, viewEvidence(item))
}

type mapEvidenceRequest struct {
	Standards []string `json:"standards"`
}

func (s *Server) mapEvidence(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	app, err := s.application(r, me, canAct)
	if err != nil {
		fail(w, r, err)
		return
	}
	var req mapEvidenceRequest
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	var item activities.Evidence
	if err := s.update(r.Context(), app.ID, workflows.UpdateMapEvidence, workflows.MapEvidenceRequest{
		Actor: actor(me), EvidenceID: r.PathValue("evidence"), Standards: req.Standards}, &item); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewEvidence(item))
}
