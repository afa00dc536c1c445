package cli

// Commands of the assessment stages (SPEC §3, stages 5–9): the assessor's and moderator's
// inbox, offer replies, scoring, moderation, an admin's allocation by hand and reassignment,
// the allocation's reasons, and download links for evidence and the award certificate.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"awardengine/structs"
)

// openAssignment says whether an assignment (an offer, assessment or moderation) still waits
// for its holder.
func openAssignment(as structs.Assignment) bool {
	return as.State == "offered" || as.State == "accepted"
}

// ratingLevels are the ratings a standard can get.
var ratingLevels = []string{"not_met", "bronze", "silver", "gold"}

func inboxCommand() command {
	return command{
		name:    "inbox",
		args:    "",
		summary: "My offers, assessments and moderations (assessors, moderators)",
		about: `Lists the offers, assessments and moderations you hold, open ones first, with
when each was offered and accepted and when it is due. Closed ones (declined,
expired, completed, released) stay listed for 90 days.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("inbox", args); err != nil {
					return err
				}
				var out struct {
					Assignments  []structs.Assignment         `json:"assignments"`
					Applications []structs.ApplicationSummary `json:"applications"`
				}
				raw, err := a.call(ctx, http.MethodGet, "/v1/assignments", nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				if len(out.Assignments) == 0 {
					fmt.Fprintln(a.stdout, "Nothing in your inbox.")
					return nil
				}
				apps := map[string]structs.ApplicationSummary{}
				for _, s := range out.Applications {
					apps[s.ID] = s
				}
				sort.SliceStable(out.Assignments, func(i, j int) bool {
					return openAssignment(out.Assignments[i]) && !openAssignment(out.Assignments[j])
				})
				tw := newTable(a.stdout)
				fmt.Fprintln(tw, "APPLICATION\tSETTING\tROLE\tSTATE\tOFFERED\tACCEPTED\tDUE")
				for _, as := range out.Assignments {
					due := "-"
					if s, ok := apps[as.ApplicationID]; ok && openAssignment(as) && s.DueAt != nil {
						due = dueText(*s.DueAt)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", as.ApplicationID, settingText(as.SettingName, as.SettingReference),
						as.Role, as.State, orDash(formatTime(as.OfferedAt)), orDash(formatTimeP(as.AcceptedAt)), due)
				}
				return tw.Flush()
			}
		},
	}
}

func settingText(name, ref string) string {
	switch {
	case name == "":
		return orDash(ref)
	case ref == "":
		return name
	}
	return name + " (" + ref + ")"
}

func acceptCommand() command {
	return command{
		name:    "accept",
		args:    "APPLICATION_ID",
		summary: "Accept the offer to assess an application",
		about: `Accepts the assessment you were offered. The portfolio then opens to you and the
assessment is due 20 working days later.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("accept", args, "APPLICATION_ID"); err != nil {
					return err
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "offer", "accept"), nil, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Accepted the assessment of %s\n", settingOf(out))
			}
		},
	}
}

func declineCommand() command {
	return command{
		name:    "decline",
		args:    "APPLICATION_ID --reason TEXT",
		summary: "Decline the offer to assess an application",
		about:   "Declines the assessment you were offered; it is offered to the next assessor.",
		setup: func(fs *flag.FlagSet) runner {
			var reason string
			fs.StringVar(&reason, "reason", "", "why you decline (`text`)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("decline", args, "APPLICATION_ID"); err != nil {
					return err
				}
				if reason = strings.TrimSpace(reason); reason == "" {
					return usageErr("decline", "missing --reason")
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "offer", "decline"), map[string]string{"reason": reason}, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Declined the assessment of %s\n", settingOf(out))
			}
		},
	}
}

// settingOf names an application for a headline: "Oakfield Primary (app-1)".
func settingOf(ap structs.Application) string {
	if ap.Setting.Name == "" {
		return ap.ID
	}
	return ap.Setting.Name + " (" + ap.ID + ")"
}

