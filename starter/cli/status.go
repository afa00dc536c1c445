package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"awardengine/structs"
)

func statusCommand() command {
	return command{
		name:    "status",
		args:    "[APPLICATION_ID]",
		summary: "List my applications, or show one in detail",
		about: `Without an id, lists the applications you can see. With an id, shows its
stage, what is next and by when, its evidence, and the standards still missing
confirmed evidence for each level.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				switch len(args) {
				case 0:
					return a.listApplications(ctx)
				case 1:
					if err := wantArgs("status", args, "APPLICATION_ID"); err != nil {
						return err
					}
					return a.showApplication(ctx, args[0])
				default:
					return usageErr("status", "unexpected argument %q", args[1])
				}
			}
		},
	}
}

func (a *app) listApplications(ctx context.Context) error {
	var out struct {
		Applications []structs.ApplicationSummary `json:"applications"`
	}
	raw, err := a.call(ctx, http.MethodGet, "/v1/applications", nil, &out)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(raw)
	}
	if len(out.Applications) == 0 {
		fmt.Fprintln(a.stdout, "No applications.")
		return nil
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "ID\tREFERENCE\tSETTING\tVARIANT\tSTAGE\tNEXT\tDUE\tUPDATED")
	for _, s := range out.Applications {
		stage := s.Stage
		if len(s.Flags) > 0 {
			stage += " [" + strings.Join(s.Flags, ",") + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.SettingReference, s.SettingName,
			s.Variant, stage, orDash(s.NextAction), orDash(formatTimeP(s.DueAt)), formatTime(s.UpdatedAt))
	}
	return tw.Flush()
}

func (a *app) showApplication(ctx context.Context, id string) error {
	var ap structs.Application
	raw, err := a.call(ctx, http.MethodGet, appPath(id), nil, &ap)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(raw)
	}
	w := a.stdout
	tw := newTable(w)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Application", ap.ID)
	row("Setting", fmt.Sprintf("%s (%s)", ap.Setting.Name, ap.Setting.Reference))
	row("Award", ap.Track+" / "+ap.Variant)
	fw := strings.TrimSpace(ap.Framework.Title + " " + versionText(ap.Framework.Version))
	if ap.Framework.Sample {
		fw += " (sample content)"
	}
	row("Framework", fw)
	row("Stage", string(ap.Stage))
	row("Next", nextText(ap.Next))
	row("Registered", formatTime(ap.RegisteredAt))
	row("Toolkit opened", formatTimeP(ap.ToolkitOpenedAt))
	row("Target level", ap.TargetLevel)
	row("Submitted", formatTimeP(ap.SubmittedAt))
	row("First-year due", formatTimeP(ap.FirstYearDue))
	row("Flags", strings.Join(ap.Flags, ", "))
	row("Portfolio", fmt.Sprintf("%s in %s", formatBytes(ap.PortfolioBytes), plural(len(ap.Evidence), "item")))
	if ap.Source == structs.SourceProjection {
		// The journey was busy: this is its last recorded step, without the assessment's details.
		row("Shown as of", formatTimeP(ap.AsOf)+" (the journey was busy; ask again for its full state)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nEvidence:")
	if len(ap.Evidence) == 0 {
		fmt.Fprintln(w, "  none yet")
	} else {
		tw = newTable(w)
		fmt.Fprintln(tw, "  ID\tFILE\tSIZE\tSTANDARDS\tSTATE")
		for _, e := range ap.Evidence {
			state := e.State
			if e.Immutable {
				state += " (locked)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", e.ID, e.Filename, formatBytes(e.Size),
				orDash(strings.Join(e.Standards, ",")), state)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\nStandards without confirmed evidence:")
	tw = newTable(w)
	for _, level := range []string{"bronze", "silver", "gold"} {
		missing := "none"
		if codes := ap.Missing[level]; len(codes) > 0 {
			missing = strings.Join(codes, ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\n", level, missing)
	}
	return tw.Flush()
}

// versionText shows a framework version as "v3" (nothing when unknown).
func versionText(v int) string {
	if v == 0 {
		return ""
	}
	return "v" + strconv.Itoa(v)
}
