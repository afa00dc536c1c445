package cli

// Admin commands: reports for a period, the audit trail (and their CSV exports), search by
// setting, reference or person, and an application's detail with its timeline.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"awardengine/structs"
)

// periodFlags are --from and --to (YYYY-MM-DD, both included).
type periodFlags struct{ from, to string }

func (p *periodFlags) define(fs *flag.FlagSet, what string) {
	fs.StringVar(&p.from, "from", "", "first `date` of the period, YYYY-MM-DD"+what)
	fs.StringVar(&p.to, "to", "", "last `date` of the period (included), YYYY-MM-DD"+what)
}

// check validates the dates; required says both must be given.
func (p *periodFlags) check(cmd string, required bool) error {
	p.from, p.to = strings.TrimSpace(p.from), strings.TrimSpace(p.to)
	var missing []string
	var from, to time.Time
	for _, f := range []struct {
		name string
		v    string
		t    *time.Time
	}{{"--from", p.from, &from}, {"--to", p.to, &to}} {
		if f.v == "" {
			if required {
				missing = append(missing, f.name)
			}
			continue
		}
		t, err := time.Parse(time.DateOnly, f.v)
		if err != nil {
			return usageErr(cmd, "%s %q is not a date YYYY-MM-DD", f.name, f.v)
		}
		*f.t = t
	}
	if len(missing) > 0 {
		return usageErr(cmd, "missing %s", strings.Join(missing, " and "))
	}
	if p.from != "" && p.to != "" && from.After(to) {
		return usageErr(cmd, "--from %s is after --to %s", p.from, p.to)
	}
	return nil
}

func (p *periodFlags) query(q url.Values) {
	if p.from != "" {
		q.Set("from", p.from)
	}
	if p.to != "" {
		q.Set("to", p.to)
	}
}

// exportFlags are --csv and -o.
type exportFlags struct {
	csv  bool
	dest string
}

func (e *exportFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&e.csv, "csv", false, "the CSV export instead of a table")
	outputFlag(fs, &e.dest, "write the answer (CSV with --csv, else JSON) to `FILE`")
}

func (e *exportFlags) check(cmd string, a *app) error {
	if e.csv && a.json {
		return usageErr(cmd, "--csv and --json do not go together")
	}
	return nil
}

// export fetches path and writes its body as is to -o FILE (or stdout for CSV).
func (a *app) export(ctx context.Context, path string, e exportFlags) error {
	if e.dest == "" {
		return a.fetchTo(ctx, path, "text/csv", a.stdout)
	}
	dir := filepath.Dir(e.dest)
	if st, err := os.Stat(e.dest); err == nil && st.IsDir() {
		return usageErr("", "-o %s is a directory: give a file name", e.dest)
	}
	tmp, err := os.CreateTemp(dir, ".export-*")
	if err != nil {
		return &cliError{code: exitUsage, msg: fmt.Sprintf("cannot write %s: %v", e.dest, err)}
	}
	defer os.Remove(tmp.Name())
	accept := "application/json"
	if e.csv {
		accept = "text/csv"
	}
	err = a.fetchTo(ctx, path, accept, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = unavailable("writing %s: %v", e.dest, cerr)
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), e.dest); err != nil {
		return &cliError{code: exitUsage, msg: fmt.Sprintf("cannot write %s: %v", e.dest, err)}
	}
	if !a.json {
		size := int64(0)
		if st, err := os.Stat(e.dest); err == nil {
			size = st.Size()
		}
		fmt.Fprintf(a.stdout, "Saved %s (%s)\n", e.dest, formatBytes(size))
	}
	return nil
}

// fetchTo GETs path from the API and copies a 2xx body to w as it arrives (an export may be
// large); any other answer is reported as the API's refusal or failure.
func (a *app) fetchTo(ctx context.Context, path, accept string, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.api+path, nil)
	if err != nil {
		return usageErr("", "invalid request URL %s: %v", a.api+path, err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", accept+", application/problem+json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := a.hc.Do(req)
	if err != nil {
		return unreachable(a.api, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize))
		return apiFailure(resp, raw)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return unavailable("reading the answer to GET %s: %v", path, err)
	}
	return nil
}

