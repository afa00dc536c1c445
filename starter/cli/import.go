package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"awardengine/structs"
)

// maxCohortFile is the largest cohort file the API takes.
const maxCohortFile = 5 << 20

func importCommand() command {
	return command{
		name:    "import",
		args:    "cohort FILE.csv [--dry-run]",
		summary: "Import a cohort of settings and applicants from a CSV file (admins)",
		about: `Registers an application for every row of a CSV file, creating (and emailing
a sign-in link to) each new applicant and supporter. The first row names the
columns, in any order:

  setting_reference,setting_name,track,variant,approval_date,
  applicant_name,applicant_email,supporter_email,supporter_name

approval_date (first-year foster carers only, YYYY-MM-DD), supporter_email and
supporter_name may be left out. Every row is checked first; if any row has a
problem, nothing is imported and each problem is printed by line and column.
--dry-run checks the file and shows what would be created, creating nothing.
At most 5 MiB and 5000 rows.`,
		setup: func(fs *flag.FlagSet) runner {
			var dryRun bool
			fs.BoolVar(&dryRun, "dry-run", false, "check the file and show what would be created; create nothing")
			return func(ctx context.Context, a *app, args []string) error {
				if len(args) == 0 || args[0] != "cohort" {
					return usageErr("import", "what to import: 'starter import cohort FILE.csv'")
				}
				if err := wantArgs("import", args[1:], "FILE.csv"); err != nil {
					return err
				}
				return a.importCohort(ctx, args[1], dryRun)
			}
		},
	}
}

func (a *app) importCohort(ctx context.Context, file string, dryRun bool) error {
	f, err := os.Open(file)
	if err != nil {
		return usageErr("import", "cannot read %s: %v", file, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCohortFile+1))
	if err != nil {
		return usageErr("import", "cannot read %s: %v", file, err)
	}
	if len(data) > maxCohortFile {
		return usageErr("import", "%s is larger than 5 MiB: split it", file)
	}
	path := "/v1/admin/imports/cohort"
	if dryRun {
		path += "?dry_run=true"
	}
	raw, err := a.send(ctx, http.MethodPost, path, "text/csv; charset=utf-8", data)
	if err != nil {
		return withRowProblems(err)
	}
	if a.json {
		return a.printJSON(raw)
	}
	var out structs.CohortResult
	if err := json.Unmarshal(raw, &out); err != nil {
		return unavailable("unexpected answer to the import: %v", err)
	}
	fmt.Fprintln(a.stdout, out.Message)
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "LINE\tSETTING\tAPPLICATION\tAPPLICANT\tSUPPORTER\tJOURNEY")
	for _, ap := range out.Applications {
		applicant := ap.ApplicantID
		if ap.ApplicantInvited {
			applicant += " (new, invited)"
		}
		supporter := ap.SupporterID
		if ap.SupporterInvited {
			supporter += " (new, invited)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", ap.Line, ap.SettingReference, orDash(ap.ApplicationID), applicant,
			orDash(supporter), orDash(ap.Journey))
	}
	return tw.Flush()
}

// withRowProblems lists a refused file's problems below the refusal, one line each.
func withRowProblems(err error) error {
	var ce *cliError
	if !errors.As(err, &ce) || len(ce.raw) == 0 {
		return err
	}
	var p structs.CohortProblem
	if json.Unmarshal(ce.raw, &p) != nil {
		return err
	}
	for _, r := range p.Rows {
		item := fmt.Sprintf("line %d: %s", r.Line, r.Message)
		if r.Column != "" {
			item = fmt.Sprintf("line %d, %s: %s", r.Line, r.Column, r.Message)
		}
		ce.items = append(ce.items, item)
	}
	return ce
}
