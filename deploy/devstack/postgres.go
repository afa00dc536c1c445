package devstack

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PostgresUser is the superuser created in every cluster. Authentication is
// "trust" on 127.0.0.1 only, so DSNs carry no password.
const PostgresUser = "award"

const installPostgresHint = "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in PATH or /usr/lib/postgresql/*/bin: run `sudo apt-get install -y postgresql`"

// FindPostgresBinaries returns the directory holding initdb, pg_ctl and
// postgres: the directory of pg_ctl in PATH, else the newest
// /usr/lib/postgresql/*/bin (Debian/Ubuntu), /usr/pgsql-*/bin (RHEL) or a
// Homebrew prefix.
func FindPostgresBinaries() (binDir string, err error) {
	var candidates []string
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		candidates = append(candidates, filepath.Dir(p))
		if r, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(r))
		}
	}
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql*/bin", "/usr/local/opt/postgresql*/bin"} {
		matches, _ := filepath.Glob(pattern)
		sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
		candidates = append(candidates, matches...)
	}
	candidates = append(candidates, "/usr/local/bin", "/usr/bin", "/opt/homebrew/bin")
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", errors.New(installPostgresHint)
}

var digitsRE = regexp.MustCompile(`\d+`)

// versionOf extracts the first number in a path such as /usr/lib/postgresql/15/bin.
func versionOf(path string) int {
	n, _ := strconv.Atoi(digitsRE.FindString(path))
	return n
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// PostgresOptions configures StartPostgres.
type PostgresOptions struct {
	// Dir is the data directory: initialised with initdb when missing or
	// empty, reused when it already holds a cluster. "" = a temporary
	// directory removed by Stop.
	Dir string
	// Port on 127.0.0.1; 0 picks a free one.
	Port int
	// Logf receives the server's log lines; nil discards them.
	Logf func(format string, args ...any)
}

// Postgres is a running private PostgreSQL cluster, listening on 127.0.0.1
// only (no unix socket). The server process dies with the parent process.
type Postgres struct {
	binDir  string
	dir     string
	tempDir bool
	port    int
	cred    *syscall.Credential
	logf    func(string, ...any)
	tail    *logTail
	cmd     *exec.Cmd
	done    chan struct{} // closed when the server process has exited
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// runAsUser returns the credential to run PostgreSQL programs with: nil when
// not root; otherwise the "postgres" user if it exists, else "nobody"
// (initdb and postgres refuse to run as root).
func runAsUser() (*syscall.Credential, string, error) {
	if os.Geteuid() != 0 {
		return nil, "", nil
	}
	var lastErr error
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			lastErr = err
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			lastErr = fmt.Errorf("user %s has non-numeric uid/gid", name)
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, name, nil
	}
	return nil, "", fmt.Errorf("running as root and neither a `postgres` nor a `nobody` user exists (%v): run `sudo useradd --system postgres`", lastErr)
}

// StartPostgres starts a private cluster and waits until it accepts
// connections. ctx bounds the start-up only (default limit 60s); the server
// keeps running until Stop or until this process dies.
func StartPostgres(ctx context.Context, o PostgresOptions) (*Postgres, error) {
	binDir, err := FindPostgresBinaries()
	if err != nil {
		return nil, err
	}
	cred, userName, err := runAsUser()
	if err != nil {
		return nil, err
	}
	p := &Postgres{binDir: binDir, cred: cred, logf: logfOrDiscard(o.Logf), done: make(chan struct{})}

	if o.Dir == "" {
		d, err := os.MkdirTemp("", "devstack-postgres-")
		if err != nil {
			return nil, fmt.Errorf("postgres: create temp data dir: %w", err)
		}
		p.dir, p.tempDir = d, true
	} else {
		d, err := filepath.Abs(o.Dir)
		if err != nil {
			return nil, fmt.Errorf("postgres: data dir %q: %w", o.Dir, err)
		}
		p.dir = d
	}
	started := false
	defer func() {
		if !started && p.tempDir {
			os.RemoveAll(p.dir)
		}
	}()

	if p.port, err = pickPort("PostgreSQL", "127.0.0.1", o.Port); err != nil {
		return nil, err
	}
	if err := p.prepareDir(userName); err != nil {
		return nil, err
	}
	if err := p.initdbIfNeeded(ctx); err != nil {
		return nil, err
	}
	if err := p.clearStalePID(); err != nil {
		return nil, err
	}
	if err := p.start(); err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx); err != nil {
		p.kill()
		return nil, err
	}
	started = true
	p.logf("postgres: ready on 127.0.0.1:%d (data dir %s)", p.port, p.dir)
	return p, nil
}

