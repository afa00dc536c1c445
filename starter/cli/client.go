package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	apiTimeout      = 2 * time.Minute
	maxResponseSize = 32 << 20
	userAgent       = "starter-cli/1"
)

// call sends one JSON request to the API and decodes a 2xx JSON answer into
// out (when not nil). It returns the raw response body for --json.
func (a *app) call(ctx context.Context, method, path string, in, out any) ([]byte, error) {
	var body []byte
	contentType := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body, contentType = b, "application/json"
	}
	raw, err := a.send(ctx, method, path, contentType, body)
	if err != nil {
		return nil, err
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, unavailable("unexpected answer to %s %s: %v", method, path, err)
		}
	}
	return raw, nil
}

// send sends one request with a body of contentType ("" for none) and returns a 2xx answer's
// body; any other answer is the API's problem, as an error.
func (a *app) send(ctx context.Context, method, path, contentType string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.api+path, reader)
	if err != nil {
		return nil, usageErr("", "invalid request URL %s: %v", a.api+path, err)
	}
	if a.token != "" { // asking for a sign-in link (login) needs none
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", userAgent)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, unreachable(a.api, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize))
	if err != nil {
		return nil, unavailable("reading the answer to %s %s: %v", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, apiFailure(resp, raw)
	}
	return raw, nil
}

// unreachable explains a transport error without repeating the request line.
func unreachable(base string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.Canceled) {
		return unavailable("interrupted")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return unavailable("the API at %s did not answer in time", base)
	}
	return unavailable("cannot reach the API at %s: %v", base, err)
}

// apiFailure builds the error for a non-2xx answer, from its problem
// document when there is one and from the status line otherwise.
func apiFailure(resp *http.Response, raw []byte) error {
	var p problem
	isJSON := false
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil &&
		(mt == "application/problem+json" || mt == "application/json") {
		isJSON = json.Unmarshal(raw, &p) == nil
	}
	if !isJSON {
		p = problem{Detail: firstLine(string(raw))}
		raw = nil
	}
	return problemError(resp.StatusCode, p, raw)
}

// firstLine returns the first non-empty line of s, shortened for a message.
func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 200 {
				line = line[:200] + "…"
			}
			return line
		}
	}
	return ""
}

// appPath builds an escaped path under /v1/applications.
func appPath(id string, parts ...string) string {
	p := "/v1/applications/" + url.PathEscape(id)
	for _, part := range parts {
		p += "/" + url.PathEscape(part)
	}
	return p
}
