package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"awardengine/services/cohort"
	"awardengine/services/people"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// maxCohortBytes is the largest cohort file accepted (a few thousand rows fit easily).
const maxCohortBytes = 5 << 20

// cohorts is the cohort import service over the server's dependencies.
func (s *Server) cohorts() *cohort.Service {
	svc := &cohort.Service{DB: s.DB, Settings: s.Settings, Limits: s.Limits}
	if s.Temporal != nil {
		svc.Temporal = s.Temporal
	}
	if s.SignIn != nil {
		svc.Links = people.SignInLinks{SignIn: s.SignIn}
	}
	return svc
}

func (s *Server) cohortRoutes(authed func(string, personHandler)) {
	authed("POST /v1/admin/imports/cohort", s.importCohort)
}

// importCohort is POST /v1/admin/imports/cohort: a CSV file of settings and applicants
// (services/cohort documents it), imported whole or not at all; ?dry_run=true imports nothing.
func (s *Server) importCohort(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if !me.Has(postgres.RoleAdmin) {
		fail(w, r, forbidden("only your award team's admins import cohorts"))
		return
	}
	dryRun := false
	if v := r.URL.Query().Get("dry_run"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail(w, r, invalid("dry_run", "true or false"))
			return
		}
		dryRun = b
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		writeProblem(w, problem{Status: http.StatusUnsupportedMediaType, Type: "unsupported-media-type",
			Title: "Unsupported media type", Detail: "send the cohort file as text/csv"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCohortBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeProblem(w, problem{Status: http.StatusRequestEntityTooLarge, Type: "too-large", Title: "File too large",
			Detail: "the cohort file is larger than 5 MiB; split it"})
		return
	case err != nil:
		fail(w, r, badRequest("malformed-body", "the file could not be read completely; nothing was imported"))
		return
	}
	res, err := s.cohorts().Import(r.Context(), me, bytes.NewReader(body), dryRun)
	var rows *structs.CohortProblem
	if errors.As(err, &rows) {
		p := *rows
		p.Type = problemBase + p.Type
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(p.Status)
		_ = json.NewEncoder(w).Encode(p)
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if dryRun {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
}
