package api

import (
	"net/http"

	"awardengine/services/applications"
	"awardengine/workflows"
)

// CrashPoint names a point of a registration at which the process could die.
type CrashPoint = applications.CrashPoint

// The points at which a registration can be interrupted (Server.CrashAt).
const (
	CrashBeforeCommit = applications.CrashBeforeCommit // nothing written yet
	CrashAfterCommit  = applications.CrashAfterCommit  // the application and its start input are committed; no journey yet
	CrashAfterStart   = applications.CrashAfterStart   // the journey runs; it is not yet marked started
)

// crashHook stops the request at a crash point, as a killed process would, when the test hook
// says so: no answer (the connection is dropped) and nothing more done.
func (s *Server) crashHook() func(CrashPoint, workflows.ApplicationInput) {
	if s.CrashAt == nil {
		return nil
	}
	return func(p CrashPoint, in workflows.ApplicationInput) {
		if s.CrashAt(p, in) {
			panic(http.ErrAbortHandler)
		}
	}
}