// DSN returns a connection string for database on this cluster.
func (p *Postgres) DSN(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", PostgresUser, p.port, url.PathEscape(database))
}

// Port is the TCP port the server listens on (127.0.0.1).
func (p *Postgres) Port() int { return p.port }

// DataDir is the cluster's data directory.
func (p *Postgres) DataDir() string { return p.dir }

// CreateDatabase creates database name; it is not an error if it exists.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, p.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "select exists(select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created concurrently
		return nil
	}
	if err != nil {
		return fmt.Errorf("postgres: create database %q: %w", name, err)
	}
	return nil
}

// Stop shuts the server down (pg_ctl stop -m fast) and waits for it to exit.
// It is safe to call more than once.
func (p *Postgres) Stop() error {
	p.stopOnce.Do(func() {
		select {
		case <-p.done:
		default:
			cmd := p.command(filepath.Join(p.binDir, "pg_ctl"), "stop", "-D", p.dir, "-m", "fast", "-w", "-t", "60")
			out, err := cmd.CombinedOutput()
			if err != nil {
				select {
				case <-p.done: // it was already going away
				default:
					p.logf("postgres: pg_ctl stop: %v: %s", err, strings.TrimSpace(string(out)))
					_ = p.cmd.Process.Signal(syscall.SIGINT)
				}
			}
			select {
			case <-p.done:
			case <-time.After(30 * time.Second):
				p.stopErr = fmt.Errorf("postgres did not stop within 30s: killed it")
				p.kill()
			}
		}
		p.tail.wg.Wait()
		if p.tempDir {
			if err := os.RemoveAll(p.dir); err != nil && p.stopErr == nil {
				p.stopErr = err
			}
		}
	})
	return p.stopErr
}

// kill SIGKILLs the server's process group and waits for it.
func (p *Postgres) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// command builds an exec.Cmd for a PostgreSQL program, run as the
// unprivileged user when this process is root.
func (p *Postgres) command(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	return cmd
}

