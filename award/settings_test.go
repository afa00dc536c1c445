package award

import (
	"errors"
	"testing"
	"time"
)

func TestDefaultSettings(t *testing.T) {
	s := DefaultSettings()
	checks := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"ToolkitNudgeAfter", s.ToolkitNudgeAfter, 14 * 24 * time.Hour},
		{"InactivityNudgeAfter", s.InactivityNudgeAfter, 56 * 24 * time.Hour},
		{"InactivityNudgeEvery", s.InactivityNudgeEvery, 28 * 24 * time.Hour},
		{"DormantAfter", s.DormantAfter, 183 * 24 * time.Hour},
		{"DownloadLinkTTL", s.DownloadLinkTTL, 15 * time.Minute},
		{"UploadLinkTTL", s.UploadLinkTTL, 15 * time.Minute},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if s.InactivityMaxNudges != 3 || s.FirstYearDueMonths != 12 {
		t.Errorf("counts = %d, %d", s.InactivityMaxNudges, s.FirstYearDueMonths)
	}
	if r := s.FirstYearReminderMonths; len(r) != 3 || r[0] != 6 || r[1] != 9 || r[2] != 11 {
		t.Errorf("FirstYearReminderMonths = %v", r)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
	s.FirstYearReminderMonths[0] = 1
	if DefaultSettings().FirstYearReminderMonths[0] != 6 {
		t.Error("DefaultSettings shares its slice")
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Settings)
		field  string
	}{
		{"zero toolkit nudge", func(s *Settings) { s.ToolkitNudgeAfter = 0 }, "toolkit_nudge_after"},
		{"negative upload ttl", func(s *Settings) { s.UploadLinkTTL = -time.Minute }, "upload_link_ttl"},
		{"negative nudges", func(s *Settings) { s.InactivityMaxNudges = -1 }, "inactivity_max_nudges"},
		{"no due months", func(s *Settings) { s.FirstYearDueMonths = 0 }, "first_year_due_months"},
		{"reminder at due month", func(s *Settings) { s.FirstYearReminderMonths = []int{6, 12} }, "first_year_reminder_months"},
		{"reminders out of order", func(s *Settings) { s.FirstYearReminderMonths = []int{9, 6} }, "first_year_reminder_months"},
		{"reminder at zero", func(s *Settings) { s.FirstYearReminderMonths = []int{0} }, "first_year_reminder_months"},
		{"no reminders is fine", func(s *Settings) { s.FirstYearReminderMonths = nil }, ""},
		{"no inactivity nudges is fine", func(s *Settings) { s.InactivityMaxNudges = 0 }, ""},
		{"negative offer deadline", func(s *Settings) { s.OfferWorkdays = -1 }, "offer_workdays"},
		{"zero deadlines are the defaults", func(s *Settings) { s.OfferWorkdays, s.ResubmitMonths = 0, 0 }, ""},
		{"reminder before the step starts", func(s *Settings) { s.ReminderWorkdays = 10 }, "reminder_workdays"},
		{"resubmission reminder outside its window", func(s *Settings) { s.ResubmitMonths, s.ResubmitReminderDays = 1, 30 }, "resubmit_reminder_days"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			tc.mutate(&s)
			err := s.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("Validate = %v, want field %q", err, tc.field)
			}
		})
	}
}

func TestInputErrorText(t *testing.T) {
	if got := (&InputError{Field: "size", Message: "too big"}).Error(); got != "too big" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&InputError{Field: "size"}).Error(); got != "invalid size" {
		t.Errorf("Error() = %q", got)
	}
}