// ratingsFlags defines --rating (repeatable) and --ratings-file on fs.
type ratingsFlags struct {
	given map[string]string // from --rating, code → level
	file  string
}

func (r *ratingsFlags) define(fs *flag.FlagSet) {
	r.given = map[string]string{}
	fs.Func("rating", "a standard's rating `CODE=LEVEL`, e.g. LD1=gold (repeat for each standard)", func(v string) error {
		code, level, ok := strings.Cut(v, "=")
		code = strings.TrimSpace(code)
		if !ok || code == "" {
			return fmt.Errorf("want CODE=LEVEL, e.g. LD1=gold")
		}
		l, err := parseRating(level)
		if err != nil {
			return fmt.Errorf("%s: %v", code, err)
		}
		if prev, dup := r.given[code]; dup && prev != l {
			return fmt.Errorf("%s is rated twice (%s and %s)", code, prev, l)
		}
		r.given[code] = l
		return nil
	})
	fs.StringVar(&r.file, "ratings-file", "", "JSON `file` of ratings: {\"LD1\": \"gold\", …} (--rating overrides it)")
}

// ratings merges the file's ratings with --rating; cmd names the command for usage errors.
func (r *ratingsFlags) ratings(cmd string) (map[string]string, error) {
	out := map[string]string{}
	if r.file != "" {
		b, err := os.ReadFile(r.file)
		if err != nil {
			return nil, usageErr(cmd, "--ratings-file: %v", err)
		}
		fromFile, err := decodeRatings(b)
		if err != nil {
			return nil, usageErr(cmd, "--ratings-file %s: %v", r.file, err)
		}
		for code, v := range fromFile {
			l, err := parseRating(v)
			if err != nil {
				return nil, usageErr(cmd, "--ratings-file %s: %s: %v", r.file, code, err)
			}
			out[code] = l
		}
	}
	for code, l := range r.given {
		out[code] = l
	}
	return out, nil
}

// decodeRatings reads {"LD1": "gold", …}, or an object whose "ratings" member is that (such as
// a saved request body).
func decodeRatings(b []byte) (map[string]string, error) {
	var flat map[string]string
	if err := json.Unmarshal(b, &flat); err == nil && flat != nil {
		return trimCodes(flat)
	}
	var wrapped struct {
		Ratings map[string]string `json:"ratings"`
	}
	if err := json.Unmarshal(b, &wrapped); err == nil && wrapped.Ratings != nil {
		return trimCodes(wrapped.Ratings)
	}
	return nil, fmt.Errorf(`want a JSON object of standard codes to ratings, e.g. {"LD1": "gold"}`)
}

func trimCodes(in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for code, v := range in {
		c := strings.TrimSpace(code)
		if c == "" {
			return nil, fmt.Errorf("a rating has an empty standard code")
		}
		out[c] = v
	}
	return out, nil
}

// parseRating accepts not_met, bronze, silver or gold in any case (not-met too).
func parseRating(v string) (string, error) {
	l := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(v)))
	for _, ok := range ratingLevels {
		if l == ok {
			return l, nil
		}
	}
	if l == "" {
		return "", fmt.Errorf("missing rating: want %s", strings.Join(ratingLevels, ", "))
	}
	return "", fmt.Errorf("rating %q: want %s", v, strings.Join(ratingLevels, ", "))
}

// assessRequest is the body of PUT and POST /v1/applications/{id}/assessment. It stays local
// rather than structs.RatingsRequest: the CLI leaves visit_date out when no --visit-date is
// given (omitempty), where structs.RatingsRequest would send "" (the wire must not change).
type assessRequest struct {
	Ratings   map[string]string `json:"ratings"`
	Feedback  string            `json:"feedback"`
	VisitDate string            `json:"visit_date,omitempty"`
}

