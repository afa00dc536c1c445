package web

import "net/http"

func (s *Server) evidenceRoutes(mux *http.ServeMux) {}
