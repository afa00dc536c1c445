package web

import "net/http"

// The supporter's pages: the applications of the settings they support, read-only.

func (s *Server) supporterRoutes(mux *http.ServeMux) {}
