package integration

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"awardengine/deploy/stack"
)

// The production binaries, built once per test run (go build, as the Dockerfile does).
var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

func productionBinaries(t *testing.T) (worker, starter string) {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "award-bin-")
		if binErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binDir+"/", "../cmd/worker", "../cmd/starter")
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "worker"), filepath.Join(binDir, "starter")
}

// proc is one production process run by a test.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *bytes.Buffer // its JSON log (stderr)
	done chan struct{}
	err  error // after done
	url  string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// processEnv is what cmd/worker and cmd/starter need to join stack s: its PostgreSQL, Temporal,
// MinIO and mail endpoint, and the keys the in-process parts use (payload keys from the data
// directory, the offer links' key), so all of them read each other's work.
func processEnv(t *testing.T, s *stack.Stack, mailURL string) []string {
	t.Helper()
	if s.Postgres == nil {
		t.Skip("needs the stack's private PostgreSQL cluster")
	}
	dataDir := filepath.Dir(s.Postgres.DataDir())
	return append(os.Environ(),
		"DATABASE_URL="+s.Postgres.DSN("awards"),
		"TEMPORAL_ADDRESS="+s.Temporal.HostPort(), "TEMPORAL_NAMESPACE="+stack.Namespace,
		"S3_ENDPOINT="+s.MinIO.Endpoint(), "S3_ACCESS_KEY=awardsdev", "S3_SECRET_KEY=awardsdev-secret-key", "S3_BUCKET="+stack.Bucket,
		"SENDGRID_API_KEY=SG.scale-out-test", "SENDGRID_API_URL="+mailURL,
		"PUBLIC_URL="+s.APIURL, "OFFER_LINK_KEY="+base64.StdEncoding.EncodeToString(s.OfferLinkKey),
		"PAYLOAD_KEY_FILE="+filepath.Join(dataDir, "payload-keys.json"),
		"LOG_FORMAT=json", "LOG_LEVEL=info",
	)
}

// startProc runs bin with env plus extra; url is its HTTP base (API or metrics), ready once
// /readyz answers 200.
func startProc(t *testing.T, name, bin string, env []string, addr string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(bin, args...), log: new(bytes.Buffer), done: make(chan struct{}), url: "http://" + addr}
	p.cmd.Env = env
	var mu sync.Mutex
	p.cmd.Stderr = writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return p.log.Write(b) })
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			mu.Lock()
			t.Logf("%s log:\n%s", name, lastLines(p.log.String(), 30))
			mu.Unlock()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited during start-up: %v\n%s", name, p.err, p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 60 s", name)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// workDone sums a process's executed workflow tasks and activities (the SDK's own metrics).
func workDone(t *testing.T, p *proc) float64 {
	body := scrapeMetrics(t, p.url)
	return sample(body, "temporal_workflow_task_execution_latency_seconds_count{") +
		sample(body, "temporal_activity_execution_latency_seconds_count{")
}

