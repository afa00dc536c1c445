package admin

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/email"
	"awardengine/services/signin"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// A tenant's settings (SPEC §3 "Defaults below are per-tenant settings", §4 admin
// "settings"): its name, the journey's deadlines and reminder timings, an award's validity,
// retention, and the SendGrid templates of its emails. Admins only, their own tenant only;
// every change is checked (sane ranges, each refusal naming its field and why) and audited
// (settings_changed: every value changed, before and after).
//
// When a change takes effect: the timings, validity and retention are copied into each
// application's journey when it is registered (workflows.ApplicationInput.Settings), so they
// apply to applications registered from then on (reapplications and cohort imports included);
// applications already registered keep the timings they started with. The name and the
// email templates are read whenever a page or an email is made: they apply at once.

// SettingsStore is what the settings need of PostgreSQL (*postgres.DB has it). The admin
// service's DB must have it too; a store without it cannot show or change settings.
type SettingsStore interface {
	TenantConfig(ctx context.Context, tenantID string, def award.Settings) (postgres.TenantConfig, error)
	UpdateTenantConfig(ctx context.Context, tenantID, actor string, def award.Settings,
		edit func(postgres.TenantConfig) (postgres.TenantConfig, map[string]any, error)) (postgres.TenantConfig, bool, error)
}

const settingsWhat = "may see and change the council's settings"

// The limits of each setting: wide enough for any council's practice, narrow enough to catch
// a typo (a 0 too many, days typed as weeks).
const (
	MaxNameLength = 100
	maxReminders  = 6
)

// SettingLimits are the bounds of the numeric settings, by field (structs.TenantSettings' JSON
// names): the pages show them as hints.
var SettingLimits = map[string][2]int{
	"toolkit_nudge_days":           {1, 90},
	"inactivity_nudge_after_days":  {7, 365},
	"inactivity_nudge_every_days":  {7, 180},
	"inactivity_max_nudges":        {0, 10},
	"dormant_after_days":           {30, 730},
	"first_year_due_months":        {3, 24},
	"first_year_reminder_months":   {1, 23},
	"reassessment_reminder_months": {1, 24},
	"digest_delay_minutes":         {1, 720},
	"award_valid_days":             {365, 1827}, // or 0: three calendar years
	"retain_days":                  {365, 3653}, // or 0: six calendar years
	"offer_workdays":               {1, 20},
	"assessment_workdays":          {5, 60},
	"moderation_workdays":          {2, 40},
	"reminder_workdays":            {1, 20},
	"overdue_workdays":             {1, 20},
	"resubmit_months":              {1, 12},
	"resubmit_reminder_days":       {1, 90},
}

// templateID is a SendGrid dynamic template's id.
var templateID = regexp.MustCompile(`^d-[0-9a-f]{32}$`)

// TemplateKinds are the message types a tenant may give a SendGrid template of its own: every
// email the journeys send, and the daily digest. Sign-in links are not among them: they are
// always the app's own (their secret never leaves the service that sends them).
func TemplateKinds() []string {
	var out []string
	for _, k := range email.Kinds() {
		if k != signin.MessageType {
			out = append(out, k)
		}
	}
	out = append(out, activities.DigestKind)
	sort.Strings(out)
	return out
}

func (s *Service) settingsStore() (SettingsStore, error) {
	st, ok := s.DB.(SettingsStore)
	if !ok {
		return nil, errors.New("admin: the store cannot read or change settings")
	}
	return st, nil
}

// defaults are the server's settings, under each tenant's own.
func (s *Service) defaults() award.Settings {
	if s.Apps != nil && s.Apps.Settings.ToolkitNudgeAfter > 0 {
		return s.Apps.Settings
	}
	return award.DefaultSettings()
}

// Settings is the admin's tenant's settings.
func (s *Service) Settings(ctx context.Context, me award.Person) (structs.TenantSettings, error) {
	if err := adminsOnly(me, settingsWhat); err != nil {
		return structs.TenantSettings{}, err
	}
	st, err := s.settingsStore()
	if err != nil {
		return structs.TenantSettings{}, err
	}
	c, err := st.TenantConfig(ctx, me.TenantID, s.defaults())
	if errors.Is(err, postgres.ErrNotFound) {
		return structs.TenantSettings{}, structs.NotFound("your council's settings were not found")
	}
	return settingsView(c), err
}