// prepareDir creates the data directory with mode 0700, hands it to the
// unprivileged user and makes its parents traversable by that user.
func (p *Postgres) prepareDir(userName string) error {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return fmt.Errorf("postgres: create data dir: %w", err)
	}
	if err := os.Chmod(p.dir, 0o700); err != nil {
		return fmt.Errorf("postgres: chmod data dir: %w", err)
	}
	if p.cred == nil {
		return nil
	}
	uid, gid := int(p.cred.Uid), int(p.cred.Gid)
	st, err := os.Stat(p.dir)
	if err != nil {
		return err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || int(sys.Uid) != uid || int(sys.Gid) != gid {
		err := filepath.WalkDir(p.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(path, uid, gid)
		})
		if err != nil {
			return fmt.Errorf("postgres: chown data dir to %s: %w", userName, err)
		}
	}
	// Every ancestor must be searchable (x) by the user.
	for dir := filepath.Dir(p.dir); ; dir = filepath.Dir(dir) {
		st, err := os.Stat(dir)
		if err != nil {
			return err
		}
		sys := st.Sys().(*syscall.Stat_t)
		mode := st.Mode().Perm()
		var ok bool
		switch {
		case int(sys.Uid) == uid:
			ok = mode&0o100 != 0
		case int(sys.Gid) == gid:
			ok = mode&0o010 != 0
		default:
			ok = mode&0o001 != 0
		}
		if !ok {
			p.logf("postgres: chmod o+x %s so that user %s can reach the data dir", dir, userName)
			if err := os.Chmod(dir, mode|0o001); err != nil {
				return fmt.Errorf("postgres: make %s traversable for user %s: %w", dir, userName, err)
			}
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

// serverMajor returns the major version of the postgres binary, e.g. "15".
func (p *Postgres) serverMajor() (string, error) {
	out, err := exec.Command(filepath.Join(p.binDir, "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("postgres --version: %w", err)
	}
	m := regexp.MustCompile(`(\d+)(\.\d+)?`).FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("postgres --version: unexpected output %q", strings.TrimSpace(string(out)))
	}
	if major, _ := strconv.Atoi(m[1]); major < 10 {
		return m[1] + m[2], nil // 9.6 style
	}
	return m[1], nil
}

func (p *Postgres) initdbIfNeeded(ctx context.Context) error {
	major, err := p.serverMajor()
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(filepath.Join(p.dir, "PG_VERSION")); err == nil {
		if have := strings.TrimSpace(string(b)); have != major {
			return fmt.Errorf("postgres: data dir %s was created by PostgreSQL %s but the binaries in %s are version %s: remove the dir to start afresh or install PostgreSQL %s", p.dir, have, p.binDir, major, have)
		}
		return nil
	}
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		return fmt.Errorf("postgres: read data dir: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("postgres: data dir %s is not empty and holds no cluster (no PG_VERSION): empty or remove it, or choose another dir", p.dir)
	}
	p.logf("postgres: initdb %s", p.dir)
	cmd := p.command(filepath.Join(p.binDir, "initdb"),
		"-D", p.dir, "-U", PostgresUser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
	out, err := cmd.CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("postgres: initdb %s failed (%v): %s", p.dir, err, strings.TrimSpace(lines[len(lines)-1]))
	}
	// Only loopback TCP connections are allowed: replace the generated
	// pg_hba.conf with trust for 127.0.0.1 and ::1.
	hba := "# Written by awardengine/deploy/devstack: trust on loopback only.\n" +
		"host all all 127.0.0.1/32 trust\n" +
		"host all all ::1/128 trust\n" +
		"host replication all 127.0.0.1/32 trust\n"
	if err := os.WriteFile(filepath.Join(p.dir, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		return fmt.Errorf("postgres: write pg_hba.conf: %w", err)
	}
	if p.cred != nil {
		_ = os.Lchown(filepath.Join(p.dir, "pg_hba.conf"), int(p.cred.Uid), int(p.cred.Gid))
	}
	return ctx.Err()
}

// clearStalePID removes a postmaster.pid left by a killed server; a file
// whose process is a live postgres is reported instead.
func (p *Postgres) clearStalePID() error {
	path := filepath.Join(p.dir, "postmaster.pid")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("postgres: read %s: %w", path, err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err == nil && pid > 0 && pid != os.Getpid() {
		if kerr := syscall.Kill(pid, 0); kerr == nil || errors.Is(kerr, syscall.EPERM) {
			comm, cerr := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			switch {
			case cerr != nil:
				return nil // cannot tell (no /proc): let postgres decide
			case strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres"):
				return fmt.Errorf("postgres: data dir %s is in use by a running server (PID %d): stop it with `%s stop -D %s -m fast` or use another dir", p.dir, pid, filepath.Join(p.binDir, "pg_ctl"), p.dir)
			}
			// The PID was reused by an unrelated process: the file is stale.
		}
	}
	p.logf("postgres: removing stale %s (PID %d is gone)", path, pid)
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("postgres: remove stale %s: %w", path, err)
	}
	return nil
}

// start runs postgres in the foreground as a child in its own process
// group; it receives SIGINT (fast shutdown) if this process dies.
func (p *Postgres) start() error {
	p.tail = newLogTail("postgres: ", p.logf)
	cmd := p.command(filepath.Join(p.binDir, "postgres"),
		"-D", p.dir,
		"-p", strconv.Itoa(p.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "logging_collector=off",
		"-c", "max_connections=200",
	)
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgres: start %s: %w", cmd.Path, err)
	}
	p.cmd = cmd
	p.tail.consume(stderr)
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return nil
}

func (p *Postgres) waitReady(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
	}
	for {
		select {
		case <-p.done:
			p.tail.wg.Wait()
			last := p.tail.last("FATAL", "could not", "error")
			if strings.Contains(last, "Address already in use") {
				return fmt.Errorf("PostgreSQL port %d on 127.0.0.1 is already in use: stop the process listening there or configure another port (0 picks a free one)", p.port)
			}
			return fmt.Errorf("postgres exited during start-up (%v): %s", p.waitErr, last)
		default:
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, p.DSN("postgres"))
		if err == nil {
			err = conn.Ping(cctx)
			conn.Close(cctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres on 127.0.0.1:%d not ready: %v (last log: %s)", p.port, ctx.Err(), p.tail.last("FATAL", "error"))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
