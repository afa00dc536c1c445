// Package devstack runs the embedded default stack used by `make run` and by
// the integration tests: a private PostgreSQL cluster, a MinIO server and an
// in-process Temporal server (SQLite persistence) with its Web UI. Every part
// is a real server; child processes die with the parent.
package devstack

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// logfOrDiscard returns f, or a no-op when f is nil.
func logfOrDiscard(f func(string, ...any)) func(string, ...any) {
	if f == nil {
		return func(string, ...any) {}
	}
	return f
}

// freePort asks the kernel for a free TCP port on ip.
func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("pick a free port on %s: %w", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// checkPortFree returns a one-line error naming the port when something
// already listens on ip:port.
func checkPortFree(what, ip string, port int) error {
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%s port %d on %s is already in use: stop the process listening there (see `ss -ltnp 'sport = :%d'`) or configure another port (0 picks a free one)", what, port, ip, port)
		}
		return fmt.Errorf("%s cannot listen on %s: %v", what, addr, err)
	}
	l.Close()
	return nil
}

// pickPort returns port when it is free, or a free port when port is 0.
func pickPort(what, ip string, port int) (int, error) {
	if port == 0 {
		return freePort(ip)
	}
	if err := checkPortFree(what, ip, port); err != nil {
		return 0, err
	}
	return port, nil
}

// logTail copies a child's output line by line to logf (with a prefix) and
// remembers the last lines for error messages.
type logTail struct {
	mu     sync.Mutex
	lines  []string
	max    int
	prefix string
	logf   func(string, ...any)
	wg     sync.WaitGroup
}

func newLogTail(prefix string, logf func(string, ...any)) *logTail {
	return &logTail{max: 30, prefix: prefix, logf: logfOrDiscard(logf)}
}

// consume reads r until EOF in a goroutine.
func (t *logTail) consume(r io.Reader) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			t.mu.Lock()
			t.lines = append(t.lines, line)
			if len(t.lines) > t.max {
				t.lines = t.lines[len(t.lines)-t.max:]
			}
			t.mu.Unlock()
			t.logf("%s%s", t.prefix, line)
		}
		_, _ = io.Copy(io.Discard, r)
	}()
}

// last returns the last line containing one of the needles (case-insensitive),
// or the last non-empty line when none matches.
func (t *logTail) last(needles ...string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.lines) - 1; i >= 0; i-- {
		l := strings.ToLower(t.lines[i])
		for _, n := range needles {
			if strings.Contains(l, strings.ToLower(n)) {
				return strings.TrimSpace(t.lines[i])
			}
		}
	}
	for i := len(t.lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(t.lines[i]); s != "" {
			return s
		}
	}
	return ""
}