func assessCommand() command {
	return command{
		name:    "assess",
		args:    "APPLICATION_ID --rating CODE=LEVEL ... [--ratings-file FILE] --feedback TEXT [--visit-date YYYY-MM-DD] [--draft]",
		summary: "Score an application (assessors): save a draft or submit",
		about: `Rates the standards of an application you assess (not_met, bronze, silver or
gold), with feedback for the applicant and an optional visit date.

Without --draft the assessment is submitted: every standard must be rated and
feedback is required; the recommended level follows from the ratings and the
assessment goes to moderation where needed. With --draft it is only saved.
Each save replaces the whole draft (ratings, feedback and visit date), so give
every rating you have so far, e.g. kept in a --ratings-file, which holds
{"LD1": "gold", "LD2": "silver", ...}; --rating values override the file's.`,
		setup: func(fs *flag.FlagSet) runner {
			var rf ratingsFlags
			rf.define(fs)
			var feedback, feedbackFile, visitDate string
			var draft bool
			fs.StringVar(&feedback, "feedback", "", "feedback for the applicant (`text`)")
			fs.StringVar(&feedbackFile, "feedback-file", "", "read the feedback from `file`")
			fs.StringVar(&visitDate, "visit-date", "", "the visit's `date` YYYY-MM-DD, if there was one")
			fs.BoolVar(&draft, "draft", false, "save a draft instead of submitting")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("assess", args, "APPLICATION_ID"); err != nil {
					return err
				}
				ratings, err := rf.ratings("assess")
				if err != nil {
					return err
				}
				if feedbackFile != "" {
					if feedback != "" {
						return usageErr("assess", "give --feedback or --feedback-file, not both")
					}
					b, err := os.ReadFile(feedbackFile)
					if err != nil {
						return usageErr("assess", "--feedback-file: %v", err)
					}
					feedback = string(b)
				}
				feedback = strings.TrimSpace(feedback)
				if visitDate = strings.TrimSpace(visitDate); visitDate != "" {
					if _, err := time.Parse(time.DateOnly, visitDate); err != nil {
						return usageErr("assess", "--visit-date %q is not a date YYYY-MM-DD", visitDate)
					}
				}
				switch {
				case draft && len(ratings) == 0 && feedback == "" && visitDate == "":
					return usageErr("assess", "nothing to save: give --rating, --ratings-file, --feedback or --visit-date")
				case !draft && len(ratings) == 0:
					return usageErr("assess", "missing --rating or --ratings-file (every standard needs a rating)")
				case !draft && feedback == "":
					return usageErr("assess", "missing --feedback (or --feedback-file)")
				}
				method, headline := http.MethodPost, "Submitted the assessment of %s\n"
				if draft {
					method, headline = http.MethodPut, "Saved a draft assessment of %s\n"
				}
				var out structs.Application
				body := assessRequest{Ratings: ratings, Feedback: feedback, VisitDate: visitDate}
				raw, err := a.call(ctx, method, appPath(args[0], "assessment"), body, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				fmt.Fprintf(a.stdout, headline, settingOf(out))
				fmt.Fprintf(a.stdout, "Rated: %s\n", plural(len(ratings), "standard"))
				// A submitted assessment always carries its recommendation (not_met included).
				if as := out.Assessment; !draft && as != nil {
					fmt.Fprintf(a.stdout, "Recommended: %s\n", levelText(as.Recommended.String()))
					if m := as.Moderation; m != nil && m.Required {
						fmt.Fprintf(a.stdout, "Moderation: required (%s)\n", strings.Join(m.Reasons, "; "))
					}
				}
				a.printStage(out)
				return nil
			}
		},
	}
}

// levelText shows a level as people read it: not_met is "not yet".
func levelText(l string) string {
	if l == "not_met" {
		return "not yet"
	}
	return l
}

// moderateDecisions maps the command-line decision to the API's.
var moderateDecisions = map[string]string{
	"confirm":    "confirm",
	"amend":      "amend",
	"refer-back": "refer_back",
	"refer_back": "refer_back",
}