func reportCommand() command {
	return command{
		name:    "report",
		args:    "--from YYYY-MM-DD --to YYYY-MM-DD [--csv] [-o FILE]",
		summary: "Panel report for a period (admins)",
		about: `Prints your authority's figures for a period (both dates included): settings
awarded per track and level, reassessed at a higher level, toolkits accessed,
working towards an award and in assessment (as now), lapsed, the median working
days spent in each stage, and each assessor's workload.
--csv prints the CSV export (section,key,measure,value) instead; -o FILE saves
the answer (CSV with --csv, else JSON) to FILE.`,
		setup: func(fs *flag.FlagSet) runner {
			var p periodFlags
			var e exportFlags
			p.define(fs, "")
			e.define(fs)
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("report", args); err != nil {
					return err
				}
				if err := p.check("report", true); err != nil {
					return err
				}
				if err := e.check("report", a); err != nil {
					return err
				}
				q := url.Values{}
				p.query(q)
				if e.csv {
					q.Set("format", "csv")
				}
				path := "/v1/admin/reports?" + q.Encode()
				if e.csv || e.dest != "" {
					return a.export(ctx, path, e)
				}
				var out structs.Report
				raw, err := a.call(ctx, http.MethodGet, path, nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				return a.printReport(out)
			}
		},
	}
}

