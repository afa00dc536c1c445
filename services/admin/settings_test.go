package admin

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

func defaultConfig() postgres.TenantConfig {
	return postgres.TenantConfig{Name: "North Council", Settings: award.DefaultSettings(), EmailTemplates: map[string]string{}}
}

// fields are the fields a refusal names, sorted.
func fields(t *testing.T, err error) []string {
	t.Helper()
	var p *structs.Problem
	if !errors.As(err, &p) || p.Status != 422 {
		t.Fatalf("want a 422 problem, got %v", err)
	}
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

// TestSettingsRefusals: each value out of its range, a list out of order, a template id not
// SendGrid's or of no message type, and the checks across fields, all named in one answer.
func TestSettingsRefusals(t *testing.T) {
	cases := []struct {
		name string
		req  structs.SettingsUpdate
		want []string
		says string
	}{
		{"blank name", structs.SettingsUpdate{Name: ptr("  ")}, []string{"name"}, "enter the council's name"},
		{"long name", structs.SettingsUpdate{Name: ptr(strings.Repeat("a", 101))}, []string{"name"}, "100 characters or fewer"},
		{"toolkit 0", structs.SettingsUpdate{ToolkitNudgeDays: ptr(0)}, []string{"toolkit_nudge_days"}, "from 1 to 90 days (it was 0)"},
		{"toolkit a year", structs.SettingsUpdate{ToolkitNudgeDays: ptr(365)}, []string{"toolkit_nudge_days"}, "it was 365"},
		{"nudges", structs.SettingsUpdate{InactivityMaxNudges: ptr(-1)}, []string{"inactivity_max_nudges"}, "from 0 to 10"},
		{"digest", structs.SettingsUpdate{DigestDelayMinutes: ptr(0)}, []string{"digest_delay_minutes"}, "from 1 to 720 minutes"},
		{"dormant before the first nudge", structs.SettingsUpdate{DormantAfterDays: ptr(40)}, []string{"dormant_after_days"}, "must be nudged before it is dormant"},
		{"first nudge after dormant", structs.SettingsUpdate{InactivityNudgeAfterDays: ptr(200)}, []string{"inactivity_nudge_after_days"}, "must be nudged before it is dormant"},
		{"reminders out of order", structs.SettingsUpdate{FirstYearReminderMonths: ptr([]int{9, 6})}, []string{"first_year_reminder_months"}, "smallest first"},
		{"reminder after due", structs.SettingsUpdate{FirstYearReminderMonths: ptr([]int{6, 12})}, []string{"first_year_reminder_months"}, "before the due date"},
		{"due before the reminders", structs.SettingsUpdate{FirstYearDueMonths: ptr(9)}, []string{"first_year_due_months"}, "before the due date"},
		{"too many reminders", structs.SettingsUpdate{FirstYearReminderMonths: ptr([]int{1, 2, 3, 4, 5, 6, 7})}, []string{"first_year_reminder_months"}, "at most 6"},
		{"reassessment twice", structs.SettingsUpdate{ReassessmentReminderMonths: ptr([]int{6, 6})}, []string{"reassessment_reminder_months"}, "different months"},
		{"reassessment too early", structs.SettingsUpdate{ReassessmentReminderMonths: ptr([]int{30})}, []string{"reassessment_reminder_months"}, "from 1 to 24"},
		{"validity shorter than the reminders", structs.SettingsUpdate{AwardValidDays: ptr(365)}, []string{"award_valid_days"}, "fewer months before expiry"},
		{"validity a typo", structs.SettingsUpdate{AwardValidDays: ptr(30)}, []string{"award_valid_days"}, "or 0 for three years"},
		{"retention", structs.SettingsUpdate{RetainDays: ptr(100000)}, []string{"retain_days"}, "or 0 for six years"},
		{"template id", structs.SettingsUpdate{EmailTemplates: ptr(map[string]string{"welcome": "welcome-v2"})}, []string{"email_templates.welcome"}, "SendGrid dynamic template id"},
		{"template kind", structs.SettingsUpdate{EmailTemplates: ptr(map[string]string{"sign_in_link": "d-0123456789abcdef0123456789abcdef"})}, []string{"email_templates.sign_in_link"}, "not a message type with a template"},
		{"offer 0", structs.SettingsUpdate{OfferWorkdays: ptr(0)}, []string{"offer_workdays"}, "from 1 to 20 working days (it was 0)"},
		{"assessment a typo", structs.SettingsUpdate{AssessmentWorkdays: ptr(200)}, []string{"assessment_workdays"}, "from 5 to 60 working days"},
		{"reminder not before the step", structs.SettingsUpdate{ReminderWorkdays: ptr(10)}, []string{"reminder_workdays"}, "first reminder must come after the step starts"},
		{"moderation shorter than the reminder", structs.SettingsUpdate{ModerationWorkdays: ptr(4)}, []string{"moderation_workdays"}, "first reminder must come after the step starts"},
		{"resubmission reminder outside the window", structs.SettingsUpdate{ResubmitMonths: ptr(1), ResubmitReminderDays: ptr(30)}, []string{"resubmit_reminder_days"}, "within the window"},
		{"reminder longer than the window", structs.SettingsUpdate{ResubmitReminderDays: ptr(90)}, []string{"resubmit_reminder_days"}, "within the window"},
		{"several", structs.SettingsUpdate{ToolkitNudgeDays: ptr(0), RetainDays: ptr(5), Name: ptr("")}, []string{"name", "retain_days", "toolkit_nudge_days"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, changes, err := applySettings(defaultConfig(), c.req)
			if got := fields(t, err); !slices.Equal(got, c.want) {
				t.Fatalf("fields %v, want %v: %v", got, c.want, err)
			}
			var p *structs.Problem
			errors.As(err, &p)
			if !slices.ContainsFunc(p.Errors, func(e structs.FieldError) bool { return strings.Contains(e.Message, c.says) }) {
				t.Errorf("no message says %q: %+v", c.says, p.Errors)
			}
			if changes != nil {
				t.Errorf("changes with a refusal: %v", changes)
			}
		})
	}
}

// TestSettingsChanges: the values given change, each listed before and after in words; an
// unchanged number keeps its exact duration; validity and retention go back to the standard
// with 0; templates are replaced whole.
func TestSettingsChanges(t *testing.T) {
	c := defaultConfig()
	c.Settings.DormantAfter = 183*award.Day + time.Hour // not a whole number of days: kept when unchanged
	c.EmailTemplates = map[string]string{"awarded": "d-ffffffffffffffffffffffffffffffff"}
	after, changes, err := applySettings(c, structs.SettingsUpdate{Name: ptr("  North   County Council "), ToolkitNudgeDays: ptr(21),
		DormantAfterDays: ptr(183), AwardValidDays: ptr(730), ReassessmentReminderMonths: ptr([]int{1, 6}),
		EmailTemplates: ptr(map[string]string{"welcome": " d-0123456789abcdef0123456789abcdef ", "digest": ""})})
	if err != nil {
		t.Fatal(err)
	}
	if after.Name != "North County Council" || after.Settings.ToolkitNudgeAfter != 21*award.Day || after.Settings.DormantAfter != 183*award.Day+time.Hour ||
		after.Settings.AwardValidFor != 730*award.Day || !slices.Equal(after.Settings.ReassessmentReminderMonths, []int{6, 1}) {
		t.Fatalf("after %+v", after)
	}
	if len(after.EmailTemplates) != 1 || after.EmailTemplates["welcome"] != "d-0123456789abcdef0123456789abcdef" {
		t.Fatalf("templates %v", after.EmailTemplates)
	}
	want := []structs.SettingChange{
		{Field: "name", Before: "North Council", After: "North County Council"},
		{Field: "toolkit_nudge_days", Before: "14 days", After: "21 days"},
		{Field: "reassessment_reminder_months", Before: "12, 6, 3, 1 months", After: "6, 1 months"},
		{Field: "award_valid_days", Before: "three years", After: "730 days"},
		{Field: "email_templates.awarded", Before: "d-ffffffffffffffffffffffffffffffff", After: ""},
		{Field: "email_templates.welcome", Before: "", After: "d-0123456789abcdef0123456789abcdef"},
	}
	if !slices.Equal(changes, want) {
		t.Fatalf("changes\n%v\nwant\n%v", changes, want)
	}
	// Back to the standard.
	after.Settings.RetainFor = 2000 * award.Day
	back, changes, err := applySettings(after, structs.SettingsUpdate{AwardValidDays: ptr(0), RetainDays: ptr(0), ReassessmentReminderMonths: ptr([]int{12, 6, 3, 1})})
	if err != nil || back.Settings.AwardValidFor != 0 || back.Settings.RetainFor != 0 || len(changes) != 3 || changes[2].After != "six years" {
		t.Fatalf("back %+v %v %v", back.Settings, changes, err)
	}
	// The deadlines after submission, in working days.
	dl, changes, err := applySettings(defaultConfig(), structs.SettingsUpdate{OfferWorkdays: ptr(3), AssessmentWorkdays: ptr(20),
		ResubmitMonths: ptr(6), ResubmitReminderDays: ptr(1)})
	if err != nil || dl.Settings.OfferWorkdays != 3 || dl.Settings.ResubmitMonths != 6 || dl.Settings.Deadlines().AssessmentWorkdays != 20 {
		t.Fatalf("deadlines %+v %v", dl.Settings, err)
	}
	want = []structs.SettingChange{
		{Field: "offer_workdays", Before: "5 working days", After: "3 working days"},
		{Field: "resubmit_months", Before: "3 months", After: "6 months"},
		{Field: "resubmit_reminder_days", Before: "14 days", After: "1 day"},
	}
	if !slices.Equal(changes, want) {
		t.Fatalf("deadline changes\n%v\nwant\n%v", changes, want)
	}
	// A tenant whose stored settings predate the deadlines (zeros) shows and compares the standard.
	old := defaultConfig()
	old.Settings.OfferWorkdays, old.Settings.ReminderWorkdays = 0, 0
	if v := settingsView(old); v.OfferWorkdays != 5 || v.ReminderWorkdays != 5 {
		t.Fatalf("view of zeros %+v", v)
	}
	if _, changes, err := applySettings(old, structs.SettingsUpdate{OfferWorkdays: ptr(5)}); err != nil || len(changes) != 0 {
		t.Fatalf("5 over a zero is no change: %v %v", changes, err)
	}
	// Nothing asked: nothing changes.
	if _, changes, err := applySettings(defaultConfig(), structs.SettingsUpdate{ToolkitNudgeDays: ptr(14)}); err != nil || len(changes) != 0 {
		t.Fatalf("no change: %v %v", changes, err)
	}
}

// TestTemplateKinds: every email the journeys send and the digest, never the sign-in link.
func TestTemplateKinds(t *testing.T) {
	kinds := TemplateKinds()
	for _, k := range []string{"welcome", "assessor_offer", "awarded", "digest"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s in %v", k, kinds)
		}
	}
	if slices.Contains(kinds, "sign_in_link") {
		t.Error("sign_in_link may not have a template")
	}
}

