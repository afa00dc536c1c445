package api

import (
	"encoding/json"
	"net/http"

	"awardengine/services/applications"
	"awardengine/structs"
)

// problem and fieldError are the wire types of package structs (RFC 9457 problem documents).
type (
	problem    = structs.Problem
	fieldError = structs.FieldError
)

const problemBase = structs.ProblemBase

func writeProblem(w http.ResponseWriter, p problem) {
	p.Type = problemType(p.Type)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// problemType is a problem's short kind as the API writes it (also for problems inside an
// answer, like a batch item's outcome).
func problemType(kind string) string {
	if kind == "" {
		return "about:blank"
	}
	return problemBase + kind
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Shorthands of the structs constructors used by the API's own checks (decoding, paths).
var (
	badRequest = structs.BadRequest
	invalid    = structs.Invalid
	notFound   = structs.NotFound
	forbidden  = structs.Forbidden
)

// fail writes the problem for an error of a service (see applications.Problem, which says only
// what is known of the request's effect: a read, or an error marked unchanged, changed
// nothing). A journey still starting gets a Retry-After.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	p := applications.RequestProblem(r, err)
	if p.Type == applications.TypeJourneyStarting {
		w.Header().Set("Retry-After", applications.JourneyRetryAfter)
	}
	writeProblem(w, *p)
}

// unchanged marks err as having happened before anything was changed or sent.
func unchanged(err error) error { return applications.Unchanged(err) }
