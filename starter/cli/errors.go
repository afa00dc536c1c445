package cli

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// cliError is a failure with its exit code, a one-line message and optional
// list items (field errors, missing standards) printed below it.
type cliError struct {
	code   int
	status int    // HTTP status of an API refusal, if any
	ptype  string // its problem type URI, if any
	msg    string
	items  []string
	raw    []byte // the problem document, printed to stdout with --json
}

func (e *cliError) Error() string { return e.msg }

// usageErr is a command-line mistake (exit 2). cmd names the command whose
// help to point at, or "" for none.
func usageErr(cmd, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if cmd != "" {
		msg = fmt.Sprintf("%s: %s (see 'starter help %s')", cmd, msg, cmd)
	}
	return &cliError{code: exitUsage, msg: msg}
}

// unavailable is a failure to reach the API or storage, or their fault (exit 3).
func unavailable(format string, args ...any) error {
	return &cliError{code: exitUnavailable, msg: fmt.Sprintf(format, args...)}
}

// withItem adds a list item below err's message.
func withItem(err error, item string) error {
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = &cliError{code: exitUnavailable, msg: err.Error()}
	}
	ce.items = append(ce.items, item)
	return ce
}

// problem is an RFC 9457 problem document as the API returns it. It stays local rather than
// structs.Problem: the CLI reads any problem document (a proxy's too), keeps "instance", and
// sees the type as the full URI written on the wire, where structs.Problem.Type is the short
// kind the API prefixes with structs.ProblemBase when writing.
type problem struct {
	Type                  string       `json:"type"`
	Title                 string       `json:"title"`
	Status                int          `json:"status"`
	Detail                string       `json:"detail"`
	Instance              string       `json:"instance,omitempty"`
	Errors                []fieldError `json:"errors,omitempty"`
	Missing               []string     `json:"missing,omitempty"`
	ExistingApplicationID string       `json:"existing_application_id,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problemError turns a non-2xx API answer into a cliError: 4xx is a refusal
// (exit 1), anything else means the API failed (exit 3).
func problemError(status int, p problem, raw []byte) error {
	title := strings.TrimSpace(p.Title)
	if title == "" {
		title = http.StatusText(status)
	}
	if title == "" {
		title = fmt.Sprintf("HTTP %d", status)
	}
	msg := title
	if d := strings.TrimSpace(p.Detail); d != "" && d != title {
		msg += ": " + d
	}
	e := &cliError{code: exitRefused, status: status, ptype: p.Type, msg: msg, raw: raw}
	if status < 400 || status >= 500 {
		e.code = exitUnavailable
		e.msg = fmt.Sprintf("the API failed (HTTP %d): %s", status, msg)
	}
	for _, fe := range p.Errors {
		if fe.Field != "" {
			e.items = append(e.items, fe.Field+": "+fe.Message)
		} else {
			e.items = append(e.items, fe.Message)
		}
	}
	e.items = append(e.items, p.Missing...)
	if p.ExistingApplicationID != "" {
		e.items = append(e.items, "existing application: "+p.ExistingApplicationID)
	}
	return e
}
