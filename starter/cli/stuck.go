package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"

	"awardengine/structs"
)

func stuckCommand() command {
	return command{
		name:    "stuck",
		args:    "",
		summary: "List stuck applications and what would unstick them (admins)",
		about: `Lists your authority's stuck applications, oldest first: a human step past its
due date (overdue), an activity that failed 3 or more times (activity_failing,
with its attempt, last error and next retry), a journey whose workflow task
keeps failing (workflow_task_failing), no eligible assessor or moderator, a
dormant portfolio, and a bounced email address of the person who must act next
(email_bounced). Each shows who holds it, since when, and what would unstick
it: nudge, extend, reassign, allocate, retry or withdraw.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("stuck", args); err != nil {
					return err
				}
				var out structs.StuckList
				raw, err := a.call(ctx, http.MethodGet, "/v1/admin/stuck", nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				for _, w := range out.Warnings {
					fmt.Fprintf(a.stderr, "starter: warning: %s\n", w)
				}
				if len(out.Stuck) == 0 {
					fmt.Fprintln(a.stdout, "Nothing is stuck.")
					return nil
				}
				tw := newTable(a.stdout)
				fmt.Fprintln(tw, "APPLICATION\tSETTING\tREASON\tHOLDER\tSINCE/AGE\tUNSTICK")
				for _, e := range out.Stuck {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", orDash(e.ApplicationID), settingText(e.SettingName, e.SettingReference),
						e.Reason, holderText(e), sinceText(e), orDash(e.Unstick))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				// What failed, for the entries that have an error: too long for a column.
				first := true
				for _, e := range out.Stuck {
					if e.LastError == "" && e.Attempt == 0 {
						continue
					}
					if first {
						fmt.Fprintln(a.stdout, "\nFailures:")
						first = false
					}
					fmt.Fprintf(a.stdout, "  %s %s: %s\n", orDash(e.ApplicationID), e.Reason, failureText(e))
				}
				entries := "entries"
				if len(out.Stuck) == 1 {
					entries = "entry"
				}
				fmt.Fprintf(a.stdout, "\n%d %s, checked %s.\n", len(out.Stuck), entries, formatTime(out.CheckedAt))
				return nil
			}
		},
	}
}

func holderText(e structs.StuckEntry) string {
	switch {
	case e.HolderName != "" && e.Who != "" && e.Who != "admin" && e.Who != "system":
		return e.HolderName + " (" + e.Who + ")"
	case e.HolderName != "":
		return e.HolderName
	}
	return orDash(e.Who)
}

func sinceText(e structs.StuckEntry) string {
	since := formatTime(e.Since)
	switch {
	case since == "" && e.Age == "":
		return "-"
	case e.Age == "":
		return since
	case since == "":
		return e.Age
	}
	return since + " (" + e.Age + ")"
}

func failureText(e structs.StuckEntry) string {
	var parts []string
	if e.ActivityType != "" {
		parts = append(parts, e.ActivityType)
	}
	if e.Attempt > 0 {
		parts = append(parts, fmt.Sprintf("attempt %d", e.Attempt))
	}
	if e.NextRetry != nil {
		parts = append(parts, "next retry "+formatTime(*e.NextRetry))
	}
	s := strings.Join(parts, ", ")
	if e.LastError != "" {
		if s != "" {
			s += ": "
		}
		s += oneLine(e.LastError)
	}
	return s
}

// oneLine keeps an error message on one line and reasonably short.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}
