package activities

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"awardengine/storage/postgres"
)

// ErrData is the type of the non-retryable failure of an activity whose data the database
// refuses (postgres.DataError): retrying the same input can never succeed, so Temporal must
// not retry it for ever. The worker lists such failures on the admins' stuck list at once.
const ErrData = "DataError"

// AsDataFailure turns a database refusal of the data into a non-retryable ErrData failure
// and leaves every other error (worth retrying) as it is. The failure's message is the
// DataError's (SQLSTATE, description, schema names); the database's own error is not kept
// as its cause, because its message or detail may quote a personal value. Record applies it;
// the worker's interceptor applies it to every other activity's error too.
func AsDataFailure(err error) error {
	if de := postgres.AsDataError(err); de != nil {
		return temporal.NewNonRetryableApplicationError(de.Error(), ErrData, nil)
	}
	return err
}

// IsDataFailure says whether an activity failed for good because the database refuses its data.
func IsDataFailure(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == ErrData
}
