package web

import "net/http"

func (s *Server) offerLinkRoutes(mux *http.ServeMux) {}
