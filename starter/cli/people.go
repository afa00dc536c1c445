package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"awardengine/structs"
)

// peopleFlags are the flags of each people subcommand; a subcommand refuses the others'.
var peopleFlags = map[string][]string{
	"list":       {"q", "role", "active"},
	"invite":     {"roles"},
	"roles":      {},
	"deactivate": {},
	"reactivate": {},
}

func peopleCommand() command {
	return command{
		name: "people",
		args: `[list] [--q TEXT] [--role ROLE] [--active=BOOL]
       starter people invite NAME EMAIL --roles ROLE,ROLE
       starter people roles PERSON_ID ROLE,ROLE
       starter people deactivate PERSON_ID
       starter people reactivate PERSON_ID`,
		summary: "Manage your authority's people and their roles (admins)",
		about: `Lists the people of your authority with their roles and whether they are
active (--q matches a part of the name or email); invites a person, who is
emailed a sign-in link; sets a person's whole set of roles; deactivates a
person (they cannot sign in, and their tokens and sessions stop working at
once) or reactivates them. Every change is in the audit trail.

Roles: applicant, supporter, assessor, moderator, admin. An address already
in your authority is not invited again: change their roles instead. The
assessor and moderator roles are not removed, nor the person deactivated,
while they hold open work: reassign it first. The last active admin keeps
the admin role.`,
		setup: func(fs *flag.FlagSet) runner {
			var q, role, roles string
			var active *bool
			fs.StringVar(&q, "q", "", "only people whose name or email holds this `text`")
			fs.StringVar(&role, "role", "", "only people holding this `role`")
			fs.BoolFunc("active", "only active (true) or deactivated (false) people", func(v string) error {
				b, err := strconv.ParseBool(v)
				active = &b
				return err
			})
			fs.StringVar(&roles, "roles", "", "comma-separated `roles` of the person invited")
			return func(ctx context.Context, a *app, args []string) error {
				sub := "list"
				if len(args) > 0 {
					sub, args = args[0], args[1:]
				}
				allowed, ok := peopleFlags[sub]
				if !ok {
					return usageErr("people", "unknown subcommand %q: want list, invite, roles, deactivate or reactivate", sub)
				}
				var stray error
				fs.Visit(func(f *flag.Flag) {
					own := false
					for _, fl := range allowed {
						own = own || fl == f.Name
					}
					isPeopleFlag := f.Name == "q" || f.Name == "role" || f.Name == "active" || f.Name == "roles"
					if isPeopleFlag && !own && stray == nil {
						stray = usageErr("people", "--%s does not go with 'people %s'", f.Name, sub)
					}
				})
				if stray != nil {
					return stray
				}
				switch sub {
				case "list":
					if err := wantArgs("people", args); err != nil {
						return err
					}
					return a.listPeople(ctx, q, role, active)
				case "invite":
					if err := wantArgs("people", args, "NAME", "EMAIL"); err != nil {
						return err
					}
					list := splitList(roles)
					if len(list) == 0 {
						return usageErr("people", "missing --roles: one or more of applicant, supporter, assessor, moderator, admin")
					}
					var out structs.PersonView
					raw, err := a.call(ctx, http.MethodPost, "/v1/people", structs.InviteRequest{Name: args[0], Email: args[1], Roles: list}, &out)
					if err != nil {
						return err
					}
					return a.reportPerson(raw, out, "Invited")
				case "roles":
					if err := wantArgs("people", args, "PERSON_ID", "ROLES"); err != nil {
						return err
					}
					var out structs.PersonView
					raw, err := a.call(ctx, http.MethodPut, peoplePath(args[0], "roles"), structs.RolesRequest{Roles: splitList(args[1])}, &out)
					if err != nil {
						return err
					}
					return a.reportPerson(raw, out, "Set the roles of")
				default: // deactivate, reactivate
					if err := wantArgs("people", args, "PERSON_ID"); err != nil {
						return err
					}
					var out structs.PersonView
					raw, err := a.call(ctx, http.MethodPost, peoplePath(args[0], sub), nil, &out)
					if err != nil {
						return err
					}
					return a.reportPerson(raw, out, map[string]string{"deactivate": "Deactivated", "reactivate": "Reactivated"}[sub])
				}
			}
		},
	}
}

func (a *app) listPeople(ctx context.Context, q, role string, active *bool) error {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if role != "" {
		v.Set("role", role)
	}
	if active != nil {
		v.Set("active", strconv.FormatBool(*active))
	}
	path := "/v1/people"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var out structs.PeopleList
	raw, err := a.call(ctx, http.MethodGet, path, nil, &out)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(raw)
	}
	if len(out.People) == 0 {
		fmt.Fprintln(a.stdout, "No people match.")
		return nil
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "PERSON\tNAME\tEMAIL\tROLES\tACTIVE")
	for _, p := range out.People {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Email, orDash(strings.Join(p.Roles, ",")), yesNo(p.Active))
	}
	return tw.Flush()
}

// reportPerson prints a person after a change.
func (a *app) reportPerson(raw []byte, p structs.PersonView, headline string) error {
	if a.json {
		return a.printJSON(raw)
	}
	if !p.Changed {
		fmt.Fprintf(a.stdout, "%s (%s): nothing changed\n", p.Name, p.ID)
	} else {
		fmt.Fprintf(a.stdout, "%s %s (%s)\n", headline, p.Name, p.ID)
	}
	tw := newTable(a.stdout)
	fmt.Fprintf(tw, "Email\t%s\n", p.Email)
	fmt.Fprintf(tw, "Roles\t%s\n", orDash(strings.Join(p.Roles, ", ")))
	fmt.Fprintf(tw, "Active\t%s\n", yesNo(p.Active))
	switch p.Invitation {
	case "sent":
		fmt.Fprintf(tw, "Invitation\temailed: a sign-in link\n")
	case "not-sent":
		fmt.Fprintf(tw, "Invitation\tnot sent: %s\n", p.InvitationProblem)
	}
	return tw.Flush()
}

// peoplePath builds an escaped path under /v1/people.
func peoplePath(person string, parts ...string) string {
	p := "/v1/people/" + url.PathEscape(person)
	for _, part := range parts {
		p += "/" + url.PathEscape(part)
	}
	return p
}