func (a *app) printReport(r structs.Report) error {
	w := a.stdout
	fmt.Fprintf(w, "Report for %s, %s to %s\n\n", r.TenantID, r.From, r.To)
	levels := []string{"bronze", "silver", "gold"}
	byTrack := map[string]map[string]int{}
	var tracks []string
	for _, c := range r.Awarded {
		if byTrack[c.Track] == nil {
			byTrack[c.Track] = map[string]int{}
			tracks = append(tracks, c.Track)
		}
		byTrack[c.Track][c.Level] = c.Settings
	}
	fmt.Fprintln(w, "Settings awarded:")
	tw := newTable(w)
	fmt.Fprintln(tw, "  TRACK\tBRONZE\tSILVER\tGOLD")
	for _, t := range tracks {
		fmt.Fprintf(tw, "  %s", t)
		for _, l := range levels {
			fmt.Fprintf(tw, "\t%d", byTrack[t][l])
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = newTable(w)
	fmt.Fprintf(tw, "Settings awarded, in all\t%d\n", r.AwardedTotal)
	fmt.Fprintf(tw, "Reassessed at a higher level\t%d\n", r.ReassessedHigher)
	fmt.Fprintf(tw, "Toolkits accessed\t%d\n", r.ToolkitsAccessed)
	fmt.Fprintf(tw, "Working towards an award (now)\t%d\n", r.WorkingTowards)
	fmt.Fprintf(tw, "In assessment (now)\t%d\n", r.InAssessment)
	fmt.Fprintf(tw, "Lapsed\t%d\n", r.Lapsed)
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nMedian working days per stage (stays that ended in the period):")
	if len(r.MedianWorkingDays) == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		tw = newTable(w)
		fmt.Fprintln(tw, "  STAGE\tMEDIAN\tSTAYS")
		for _, m := range r.MedianWorkingDays {
			fmt.Fprintf(tw, "  %s\t%s\t%d\n", m.Stage, strconv.FormatFloat(m.Median, 'f', -1, 64), m.Spans)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\nAssessor workload (open: now):")
	if len(r.AssessorWorkload) == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		tw = newTable(w)
		fmt.Fprintln(tw, "  PERSON\tNAME\tROLE\tOFFERS\tACCEPTED\tCOMPLETED\tOPEN\tDECLINED\tEXPIRED")
		for _, l := range r.AssessorWorkload {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", l.PersonID, orDash(l.Name), l.Role,
				l.Offers, l.Accepted, l.Completed, l.Open, l.Declined, l.Expired)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	return nil
}

func auditCommand() command {
	return command{
		name:    "audit",
		args:    "[--application ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv] [-o FILE]",
		summary: "Read or export the audit trail (admins)",
		about: `Lists every state change and admin action of your authority, oldest first: when,
on which application, who, what, the stage before and after, and the details.
Narrow it to one application and/or a period (dates included). The table and
--json show at most 10,000 lines; --csv exports every line selected (to -o FILE,
or standard output). The trail cannot be changed.`,
		setup: func(fs *flag.FlagSet) runner {
			var p periodFlags
			var e exportFlags
			var application string
			fs.StringVar(&application, "application", "", "only this application's lines (`ID`)")
			p.define(fs, " (optional)")
			e.define(fs)
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("audit", args); err != nil {
					return err
				}
				if err := p.check("audit", false); err != nil {
					return err
				}
				if err := e.check("audit", a); err != nil {
					return err
				}
				q := url.Values{}
				if application = strings.TrimSpace(application); application != "" {
					q.Set("application", application)
				}
				p.query(q)
				if e.csv {
					q.Set("format", "csv")
				}
				path := "/v1/admin/audit"
				if len(q) > 0 {
					path += "?" + q.Encode()
				}
				if e.csv || e.dest != "" {
					return a.export(ctx, path, e)
				}
				var out structs.AuditPage
				raw, err := a.call(ctx, http.MethodGet, path, nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				if len(out.Entries) == 0 {
					fmt.Fprintln(a.stdout, "No audit lines.")
					return nil
				}
				if err := a.printAudit(out.Entries, application == ""); err != nil {
					return err
				}
				if out.Truncated {
					fmt.Fprintf(a.stdout, "Only the first %d lines are shown: narrow the period, or export them all with --csv.\n", out.Limit)
				}
				return nil
			}
		},
	}
}

// printAudit prints audit lines as a table; withApp adds the application column.
func (a *app) printAudit(lines []structs.AuditLine, withApp bool) error {
	tw := newTable(a.stdout)
	head := "AT\tACTOR\tACTION\tSTAGE\tDETAIL"
	if withApp {
		head = "AT\tAPPLICATION\tACTOR\tACTION\tSTAGE\tDETAIL"
	}
	fmt.Fprintln(tw, head)
	for _, l := range lines {
		actor := l.Actor
		if l.ActorName != "" {
			actor = l.ActorName + " (" + l.Actor + ")"
		}
		stage := l.StageAfter
		if l.StageBefore != "" && l.StageBefore != l.StageAfter {
			stage = l.StageBefore + " → " + l.StageAfter
		}
		row := []string{formatTime(l.At)}
		if withApp {
			row = append(row, orDash(l.ApplicationID))
		}
		row = append(row, actor, l.Action, orDash(stage), orDash(detailText(l.Detail)))
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// detailText is an audit line's detail on one line, shortened for a table.
func detailText(d map[string]any) string {
	if len(d) == 0 {
		return ""
	}
	b, err := json.Marshal(d)
	if err != nil {
		return ""
	}
	s := string(b)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

func searchCommand() command {
	return command{
		name:    "search",
		args:    "TEXT",
		summary: "Find applications by setting, reference or person (admins)",
		about: `Finds your authority's applications by application id, setting reference
(exact or its beginning), part of the setting's name, or part of the
applicant's or supporter's name or email; best matches first.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				text := strings.TrimSpace(strings.Join(args, " "))
				if text == "" {
					return usageErr("search", "missing TEXT")
				}
				var out structs.SearchAnswer
				raw, err := a.call(ctx, http.MethodGet, "/v1/admin/search?"+url.Values{"q": {text}}.Encode(), nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				if len(out.Applications) == 0 {
					fmt.Fprintf(a.stdout, "Nothing found for %q.\n", text)
					return nil
				}
				tw := newTable(a.stdout)
				fmt.Fprintln(tw, "ID\tREFERENCE\tSETTING\tSTAGE\tAPPLICANT\tUPDATED\tMATCHED")
				for _, r := range out.Applications {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.SettingReference, r.SettingName, r.Stage,
						orDash(r.ApplicantName), formatTime(r.UpdatedAt), strings.ReplaceAll(r.Match, "_", " "))
				}
				return tw.Flush()
			}
		},
	}
}

func showCommand() command {
	return command{
		name:    "show",
		args:    "APPLICATION_ID [--audit N]",
		summary: "An application's admin page: timeline, emails, audit (admins)",
		about: `Shows an application as admins see it: a summary, its timeline of stage changes
(with the working days spent in each), the allocation's choice, its emails (to
whom, subject, delivery), the last lines of its audit trail and a link to its
workflow in the Temporal Web UI.`,
		setup: func(fs *flag.FlagSet) runner {
			tail := 10
			fs.IntVar(&tail, "audit", 10, "show the last `N` audit lines (0 for all)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("show", args, "APPLICATION_ID"); err != nil {
					return err
				}
				if tail < 0 {
					return usageErr("show", "--audit %d: want 0 or more", tail)
				}
				var out structs.AdminDetail
				raw, err := a.call(ctx, http.MethodGet, "/v1/admin/applications/"+url.PathEscape(args[0]), nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				return a.printDetail(out, tail)
			}
		},
	}
}

func (a *app) printDetail(d structs.AdminDetail, tail int) error {
	w := a.stdout
	s := d.Summary
	fmt.Fprintf(w, "%s — %s (%s)\n", s.ID, s.Setting.Name, s.Setting.Reference)
	tw := newTable(w)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("Track", s.Track+" / "+s.Variant)
	stage := s.Stage
	if d.Application != nil && d.Application.Stage != "" {
		stage = string(d.Application.Stage) // the journey's own answer; the projection may trail it by moments
	}
	if !s.Active {
		stage += " (closed)"
	}
	if len(s.Flags) > 0 {
		stage += " [" + strings.Join(s.Flags, ",") + "]"
	}
	row("Stage", stage)
	next := s.NextAction
	if s.DueAt != nil {
		next += " (due " + dueText(*s.DueAt) + ")"
	}
	if d.Application != nil {
		next = nextText(d.Application.Next)
		row("Target level", d.Application.TargetLevel)
	}
	row("Next", next)
	row("Applicant", personText(s.Applicant.Name, s.Applicant.ID))
	if s.Supporter != nil {
		row("Supporter", personText(s.Supporter.Name, s.Supporter.ID))
	}
	if d.Application != nil && d.Application.Assessment != nil {
		as := d.Application.Assessment
		row("Assessor", as.AssessorName)
		if as.DecidedAt != nil {
			row("Decision", as.Decision.String()+", "+formatTime(*as.DecidedAt))
		}
	}
	if d.Allocation != nil {
		chosen := "nobody"
		if id := d.Allocation.Chosen; id != "" {
			chosen = id
			for _, as := range d.Assignments {
				if as.PersonID == id && as.PersonName != "" {
					chosen = personText(as.PersonName, id)
				}
			}
		}
		if d.Allocation.Reason != "" {
			chosen += ": " + d.Allocation.Reason
		}
		row("Allocation", chosen)
	}
	row("Updated", formatTime(s.UpdatedAt))
	if err := tw.Flush(); err != nil {
		return err
	}
	if d.JourneyError != "" {
		fmt.Fprintf(w, "The journey could not be asked: %s\n", d.JourneyError)
	}

	fmt.Fprintln(w, "\nTimeline:")
	tw = newTable(w)
	fmt.Fprintln(tw, "  SINCE\tSTAGE\tWORKING DAYS\tBY\tACTION")
	for _, t := range d.Timeline {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\n", formatTime(t.At), t.Stage, t.WorkingDays, personText(t.ActorName, t.Actor), t.Action)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nEmails:")
	if len(d.Emails) == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		tw = newTable(w)
		fmt.Fprintln(tw, "  CREATED\tTYPE\tTO\tSTATUS\tSENT\tATTEMPTS\tSUBJECT")
		for _, e := range d.Emails {
			status := e.Status
			if e.LastError != "" {
				status += " (" + e.LastError + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\t%s\n", formatTime(e.CreatedAt), e.MessageType,
				personText(e.RecipientName, e.RecipientID), status, orDash(formatTimeP(e.SentAt)), e.Attempts, e.Subject)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	lines := d.Audit
	if tail > 0 && len(lines) > tail {
		fmt.Fprintf(w, "\nAudit trail (last %d of %d lines; 'starter audit --application %s' for all):\n", tail, len(lines), s.ID)
		lines = lines[len(lines)-tail:]
	} else {
		fmt.Fprintln(w, "\nAudit trail:")
	}
	if len(lines) == 0 {
		fmt.Fprintln(w, "  none")
	} else if err := a.printAudit(lines, false); err != nil {
		return err
	}
	if d.TemporalUI != "" {
		fmt.Fprintf(w, "\nTemporal Web UI: %s\n", d.TemporalUI)
	} else {
		fmt.Fprintf(w, "\nWorkflow: %s (no Temporal Web UI configured)\n", d.WorkflowID)
	}
	return nil
}

func personText(name, id string) string {
	switch {
	case name == "":
		return orDash(id)
	case id == "":
		return name
	}
	return name + " (" + id + ")"
}
