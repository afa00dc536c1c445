package web

import "net/http"

func (s *Server) assessorRoutes(mux *http.ServeMux) {}
