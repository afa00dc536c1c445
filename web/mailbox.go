package web

import "net/http"

func (s *Server) mailboxRoutes(mux *http.ServeMux) {}