func moderateCommand() command {
	return command{
		name:    "moderate",
		args:    "APPLICATION_ID confirm|amend|refer-back [--rating CODE=LEVEL ...] [--ratings-file FILE] [--rationale TEXT]",
		summary: "Confirm, amend or refer back an assessment (moderators)",
		about: `Records your moderation of an assessment:
  confirm     the recommendation stands
  amend       replaces the ratings: rate every standard (--rating or
              --ratings-file) and say why (--rationale)
  refer-back  sends it back to the assessor once, saying what to look at
              again (--rationale)`,
		setup: func(fs *flag.FlagSet) runner {
			var rf ratingsFlags
			rf.define(fs)
			var rationale string
			fs.StringVar(&rationale, "rationale", "", "why you amend or refer back (`text`)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("moderate", args, "APPLICATION_ID", "DECISION"); err != nil {
					return err
				}
				decision, ok := moderateDecisions[strings.ToLower(strings.TrimSpace(args[1]))]
				if !ok {
					return usageErr("moderate", "decision %q: want confirm, amend or refer-back", args[1])
				}
				ratings, err := rf.ratings("moderate")
				if err != nil {
					return err
				}
				rationale = strings.TrimSpace(rationale)
				switch {
				case decision != "amend" && len(ratings) > 0:
					return usageErr("moderate", "ratings go with amend only")
				case decision == "amend" && len(ratings) == 0:
					return usageErr("moderate", "amend needs the ratings: --rating or --ratings-file")
				case decision != "confirm" && rationale == "":
					return usageErr("moderate", "missing --rationale (required to %s)", args[1])
				}
				body := map[string]any{"decision": decision}
				if len(ratings) > 0 {
					body["ratings"] = ratings
				}
				if rationale != "" {
					body["rationale"] = rationale
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "moderation"), body, &out)
				if err != nil {
					return err
				}
				headline := map[string]string{
					"confirm":    "Confirmed the assessment of %s\n",
					"amend":      "Amended the assessment of %s\n",
					"refer_back": "Referred the assessment of %s back to the assessor\n",
				}[decision]
				return a.reportStage(raw, out, headline, settingOf(out))
			}
		},
	}
}

func allocateCommand() command {
	return command{
		name:    "allocate",
		args:    "APPLICATION_ID ASSESSOR_PERSON_ID [--reason TEXT]",
		summary: "Offer an application to an assessor by hand (admins)",
		about: `Offers an application waiting for allocation to the assessor you name (their
person id, see 'starter roster'), overriding the allocation rules; the offer
then waits for their answer like any other.`,
		setup: func(fs *flag.FlagSet) runner {
			var reason string
			fs.StringVar(&reason, "reason", "", "why this assessor (`text`, kept in the audit trail)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("allocate", args, "APPLICATION_ID", "ASSESSOR_PERSON_ID"); err != nil {
					return err
				}
				body := map[string]string{"assessor": strings.TrimSpace(args[1])}
				if reason = strings.TrimSpace(reason); reason != "" {
					body["reason"] = reason
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "allocate"), body, &out)
				if err != nil {
					return err
				}
				who := args[1]
				if as := out.Assessment; as != nil && as.Offer != nil && as.Offer.Name != "" {
					who = as.Offer.Name + " (" + as.Offer.PersonID + ")"
				}
				return a.reportStage(raw, out, "Offered %s to %s\n", settingOf(out), who)
			}
		},
	}
}

func reassignCommand() command {
	return command{
		name:    "reassign",
		args:    "APPLICATION_ID --reason TEXT",
		summary: "Take an assessment away from its assessor (admins)",
		about: `Takes the assessment (or the open offer) away from its assessor and allocates
it again; the former assessor is not offered it again.`,
		setup: func(fs *flag.FlagSet) runner {
			var reason string
			fs.StringVar(&reason, "reason", "", "why it is reassigned (`text`, kept in the audit trail)")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("reassign", args, "APPLICATION_ID"); err != nil {
					return err
				}
				if reason = strings.TrimSpace(reason); reason == "" {
					return usageErr("reassign", "missing --reason")
				}
				var out structs.Application
				raw, err := a.call(ctx, http.MethodPost, appPath(args[0], "reassign"), map[string]string{"reason": reason}, &out)
				if err != nil {
					return err
				}
				return a.reportStage(raw, out, "Reassigned %s\n", settingOf(out))
			}
		},
	}
}

