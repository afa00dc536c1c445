package workdays

import (
	"testing"
	"time"
)

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// day is 09:30 London time on the given date.
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 9, 30, 0, 0, london)
}

func TestIsWorkday(t *testing.T) {
	c := EnglandAndWales()
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"ordinary Wednesday", day(2026, 3, 11), true},
		{"Saturday", day(2026, 3, 14), false},
		{"Sunday", day(2026, 3, 15), false},
		{"New Year's Day 2026", day(2026, 1, 1), false},
		{"Good Friday 2026", day(2026, 4, 3), false},
		{"Easter Monday 2026", day(2026, 4, 6), false},
		{"Tuesday after Easter 2026", day(2026, 4, 7), true},
		{"Good Friday 2027", day(2027, 3, 26), false},
		{"Easter Monday 2027", day(2027, 3, 29), false},
		{"early May 2026", day(2026, 5, 4), false},
		{"early May 2027", day(2027, 5, 3), false},
		{"spring bank holiday 2026", day(2026, 5, 25), false},
		{"summer bank holiday 2026", day(2026, 8, 31), false},
		{"Christmas 2026 (Friday)", day(2026, 12, 25), false},
		{"Boxing Day 2026 substitute (Monday 28th)", day(2026, 12, 28), false},
		{"29 Dec 2026", day(2026, 12, 29), true},
		{"Christmas 2027 substitute (Monday 27th)", day(2027, 12, 27), false},
		{"Boxing Day 2027 substitute (Tuesday 28th)", day(2027, 12, 28), false},
		{"29 Dec 2027", day(2027, 12, 29), true},
		{"New Year 2028 (Saturday) substitute Monday 3rd", day(2028, 1, 3), false},
		{"VE Day 2020 replaced early May", day(2020, 5, 8), false},
		{"4 May 2020 was a working day", day(2020, 5, 4), true},
		{"coronation 2023", day(2023, 5, 8), false},
		{"platinum jubilee 2022", day(2022, 6, 3), false},
		{"state funeral 2022", day(2022, 9, 19), false},
		{"Scottish summer holiday is not one here", day(2026, 8, 3), true},
		// The date that counts is London's, not UTC's.
		{"Sun 23:30 UTC is bank holiday Monday in London", time.Date(2026, 5, 24, 23, 30, 0, 0, time.UTC), false},
		{"holiday Mon 23:30 UTC is Tuesday in London", time.Date(2026, 5, 25, 23, 30, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.IsWorkday(tt.t); got != tt.want {
				t.Errorf("IsWorkday(%s) = %v, want %v", tt.t.Format("Mon 2006-01-02 15:04 MST"), got, tt.want)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	c := EnglandAndWales()
	tests := []struct {
		name  string
		start time.Time
		n     int
		want  time.Time
	}{
		{"zero is identity", day(2026, 3, 11), 0, day(2026, 3, 11)},
		{"zero on a Saturday is identity", day(2026, 3, 14), 0, day(2026, 3, 14)},
		{"negative is identity", day(2026, 3, 11), -3, day(2026, 3, 11)},
		{"within a week", day(2026, 3, 9), 4, day(2026, 3, 13)},
		{"Friday plus one is Monday", day(2026, 3, 13), 1, day(2026, 3, 16)},
		{"over Easter 2026", day(2026, 4, 2), 1, day(2026, 4, 7)},
		{"over Easter 2027", day(2027, 3, 25), 2, day(2027, 3, 31)},
		{"over early May 2026", day(2026, 5, 1), 1, day(2026, 5, 5)},
		{"Saturday start counts from Monday", day(2026, 3, 14), 5, day(2026, 3, 20)},
		{"Easter Saturday start skips Easter Monday", day(2026, 4, 4), 1, day(2026, 4, 7)},
		{"bank holiday start", day(2026, 4, 6), 1, day(2026, 4, 7)},
		// 15-18, 21-24 Dec; 25 and 28 off; 29-31 Dec; 1 Jan off; 4-8, 11-14 Jan.
		{"20 days over Christmas and New Year", day(2026, 12, 14), 20, day(2027, 1, 14)},
		{"over Christmas 2027 substitutes", day(2027, 12, 24), 1, day(2027, 12, 29)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Add(tt.start, tt.n); !got.Equal(tt.want) {
				t.Errorf("Add(%s, %d) = %s, want %s", tt.start, tt.n, got, tt.want)
			}
		})
	}
}

func TestAddKeepsLondonClockAcrossDST(t *testing.T) {
	c := EnglandAndWales()
	// Friday 27 March 2026 09:00 GMT; clocks go forward on Sunday 29 March.
	start := time.Date(2026, 3, 27, 9, 0, 0, 0, time.UTC)
	got := c.Add(start, 1)
	want := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC) // 09:00 BST
	if !got.Equal(want) {
		t.Errorf("Add = %s, want %s", got, want)
	}
	if got.Location() != time.UTC {
		t.Errorf("Add returned location %s, want the input's (UTC)", got.Location())
	}
}

func TestBetween(t *testing.T) {
	c := EnglandAndWales()
	tests := []struct {
		name string
		a, b time.Time
		want int
	}{
		{"same instant", day(2026, 3, 11), day(2026, 3, 11), 0},
		{"same date, later time", day(2026, 3, 11), day(2026, 3, 11).Add(5 * time.Hour), 0},
		{"b before a", day(2026, 3, 13), day(2026, 3, 9), 0},
		{"Monday to Friday", day(2026, 3, 9), day(2026, 3, 13), 4},
		{"Friday to Monday", day(2026, 3, 13), day(2026, 3, 16), 1},
		{"Saturday to Sunday", day(2026, 3, 14), day(2026, 3, 15), 0},
		{"Saturday to next Friday", day(2026, 3, 14), day(2026, 3, 20), 5},
		{"across Easter 2026", day(2026, 4, 2), day(2026, 4, 7), 1},
		{"Christmas to New Year 2027", day(2027, 12, 24), day(2027, 12, 31), 3},
		{"20 days over Christmas 2026", day(2026, 12, 14), day(2027, 1, 14), 20},
		// A time late on b's date still counts b (by London date).
		{"b late evening UTC in summer", day(2026, 6, 1), time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Between(tt.a, tt.b); got != tt.want {
				t.Errorf("Between(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// Add and Between agree: Between(t, Add(t, n)) == n from any start, working
// day or not, and Between is additive over consecutive intervals.
func TestAddBetweenRoundTrip(t *testing.T) {
	c := EnglandAndWales()
	for start := day(2026, 12, 1); start.Before(day(2028, 1, 10)); start = start.AddDate(0, 0, 1) {
		for _, n := range []int{0, 1, 5, 10, 20} {
			end := c.Add(start, n)
			if got := c.Between(start, end); got != n {
				t.Fatalf("Between(%s, Add(_, %d)=%s) = %d", start, n, end, got)
			}
			if n > 0 && !c.IsWorkday(end) {
				t.Fatalf("Add(%s, %d) = %s is not a working day", start, n, end)
			}
			if c.Between(end, start) != 0 {
				t.Fatalf("Between(%s, %s) should be 0", end, start)
			}
		}
		mid := start.AddDate(0, 0, 17)
		far := start.AddDate(0, 0, 40)
		if c.Between(start, mid)+c.Between(mid, far) != c.Between(start, far) {
			t.Fatalf("Between not additive at %s", start)
		}
	}
}
