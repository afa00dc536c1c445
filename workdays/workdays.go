// Package workdays counts working days as the SPEC defines them: Monday to
// Friday, excluding the bank holidays of England and Wales.
//
// Everything here is a pure function of its arguments (no clock, no
// randomness, no caches), so it is safe to call from Temporal workflow code.
package workdays

import (
	"time"
	_ "time/tzdata" // so Europe/London loads on machines without a zoneinfo database

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// stateFuneral is the one-off bank holiday for the State Funeral of Queen
// Elizabeth II (Monday 19 September 2022). rickar/cal v2.1.13 (its latest
// release) predates it; everything else comes from the library's gb.Holidays.
var stateFuneral = &cal.Holiday{
	Name:      "State Funeral of Queen Elizabeth II",
	Type:      cal.ObservanceBank,
	Month:     time.September,
	Day:       19,
	Func:      cal.CalcDayOfMonth,
	StartYear: 2022,
	EndYear:   2022,
}

// London is the councils' time zone (Europe/London): their days, deadlines and dates.
var London = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		// Unreachable: time/tzdata is embedded above.
		panic("workdays: load Europe/London: " + err.Error())
	}
	return loc
}()

// Calendar counts working days in one time zone (Europe/London by default).
// It is read-only after construction and safe for concurrent use.
type Calendar struct {
	loc *time.Location
	bc  *cal.BusinessCalendar
}

// EnglandAndWales returns the calendar the SPEC uses: Monday to Friday in
// Europe/London, excluding England and Wales bank holidays (New Year's Day,
// Good Friday, Easter Monday, early May, spring and summer bank holidays,
// Christmas Day, Boxing Day, their substitute days, and the one-off holidays
// of 2020, 2022 and 2023).
func EnglandAndWales() *Calendar {
	loc := London
	// NewBusinessCalendar's weekdays are Monday to Friday. Cacheable stays
	// false: the library's cache is an unsynchronised map written on reads,
	// which would be mutable shared state.
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(gb.Holidays...)
	bc.AddHoliday(stateFuneral)
	return &Calendar{loc: loc, bc: bc}
}

// civil is a calendar date in the calendar's zone, as noon UTC so that day
// arithmetic on it never meets a DST change.
func (c *Calendar) civil(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
}

// IsWorkday reports whether t falls, by its date in Europe/London, on a
// working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	// The library matches holidays on year, month and day only, and counts a
	// holiday as a day off on its observed date (the substitute day when it
	// falls on a weekend).
	// The library's holiday cache (which iterates a map to evict) is off, so this is a
	// pure function of the date: safe in workflow code.
	//workflowcheck:ignore
	return c.bc.IsWorkday(c.civil(t))
}

// Add returns the time n working days after t (n >= 0), keeping t's clock
// time in Europe/London; Add(t, 0) is t.
//
// The days counted are the working days strictly after t's date, so t's own
// day never counts, working or not: a start on Saturday (or a bank holiday)
// with n = 1 gives the next working day at the same clock time, exactly as a
// start on the preceding working day would. Hence Between(t, Add(t, n)) == n.
// The result is in t's location. A clock time that does not exist on the
// result date (the hour skipped when clocks go forward) is normalised as
// time.Date does; a negative n is treated as 0.
func (c *Calendar) Add(t time.Time, n int) time.Time {
	if n <= 0 {
		return t
	}
	d := c.civil(t)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		// The library's holiday cache (which iterates a map to evict) is off, so this is a
		// pure function of the date: safe in workflow code.
		//workflowcheck:ignore
		if c.bc.IsWorkday(d) {
			n--
		}
	}
	lt := t.In(c.loc)
	return time.Date(d.Year(), d.Month(), d.Day(),
		lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), c.loc).In(t.Location())
}

// Sub returns the time n working days before t (n >= 0), keeping t's clock time in
// Europe/London: the mirror of Add, so Add(Sub(t, n), n) is t when t is on a working day.
func (c *Calendar) Sub(t time.Time, n int) time.Time {
	if n <= 0 {
		return t
	}
	d := c.civil(t)
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		// The library's holiday cache (which iterates a map to evict) is off, so this is a
		// pure function of the date: safe in workflow code.
		//workflowcheck:ignore
		if c.bc.IsWorkday(d) {
			n--
		}
	}
	lt := t.In(c.loc)
	return time.Date(d.Year(), d.Month(), d.Day(),
		lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), c.loc).In(t.Location())
}

// Between counts the working days after a up to and including b, comparing
// dates in Europe/London; it is 0 if b's date is not after a's. Times of day
// are ignored, so Between(a, Add(a, n)) == n for every a and n >= 0.
func (c *Calendar) Between(a, b time.Time) int {
	n := 0
	end := c.civil(b)
	for d := c.civil(a).AddDate(0, 0, 1); !d.After(end); d = d.AddDate(0, 0, 1) {
		// The library's holiday cache (which iterates a map to evict) is off, so this is a
		// pure function of the date: safe in workflow code.
		//workflowcheck:ignore
		if c.bc.IsWorkday(d) {
			n++
		}
	}
	return n
}