func allocationCommand() command {
	return command{
		name:    "allocation",
		args:    "APPLICATION_ID",
		summary: "Why an assessor was (or was not) chosen (admins)",
		about: `Shows the last allocation of an application: who was chosen and why, the
eligible candidates in order, every excluded candidate with the reason, the
people who may not be offered it again, and every offer made so far.`,
		setup: func(fs *flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("allocation", args, "APPLICATION_ID"); err != nil {
					return err
				}
				var out structs.AllocationAnswer
				raw, err := a.call(ctx, http.MethodGet, appPath(args[0], "allocation"), nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(raw)
				}
				return a.printAllocation(args[0], out)
			}
		},
	}
}

func (a *app) printAllocation(id string, out structs.AllocationAnswer) error {
	w := a.stdout
	names := map[string]string{}
	for _, as := range out.Assignments {
		names[as.PersonID] = as.PersonName
	}
	if al := out.Allocation; al != nil {
		for _, e := range al.Excluded {
			names[e.PersonID] = e.Name
		}
	}
	person := func(id string) string {
		if n := names[id]; n != "" {
			return n + " (" + id + ")"
		}
		return id
	}

	fmt.Fprintf(w, "Allocation of %s\n", id)
	al := out.Allocation
	if al == nil {
		fmt.Fprintln(w, "No allocation has run yet.")
	} else {
		tw := newTable(w)
		chosen := "nobody"
		if al.Chosen != "" {
			chosen = person(al.Chosen)
		}
		fmt.Fprintf(tw, "Chosen\t%s\n", chosen)
		fmt.Fprintf(tw, "Reason\t%s\n", orDash(al.Reason))
		ranked := make([]string, 0, len(al.Ranked))
		for _, r := range al.Ranked {
			ranked = append(ranked, person(r))
		}
		fmt.Fprintf(tw, "Eligible\t%s\n", orDash(strings.Join(ranked, ", ")))
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "\nExcluded candidates:")
		if len(al.Excluded) == 0 {
			fmt.Fprintln(w, "  none")
		} else {
			tw = newTable(w)
			fmt.Fprintln(tw, "  PERSON\tNAME\tREASON")
			for _, e := range al.Excluded {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", e.PersonID, orDash(e.Name), e.Reason)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}

	if len(out.ExcludedFromOffers) > 0 {
		fmt.Fprintln(w, "\nNot to be offered it again:")
		ids := make([]string, 0, len(out.ExcludedFromOffers))
		for p := range out.ExcludedFromOffers {
			ids = append(ids, p)
		}
		sort.Strings(ids)
		tw := newTable(w)
		fmt.Fprintln(tw, "  PERSON\tNAME\tWHY")
		for _, p := range ids {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", p, orDash(names[p]), out.ExcludedFromOffers[p])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\nOffers and assignments:")
	if len(out.Assignments) == 0 {
		fmt.Fprintln(w, "  none yet")
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "  PERSON\tNAME\tROLE\tSTATE\tOFFERED\tACCEPTED\tCLOSED\tREASON")
	for _, as := range out.Assignments {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", as.PersonID, orDash(as.PersonName), as.Role, as.State,
			orDash(formatTime(as.OfferedAt)), orDash(formatTimeP(as.AcceptedAt)), orDash(formatTimeP(as.ClosedAt)), orDash(as.Reason))
	}
	return tw.Flush()
}

func certificateCommand() command {
	return command{
		name:    "certificate",
		args:    "APPLICATION_ID [-o FILE]",
		summary: "Get (or save) the award certificate PDF",
		about: `Prints a short-lived link to the award certificate of an awarded application.
With -o, saves the PDF to FILE (into it, if FILE is a directory).`,
		setup: func(fs *flag.FlagSet) runner {
			var dest string
			outputFlag(fs, &dest, "save the PDF to `FILE`")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("certificate", args, "APPLICATION_ID"); err != nil {
					return err
				}
				return a.fetchLink(ctx, appPath(args[0], "certificate"), "certificate-"+args[0]+".pdf", dest,
					"Certificate of %s:\n", args[0])
			}
		},
	}
}

func downloadCommand() command {
	return command{
		name:    "download",
		args:    "APPLICATION_ID EVIDENCE_ID [-o FILE]",
		summary: "Get (or save) an evidence file",
		about: `Prints a short-lived link to a confirmed evidence file. With -o, saves the file
to FILE (into it under its own name, if FILE is a directory, e.g. -o .).
Assessors and moderators can download while they hold the assessment.`,
		setup: func(fs *flag.FlagSet) runner {
			var dest string
			outputFlag(fs, &dest, "save the file to `FILE`")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("download", args, "APPLICATION_ID", "EVIDENCE_ID"); err != nil {
					return err
				}
				return a.fetchLink(ctx, appPath(args[0], "evidence", args[1], "download"), args[1], dest,
					"Evidence %s:\n", args[1])
			}
		},
	}
}

