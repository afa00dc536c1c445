// Package integration drives the product through its HTTP API on the real embedded stack:
// an in-process Temporal server, a private PostgreSQL cluster, a real MinIO process and the
// local SendGrid-compatible endpoint. It is the one test package that links the Temporal
// server, so it is built once.
package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"awardengine/deploy/stack"
	"awardengine/devmail"
	"awardengine/structs"
)

var shared *stack.Stack

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "award-it-")
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	shared, err = stack.Start(ctx, stack.Options{DataDir: dir})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the stack:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.Stop()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// client talks to the API as one person.
type client struct {
	t     testing.TB
	base  string
	token string
}

func as(t testing.TB, s *stack.Stack, token string) *client {
	return &client{t: t, base: s.APIURL, token: token}
}

type response struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// problem decodes an application/problem+json answer.
func (r response) problem(t testing.TB) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("want a problem document, got %q: %s", ct, r.Body)
	}
	var p map[string]any
	r.json(t, &p)
	return p
}

func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = bytes.NewBufferString(b)
	default:
		raw, _ := json.Marshal(b)
		rdr = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.base+path, rdr)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: raw, Header: resp.Header}
}

func (c *client) must(status int, method, path string, body any) response {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.Status != status {
		c.t.Fatalf("%s %s: want %d, got %d: %s", method, path, status, r.Status, r.Body)
	}
	return r
}

// application and upload are the API's answers (package structs).
type (
	application = structs.Application
	upload      = structs.EvidenceCreated
)

// declare asks for an upload link for content.
func (c *client) declare(appID, filename, contentType string, content []byte, standards ...string) upload {
	c.t.Helper()
	sum := sha256.Sum256(content)
	var u upload
	c.must(201, "POST", "/v1/applications/"+appID+"/evidence", map[string]any{
		"filename": filename, "size": len(content), "content_type": contentType,
		"sha256": hex.EncodeToString(sum[:]), "standards": standards,
	}).json(c.t, &u)
	return u
}

// put sends bytes straight to object storage through the presigned link.
func put(t testing.TB, u upload, content []byte) {
	t.Helper()
	if status, body := tryPut(t, u, content); status != 200 {
		t.Fatalf("PUT to storage: %d %s", status, body)
	}
}

// tryPut sends content to the presigned link with the headers the API returned (they are
// signed; Content-Length goes from the request's length, as every HTTP client sends it) and
// returns storage's answer (status 0 if storage closed the connection before answering).
func tryPut(t testing.TB, u upload, content []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(u.Upload.Method, u.Upload.URL, bytes.NewReader(content))
	for k, v := range u.Upload.Headers {
		if http.CanonicalHeaderKey(k) != "Content-Length" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// uploadEvidence declares, uploads and confirms one file.
func (c *client) uploadEvidence(appID, filename string, content []byte, standards ...string) string {
	c.t.Helper()
	u := c.declare(appID, filename, "application/pdf", content, standards...)
	put(c.t, u, content)
	c.must(200, "POST", "/v1/applications/"+appID+"/evidence/"+u.Evidence.ID+"/confirm", nil)
	return u.Evidence.ID
}

// mailTo returns the messages received for an address.
func mailTo(s *stack.Stack, addr string) []devmail.Message {
	var out []devmail.Message
	for _, m := range s.Mail.Messages() {
		for _, to := range m.To {
			if to.Email == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

// eventually polls until cond holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func pdf(name string) []byte {
	return []byte("%PDF-1.4\n% evidence " + name + "\n" + string(bytes.Repeat([]byte(name), 50)) + "\n%%EOF\n")
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
