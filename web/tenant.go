package web

import (
	"net/http"
	"sync"
	"time"
)

// tenantNames caches the council names shown in the header for a minute: every page shows
// one, and they change rarely.
var tenantNames sync.Map // tenant id → tenantName

type tenantName struct {
	name string
	at   time.Time
}

// tenantName is the council's name for the header, or "" when it cannot be read now (the
// header then says "Awards"; the page itself still works).
func (s *Server) tenantName(r *http.Request, tenantID string) string {
	if tenantID == "" || s.DB == nil {
		return ""
	}
	if v, ok := tenantNames.Load(tenantID); ok && time.Since(v.(tenantName).at) < time.Minute {
		return v.(tenantName).name
	}
	t, err := s.DB.Tenant(r.Context(), tenantID)
	if err != nil {
		return ""
	}
	tenantNames.Store(tenantID, tenantName{name: t.Name, at: time.Now()})
	return t.Name
}
