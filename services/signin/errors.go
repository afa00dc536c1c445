package signin

import (
	"fmt"
	"net/http"
	"time"
)

// Error is a refusal the adapters show as it is: an API problem document or a page's message.
// It never names the person or their address.
type Error struct {
	Status     int
	Type       string // the problem type, e.g. "link-used"
	Title      string
	Detail     string
	Field      string        // the request field at fault, if one is
	RetryAfter time.Duration // for rate-limited
}

func (e *Error) Error() string { return e.Title + ": " + e.Detail }

func invalid(field, msg string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Type: "invalid", Title: "Invalid input", Detail: field + ": " + msg, Field: field}
}

// Refusals of a sign-in link.
var (
	ErrLinkUnknown = &Error{Status: http.StatusBadRequest, Type: "link-unknown", Title: "This link is not valid",
		Detail: "This sign-in link is not one we sent, or it was copied incompletely. Ask for a new one on the sign-in page."}
	ErrLinkUsed = &Error{Status: http.StatusGone, Type: "link-used", Title: "This link has already been used",
		Detail: "Each sign-in link works once. Ask for a new one on the sign-in page."}
	ErrLinkExpired = &Error{Status: http.StatusGone, Type: "link-expired", Title: "This link has expired",
		Detail: "Sign-in links work for 15 minutes. Ask for a new one on the sign-in page."}
	ErrDeactivated = &Error{Status: http.StatusForbidden, Type: "deactivated", Title: "This account is deactivated",
		Detail: "Your award team has deactivated this account. Contact them if you need access again."}
	ErrCodeRefused = &Error{Status: http.StatusBadRequest, Type: "code-refused", Title: "This code is not valid",
		Detail: "The code is wrong, used, or expired (it works once, within 15 minutes of the email). Run starter login again for a new one."}
)

// Refusals of credentials (401).
var (
	ErrNotSignedIn = &Error{Status: http.StatusUnauthorized, Type: "unauthorized", Title: "Not signed in",
		Detail: "send your API token as: Authorization: Bearer <token>, or sign in"}
	ErrTokenInvalid = &Error{Status: http.StatusUnauthorized, Type: "unauthorized", Title: "Not signed in",
		Detail: "this API token is not valid"}
	ErrTokenRevoked = &Error{Status: http.StatusUnauthorized, Type: "token-revoked", Title: "Not signed in",
		Detail: "this API token was revoked: create a new one, or run starter login"}
	ErrTokenExpired = &Error{Status: http.StatusUnauthorized, Type: "token-expired", Title: "Not signed in",
		Detail: "this API token has expired: create a new one, or run starter login"}
	ErrAccountDeactivated = &Error{Status: http.StatusUnauthorized, Type: "deactivated", Title: "Not signed in",
		Detail: "this account is deactivated"}
	ErrSessionEnded = &Error{Status: http.StatusUnauthorized, Type: "unauthorized", Title: "Not signed in",
		Detail: "your session has ended: sign in again"}
)

// rateLimited says when to try again, in whole minutes (rounded up).
func rateLimited(wait time.Duration) *Error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return &Error{Status: http.StatusTooManyRequests, Type: "rate-limited", Title: "Too many sign-in requests",
		Detail: fmt.Sprintf("too many sign-in requests: try again in %d %s", minutes, unit), RetryAfter: wait}
}

func notFound(detail string) *Error {
	return &Error{Status: http.StatusNotFound, Type: "not-found", Title: "Not found", Detail: detail}
}

func forbidden(detail string) *Error {
	return &Error{Status: http.StatusForbidden, Type: "forbidden", Title: "Forbidden", Detail: detail}
}
