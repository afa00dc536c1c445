package web

import "net/http"

func (s *Server) adminOfficeRoutes(mux *http.ServeMux) {}
