package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"

	"awardengine/structs"
)

func registerCommand() command {
	return command{
		name:    "register",
		args:    "--reference R --name N --track T --variant V [--approval-date YYYY-MM-DD] [--applicant-name N --applicant-email E] [--supporter-email E]",
		summary: "Register a setting for an award",
		about: `Registers a new application for a setting and prints its id and stage.

Tracks and their variants:
  caring_schools  primary, secondary, special, early_years_setting, other_setting
  learning_homes  mainstream_foster, early_years_foster, respite_foster,
                  first_year_foster, residential_home, childminder, adoptive_sgo
--approval-date is required for first_year_foster. Admins register on an
applicant's behalf with --applicant-name and --applicant-email.`,
		setup: func(fs *flag.FlagSet) runner {
			var r structs.RegisterRequest
			fs.StringVar(&r.SettingReference, "reference", "", "setting `reference` (school URN, Ofsted URN or household reference)")
			fs.StringVar(&r.SettingName, "name", "", "setting `name`")
			fs.StringVar(&r.Track, "track", "", "`track`: caring_schools or learning_homes")
			fs.StringVar(&r.Variant, "variant", "", "`variant` within the track (see above)")
			fs.StringVar(&r.ApprovalDate, "approval-date", "", "carer's approval `date` YYYY-MM-DD (first_year_foster)")
			fs.StringVar(&r.ApplicantName, "applicant-name", "", "applicant's `name` (admins only)")
			fs.StringVar(&r.ApplicantEmail, "applicant-email", "", "applicant's `email` (admins only)")
			fs.StringVar(&r.SupporterEmail, "supporter-email", "", "`email` of an existing supporter to link")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("register", args); err != nil {
					return err
				}
				for _, p := range []*string{&r.SettingReference, &r.SettingName, &r.Track, &r.Variant,
					&r.ApprovalDate, &r.ApplicantName, &r.ApplicantEmail, &r.SupporterEmail} {
					*p = strings.TrimSpace(*p)
				}
				var missing []string
				for flagName, v := range map[string]string{"--reference": r.SettingReference,
					"--name": r.SettingName, "--track": r.Track, "--variant": r.Variant} {
					if v == "" {
						missing = append(missing, flagName)
					}
				}
				if len(missing) > 0 {
					return usageErr("register", "missing %s", joinSorted(missing))
				}
				if r.ApprovalDate != "" {
					if _, err := time.Parse(time.DateOnly, r.ApprovalDate); err != nil {
						return usageErr("register", "--approval-date %q is not a date YYYY-MM-DD", r.ApprovalDate)
					}
				}
				if (r.ApplicantName == "") != (r.ApplicantEmail == "") {
					return usageErr("register", "--applicant-name and --applicant-email go together")
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, "/v1/applications", r, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Registered application %s\n", out.ID)
			}
		},
	}
}

func mapCommand() command {
	return command{
		name:    "map",
		args:    "APPLICATION_ID EVIDENCE_ID --standards CODES",
		summary: "Change the standards an evidence item is mapped to",
		about:   "Replaces the standards an evidence item is mapped to (comma-separated codes, e.g. LD1,RB2).",
		setup: func(fs *flag.FlagSet) runner {
			var standards string
			fs.StringVar(&standards, "standards", "", "comma-separated standard `codes`, e.g. LD1,RB2")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("map", args, "APPLICATION_ID", "EVIDENCE_ID"); err != nil {
					return err
				}
				codes := splitCodes(standards)
				if len(codes) == 0 {
					return usageErr("map", "missing --standards")
				}
				var out structs.Evidence
				body := map[string][]string{"standards": codes}
				raw, err := a.call(ctx, http.MethodPut, appPath(args[0], "evidence", args[1], "standards"), body, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				fmt.Fprintf(a.stdout, "Evidence %s (%s) now maps to %s\n", out.ID, out.Filename, strings.Join(out.Standards, ", "))
				return nil
			}
		},
	}
}

func removeCommand() command {
	return command{
		name:    "remove",
		args:    "APPLICATION_ID EVIDENCE_ID",
		summary: "Remove an evidence item",
		about:   "Removes an evidence item (and its file) from an application that is not yet submitted.",
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("remove", args, "APPLICATION_ID", "EVIDENCE_ID"); err != nil {
					return err
				}
				if _, err := a.call(ctx, http.MethodDelete, appPath(args[0], "evidence", args[1]), nil, nil); err != nil {
					return err
				}
				if a.json {
					raw, _ := json.Marshal(map[string]any{"application_id": args[0], "evidence_id": args[1], "removed": true})
					return a.printJSON(raw)
				}
				fmt.Fprintf(a.stdout, "Removed evidence %s\n", args[1])
				return nil
			}
		},
	}
}

func submitCommand() command {
	return command{
		name:    "submit",
		args:    "APPLICATION_ID --level bronze|silver|gold",
		summary: "Submit the portfolio for assessment",
		about: `Submits the portfolio for assessment at the target level. Every standard of
that level needs confirmed evidence; if some have none, they are listed one per
line. After submission the evidence can no longer be changed.`,
		setup: func(fs *flag.FlagSet) runner {
			var level string
			fs.StringVar(&level, "level", "", "target `level`: bronze, silver or gold")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("submit", args, "APPLICATION_ID"); err != nil {
					return err
				}
				level = strings.ToLower(strings.TrimSpace(level))
				switch level {
				case "bronze", "silver", "gold":
				case "":
					return usageErr("submit", "missing --level (bronze, silver or gold)")
				default:
					return usageErr("submit", "--level %q: want bronze, silver or gold", level)
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "submit"), map[string]string{"target_level": level}, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Submitted application %s for %s\n", out.ID, level)
			}
		},
	}
}

func withdrawCommand() command {
	return command{
		name:    "withdraw",
		args:    "APPLICATION_ID --reason TEXT",
		summary: "Withdraw an application",
		about:   "Withdraws an application at any stage; everything pending for it stops.",
		setup: func(fs *flag.FlagSet) runner {
			var reason string
			fs.StringVar(&reason, "reason", "", "why the application is withdrawn (`text`)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("withdraw", args, "APPLICATION_ID"); err != nil {
					return err
				}
				if reason = strings.TrimSpace(reason); reason == "" {
					return usageErr("withdraw", "missing --reason")
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "withdraw"), map[string]string{"reason": reason}, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Withdrew application %s\n", out.ID)
			}
		},
	}
}
