package structs

import "net/http"

// ProblemBase prefixes a problem's type when it is written (see Problem.Type).
const ProblemBase = "https://award.example/problems/"

// Problem is an RFC 9457 problem document, and the error type services return for anything a
// person did wrong or may not do. Type is the short kind ("invalid", "not-found", …); the API
// writes it as ProblemBase+Type ("about:blank" when empty).
type Problem struct {
	Type       string       `json:"type"`
	Title      string       `json:"title"`
	Status     int          `json:"status"`
	Detail     string       `json:"detail,omitempty"`
	Errors     []FieldError `json:"errors,omitempty"`
	Missing    []string     `json:"missing,omitempty"`
	ExistingID string       `json:"existing_application_id,omitempty"`
}

// FieldError names one field of a request and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// BadRequest is a 400 of the given kind (e.g. malformed-json).
func BadRequest(kind, detail string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Type: kind, Title: "Bad request", Detail: detail}
}

// Invalid is a 422 naming the field and what is wrong with it.
func Invalid(field, msg string) *Problem {
	return &Problem{Status: http.StatusUnprocessableEntity, Type: "invalid", Title: "Invalid input", Detail: field + ": " + msg,
		Errors: []FieldError{{Field: field, Message: msg}}}
}

// WrongVariant is a 422 about the variant of an application.
func WrongVariant(msg string) *Problem {
	p := Invalid("variant", msg)
	p.Type = "wrong-variant"
	return p
}

// NotFound is a 404; what says what was not found (never whether it exists elsewhere).
func NotFound(what string) *Problem {
	return &Problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found", Detail: what}
}

// Forbidden is a 403.
func Forbidden(detail string) *Problem {
	return &Problem{Status: http.StatusForbidden, Type: "forbidden", Title: "Not allowed", Detail: detail}
}

// Conflict is a 409 of the given kind and title.
func Conflict(kind, title, detail string) *Problem {
	return &Problem{Status: http.StatusConflict, Type: kind, Title: title, Detail: detail}
}

// WrongStage is a 409: the action is not possible at the application's stage.
func WrongStage(detail string) *Problem {
	return Conflict("wrong-stage", "Not allowed at this stage", detail)
}