// settingsStore keeps one tenant's configuration as the database does.
type settingsStore struct {
	Store
	c     postgres.TenantConfig
	saved int
}

func (s *settingsStore) TenantConfig(context.Context, string, award.Settings) (postgres.TenantConfig, error) {
	return s.c, nil
}

func (s *settingsStore) UpdateTenantConfig(_ context.Context, _, _ string, _ award.Settings,
	edit func(postgres.TenantConfig) (postgres.TenantConfig, map[string]any, error)) (postgres.TenantConfig, bool, error) {
	after, detail, err := edit(s.c)
	if err != nil || detail == nil {
		return s.c, false, err
	}
	s.c, s.saved = after, s.saved+1
	return after, true, nil
}

// TestSettingsAccess: admins only; a store without settings is an error, not a panic.
func TestSettingsAccess(t *testing.T) {
	st := &settingsStore{c: defaultConfig()}
	svc := &Service{DB: st}
	assessor := award.Person{ID: "p1", TenantID: "north", Roles: []string{award.RoleAssessor}}
	admin := award.Person{ID: "p2", TenantID: "north", Roles: []string{award.RoleAdmin}}
	var p *structs.Problem
	if _, err := svc.Settings(t.Context(), assessor); !errors.As(err, &p) || p.Status != 403 {
		t.Fatalf("assessor reads: %v", err)
	}
	if _, err := svc.PutSettings(t.Context(), assessor, structs.SettingsUpdate{Name: ptr("Mine")}); !errors.As(err, &p) || p.Status != 403 || st.saved != 0 {
		t.Fatalf("assessor changes: %v", err)
	}
	v, err := svc.PutSettings(t.Context(), admin, structs.SettingsUpdate{Name: ptr("North County")})
	if err != nil || v.Name != "North County" || len(v.Changes) != 1 || st.saved != 1 || v.DefaultTimings != true {
		t.Fatalf("admin changes: %+v %v", v, err)
	}
	if _, err := svc.PutSettings(t.Context(), admin, structs.SettingsUpdate{Name: ptr("North\nCounty")}); !errors.As(err, &p) || p.Status != 422 {
		t.Fatalf("two lines: %v", err)
	}
	if _, err := (&Service{DB: struct{ Store }{}}).Settings(t.Context(), admin); err == nil {
		t.Fatal("a store without settings answered")
	}
}
