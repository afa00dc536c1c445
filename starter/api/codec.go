package api

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"awardengine/payloadcrypt"
	"awardengine/services/payloads"
	"awardengine/storage/postgres"
)

// codecPath is Temporal's remote codec endpoint (the Web UI and `temporal --codec-endpoint`
// append /decode). Only decoding is served: nobody writes payloads through the API.
const codecPath = "/v1/codec"

// maxCodecBody bounds a decode request (the Web UI sends one event's payloads at a time).
const maxCodecBody = 8 << 20

// withCodec serves the codec endpoint in front of the other routes. It comes before the
// cross-origin protection because the Temporal Web UI calls it from its own origin with the
// admin's session cookie (its codec setting includeCredentials); it does its own origin check
// instead: only the Web UI's origin (TemporalUI) gets CORS headers, any other origin is
// refused. Without an Origin (a command-line client with `--codec-auth 'Bearer <token>'`) it is
// an ordinary API call.
func (s *Server) withCodec(next http.Handler) http.Handler {
	h := s.codecHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == codecPath || strings.HasPrefix(r.URL.Path, codecPath+"/") {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) codecHandler() http.Handler {
	uiOrigin := originOf(s.TemporalUI)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			if uiOrigin == "" || origin != uiOrigin {
				writeProblem(w, problem{Status: http.StatusForbidden, Type: "cross-origin", Title: "Cross-origin request refused",
					Detail: "the codec endpoint answers the Temporal Web UI's origin only"})
				return
			}
			// CORS as Temporal's codec server documentation describes, with credentials: the
			// browser sends the admin's session cookie and lets the UI read the answer.
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "POST")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if r.URL.Path != codecPath+"/decode" || r.Method != http.MethodPost {
			writeProblem(w, problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found",
				Detail: "the codec endpoint serves POST " + codecPath + "/decode only"})
			return
		}
		if s.PayloadKeys == nil {
			writeProblem(w, problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found",
				Detail: "payload encryption is not configured on this server"})
			return
		}
		s.authenticatePerson(s.decodePayloads).ServeHTTP(w, r)
	})
}

// decodePayloads answers a decode request of the remote codec protocol for a signed-in admin,
// for payloads of their own tenant (services/payloads).
func (s *Server) decodePayloads(w http.ResponseWriter, r *http.Request, me postgres.Person) {
	if ns := r.Header.Get("X-Namespace"); ns != "" && s.Namespace != "" && ns != s.Namespace {
		writeProblem(w, problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found", Detail: "no such namespace here"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCodecBody))
	if err != nil {
		writeProblem(w, problem{Status: http.StatusRequestEntityTooLarge, Type: "too-large", Title: "Request too large",
			Detail: "a decode request is at most 8 MB"})
		return
	}
	var req commonpb.Payloads
	if err := protojson.Unmarshal(body, &req); err != nil {
		writeProblem(w, problem{Status: http.StatusBadRequest, Type: "invalid", Title: "Invalid input",
			Detail: "want the remote codec protocol's JSON: {\"payloads\": [...]}"})
		return
	}
	access := payloads.Access{Keys: postgres.PayloadKeys{DB: s.DB}}
	if err := access.CheckDecode(r.Context(), me, req.GetPayloads()); err != nil {
		fail(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// A payload whose application was erased answers 400 with payloadcrypt.ErrKeyShredded's
	// text: its key is gone, which is what the erasure is for.
	converter.NewPayloadCodecHTTPHandler(payloadcrypt.NewCodec(s.PayloadKeys, payloadcrypt.Scope{})).ServeHTTP(w, r)
}

// originOf is the scheme://host[:port] of a URL, "" when it has none.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
