package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"awardengine/structs"
)

// rosterFlags are the flags of every roster subcommand; each subcommand refuses the others'.
var rosterFlags = map[string][]string{
	"list":       {},
	"set":        {"tracks", "specialisms", "capacity", "active"},
	"conflict":   {"reason"},
	"unconflict": {},
	"grant":      {},
	"revoke":     {},
}

func rosterCommand() command {
	return command{
		name: "roster",
		args: `[list]
       starter roster set PERSON_ID [--tracks T,T] [--specialisms S,S] [--capacity N] [--active=BOOL]
       starter roster conflict PERSON_ID SETTING_REFERENCE --reason TEXT
       starter roster unconflict PERSON_ID SETTING_REFERENCE
       starter roster grant PERSON_ID assessor|moderator
       starter roster revoke PERSON_ID assessor|moderator`,
		summary: "Manage the assessor roster (admins)",
		about: `Lists the assessors and moderators of your authority with their tracks,
specialisms, open assessments against capacity and declared conflicts; sets a
person's qualifications, capacity and active flag (flags left out keep their
value; an empty value such as --specialisms "" clears the list); declares or
withdraws a conflict of interest with a setting, so that the person is never
allocated to it; grants or removes a person's assessor or moderator role (both
audited). A role is not removed while the person holds open work in it:
reassign that work first, or pause them with --active=false. Nobody ever
assesses or moderates an application they applied for or support, whatever
their roles.

Tracks: caring_schools, learning_homes. Specialisms: early_years, residential.
Capacity is the number of open assessments a person may hold (default 3).`,
		setup: func(fs *flag.FlagSet) runner {
			var tracks, specialisms, reason string
			var capacity *int
			var active *bool
			fs.StringVar(&tracks, "tracks", "", "comma-separated `tracks` the person may assess")
			fs.StringVar(&specialisms, "specialisms", "", "comma-separated `specialisms`: early_years, residential")
			fs.Func("capacity", "open assessments the person may hold at once (`N`, 0 or more)", func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return fmt.Errorf("want a whole number, 0 or more")
				}
				capacity = &n
				return nil
			})
			fs.BoolFunc("active", "whether the person takes new work (--active=false to pause)", func(v string) error {
				b, err := strconv.ParseBool(v)
				active = &b
				return err
			})
			fs.StringVar(&reason, "reason", "", "why the person has a conflict with the setting (`text`)")
			return func(ctx context.Context, a *app, args []string) error {
				sub := "list"
				if len(args) > 0 {
					sub, args = args[0], args[1:]
				}
				allowed, ok := rosterFlags[sub]
				if !ok {
					return usageErr("roster", "unknown subcommand %q: want list, set, conflict, unconflict, grant or revoke", sub)
				}
				given := map[string]bool{}
				var stray error
				fs.Visit(func(f *flag.Flag) {
					given[f.Name] = true
					if slices.Contains(rosterFlags["set"], f.Name) || f.Name == "reason" {
						if !slices.Contains(allowed, f.Name) && stray == nil {
							stray = usageErr("roster", "--%s does not go with 'roster %s'", f.Name, sub)
						}
					}
				})
				if stray != nil {
					return stray
				}
				switch sub {
				case "list":
					if err := wantArgs("roster", args); err != nil {
						return err
					}
					return a.listRoster(ctx)
				case "set":
					if err := wantArgs("roster", args, "PERSON_ID"); err != nil {
						return err
					}
					body := map[string]any{}
					if given["tracks"] {
						body["tracks"] = splitList(tracks)
					}
					if given["specialisms"] {
						body["specialisms"] = splitList(specialisms)
					}
					if capacity != nil {
						body["capacity"] = *capacity
					}
					if active != nil {
						body["active"] = *active
					}
					if len(body) == 0 {
						return usageErr("roster", "nothing to set: give --tracks, --specialisms, --capacity or --active")
					}
					var out structs.AssessorProfile
					raw, err := a.call(ctx, http.MethodPut, rosterPath(args[0]), body, &out)
					if err != nil {
						return err
					}
					return a.reportRoster(raw, out, "Updated")
				case "conflict":
					if err := wantArgs("roster", args, "PERSON_ID", "SETTING_REFERENCE"); err != nil {
						return err
					}
					if reason = strings.TrimSpace(reason); reason == "" {
						return usageErr("roster", "missing --reason")
					}
					var out structs.AssessorProfile
					body := map[string]string{"setting_reference": args[1], "reason": reason}
					raw, err := a.call(ctx, http.MethodPost, rosterPath(args[0], "conflicts"), body, &out)
					if err != nil {
						return err
					}
					return a.reportRoster(raw, out, "Declared a conflict with "+args[1]+" for")
				case "grant", "revoke":
					if err := wantArgs("roster", args, "PERSON_ID", "ROLE"); err != nil {
						return err
					}
					return a.changeRole(ctx, sub, args[0], args[1])
				default: // unconflict
					if err := wantArgs("roster", args, "PERSON_ID", "SETTING_REFERENCE"); err != nil {
						return err
					}
					if _, err := a.call(ctx, http.MethodDelete, rosterPath(args[0], "conflicts", args[1]), nil, nil); err != nil {
						return err
					}
					if a.json {
						return a.printJSON([]byte(fmt.Sprintf(`{"person_id":%q,"setting_reference":%q,"removed":true}`, args[0], args[1])))
					}
					fmt.Fprintf(a.stdout, "Withdrew the conflict of %s with %s\n", args[0], args[1])
					return nil
				}
			}
		},
	}
}

