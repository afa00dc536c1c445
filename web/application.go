package web

import "net/http"

func (s *Server) applicationRoutes(mux *http.ServeMux) {}
