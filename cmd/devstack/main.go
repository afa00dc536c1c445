// Command devstack runs the whole award engine on the embedded default stack (`make run`):
// PostgreSQL, MinIO, Temporal with its Web UI, the local SendGrid-compatible endpoint, the
// worker and the HTTP API, all keeping their data under .data/. Ctrl-C stops it cleanly;
// starting it again carries on every journey where it was, timers included.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"awardengine/deploy/seed"
	"awardengine/deploy/stack"
)

func main() {
	var (
		dataDir  = flag.String("data", ".data", "where every component keeps its data")
		httpAddr = flag.String("http", "127.0.0.1:8080", "address of the HTTP API")
		tPort    = flag.Int("temporal-port", 7233, "Temporal frontend (gRPC) port")
		uiPort   = flag.Int("ui-port", 8233, "Temporal Web UI port")
		s3Port   = flag.Int("minio-port", 9000, "MinIO port")
		pgPort   = flag.Int("postgres-port", 55432, "private PostgreSQL port (ignored when DATABASE_URL is set)")
		mailPort = flag.Int("mail-port", 8025, "local SendGrid-compatible endpoint port")
		verbose  = flag.Bool("v", false, "log what each component says")
		tempDB   = flag.String("temporal-db", "", "where Temporal keeps its data: sqlite (default) or postgres (production's persistence, on the private cluster)")
	)
	flag.Parse()
	logf := func(string, ...any) {}
	if *verbose {
		logf = log.Printf
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	began := time.Now()
	s, err := stack.Start(ctx, stack.Options{
		DataDir: *dataDir, DatabaseURL: os.Getenv("DATABASE_URL"), HTTPAddr: *httpAddr,
		TemporalPort: *tPort, UIPort: *uiPort, MinIOPort: *s3Port, PostgresPort: *pgPort, MailPort: *mailPort, Logf: logf,
		TemporalDB: *tempDB,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "make run:", err)
		os.Exit(1)
	}
	printWelcome(s, time.Since(began))
	<-ctx.Done()
	fmt.Println("\nstopping…")
	s.Stop()
	fmt.Println("stopped; journeys resume where they were on the next `make run`")
}

func printWelcome(s *stack.Stack, took time.Duration) {
	fmt.Printf("\nAward engine is running (started in %s)\n\n", took.Round(100*time.Millisecond))
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "  HTTP API\t%s  (OpenAPI: %s/openapi.yaml)\n", s.APIURL, s.APIURL)
	fmt.Fprintf(w, "  Dev mailbox\t%s/dev/mailbox  (JSON: %s/dev/mailbox.json)\n", s.APIURL, s.APIURL)
	fmt.Fprintf(w, "  Temporal Web UI\t%s/namespaces/%s/workflows\n", s.TemporalUIURL(), stack.Namespace)
	fmt.Fprintf(w, "  Temporal gRPC\t%s (namespace %s)\n", s.Temporal.HostPort(), stack.Namespace)
	fmt.Fprintf(w, "  MinIO\t%s (console %s)\n", s.MinIO.Endpoint(), s.MinIO.ConsoleURL())
	if s.Postgres != nil {
		fmt.Fprintf(w, "  PostgreSQL\t%s\n", s.Postgres.DSN("awards"))
	}
	fmt.Fprintf(w, "  SendGrid endpoint\t%s/v3/mail/send\n", s.MailURL)
	_ = w.Flush()
	fmt.Println("\nDemo API tokens (sample data; Authorization: Bearer <token>):")
	w = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, t := range seed.Tenants {
		for _, p := range seed.People(t.ID) {
			fmt.Fprintf(w, "  %s\t%s\t%v\t%s\n", t.ID, p.Name, p.Roles, p.Token)
		}
	}
	_ = w.Flush()
	fmt.Printf("\nTry: curl -H 'Authorization: Bearer demo-northshire-applicant' %s/v1/me\n", s.APIURL)
	fmt.Println("Stop with Ctrl-C.")
}
