package web

import "net/http"

func (s *Server) moderatorRoutes(mux *http.ServeMux) {}
