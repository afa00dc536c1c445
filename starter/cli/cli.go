// Package cli is the command-line client of the award engine's HTTP API: the
// non-serve commands of the starter binary.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK          = 0
	exitRefused     = 1 // the API refused the request (4xx)
	exitUsage       = 2 // bad command line
	exitUnavailable = 3 // cannot reach the API, or it failed (5xx)
)

const defaultAPI = "http://127.0.0.1:8080"

// app is one invocation: global options, output streams and the HTTP client.
type app struct {
	api    string
	token  string
	json   bool
	stdout io.Writer
	stderr io.Writer
	hc     *http.Client
}

// Run executes the command line args (without the program name) and returns
// the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{
		api:    envOr("AWARD_API_URL", defaultAPI),
		token:  envOr("AWARD_TOKEN", storedToken()), // storedToken: starter login's (login.go)
		stdout: stdout,
		stderr: stderr,
		hc:     &http.Client{},
	}
	return a.report(a.run(ctx, args))
}

func envOr(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

// globalFlags defines --api, --token and --json on fs, bound to a.
func (a *app) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.api, "api", a.api, "API base `URL` (env AWARD_API_URL)")
	fs.StringVar(&a.token, "token", a.token, "API `token` (env AWARD_TOKEN)")
	fs.BoolVar(&a.json, "json", a.json, "print the raw JSON result")
}

func (a *app) run(ctx context.Context, args []string) error {
	gfs := flag.NewFlagSet("starter", flag.ContinueOnError)
	gfs.SetOutput(io.Discard)
	gfs.Usage = func() {}
	a.globalFlags(gfs)
	if err := gfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			mainUsage(a.stdout)
			return nil
		}
		return usageErr("", "%s", flagErrorText(err))
	}
	rest := gfs.Args()
	if len(rest) == 0 {
		mainUsage(a.stderr)
		return usageErr("", "no command given")
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return a.help(rest)
	}
	cmd, ok := lookup(name)
	if !ok {
		return usageErr("", "unknown command %q (run 'starter help' for the list)", name)
	}

	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	runner := cmd.setup(fs)
	own := flagsOnly(fs)
	a.globalFlags(fs)
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(a.stdout, cmd, own)
			return nil
		}
		return usageErr(name, "%s", flagErrorText(err))
	}
	if err := a.checkGlobals(cmd.noToken); err != nil {
		return err
	}
	return runner(ctx, a, pos)
}

// checkGlobals validates --api and --token before any request is made.
func (a *app) checkGlobals(noToken bool) error {
	a.token = strings.TrimSpace(a.token)
	if a.token == "" && !noToken {
		return usageErr("", "no API token: run 'starter login', pass --token or set AWARD_TOKEN")
	}
	u, err := url.Parse(a.api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErr("", "invalid --api URL %q: want http(s)://host[:port]", a.api)
	}
	a.api = strings.TrimRight(a.api, "/")
	return nil
}

// parseInterspersed parses flags that may come before, between or after
// positional arguments ("--" ends flag parsing) and returns the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		consumed := len(args) - fs.NArg()
		rest := fs.Args()
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagErrorText rewords the flag package's errors for people.
func flagErrorText(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + name + " needs a value"
	}
	return msg
}

// report prints err (if any) to stderr and returns the exit code.
func (a *app) report(err error) int {
	if err == nil {
		return exitOK
	}
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = &cliError{code: exitUnavailable, msg: err.Error()}
	}
	if a.json && len(ce.raw) > 0 {
		a.printJSON(ce.raw)
	}
	fmt.Fprintf(a.stderr, "starter: %s\n", ce.msg)
	for _, item := range ce.items {
		fmt.Fprintf(a.stderr, "  %s\n", item)
	}
	return ce.code
}
