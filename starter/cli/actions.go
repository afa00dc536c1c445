package cli

// Admins' actions that unstick a journey: nudge, extend a deadline, retry a failing activity.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"

	"awardengine/structs"
)

func nudgeCommand() command {
	return command{
		name:    "nudge",
		args:    "APPLICATION_ID [--reason TEXT]",
		summary: "Resend the current step's reminder to whoever holds it (admins)",
		about: `Sends the reminder of the application's current step again, now, to the person
who must act: the applicant, the assessor or the moderator.`,
		setup: func(fs *flag.FlagSet) runner {
			var reason string
			fs.StringVar(&reason, "reason", "", "why (`text`, kept in the audit trail)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("nudge", args, "APPLICATION_ID"); err != nil {
					return err
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "nudge"), map[string]string{"reason": strings.TrimSpace(reason)}, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Nudged about %s\n", settingOf(out))
			}
		},
	}
}

func extendCommand() command {
	return command{
		name:    "extend",
		args:    "APPLICATION_ID (--until YYYY-MM-DD | --days N) --reason TEXT",
		summary: "Move the current step's deadline (admins)",
		about: `Moves the deadline of the application's current step (an offer, an assessment, a
moderation, a resubmission window, a first-year workbook) to a later date, or N working days
later. Reminders and escalations move with it.`,
		setup: func(fs *flag.FlagSet) runner {
			var until, reason string
			var days int
			fs.StringVar(&until, "until", "", "the new deadline (`YYYY-MM-DD`, at 17:00 in England)")
			fs.IntVar(&days, "days", 0, "or: this many working `days` after the current deadline")
			fs.StringVar(&reason, "reason", "", "why (`text`, kept in the audit trail)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("extend", args, "APPLICATION_ID"); err != nil {
					return err
				}
				body := map[string]any{"reason": strings.TrimSpace(reason)}
				switch {
				case (until == "") == (days <= 0):
					return usageErr("extend", "give --until YYYY-MM-DD or --days N (one of them)")
				case until != "":
					if _, err := time.Parse(time.DateOnly, until); err != nil {
						return usageErr("extend", "--until must be YYYY-MM-DD")
					}
					body["until"] = until
				default:
					body["working_days"] = days
				}
				if body["reason"] == "" {
					return usageErr("extend", "missing --reason")
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "extend"), body, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Deadline moved for %s\n", settingOf(out))
			}
		},
	}
}

func retryCommand() command {
	return command{
		name:    "retry",
		args:    "APPLICATION_ID",
		summary: "Run a failing activity again now, or start a missing journey (admins)",
		about: `Asks Temporal to run the application's failing activities (an email that cannot be
sent, storage that was down) again now instead of at their next backoff. For an
application whose journey never started (journey_missing on the stuck list) it
starts the journey now.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("retry", args, "APPLICATION_ID"); err != nil {
					return err
				}
				var out struct {
					Retried []struct {
						Activity  string `json:"activity"`
						Attempt   int    `json:"attempt"`
						LastError string `json:"last_error"`
					} `json:"retried"`
					JourneyStarted bool `json:"journey_started"`
				}
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "retry"), map[string]string{}, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				if out.JourneyStarted {
					fmt.Fprintf(a.stdout, "Started the journey of %s (its registration had been left without one)\n", args[0])
				}
				for _, r := range out.Retried {
					fmt.Fprintf(a.stdout, "Retrying %s now (had failed %d times: %s)\n", r.Activity, r.Attempt, r.LastError)
				}
				return nil
			}
		},
	}
}