// PutSettings changes the admin's tenant's settings: the fields given, each checked; the
// answer lists what changed. Nothing is written when a field is refused or nothing changed.
func (s *Service) PutSettings(ctx context.Context, me award.Person, req structs.SettingsUpdate) (structs.TenantSettings, error) {
	if err := adminsOnly(me, settingsWhat); err != nil {
		return structs.TenantSettings{}, err
	}
	if err := structs.CheckStrings(req); err != nil {
		return structs.TenantSettings{}, err
	}
	st, err := s.settingsStore()
	if err != nil {
		return structs.TenantSettings{}, err
	}
	var changes []structs.SettingChange
	c, _, err := st.UpdateTenantConfig(ctx, me.TenantID, me.ID, s.defaults(),
		func(c postgres.TenantConfig) (postgres.TenantConfig, map[string]any, error) {
			after, ch, err := applySettings(c, req)
			if err != nil || len(ch) == 0 {
				return c, nil, err
			}
			changes = ch
			list := make([]map[string]any, 0, len(ch))
			for _, x := range ch {
				list = append(list, map[string]any{"field": x.Field, "before": x.Before, "after": x.After})
			}
			return after, map[string]any{"changes": list}, nil
		})
	var in *award.InputError
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		return structs.TenantSettings{}, structs.NotFound("your council's settings were not found")
	case errors.As(err, &in):
		return structs.TenantSettings{}, structs.Invalid(in.Field, in.Message)
	case err != nil:
		return structs.TenantSettings{}, err
	}
	v := settingsView(c)
	v.Changes = changes
	return v, nil
}

// settingsView is a tenant's configuration in the units people set it in.
func settingsView(c postgres.TenantConfig) structs.TenantSettings {
	st := c.Settings
	dl := st.Deadlines()
	templates := map[string]string{}
	for k, v := range c.EmailTemplates {
		if v != "" {
			templates[k] = v
		}
	}
	return structs.TenantSettings{
		Name:                       c.Name,
		ToolkitNudgeDays:           days(st.ToolkitNudgeAfter),
		InactivityNudgeAfterDays:   days(st.InactivityNudgeAfter),
		InactivityNudgeEveryDays:   days(st.InactivityNudgeEvery),
		InactivityMaxNudges:        st.InactivityMaxNudges,
		DormantAfterDays:           days(st.DormantAfter),
		FirstYearDueMonths:         st.FirstYearDueMonths,
		FirstYearReminderMonths:    nonNil(st.FirstYearReminderMonths),
		ReassessmentReminderMonths: nonNil(st.ReassessmentReminderMonths),
		DigestDelayMinutes:         int((st.DigestDelay + time.Minute/2) / time.Minute),
		AwardValidDays:             days(st.AwardValidFor),
		RetainDays:                 days(st.RetainFor),
		EmailTemplates:             templates,
		DefaultTimings:             !c.Own,
		OfferWorkdays:              dl.OfferWorkdays,
		AssessmentWorkdays:         dl.AssessmentWorkdays,
		ModerationWorkdays:         dl.ModerationWorkdays,
		ReminderWorkdays:           dl.ReminderWorkdays,
		OverdueWorkdays:            dl.OverdueWorkdays,
		ResubmitMonths:             dl.ResubmitMonths,
		ResubmitReminderDays:       dl.ResubmitReminderDays,
	}
}

func days(d time.Duration) int { return int((d + award.Day/2) / award.Day) }

func nonNil(xs []int) []int {
	if xs == nil {
		return []int{}
	}
	return slices.Clone(xs)
}

// settingsProblem collects the refusals of one request: every field refused, in one answer.
type settingsProblem struct{ errs []structs.FieldError }

func (p *settingsProblem) add(field, format string, args ...any) {
	p.errs = append(p.errs, structs.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *settingsProblem) has(field string) bool {
	return slices.ContainsFunc(p.errs, func(e structs.FieldError) bool { return e.Field == field })
}

func (p *settingsProblem) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	out := structs.Invalid(p.errs[0].Field, p.errs[0].Message)
	out.Errors = p.errs
	if len(p.errs) > 1 {
		out.Detail += fmt.Sprintf(" (and %d more)", len(p.errs)-1)
	}
	return out
}

