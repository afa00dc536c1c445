package api

import (
	"awardengine/payloadcrypt"
	"awardengine/services/admin"
	"awardengine/services/applications"
)

// apps is the applications service over the server's dependencies: the handlers authenticate,
// decode, call it, and write its answer or its error (fail).
func (s *Server) apps() *applications.Service {
	svc := &applications.Service{Settings: s.Settings, Limits: s.Limits, CrashAt: s.crashHook()}
	// A nil dependency stays a nil interface (unit tests run without some of them).
	if s.DB != nil {
		svc.DB = s.DB
	}
	if s.Temporal != nil {
		svc.Temporal = s.Temporal
	}
	if s.Objects != nil {
		svc.Objects = s.Objects
	}
	if s.DB != nil {
		svc.People = s.people() // an admin's registration invites a new applicant: people.go
	}
	return svc
}

// admin is the admin service (reports, audit, search, detail, stuck list, retry, roster).
func (s *Server) admin() *admin.Service {
	svc := &admin.Service{Apps: s.apps(), Namespace: s.Namespace, TemporalUI: s.TemporalUI}
	if s.DB != nil {
		svc.DB = s.DB
	}
	if s.Temporal != nil {
		svc.Temporal = s.Temporal
	}
	if s.PayloadKeys != nil {
		svc.Payloads = payloadcrypt.NewDataConverter(s.PayloadKeys) // failure messages: services/admin/failures.go
	}
	return svc
}
