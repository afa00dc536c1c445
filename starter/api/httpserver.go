package api

import (
	"net/http"
	"time"
)

// Limits of every HTTP server the product runs (the API in cmd/starter and in the embedded
// stack, and the development mail endpoint), so that a slow or idle client cannot hold a
// connection (and its goroutine and buffers) for long.
const (
	// ReadHeaderTimeout bounds the request line and headers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds the whole request, body included. Bodies are at most 1 MiB of JSON
	// (evidence bytes go straight to object storage, never through the API): even a slow
	// mobile link sends that in a few seconds.
	ReadTimeout = 30 * time.Second
	// WriteTimeout bounds the answer from the end of the headers read. The longest answers wait
	// for a journey (30 s for an update) or the stuck list (20 s); the streaming audit export
	// pushes its own deadline forward while it writes (see streamAuditCSV).
	WriteTimeout = 2 * time.Minute
	// IdleTimeout closes a kept-alive connection that sends no new request.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds the request headers (a bearer token is short).
	MaxHeaderBytes = 64 << 10
)

// NewHTTPServer returns a server for h on addr ("" when it is given a listener) with the
// product's timeouts and header limit.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}