// outputFlag defines -o and its long form --output.
func outputFlag(fs *flag.FlagSet, dest *string, usage string) {
	fs.StringVar(dest, "o", "", usage)
	fs.StringVar(dest, "output", "", "the same as -o `FILE`")
}

// fetchLink gets a download link and prints it, or with dest saves the file there. fallback
// names the file when dest is a directory and the link carries no file name.
func (a *app) fetchLink(ctx context.Context, apiPath, fallback, dest, headline string, args ...any) error {
	var link structs.DownloadLink
	raw, err := a.call(ctx, http.MethodGet, apiPath, nil, &link)
	if err != nil {
		return err
	}
	if link.URL == "" {
		return unavailable("unexpected answer to GET %s: no url", apiPath)
	}
	if a.json {
		if err := a.printJSON(raw); err != nil {
			return err
		}
	}
	if dest == "" {
		if !a.json {
			fmt.Fprintf(a.stdout, headline, args...)
			fmt.Fprintf(a.stdout, "  %s\n", link.URL)
			if !link.ExpiresAt.IsZero() {
				fmt.Fprintf(a.stdout, "The link expires at %s.\n", formatTime(link.ExpiresAt))
			}
		}
		return nil
	}
	if st, err := os.Stat(dest); (err == nil && st.IsDir()) || strings.HasSuffix(dest, string(os.PathSeparator)) || strings.HasSuffix(dest, "/") {
		dest = filepath.Join(dest, linkFilename(link.URL, fallback))
	}
	n, err := a.download(ctx, link.URL, dest)
	if err != nil {
		return err
	}
	if !a.json {
		fmt.Fprintf(a.stdout, "Saved %s (%s)\n", dest, formatBytes(n))
	}
	return nil
}

// linkFilename is the file name a presigned link asks for (its response-content-disposition),
// reduced to one path element; fallback when there is none.
func linkFilename(link, fallback string) string {
	u, err := url.Parse(link)
	if err == nil {
		if cd := u.Query().Get("response-content-disposition"); cd != "" {
			if _, params, err := mime.ParseMediaType(cd); err == nil {
				name := path.Base(strings.ReplaceAll(params["filename"], `\`, "/"))
				if name != "" && name != "." && name != ".." && name != "/" && !strings.HasPrefix(name, ".") {
					return name
				}
			}
		}
	}
	name := path.Base(strings.ReplaceAll(fallback, `\`, "/"))
	if name == "" || name == "." || name == ".." || name == "/" {
		name = "download"
	}
	return name
}
