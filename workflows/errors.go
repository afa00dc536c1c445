package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
)

// Error types of refused actions; the API maps each to an HTTP status.
const (
	ErrForbidden        = "Forbidden"        // not this person's action
	ErrWrongStage       = "WrongStage"       // not allowed in the current stage
	ErrInvalid          = "Invalid"          // bad input
	ErrNotFound         = "NotFound"         // no such item
	ErrMissingEvidence  = "MissingEvidence"  // details: the missing standard codes
	ErrNotUploaded      = "NotUploaded"      // confirm before the bytes arrived
	ErrChecksumMismatch = "ChecksumMismatch" // stored bytes differ from the declaration
	ErrSizeMismatch     = "SizeMismatch"
	ErrTypeMismatch     = "TypeMismatch" // the bytes are not of the declared type (names both)
)

func refuse(kind, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), kind, nil)
}

func refuseWith(kind, msg string, details ...any) error {
	return temporal.NewNonRetryableApplicationError(msg, kind, nil, details...)
}
