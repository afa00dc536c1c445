package postgres

import (
	"reflect"
	"testing"
	"time"

	"awardengine/workdays"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestStageSpansFollowTheStageAfter(t *testing.T) {
	lines := []StageLine{
		// Registration writes two lines at the stage it starts in (before = after = toolkit).
		{"a", "toolkit", "toolkit", at("2026-03-02T09:00:00Z")},
		{"a", "toolkit", "toolkit", at("2026-03-02T09:00:01Z")},
		{"a", "", "", at("2026-03-03T09:00:00Z")}, // a line that wrote no projection
		{"a", "toolkit", "portfolio", at("2026-03-04T10:00:00Z")},
		{"a", "portfolio", "portfolio", at("2026-03-05T10:00:00Z")}, // evidence added: same stage
		{"a", "portfolio", "awaiting_allocation", at("2026-03-10T10:00:00Z")},
		{"a", "awaiting_allocation", "offered", at("2026-03-10T10:00:01Z")},
		// Another application; its first line starts its first stay, whatever the one before.
		{"b", "toolkit", "portfolio", at("2026-03-01T08:00:00Z")},
		{"b", "portfolio", "withdrawn", at("2026-03-20T08:00:00Z")},
	}
	got := StageSpans(lines)
	want := []StageSpan{
		{"a", "toolkit", at("2026-03-02T09:00:00Z"), at("2026-03-04T10:00:00Z")},
		{"a", "portfolio", at("2026-03-04T10:00:00Z"), at("2026-03-10T10:00:00Z")},
		{"a", "awaiting_allocation", at("2026-03-10T10:00:00Z"), at("2026-03-10T10:00:01Z")},
		// "a" is still offered: that stay has not ended. "b" entered portfolio with its first line.
		{"b", "portfolio", at("2026-03-01T08:00:00Z"), at("2026-03-20T08:00:00Z")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans\n got %+v\nwant %+v", got, want)
	}
	if StageSpans(nil) != nil {
		t.Error("no lines, no spans")
	}
}

func TestStageMediansCountWorkingDaysOfSpansEndingInThePeriod(t *testing.T) {
	cal := workdays.EnglandAndWales()
	start, end := Period(at("2026-03-01T00:00:00Z"), at("2026-04-30T00:00:00Z"))
	spans := []StageSpan{
		// portfolio: 4, 1 (Good Friday 3 April and Easter Monday 6 April 2026 are bank holidays), 10
		{"a", "portfolio", at("2026-03-02T09:00:00Z"), at("2026-03-06T17:00:00Z")},
		{"b", "portfolio", at("2026-04-02T09:00:00Z"), at("2026-04-07T09:00:00Z")},
		{"c", "portfolio", at("2026-03-02T09:00:00Z"), at("2026-03-16T09:00:00Z")},
		// Ended before the period: left out, however long.
		{"d", "portfolio", at("2025-01-02T09:00:00Z"), at("2026-02-27T09:00:00Z")},
		// Ended after the period (1 May 2026 00:30 in London is after 30 April): left out.
		{"e", "portfolio", at("2026-04-01T09:00:00Z"), at("2026-04-30T23:30:00Z")},
		// assessment: 2 and 5 → 3.5; the same day → 0 counts too.
		{"a", "assessment", at("2026-03-09T09:00:00Z"), at("2026-03-11T09:00:00Z")},
		{"b", "assessment", at("2026-03-09T09:00:00Z"), at("2026-03-16T09:00:00Z")},
		{"c", "offered", at("2026-03-09T09:00:00Z"), at("2026-03-09T15:00:00Z")},
		// A weekend stay is no working days at all.
		{"f", "some_new_stage", at("2026-03-07T09:00:00Z"), at("2026-03-08T09:00:00Z")},
		{"g", "toolkit", at("2026-02-20T09:00:00Z"), at("2026-03-02T09:00:00Z")}, // started before, ended in: counts (6)
	}
	got := StageMedians(spans, start, end, cal)
	want := []StageMedian{
		{Stage: "toolkit", Median: 6, Spans: 1},
		{Stage: "portfolio", Median: 4, Spans: 3},
		{Stage: "offered", Median: 0, Spans: 1},
		{Stage: "assessment", Median: 3.5, Spans: 2},
		{Stage: "some_new_stage", Median: 0, Spans: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("medians\n got %+v\nwant %+v", got, want)
	}
	if got := StageMedians(nil, start, end, cal); len(got) != 0 {
		t.Errorf("no spans: %+v", got)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want float64
	}{
		{nil, 0},
		{[]int{7}, 7},
		{[]int{9, 1, 5}, 5},
		{[]int{4, 1, 3, 2}, 2.5},
		{[]int{0, 0, 10, 10}, 5},
	} {
		in := append([]int(nil), tc.in...)
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !reflect.DeepEqual(in, tc.in) {
			t.Errorf("Median changed its argument: %v", tc.in)
		}
	}
}

func TestPeriodIsWholeDaysInLondon(t *testing.T) {
	start, end := Period(at("2026-06-01T00:00:00Z"), at("2026-06-30T00:00:00Z"))
	// British Summer Time: London midnight is 23:00 UTC the day before.
	if want := at("2026-05-31T23:00:00Z"); !start.Equal(want) {
		t.Errorf("start %v, want %v", start, want)
	}
	if want := at("2026-06-30T23:00:00Z"); !end.Equal(want) {
		t.Errorf("end %v, want %v", end, want)
	}
	start, end = Period(at("2026-01-15T00:00:00Z"), at("2026-01-15T00:00:00Z"))
	if !start.Equal(at("2026-01-15T00:00:00Z")) || !end.Equal(at("2026-01-16T00:00:00Z")) {
		t.Errorf("one winter day: %v – %v", start, end)
	}
}
