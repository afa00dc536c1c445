package applications

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/structs"
	"awardengine/workflows"
)

// Problem is the problem document for an error of the service, saying only what is known of
// the request's effect:
//
//   - a *structs.Problem: as it is;
//   - an update whose outcome is unknown (*OutcomeUnknownError: the journey did not answer in
//     time, or the connection to it broke after the update was sent): 503 in-progress, "check
//     the application before trying again", never "nothing was changed";
//   - a workflow's refusal or failure: mapped to its status (refusal); a data error, which a
//     retry cannot fix, is 422 data-error;
//   - a journey that does not exist: 404;
//   - anything else (a dependency down): 503 unavailable. It says "nothing was changed" only
//     when that is certain: a read (read is true), or an error marked Unchanged (the request
//     failed before it changed or sent anything, like the access check). Otherwise it says
//     the request may not have completed.
//
// known is false for the last case (and timeouts): an error the adapter should log.
func Problem(err error, read bool) (p *structs.Problem, known bool) {
	if errors.As(err, &p) {
		return p, true
	}
	var unknown *OutcomeUnknownError
	if errors.As(err, &unknown) {
		return InProgress(unknown), false
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.Type() == activities.ErrData {
			return dataError(appErr), true
		}
		return refusal(appErr), true
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return structs.NotFound("the application's journey was not found"), true
	}
	nothingChanged := read || IsUnchanged(err)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		p := &structs.Problem{Status: http.StatusServiceUnavailable, Type: "timeout", Title: "Try again",
			Detail: "the journey did not answer in time; nothing was changed, try again shortly"}
		if !nothingChanged {
			p.Detail = "the journey did not answer in time, so this request may not have completed: check the application before trying again"
		}
		return p, true
	}
	p = &structs.Problem{Status: http.StatusServiceUnavailable, Type: "unavailable", Title: "Service unavailable",
		Detail: "a dependency is unavailable; nothing was changed, try again shortly"}
	if !nothingChanged {
		p.Detail = "a dependency is unavailable, so this request may not have completed: check the application before trying again"
	}
	return p, false
}

// RequestProblem is Problem for the error of an HTTP request (a read when it is a GET or
// HEAD), logged as operators need it: an update of unknown outcome as a warning, an error
// that is not a known refusal as an error. Every adapter (the API, the pages) answers with it.
func RequestProblem(r *http.Request, err error) *structs.Problem {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	p, known := Problem(err, read)
	var unknown *OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		slog.Warn("update outcome unknown", "method", r.Method, "path", r.URL.Path, "error", err)
	case !known:
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	return p
}

// InProgress is the answer to an update whose outcome is not known.
func InProgress(e *OutcomeUnknownError) *structs.Problem {
	detail := "the application did not answer in time, so this change is still in progress: " +
		"check the application before trying again"
	if !e.TimedOut {
		detail = "the connection to the application broke after this change was sent, so it may still be in progress: " +
			"check the application before trying again"
	}
	return &structs.Problem{Status: http.StatusServiceUnavailable, Type: "in-progress", Title: "Still in progress", Detail: detail}
}

// dataError is the answer to a change whose data the database refused: the same request can
// never succeed, and engineers see it on the admins' stuck list.
func dataError(e *temporal.ApplicationError) *structs.Problem {
	return &structs.Problem{Status: http.StatusUnprocessableEntity, Type: "data-error", Title: "Could not be saved",
		Detail: "this change could not be saved and will not be retried: " + e.Message() +
			"; it is listed for the award team on the stuck list. Check the application before trying again"}
}

// refusal maps a workflow's refusal (an update validator or handler error) to a problem.
func refusal(e *temporal.ApplicationError) *structs.Problem {
	p := refusalProblem(e.Type(), e.Message())
	if p.Type == "missing-evidence" {
		_ = e.Details(&p.Missing)
	}
	return p
}

// refusalProblem is the problem for a refusal of the given type (workflows.Err…) and message:
// a refusal itself, or one item's outcome in a batch.
func refusalProblem(kind, detail string) *structs.Problem {
	p := &structs.Problem{Detail: detail}
	switch kind {
	case workflows.ErrForbidden:
		p.Status, p.Type, p.Title = http.StatusForbidden, "forbidden", "Not allowed"
	case workflows.ErrWrongStage:
		p.Status, p.Type, p.Title = http.StatusConflict, "wrong-stage", "Not allowed at this stage"
	case workflows.ErrNotFound:
		p.Status, p.Type, p.Title = http.StatusNotFound, "not-found", "Not found"
	case workflows.ErrMissingEvidence:
		p.Status, p.Type, p.Title = http.StatusUnprocessableEntity, "missing-evidence", "Evidence missing"
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
	if p.Status == http.StatusUnprocessableEntity && p.Type != "missing-evidence" {
		p.Errors = fieldOf(p.Detail)
	}
	return p
}

// fieldOf names the field a journey's refusal is about: validators write "field: what is
// wrong" (workflows.refuse), so a form can show the message beside its field and the API's
// answer lists it in errors like every other invalid input (an item of a batch is named as
// "items[2]" or "items[2].standards"). Nil when no field is named.
func fieldOf(detail string) []structs.FieldError {
	field, msg, ok := strings.Cut(detail, ": ")
	if !ok || field == "" || strings.TrimFunc(field, func(r rune) bool {
		return r == '_' || r == '.' || r == '[' || r == ']' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
	}) != "" {
		return nil
	}
	return []structs.FieldError{{Field: field, Message: msg}}
}