// TestScaleOutTwoWorkersTwoAPIsOneKilled runs the production binaries as a platform would:
// two worker processes and two API processes on one Temporal server and one database (the
// stack's in-process worker stopped). Journeys are registered through both APIs while only
// worker A runs, so A holds every journey's cached state; then worker B starts and A is killed
// with SIGKILL with the journeys half-way. Every journey then completes through both APIs, B
// did the work after the kill, and the mailbox holds each email exactly once.
func TestScaleOutTwoWorkersTwoAPIsOneKilled(t *testing.T) {
	s := shared
	workerBin, starterBin := productionBinaries(t)
	s.StopWorker()
	defer func() {
		if err := s.StartWorker(); err != nil {
			t.Error(err)
		}
	}()
	env := processEnv(t, s, s.MailURL)
	began := time.Now()
	var apis []*proc
	for _, name := range []string{"api-1", "api-2"} {
		addr := freeAddr(t)
		apis = append(apis, startProc(t, name, starterBin, append(env, "HTTP_ADDR="+addr), addr, "serve"))
	}
	// Worker A's provider takes each message but never answers: A dies with emails in flight,
	// the case where a careless retry sends twice.
	heldURL, held := answerlessProvider(t, s.MailURL)
	addrA := freeAddr(t)
	workerA := startProc(t, "worker-a", workerBin, append(processEnv(t, s, heldURL), "METRICS_ADDR="+addrA), addrA)
	t.Logf("two APIs and worker A ready in %v", time.Since(began).Round(100*time.Millisecond))

	const journeys = 6
	type journey struct {
		id  string
		api *client
	}
	var js []journey
	for i := range journeys {
		c := &client{t: t, base: apis[i%2].url, token: "demo-northshire-applicant"}
		var app application
		c.must(201, "POST", "/v1/applications", map[string]any{
			"setting_reference": fmt.Sprintf("URN-IT-SCALE-%d", i), "setting_name": fmt.Sprintf("Scale-out School %d", i),
			"track": "caring_schools", "variant": "primary", "supporter_email": "supporter@northshire.example",
		}).json(t, &app)
		js = append(js, journey{app.ID, c})
	}
	// Half-way: each journey has evidence for its first standard (a workflow Update, so worker A
	// has run each journey), and the rest still to do.
	standards := bronzeStandards(t, js[0].api, js[0].id)
	for _, j := range js {
		j.api.uploadEvidence(j.id, standards[0]+".pdf", pdf(standards[0]), standards[0])
	}
	doneByA := workDone(t, workerA)
	if doneByA == 0 {
		t.Fatal("worker A did no work before the kill")
	}
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("worker A sent no email")
	}

	addrB := freeAddr(t)
	workerB := startProc(t, "worker-b", workerBin, append(env, "METRICS_ADDR="+addrB), addrB)
	beforeB := workDone(t, workerB)
	if err := workerA.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-workerA.done
	t.Logf("worker A killed after %v of work (tasks and activities), %d emails in flight", doneByA, len(held)+1)

	// The rest of every journey, through the other API than the one that registered it.
	for i, j := range js {
		other := &client{t: t, base: apis[(i+1)%2].url, token: "demo-northshire-applicant"}
		for _, code := range standards[1:] {
			other.uploadEvidence(j.id, code+".pdf", pdf(code), code)
		}
		var app application
		other.must(200, "POST", "/v1/applications/"+j.id+"/submit", map[string]any{"target_level": "bronze"}).json(t, &app)
		if app.Stage != "awaiting_allocation" && app.Stage != "offered" {
			t.Fatalf("journey %d after submission: stage %q", i, app.Stage)
		}
	}
	if took := workDone(t, workerB) - beforeB; took == 0 {
		t.Fatal("worker B did nothing after A was killed")
	} else {
		t.Logf("worker B took over: %v tasks and activities after the kill", took)
	}

	// Every journey's emails arrive, each exactly once: an email A was sending when killed is
	// retried by B after its start-to-close timeout (1 min), finds the provider's processed
	// event for it and records it sent without sending it again.
	deadline := time.Now().Add(150 * time.Second)
	for {
		missing := 0
		for _, j := range js {
			applicant, supporter := 0, 0
			for _, m := range mailTo(s, "applicant@northshire.example") {
				if strings.Contains(m.Text, j.id) {
					applicant++
				}
			}
			for _, m := range mailTo(s, "supporter@northshire.example") {
				if strings.Contains(m.Text, j.id) {
					supporter++
				}
			}
			if applicant > 2 || supporter > 1 {
				t.Fatalf("journey %s: %d applicant and %d supporter emails, want 2 and 1", j.id, applicant, supporter)
			}
			missing += 3 - applicant - supporter
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails still missing", missing)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The emails A had in flight are only settled once B's retry has recorded them: wait for
	// every outbox row of these journeys to be sent (not "sending"), then look for duplicates.
	var ids []string
	for _, j := range js {
		ids = append(ids, j.id)
	}
	for {
		var unsettled int
		if err := s.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE application_id = ANY($1) AND status <> 'sent'`,
			ids).Scan(&unsettled); err != nil {
			t.Fatal(err)
		}
		if unsettled == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails of these journeys still not recorded sent", unsettled)
		}
		time.Sleep(time.Second)
	}
	time.Sleep(2 * time.Second) // a duplicate would have arrived by now
	seen := map[string]int{}
	for _, m := range s.Mail.Messages() {
		if m.ReceivedAt.After(began) && m.CustomArgs["dedupe_key"] != "" {
			seen[m.CustomArgs["dedupe_key"]]++
		}
	}
	for key, n := range seen {
		if n > 1 {
			t.Errorf("email %s sent %d times", key, n)
		}
	}
	t.Logf("%d distinct emails, none twice; took %v", len(seen), time.Since(began).Round(time.Second))
}

// answerlessProvider passes each mail/send request on to the stack's endpoint (which accepts
// it and posts its processed event) but never answers the sender; held receives one value
// per message.
func answerlessProvider(t *testing.T, target string) (base string, held chan struct{}) {
	held = make(chan struct{}, 100)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, _ := http.NewRequest(r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			held <- struct{}{}
		}
		<-r.Context().Done() // the sender is gone
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), held
}

// slowProvider forwards mail/send to the stack's endpoint after a delay, so a test can stop a
// worker while an email activity is in flight; started receives one value per request.
func slowProvider(t *testing.T, target string, delay time.Duration) (base string, started chan struct{}) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	started = make(chan struct{}, 100)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		time.Sleep(delay)
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), started
}

// TestGracefulShutdownOnSIGTERM: a worker stopped with SIGTERM while an email activity is in
// flight lets it finish (the email is delivered once and recorded sent) and exits 0 within its
// grace; an API process stopped with SIGTERM while a request waits for a journey answers that
// request, refuses readiness meanwhile, and exits 0 within its grace.
func TestGracefulShutdownOnSIGTERM(t *testing.T) {
	s := shared
	workerBin, starterBin := productionBinaries(t)
	s.StopWorker()
	restarted := false
	defer func() {
		if !restarted {
			_ = s.StartWorker()
		}
	}()
	const grace = 20 * time.Second
	mailURL, sending := slowProvider(t, s.MailURL, 3*time.Second)
	env := append(processEnv(t, s, mailURL), "SHUTDOWN_GRACE="+grace.String())
	addr := freeAddr(t)
	w := startProc(t, "worker", workerBin, append(env, "METRICS_ADDR="+addr), addr)

	applicant := as(t, s, "demo-northshire-applicant")
	var app application
	applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "URN-IT-SIGTERM", "setting_name": "Drain Street School",
		"track": "caring_schools", "variant": "primary", "supporter_email": "supporter@northshire.example",
	}).json(t, &app)
	standards := bronzeStandards(t, applicant, app.ID)
	select {
	case <-sending:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker sent no email")
	}
	stopped := time.Now()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.done:
	case <-time.After(grace + 5*time.Second):
		t.Fatalf("the worker did not exit within its %v grace", grace)
	}
	took := time.Since(stopped)
	if w.err != nil {
		t.Fatalf("worker exit: %v\n%s", w.err, w.log)
	}
	if took < 2*time.Second || took > grace {
		t.Fatalf("worker exited after %v: want it to wait for the email in flight (3 s) and stay within %v", took, grace)
	}
	var status string
	if err := s.DB.Pool().QueryRow(t.Context(),
		`SELECT status FROM email_outbox WHERE application_id = $1 AND status = 'sent' LIMIT 1`, app.ID).Scan(&status); err != nil {
		t.Fatalf("the email in flight was not recorded sent before exit: %v\n%s", err, w.log)
	}
	if !strings.Contains(w.log.String(), `"msg":"worker stopped"`) {
		t.Fatalf("no drain in the log:\n%s", w.log)
	}
	t.Logf("worker drained and exited 0 in %v", took.Round(100*time.Millisecond))

	// The API: a request waiting on the journey (no worker runs now) is in flight at SIGTERM.
	apiAddr := freeAddr(t)
	api := startProc(t, "api", starterBin, append(env, "HTTP_ADDR="+apiAddr), apiAddr, "serve")
	c := &client{t: t, base: api.url, token: "demo-northshire-applicant"}
	content := pdf("drain")
	answered := make(chan response, 1)
	go func() {
		answered <- c.do("POST", "/v1/applications/"+app.ID+"/evidence", map[string]any{
			"filename": "drain.pdf", "size": len(content), "content_type": "application/pdf",
			"sha256": sha256Hex(content), "standards": standards[:1],
		})
	}()
	time.Sleep(500 * time.Millisecond) // the request reaches the API and waits for a worker
	stopped = time.Now()
	if err := api.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	eventually(t, "readiness to fail while draining", func() bool {
		resp, err := http.Get(api.url + "/readyz")
		if err != nil {
			return true // already closed to new connections
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	if err := s.StartWorker(); err != nil { // the journey answers now
		t.Fatal(err)
	}
	restarted = true
	r := <-answered
	if r.Status >= 500 || r.Status == 0 {
		t.Fatalf("the request in flight was cut: %d %s", r.Status, r.Body)
	}
	select {
	case <-api.done:
	case <-time.After(grace + 5*time.Second):
		t.Fatalf("the API did not exit within its %v grace", grace)
	}
	if api.err != nil {
		t.Fatalf("API exit: %v\n%s", api.err, api.log)
	}
	t.Logf("API answered its request in flight (%d) and exited 0 in %v", r.Status, time.Since(stopped).Round(100*time.Millisecond))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
