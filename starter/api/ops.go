package api

import (
	"net/http"

	"awardengine/health"
)

// healthRoutes adds the probes and /metrics (package health) on the API's own port, so the
// web process needs no second listener.
func (s *Server) healthRoutes(mux *http.ServeMux) {
	if s.Health == nil {
		s.Health = &health.Checks{Temporal: s.Temporal}
		// Typed nils would be non-nil interfaces: only set what is there.
		if s.DB != nil {
			s.Health.DB = s.DB.Pool()
		}
		if s.Objects != nil {
			s.Health.Objects = s.Objects
		}
	}
	s.Health.Register(mux)
}
