package api

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"awardengine/services/applications"
)

func TestNewHTTPServerSetsEveryLimit(t *testing.T) {
	s := NewHTTPServer(":8080", http.NotFoundHandler())
	if s.Addr != ":8080" || s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Fatalf("a limit is missing: %+v", s)
	}
	if s.ReadTimeout > time.Minute || s.WriteTimeout < applications.UpdateTimeout+10*time.Second {
		t.Fatalf("read %s (bodies are ≤1 MiB) or write %s (an update waits %s) out of proportion", s.ReadTimeout, s.WriteTimeout, applications.UpdateTimeout)
	}
}

// TestSlowBodyIsCutOff sends a body one byte at a time, slowly: the server built by
// NewHTTPServer (with its read timeout shortened for the test) stops reading at the timeout,
// answers 408 and closes the connection, instead of holding it for as long as the client likes.
func TestSlowBodyIsCutOff(t *testing.T) {
	reached := make(chan struct{}, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached <- struct{}{}
		var v map[string]any
		if err := decode(r, &v); err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	srv := NewHTTPServer("", h)
	srv.ReadTimeout = 1 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"note":"` + strings.Repeat("x", 40) + `"}`
	fmt.Fprintf(conn, "POST /v1/x HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	start := time.Now()
	go func() {
		for i := 0; i < len(body); i++ {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return // cut off: what we want
			}
			time.Sleep(300 * time.Millisecond)
		}
	}()
	<-reached
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	took := time.Since(start)
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("want 408, got %d", resp.StatusCode)
	}
	if took > 3*time.Second {
		t.Fatalf("the slow body held the connection for %s", took)
	}
	// The server closes the connection: a read now ends.
	buf := make([]byte, 1)
	if _, err := conn.Read(buf); err == nil {
		t.Fatal("the connection is still open")
	}
}