// changeRole grants or revokes a person's assessor or moderator role.
func (a *app) changeRole(ctx context.Context, sub, person, role string) error {
	role = strings.ToLower(strings.TrimSpace(role))
	if role != "assessor" && role != "moderator" {
		return usageErr("roster", "ROLE is assessor or moderator, not %q", role)
	}
	method, done, already := http.MethodPut, "Granted the "+role+" role to", "already holds the "+role+" role"
	if sub == "revoke" {
		method, done, already = http.MethodDelete, "Removed the "+role+" role from", "does not hold the "+role+" role"
	}
	var out structs.RoleView
	raw, err := a.call(ctx, method, rosterPath(person, "roles", role), nil, &out)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(raw)
	}
	if out.Changed {
		fmt.Fprintf(a.stdout, "%s %s (%s)\n", done, out.Name, out.PersonID)
	} else {
		fmt.Fprintf(a.stdout, "%s (%s) %s: nothing changed\n", out.Name, out.PersonID, already)
	}
	fmt.Fprintf(a.stdout, "Roles: %s\n", orDash(strings.Join(out.Roles, ", ")))
	return nil
}

func (a *app) listRoster(ctx context.Context) error {
	var out struct {
		Assessors []structs.AssessorProfile `json:"assessors"`
	}
	raw, err := a.call(ctx, http.MethodGet, "/v1/roster", nil, &out)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(raw)
	}
	if len(out.Assessors) == 0 {
		fmt.Fprintln(a.stdout, "No assessors or moderators.")
		return nil
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "PERSON\tNAME\tROLES\tTRACKS\tSPECIALISMS\tOPEN\tACTIVE\tLAST ALLOCATED\tCONFLICTS")
	for _, e := range out.Assessors {
		var conflicts []string
		for _, c := range e.Conflicts {
			conflicts = append(conflicts, c.SettingReference)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", e.PersonID, e.Name, strings.Join(e.Roles, ","),
			orDash(joinText(e.Tracks, ",")), orDash(joinText(e.Specialisms, ",")), e.Open, e.Capacity,
			yesNo(e.Active), orDash(formatTimeP(e.LastAllocatedAt)), orDash(strings.Join(conflicts, ",")))
	}
	return tw.Flush()
}

// reportRoster prints one roster entry after a change.
func (a *app) reportRoster(raw []byte, e structs.AssessorProfile, headline string) error {
	if a.json {
		return a.printJSON(raw)
	}
	fmt.Fprintf(a.stdout, "%s %s (%s)\n", headline, e.Name, e.PersonID)
	tw := newTable(a.stdout)
	fmt.Fprintf(tw, "Tracks\t%s\n", orDash(joinText(e.Tracks, ", ")))
	fmt.Fprintf(tw, "Specialisms\t%s\n", orDash(joinText(e.Specialisms, ", ")))
	fmt.Fprintf(tw, "Open\t%d of %d\n", e.Open, e.Capacity)
	fmt.Fprintf(tw, "Active\t%s\n", yesNo(e.Active))
	for _, c := range e.Conflicts {
		fmt.Fprintf(tw, "Conflict\t%s (%s): %s\n", c.SettingReference, c.SettingName, c.Reason)
	}
	return tw.Flush()
}

func yesNo(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] }

// splitList splits a comma-separated flag value; an empty value is an empty list.
func splitList(s string) []string {
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// rosterPath builds an escaped path under /v1/roster.
func rosterPath(person string, parts ...string) string {
	p := "/v1/roster/" + url.PathEscape(person)
	for _, part := range parts {
		p += "/" + url.PathEscape(part)
	}
	return p
}
