package devstack

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func selectOne(t *testing.T, ctx context.Context, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("select 1 on %s: %v (got %d)", dsn, err, one)
	}
}

func TestPostgres(t *testing.T) {
	if _, err := FindPostgresBinaries(); err != nil {
		t.Skip(err)
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "pgdata")

	p, err := StartPostgres(ctx, PostgresOptions{Dir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.DSN("awards"), "postgres://award@127.0.0.1:"+strconv.Itoa(p.Port())+"/awards?sslmode=disable") {
		t.Errorf("DSN = %s", p.DSN("awards"))
	}
	selectOne(t, ctx, p.DSN("postgres"))
	for i := 0; i < 2; i++ { // the second call finds it existing
		if err := p.CreateDatabase(ctx, "awards"); err != nil {
			t.Fatalf("CreateDatabase #%d: %v", i+1, err)
		}
	}
	selectOne(t, ctx, p.DSN("awards"))
	conn, err := pgx.Connect(ctx, p.DSN("awards"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "create table kept (v text); insert into kept values ('still here')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	// A second cluster cannot take a port that is in use.
	if _, err := StartPostgres(ctx, PostgresOptions{Port: p.Port()}); err == nil || !strings.Contains(err.Error(), strconv.Itoa(p.Port())) || strings.Contains(err.Error(), "\n") {
		t.Errorf("start on busy port %d: err = %v, want a one-line error naming the port", p.Port(), err)
	}
	// Nor a data dir in use.
	if _, err := StartPostgres(ctx, PostgresOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("start on a data dir in use: err = %v", err)
	}

	if err := p.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Restart on the same dir: data survives.
	p2, err := StartPostgres(ctx, PostgresOptions{Dir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	conn, err = pgx.Connect(ctx, p2.DSN("awards"))
	if err != nil {
		t.Fatal(err)
	}
	var v string
	if err := conn.QueryRow(ctx, "select v from kept").Scan(&v); err != nil || v != "still here" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
	conn.Close(ctx)

	// Simulate a killed run: SIGKILL the whole server, leaving a stale postmaster.pid.
	pid := p2.cmd.Process.Pid
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p2.done
	p2.tail.wg.Wait()
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid after SIGKILL: %v", err)
	}
	p3, err := StartPostgres(ctx, PostgresOptions{Dir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatalf("start after a killed run: %v", err)
	}
	defer p3.Stop()
	selectOne(t, ctx, p3.DSN("awards"))
	if err := p3.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func TestPostgresTempDir(t *testing.T) {
	if _, err := FindPostgresBinaries(); err != nil {
		t.Skip(err)
	}
	t.Parallel()
	ctx := context.Background()
	p, err := StartPostgres(ctx, PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	selectOne(t, ctx, p.DSN("postgres"))
	dir := p.DataDir()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary data dir %s not removed: %v", dir, err)
	}
}

func TestMinIO(t *testing.T) {
	bin, err := FindMinIOBinary()
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := StartMinIO(ctx, MinIOOptions{Binary: bin, Dir: filepath.Join(t.TempDir(), "minio"), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	if host, _, err := net.SplitHostPort(m.Endpoint()); err != nil || host != "127.0.0.1" {
		t.Errorf("Endpoint = %q", m.Endpoint())
	}
	for _, url := range []string{"http://" + m.Endpoint() + "/minio/health/live", m.ConsoleURL()} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", url, resp.StatusCode)
		}
	}
	pid := m.cmd.Process.Pid
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("minio (PID %d) still running after Stop", pid)
	}
	if err := eventuallyFree("MinIO", "127.0.0.1", mustPort(t, m.Endpoint())); err != nil {
		t.Errorf("port not released: %v", err)
	}

	if _, err := StartMinIO(ctx, MinIOOptions{Binary: filepath.Join(t.TempDir(), "nope")}); err == nil || !strings.Contains(err.Error(), "make bin/minio") {
		t.Errorf("missing binary: err = %v", err)
	}
}

func mustPort(t *testing.T, hostport string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func trivialWorkflow(ctx workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

func TestTemporal(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dbFile := filepath.Join(t.TempDir(), "temporal.db")
	const ns = "awards"
	uiPort, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}

	tmp, err := StartTemporal(TemporalOptions{
		DatabaseFile:     dbFile,
		UIPort:           uiPort,
		Namespace:        ns,
		Retention:        365 * 24 * time.Hour,
		SearchAttributes: map[string]enums.IndexedValueType{"AwardStatus": enums.INDEXED_VALUE_TYPE_KEYWORD},
		Logf:             t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Stop()

	resp, err := http.Get(tmp.UIURL())
	if err != nil {
		t.Fatalf("UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("UI %s: status %d", tmp.UIURL(), resp.StatusCode)
	}

	c, err := client.DialContext(ctx, client.Options{HostPort: tmp.HostPort(), Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	w := worker.New(c, "devstack-test", worker.Options{})
	w.RegisterWorkflow(trivialWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	statusKey := temporal.NewSearchAttributeKeyKeyword("AwardStatus")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    "devstack-restart-test",
		TaskQueue:             "devstack-test",
		TypedSearchAttributes: temporal.NewSearchAttributes(statusKey.ValueSet("open")),
	}, trivialWorkflow, "award")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "hello award" {
		t.Fatalf("workflow result %q, %v", out, err)
	}
	w.Stop()
	c.Close()
	oldPort := mustPort(t, tmp.HostPort())
	tmp.Stop()
	if err := eventuallyFree("Temporal", "127.0.0.1", oldPort); err != nil {
		t.Fatalf("frontend port not released: %v", err)
	}
	if err := eventuallyFree("Temporal UI", "127.0.0.1", uiPort); err != nil {
		t.Fatalf("UI port not released: %v", err)
	}

	// Restart on the same file, on the same port, with a longer retention and
	// one more search attribute: both are applied to the existing namespace.
	tmp2, err := StartTemporal(TemporalOptions{
		DatabaseFile: dbFile,
		Port:         oldPort,
		Namespace:    ns,
		Retention:    400 * 24 * time.Hour,
		SearchAttributes: map[string]enums.IndexedValueType{
			"AwardStatus": enums.INDEXED_VALUE_TYPE_KEYWORD,
			"AwardScore":  enums.INDEXED_VALUE_TYPE_DOUBLE,
		},
		Logf: t.Logf,
	})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer tmp2.Stop()
	if tmp2.UIURL() != "" {
		t.Errorf("UIURL = %q without a UI port", tmp2.UIURL())
	}
	c2, err := client.DialContext(ctx, client.Options{HostPort: tmp2.HostPort(), Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	desc, err := c2.DescribeWorkflowExecution(ctx, "devstack-restart-test", "")
	if err != nil {
		t.Fatalf("workflow gone after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("status after restart = %v", st)
	}
	list, err := c2.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: `AwardStatus = "open"`})
	if err != nil || len(list.GetExecutions()) != 1 {
		t.Errorf("visibility query after restart: %d executions, %v", len(list.GetExecutions()), err)
	}
	nsDesc, err := c2.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	if ret := nsDesc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); ret <= 24*time.Hour || ret != 400*24*time.Hour {
		t.Errorf("retention = %v, want 400 days", ret)
	}
	sas, err := c2.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]enums.IndexedValueType{"AwardStatus": enums.INDEXED_VALUE_TYPE_KEYWORD, "AwardScore": enums.INDEXED_VALUE_TYPE_DOUBLE} {
		if got := sas.GetCustomAttributes()[name]; got != typ {
			t.Errorf("search attribute %s = %v, want %v", name, got, typ)
		}
	}
}

func TestTemporalInMemoryAndLimits(t *testing.T) {
	t.Parallel()
	tooMany := map[string]enums.IndexedValueType{}
	for i := 0; i < 4; i++ {
		tooMany["Int"+strconv.Itoa(i)] = enums.INDEXED_VALUE_TYPE_INT
	}
	if _, err := StartTemporal(TemporalOptions{SearchAttributes: tooMany}); err == nil || !strings.Contains(err.Error(), "at most 3") {
		t.Errorf("4 Int search attributes: err = %v", err)
	}

	tmp, err := StartTemporal(TemporalOptions{Namespace: "mem", Retention: 72 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Stop()
	c, err := client.Dial(client.Options{HostPort: tmp.HostPort(), Namespace: "mem"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "mem"})
	if err != nil {
		t.Fatal(err)
	}
	if ret := d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); ret != 72*time.Hour {
		t.Errorf("retention = %v, want 72h", ret)
	}
}

// TestChildrenDieWithParent runs PostgreSQL and MinIO from a child copy of
// the test binary, SIGKILLs that child and checks both servers go away.
func TestChildrenDieWithParent(t *testing.T) {
	if os.Getenv("DEVSTACK_HELPER") == "1" {
		helperStartAndHang()
		return
	}
	if _, err := FindPostgresBinaries(); err != nil {
		t.Skip(err)
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildrenDieWithParent$")
	dir := t.TempDir()
	t.Cleanup(func() { os.RemoveAll(minioCertsDir(filepath.Join(dir, "minio"))) })
	cmd.Env = append(os.Environ(), "DEVSTACK_HELPER=1", "DEVSTACK_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var pids []int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "PID "); ok {
			pid, _ := strconv.Atoi(rest)
			pids = append(pids, pid)
		}
		if line == "READY" {
			break
		}
	}
	if len(pids) == 0 {
		t.Fatal("helper started no servers")
	}
	t.Logf("helper's servers: PIDs %v", pids)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for _, pid := range pids {
		for syscall.Kill(pid, 0) == nil {
			if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); strings.Contains(string(b), ") Z ") {
				break // a zombie waiting for init to reap it: it has exited
			}
			if time.Now().After(deadline) {
				t.Fatalf("server PID %d still running 20s after its parent was killed", pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func helperStartAndHang() {
	ctx := context.Background()
	dir := os.Getenv("DEVSTACK_HELPER_DIR")
	p, err := StartPostgres(ctx, PostgresOptions{Dir: filepath.Join(dir, "pg")})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("PID %d\n", p.cmd.Process.Pid)
	if bin, err := FindMinIOBinary(); err == nil {
		m, err := StartMinIO(ctx, MinIOOptions{Binary: bin, Dir: filepath.Join(dir, "minio")})
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		fmt.Printf("PID %d\n", m.cmd.Process.Pid)
	}
	fmt.Println("READY")
	select {}
}

// eventuallyFree is checkPortFree allowing a moment for closed connections to go: the ports
// are random, and on a busy machine another process's outgoing connection can hold one
// briefly; a port still taken after that is a real leak.
func eventuallyFree(what, ip string, port int) error {
	var err error
	for range 30 {
		if err = checkPortFree(what, ip, port); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