// applySettings checks req against c and applies it, returning what changed.
func applySettings(c postgres.TenantConfig, req structs.SettingsUpdate) (postgres.TenantConfig, []structs.SettingChange, error) {
	var (
		bad     settingsProblem
		changes []structs.SettingChange
	)
	note := func(field, before, after string) {
		if before != after {
			changes = append(changes, structs.SettingChange{Field: field, Before: before, After: after})
		}
	}
	if req.Name != nil {
		name := strings.Join(strings.Fields(*req.Name), " ")
		switch {
		case name == "":
			bad.add("name", "enter the council's name, as the header and the emails show it")
		case utf8.RuneCountInString(name) > MaxNameLength:
			bad.add("name", "the council's name must be %d characters or fewer (it has %d)", MaxNameLength, utf8.RuneCountInString(name))
		default:
			note("name", c.Name, name)
			c.Name = name
		}
	}
	st := &c.Settings
	// whole checks a number against its limits; what names it in the message.
	whole := func(field, what, unit string, v *int) (int, bool) {
		if v == nil {
			return 0, false
		}
		lim := SettingLimits[field]
		if *v < lim[0] || *v > lim[1] {
			bad.add(field, "%s must be from %d to %d %s (it was %d)", what, lim[0], lim[1], unit, *v)
			return 0, false
		}
		return *v, true
	}
	// duration sets *d from a number of unit, keeping *d exactly when the number is unchanged.
	duration := func(field, what string, v *int, d *time.Duration, unit time.Duration, unitName string) {
		n, ok := whole(field, what, unitName, v)
		if !ok {
			return
		}
		before := int((*d + unit/2) / unit)
		if n == before {
			return
		}
		note(field, plural(before, unitName), plural(n, unitName))
		*d = time.Duration(n) * unit
	}
	duration("toolkit_nudge_days", "the toolkit nudge", req.ToolkitNudgeDays, &st.ToolkitNudgeAfter, award.Day, "days")
	duration("inactivity_nudge_after_days", "the first inactivity nudge", req.InactivityNudgeAfterDays, &st.InactivityNudgeAfter, award.Day, "days")
	duration("inactivity_nudge_every_days", "the time between inactivity nudges", req.InactivityNudgeEveryDays, &st.InactivityNudgeEvery, award.Day, "days")
	if n, ok := whole("inactivity_max_nudges", "the number of inactivity nudges", "nudges", req.InactivityMaxNudges); ok {
		note("inactivity_max_nudges", strconv.Itoa(st.InactivityMaxNudges), strconv.Itoa(n))
		st.InactivityMaxNudges = n
	}
	// count sets *n (0 meaning the standard, std) from a number of unit.
	count := func(field, what, unit string, v *int, n *int, std int) {
		x, ok := whole(field, what, unit, v)
		if !ok {
			return
		}
		before := *n
		if before == 0 {
			before = std
		}
		if x == before {
			return
		}
		note(field, plural(before, unit), plural(x, unit))
		*n = x
	}
	dd := award.DefaultDeadlines
	count("offer_workdays", "the time to accept an offer", "working days", req.OfferWorkdays, &st.OfferWorkdays, dd.OfferWorkdays)
	count("assessment_workdays", "the time to assess", "working days", req.AssessmentWorkdays, &st.AssessmentWorkdays, dd.AssessmentWorkdays)
	count("moderation_workdays", "the time to moderate", "working days", req.ModerationWorkdays, &st.ModerationWorkdays, dd.ModerationWorkdays)
	count("reminder_workdays", "the first reminder before a due day", "working days", req.ReminderWorkdays, &st.ReminderWorkdays, dd.ReminderWorkdays)
	count("overdue_workdays", "the time before admins see an overdue step", "working days", req.OverdueWorkdays, &st.OverdueWorkdays, dd.OverdueWorkdays)
	count("resubmit_months", "the resubmission window", "months", req.ResubmitMonths, &st.ResubmitMonths, dd.ResubmitMonths)
	count("resubmit_reminder_days", "the resubmission reminder", "days", req.ResubmitReminderDays, &st.ResubmitReminderDays, dd.ResubmitReminderDays)
	duration("dormant_after_days", "the time before a portfolio is dormant", req.DormantAfterDays, &st.DormantAfter, award.Day, "days")
	duration("digest_delay_minutes", "the digest's wait", req.DigestDelayMinutes, &st.DigestDelay, time.Minute, "minutes")
	if n, ok := whole("first_year_due_months", "the first-year due date", "months", req.FirstYearDueMonths); ok {
		note("first_year_due_months", plural(st.FirstYearDueMonths, "months"), plural(n, "months"))
		st.FirstYearDueMonths = n
	}
	if req.FirstYearReminderMonths != nil {
		ms := *req.FirstYearReminderMonths
		switch {
		case len(ms) > maxReminders:
			bad.add("first_year_reminder_months", "give at most %d first-year reminders (there were %d)", maxReminders, len(ms))
		case !increasing(ms):
			bad.add("first_year_reminder_months", "the first-year reminders must be different months, smallest first (they were %s)", monthList(ms))
		default:
			note("first_year_reminder_months", monthList(st.FirstYearReminderMonths), monthList(ms))
			st.FirstYearReminderMonths = slices.Clone(ms)
		}
	}
	if req.ReassessmentReminderMonths != nil {
		ms := slices.Clone(*req.ReassessmentReminderMonths)
		slices.Sort(ms)
		lim := SettingLimits["reassessment_reminder_months"]
		switch {
		case len(ms) > maxReminders:
			bad.add("reassessment_reminder_months", "give at most %d reassessment reminders (there were %d)", maxReminders, len(ms))
		case len(ms) > 0 && (ms[0] < lim[0] || ms[len(ms)-1] > lim[1]):
			bad.add("reassessment_reminder_months", "each reassessment reminder must be from %d to %d months before the award expires (they were %s)", lim[0], lim[1], monthList(*req.ReassessmentReminderMonths))
		case !increasing(ms):
			bad.add("reassessment_reminder_months", "the reassessment reminders must be different months (they were %s)", monthList(*req.ReassessmentReminderMonths))
		default:
			slices.Reverse(ms) // the furthest from expiry first, as the defaults are
			note("reassessment_reminder_months", monthList(st.ReassessmentReminderMonths), monthList(ms))
			st.ReassessmentReminderMonths = ms
		}
	}
	// optionalDays is a number of days or 0 for the standard period (standard names it).
	optionalDays := func(field, what, standard string, v *int, d *time.Duration) {
		if v == nil {
			return
		}
		if *v != 0 {
			if _, ok := whole(field, what, "days, or 0 for "+standard, v); !ok {
				return
			}
		}
		show := func(n int) string {
			if n == 0 {
				return standard
			}
			return plural(n, "days")
		}
		before := days(*d)
		if *v == before {
			return
		}
		note(field, show(before), show(*v))
		*d = time.Duration(*v) * award.Day
	}
	optionalDays("award_valid_days", "an award's validity", "three years", req.AwardValidDays, &st.AwardValidFor)
	optionalDays("retain_days", "the time a closed application's data is kept", "six years", req.RetainDays, &st.RetainFor)
	if req.EmailTemplates != nil {
		kinds := TemplateKinds()
		next := map[string]string{}
		for kind, id := range *req.EmailTemplates {
			id = strings.TrimSpace(id)
			field := "email_templates." + kind
			switch {
			case !slices.Contains(kinds, kind):
				bad.add(field, "%q is not a message type with a template; the types are %s", kind, strings.Join(kinds, ", "))
			case id == "":
			case !templateID.MatchString(id):
				bad.add(field, "the template for %s must be a SendGrid dynamic template id: d- then 32 digits and letters a to f (it was %q)", kind, id)
			default:
				next[kind] = id
			}
		}
		for _, kind := range union(c.EmailTemplates, next) {
			note("email_templates."+kind, c.EmailTemplates[kind], next[kind])
		}
		c.EmailTemplates = next
	}
	// Checks across fields, on the values as they would be.
	if !bad.has("dormant_after_days") && !bad.has("inactivity_nudge_after_days") && st.DormantAfter <= st.InactivityNudgeAfter {
		field := "dormant_after_days"
		if req.DormantAfterDays == nil {
			field = "inactivity_nudge_after_days"
		}
		bad.add(field, "a portfolio must be nudged before it is dormant: the time before it is dormant (%s) must be longer than the time before the first inactivity nudge (%s)",
			plural(days(st.DormantAfter), "days"), plural(days(st.InactivityNudgeAfter), "days"))
	}
	if !bad.has("first_year_reminder_months") && !bad.has("first_year_due_months") {
		for _, m := range st.FirstYearReminderMonths {
			if m < 1 || m >= st.FirstYearDueMonths {
				field := "first_year_reminder_months"
				if req.FirstYearReminderMonths == nil {
					field = "first_year_due_months"
				}
				bad.add(field, "each first-year reminder must come before the due date: months from 1 to %d after approval (the reminders are %s)",
					st.FirstYearDueMonths-1, monthList(st.FirstYearReminderMonths))
				break
			}
		}
	}
	if dl := st.Deadlines(); !bad.has("reminder_workdays") && !bad.has("assessment_workdays") && !bad.has("moderation_workdays") &&
		dl.ReminderWorkdays >= min(dl.AssessmentWorkdays, dl.ModerationWorkdays) {
		field := "reminder_workdays"
		switch {
		case req.ReminderWorkdays != nil && *req.ReminderWorkdays == dl.ReminderWorkdays:
		case req.AssessmentWorkdays != nil && dl.AssessmentWorkdays <= dl.ModerationWorkdays:
			field = "assessment_workdays"
		case req.ModerationWorkdays != nil:
			field = "moderation_workdays"
		}
		bad.add(field, "the first reminder must come after the step starts: fewer working days before the due day (%d) than the time to assess (%d) and to moderate (%d)",
			dl.ReminderWorkdays, dl.AssessmentWorkdays, dl.ModerationWorkdays)
	}
	if dl := st.Deadlines(); !bad.has("resubmit_reminder_days") && !bad.has("resubmit_months") && dl.ResubmitReminderDays >= dl.ResubmitMonths*28 {
		field := "resubmit_reminder_days"
		if req.ResubmitReminderDays == nil {
			field = "resubmit_months"
		}
		bad.add(field, "the resubmission reminder must come within the window: fewer days before it closes (%d) than the window is long (%s)",
			dl.ResubmitReminderDays, plural(dl.ResubmitMonths, "months"))
	}
	if !bad.has("reassessment_reminder_months") && !bad.has("award_valid_days") {
		valid := 36 // months: three calendar years
		if st.AwardValidFor > 0 {
			valid = days(st.AwardValidFor) * 12 / 365
		}
		for _, m := range st.ReassessmentReminderMonths {
			if m >= valid {
				field := "reassessment_reminder_months"
				if req.ReassessmentReminderMonths == nil {
					field = "award_valid_days"
				}
				bad.add(field, "each reassessment reminder must come after the award is given: fewer months before expiry than the award is valid (about %d months; the reminders are %s)",
					valid, monthList(st.ReassessmentReminderMonths))
				break
			}
		}
	}
	if err := bad.err(); err != nil {
		return c, nil, err
	}
	return c, changes, nil
}

// increasing says each number is larger than the one before.
func increasing(xs []int) bool {
	for i := 1; i < len(xs); i++ {
		if xs[i] <= xs[i-1] {
			return false
		}
	}
	return true
}

func monthList(ms []int) string {
	if len(ms) == 0 {
		return "none"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strconv.Itoa(m)
	}
	return strings.Join(parts, ", ") + " months"
}

// plural is "1 day", "14 days" (unit is the plural).
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + strings.TrimSuffix(unit, "s")
	}
	return strconv.Itoa(n) + " " + unit
}

// union is the keys of two maps with a value in either, sorted.
func union(a, b map[string]string) []string {
	var out []string
	for _, m := range []map[string]string{a, b} {
		for k, v := range m {
			if v != "" && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
