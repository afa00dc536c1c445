package devstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Default MinIO credentials when MinIOOptions leaves them empty.
const (
	DefaultMinIOAccessKey = "minioadmin"
	DefaultMinIOSecretKey = "minioadmin"
)

const buildMinIOHint = "run `make bin/minio`"

// FindMinIOBinary locates the MinIO server binary built by the Makefile:
// bin/minio in the working directory or in the nearest ancestor holding
// go.mod, else minio in PATH.
func FindMinIOBinary() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if p := filepath.Join(dir, "bin", "minio"); isExecutable(p) {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil || dir == filepath.Dir(dir) {
			break
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("MinIO server binary not found (no bin/minio here or up to the module root, no minio in PATH): %s", buildMinIOHint)
}

// MinIOOptions configures StartMinIO.
type MinIOOptions struct {
	Binary      string // "" = FindMinIOBinary
	Dir         string // data dir, created if missing; "" = a temporary dir removed by Stop
	Port        int    // S3 API port on 127.0.0.1; 0 = free
	ConsolePort int    // console port on 127.0.0.1; 0 = free
	AccessKey   string // "" = DefaultMinIOAccessKey
	SecretKey   string // "" = DefaultMinIOSecretKey; at least 8 characters
	Logf        func(string, ...any)
}

// MinIO is a running MinIO server child process (its own process group; it
// gets SIGTERM if this process dies).
type MinIO struct {
	port, consolePort int
	accessKey         string
	secretKey         string
	dir               string
	tempDirs          []string
	logf              func(string, ...any)
	tail              *logTail
	cmd               *exec.Cmd
	done              chan struct{}
	waitErr           error

	stopOnce sync.Once
	stopErr  error
}

// StartMinIO starts MinIO and waits until /minio/health/live answers 200
// and the console port accepts connections.
// ctx bounds the start-up only (default limit 60s).
func StartMinIO(ctx context.Context, o MinIOOptions) (*MinIO, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = FindMinIOBinary(); err != nil {
			return nil, err
		}
	} else if !isExecutable(bin) {
		return nil, fmt.Errorf("MinIO server binary %s not found or not executable: %s", bin, buildMinIOHint)
	}
	m := &MinIO{
		accessKey: o.AccessKey,
		secretKey: o.SecretKey,
		logf:      logfOrDiscard(o.Logf),
		done:      make(chan struct{}),
	}
	if m.accessKey == "" {
		m.accessKey = DefaultMinIOAccessKey
	}
	if m.secretKey == "" {
		m.secretKey = DefaultMinIOSecretKey
	}
	if len(m.accessKey) < 3 || len(m.secretKey) < 8 {
		return nil, errors.New("MinIO credentials too short: the access key needs at least 3 and the secret key at least 8 characters")
	}
	started := false
	defer func() {
		if !started {
			m.removeTempDirs()
		}
	}()

	var err error
	if m.port, err = pickPort("MinIO", "127.0.0.1", o.Port); err != nil {
		return nil, err
	}
	if m.consolePort, err = pickPort("MinIO console", "127.0.0.1", o.ConsolePort); err != nil {
		return nil, err
	}
	if m.port == m.consolePort {
		return nil, fmt.Errorf("MinIO API and console ports are both %d: use two different ports", m.port)
	}

	// A private (empty) certs dir keeps MinIO on plain HTTP and out of ~/.minio.
	var certs string
	if o.Dir == "" {
		root, err := os.MkdirTemp("", "devstack-minio-")
		if err != nil {
			return nil, fmt.Errorf("minio: create temp data dir: %w", err)
		}
		m.tempDirs = append(m.tempDirs, root)
		m.dir, certs = filepath.Join(root, "data"), filepath.Join(root, "certs")
	} else {
		if m.dir, err = filepath.Abs(o.Dir); err != nil {
			return nil, err
		}
		// One certs dir per data dir, removed by Stop; one left by a killed
		// run is reused by the next start on the same data dir.
		certs = minioCertsDir(m.dir)
		m.tempDirs = append(m.tempDirs, certs)
	}
	for _, d := range []string{m.dir, certs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("minio: create %s: %w", d, err)
		}
	}

	cmd := exec.Command(bin, "server", m.dir,
		"--address", "127.0.0.1:"+strconv.Itoa(m.port),
		"--console-address", "127.0.0.1:"+strconv.Itoa(m.consolePort),
		"--certs-dir", certs,
		"--quiet",
	)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+m.accessKey,
		"MINIO_ROOT_PASSWORD="+m.secretKey,
		"MINIO_UPDATE=off",
		"MINIO_CI_CD=1",
		"MINIO_BROWSER=on",
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	m.tail = newLogTail("minio: ", m.logf)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("minio: start %s: %w", bin, err)
	}
	m.cmd = cmd
	m.tail.consume(out)
	go func() {
		m.waitErr = cmd.Wait()
		close(m.done)
	}()

	if err := m.waitHealthy(ctx); err != nil {
		m.kill()
		m.tail.wg.Wait()
		return nil, err
	}
	started = true
	m.logf("minio: ready at http://%s (console %s, data dir %s)", m.Endpoint(), m.ConsoleURL(), m.dir)
	return m, nil
}

