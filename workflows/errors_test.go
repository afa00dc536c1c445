package workflows_test

import "errors"

func temporalAs(err error, target any) bool { return errors.As(err, target) }
