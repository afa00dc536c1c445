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

// fail writes the problem for an error, and says only what is known of the request's effect:
//
//   - a problem: as it is;
//   - an update whose outcome is unknown (outcomeUnknown: the journey did not answer in time,
//     or the connection to it broke after the update was sent): 503 in-progress, "check the
//     application before trying again", never "nothing was changed";
//   - a workflow's refusal or failure: mapped to its status (refusal); a data error, which a
//     retry cannot fix, is 422 data-error;
//   - a journey that does not exist: 404;
//   - anything else (a dependency down): 503 unavailable. It says "nothing was changed" only
//     when that is certain: a read (GET, HEAD), or an error marked unchanged (the request
//     failed before it changed or sent anything, like the access check). Otherwise it says
//     the request may not have completed.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var p problem
	if errors.As(err, &p) {
		if p.Type == journeyStarting.Type {
			w.Header().Set("Retry-After", journeyRetryAfter)
		}
		writeProblem(w, p)
		return
	}
	var unknown *outcomeUnknownError
	if errors.As(err, &unknown) {
		slog.Warn("update outcome unknown", "method", r.Method, "path", r.URL.Path, "error", err)
		writeProblem(w, inProgress(unknown))
		return
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.Type() == activities.ErrData {
			writeProblem(w, dataError(appErr))
			return
		}
		writeProblem(w, refusal(appErr))
		return
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		writeProblem(w, notFound("the application's journey was not found"))
		return
	}
	nothingChanged := isUnchanged(err) || r.Method == http.MethodGet || r.Method == http.MethodHead
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		p := problem{Status: http.StatusServiceUnavailable, Type: "timeout", Title: "Try again",
			Detail: "the journey did not answer in time; nothing was changed, try again shortly"}
		if !nothingChanged {
			p.Detail = "the journey did not answer in time, so this request may not have completed: check the application before trying again"
		}
		writeProblem(w, p)
		return
	}
	slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	p = problem{Status: http.StatusServiceUnavailable, Type: "unavailable", Title: "Service unavailable",
		Detail: "a dependency is unavailable; nothing was changed, try again shortly"}
	if !nothingChanged {
		p.Detail = "a dependency is unavailable, so this request may not have completed: check the application before trying again"
	}
	writeProblem(w, p)
}

// unchangedError marks an error that happened before the request changed or sent anything.
type unchangedError struct{ error }

func (e unchangedError) Unwrap() error { return e.error }

// unchanged marks err as having happened before anything was changed or sent (nil stays nil).
func unchanged(err error) error {
	if err == nil {
		return nil
	}
	return unchangedError{err}
}

func isUnchanged(err error) bool {
	var u unchangedError
	return errors.As(err, &u)
}

// inProgress is the answer to an update whose outcome is not known.
func inProgress(e *outcomeUnknownError) problem {
	detail := "the application did not answer in time, so this change is still in progress: " +
		"check the application before trying again"
	if !e.timedOut {
		detail = "the connection to the application broke after this change was sent, so it may still be in progress: " +
			"check the application before trying again"
	}
	return problem{Status: http.StatusServiceUnavailable, Type: "in-progress", Title: "Still in progress", Detail: detail}
}

// dataError is the answer to a change whose data the database refused: the same request can
// never succeed, and engineers see it on the admins' stuck list.
func dataError(e *temporal.ApplicationError) problem {
	return problem{Status: http.StatusUnprocessableEntity, Type: "data-error", Title: "Could not be saved",
		Detail: "this change could not be saved and will not be retried: " + e.Message() +
			"; it is listed for the award team on the stuck list. Check the application before trying again"}
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
