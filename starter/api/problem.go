package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/workflows"
)

const problemBase = "https://award.example/problems/"

// problem is an RFC 9457 problem document.
type problem struct {
	Type       string       `json:"type"`
	Title      string       `json:"title"`
	Status     int          `json:"status"`
	Detail     string       `json:"detail,omitempty"`
	Errors     []fieldError `json:"errors,omitempty"`
	Missing    []string     `json:"missing,omitempty"`
	ExistingID string       `json:"existing_application_id,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p problem) Error() string { return p.Title + ": " + p.Detail }

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	} else {
		p.Type = problemBase + p.Type
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func badRequest(kind, detail string) problem {
	return problem{Status: http.StatusBadRequest, Type: kind, Title: "Bad request", Detail: detail}
}

func invalid(field, msg string) problem {
	return problem{Status: http.StatusUnprocessableEntity, Type: "invalid", Title: "Invalid input", Detail: field + ": " + msg,
		Errors: []fieldError{{Field: field, Message: msg}}}
}

func wrongVariant(msg string) problem {
	p := invalid("variant", msg)
	p.Type = "wrong-variant"
	return p
}

func notFound(what string) problem {
	return problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found", Detail: what}
}

func forbidden(detail string) problem {
	return problem{Status: http.StatusForbidden, Type: "forbidden", Title: "Not allowed", Detail: detail}
}

// fail writes the problem for an error: a problem as it is, a workflow's refusal mapped to its
// status, anything else as 503 (a dependency is down; the request changed nothing).
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var p problem
	if errors.As(err, &p) {
		writeProblem(w, p)
		return
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		writeProblem(w, refusal(appErr))
		return
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		writeProblem(w, notFound("the application's journey was not found"))
		return
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Type: "timeout", Title: "Try again",
			Detail: "the journey did not answer in time; nothing was lost, try again shortly"})
		return
	}
	slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	writeProblem(w, problem{Status: http.StatusServiceUnavailable, Type: "unavailable", Title: "Service unavailable",
		Detail: "a dependency is unavailable; nothing was changed, try again shortly"})
}

// refusal maps a workflow's refusal (an update validator or handler error) to a problem.
func refusal(e *temporal.ApplicationError) problem {
	p := problem{Detail: e.Message()}
	switch e.Type() {
	case workflows.ErrForbidden:
		p.Status, p.Type, p.Title = http.StatusForbidden, "forbidden", "Not allowed"
	case workflows.ErrWrongStage:
		p.Status, p.Type, p.Title = http.StatusConflict, "wrong-stage", "Not allowed at this stage"
	case workflows.ErrNotFound:
		p.Status, p.Type, p.Title = http.StatusNotFound, "not-found", "Not found"
	case workflows.ErrMissingEvidence:
		p.Status, p.Type, p.Title = http.StatusUnprocessableEntity, "missing-evidence", "Evidence missing"
		_ = e.Details(&p.Missing)
	case workflows.ErrNotUploaded:
		p.Status, p.Type, p.Title = http.StatusConflict, "not-uploaded", "Not uploaded yet"
	case workflows.ErrChecksumMismatch:
		p.Status, p.Type, p.Title = http.StatusUnprocessableEntity, "checksum-mismatch", "Checksum mismatch"
	case workflows.ErrSizeMismatch:
		p.Status, p.Type, p.Title = http.StatusUnprocessableEntity, "size-mismatch", "Size mismatch"
	case workflows.ErrTypeMismatch:
		p.Status, p.Type, p.Title = http.StatusUnprocessableEntity, "type-mismatch", "File type mismatch"
	case workflows.ErrInvalid:
		p.Status, p.Type, p.Title = http.StatusUnprocessableEntity, "invalid", "Invalid input"
	case activities.ErrRefused:
		p.Status, p.Type, p.Title = http.StatusConflict, "refused", "Not possible"
	default:
		p.Status, p.Type, p.Title = http.StatusServiceUnavailable, "unavailable", "Try again"
	}
	return p
}
