package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// runner executes a command with its positional arguments once flags are parsed.
type runner func(ctx context.Context, a *app, args []string) error

// command is one subcommand: setup defines its flags on fs and returns the
// runner that reads them.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	about   string // longer description for its help
	setup   func(fs *flag.FlagSet) runner
	noToken bool // runs without an API token (login, logout)
}

func commandList() []command {
	return []command{
		registerCommand(),
		statusCommand(),
		toolkitCommand(),
		uploadCommand(),
		mapCommand(),
		removeCommand(),
		submitCommand(),
		withdrawCommand(),
		rosterCommand(),
		peopleCommand(), // people.go
		importCommand(), // import.go
		// Admins' pages (admin.go).
		reportCommand(),
		auditCommand(),
		searchCommand(),
		showCommand(),
		// Assessment stages (assessment.go).
		inboxCommand(),
		acceptCommand(),
		declineCommand(),
		assessCommand(),
		moderateCommand(),
		allocateCommand(),
		reassignCommand(),
		allocationCommand(),
		certificateCommand(),
		downloadCommand(),
		// Admins' actions (actions.go).
		nudgeCommand(),
		extendCommand(),
		retryCommand(),
		stuckCommand(), // stuck.go
		// Signing in (login.go).
		loginCommand(),
		logoutCommand(),
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commandList() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// help implements "starter help [COMMAND]".
func (a *app) help(args []string) error {
	switch len(args) {
	case 0:
		mainUsage(a.stdout)
		return nil
	case 1:
		cmd, ok := lookup(args[0])
		if !ok {
			return usageErr("", "unknown command %q (run 'starter help' for the list)", args[0])
		}
		fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
		cmd.setup(fs)
		commandUsage(a.stdout, cmd, flagsOnly(fs))
		return nil
	default:
		return usageErr("help", "want at most one command name")
	}
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `starter: command-line client of the award engine API

Usage: starter [--api URL] [--token TOKEN] [--json] COMMAND [ARGS] [FLAGS]

Commands:
`)
	for _, c := range commandList() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help         Show help for a command

Global flags (before or after the command):
  --api URL      API base URL (default $AWARD_API_URL, else `+defaultAPI+`)
  --token TOKEN  your API token (default $AWARD_TOKEN)
  --json         print the raw JSON result (for scripts)

Exit codes: 0 ok, 1 the API refused the request, 2 usage error,
3 the API cannot be reached or failed.
Run 'starter help COMMAND' or 'starter COMMAND -h' for a command's flags.
`)
}

func commandUsage(w io.Writer, cmd command, own *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: starter %s %s\n\n%s\n", cmd.name, cmd.args, cmd.about)
	n := 0
	own.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		own.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			dash := "--"
			if len(f.Name) == 1 { // a short flag such as -o
				dash = "-"
			}
			fmt.Fprintf(w, "  %s%s %s\n      %s", dash, f.Name, name, usage)
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(w, " (default %q)", f.DefValue)
			}
			fmt.Fprintln(w)
		})
	}
	fmt.Fprintln(w, "\nGlobal flags: --api URL, --token TOKEN, --json (see 'starter help').")
}

// flagsOnly copies the flags defined on fs so far, for the command's help.
func flagsOnly(fs *flag.FlagSet) *flag.FlagSet {
	own := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	fs.VisitAll(func(f *flag.Flag) {
		own.Var(f.Value, f.Name, f.Usage)
		own.Lookup(f.Name).DefValue = f.DefValue
	})
	return own
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, args []string, names ...string) error {
	if len(args) == len(names) {
		for i, v := range args {
			if strings.TrimSpace(v) == "" {
				return usageErr(cmd, "%s must not be empty", names[i])
			}
		}
		return nil
	}
	if len(args) < len(names) {
		return usageErr(cmd, "missing %s", strings.Join(names[len(args):], " and "))
	}
	return usageErr(cmd, "unexpected argument %q", args[len(names)])
}