func (m *MinIO) waitHealthy(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
	}
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + m.Endpoint() + "/minio/health/live"
	for {
		select {
		case <-m.done:
			m.tail.wg.Wait()
			last := m.tail.last("address already in use", "error", "fatal", "unable")
			if strings.Contains(strings.ToLower(last), "address already in use") {
				return fmt.Errorf("MinIO port %d or %d on 127.0.0.1 is already in use: stop the process listening there or configure other ports (0 picks a free one)", m.port, m.consolePort)
			}
			return fmt.Errorf("minio exited during start-up (%v): %s", m.waitErr, last)
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			// The console comes up just after the API: wait for it too.
			if resp.StatusCode == http.StatusOK {
				if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(m.consolePort)), time.Second); err == nil {
					c.Close()
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("minio at %s not healthy: %v (last log: %s)", m.Endpoint(), ctx.Err(), m.tail.last("error"))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Endpoint is the S3 API address, "127.0.0.1:PORT".
func (m *MinIO) Endpoint() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(m.port)) }

// ConsoleURL is the MinIO console's URL.
func (m *MinIO) ConsoleURL() string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(m.consolePort))
}

// AccessKey and SecretKey are the root credentials the server runs with.
func (m *MinIO) AccessKey() string { return m.accessKey }

// SecretKey is the root secret key the server runs with.
func (m *MinIO) SecretKey() string { return m.secretKey }

// DataDir is the server's data directory.
func (m *MinIO) DataDir() string { return m.dir }

// Stop sends SIGTERM, waits up to 10s, then kills. Safe to call more than once.
func (m *MinIO) Stop() error {
	m.stopOnce.Do(func() {
		select {
		case <-m.done:
		default:
			_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-m.done:
			case <-time.After(10 * time.Second):
				m.logf("minio: did not exit 10s after SIGTERM: killing it")
				m.kill()
			}
		}
		m.tail.wg.Wait()
		m.removeTempDirs()
	})
	return m.stopErr
}

func (m *MinIO) kill() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	<-m.done
}

func (m *MinIO) removeTempDirs() {
	for _, d := range m.tempDirs {
		if err := os.RemoveAll(d); err != nil && m.stopErr == nil {
			m.stopErr = err
		}
	}
	m.tempDirs = nil
}

// minioCertsDir is the private certs dir used for data dir dataDir.
func minioCertsDir(dataDir string) string {
	sum := sha256.Sum256([]byte(dataDir))
	return filepath.Join(os.TempDir(), "devstack-minio-certs-"+hex.EncodeToString(sum[:6]))
}
