package award

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// assessor is an eligible Caring Schools assessor with early-years and residential
// specialisms; tests change one field to trip one rule.
func assessor(id string, mods ...func(*Candidate)) Candidate {
	c := Candidate{
		PersonID:    id,
		Name:        "Name " + id,
		Active:      true,
		Tracks:      []Track{CaringSchools, LearningHomes},
		Specialisms: []Specialism{EarlyYears, Residential},
	}
	for _, m := range mods {
		m(&c)
	}
	return c
}

func day(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, time.UTC) }

func TestRequiredSpecialism(t *testing.T) {
	want := map[Variant]Specialism{
		VariantEarlyYearsSetting: EarlyYears,
		VariantEarlyYearsFoster:  EarlyYears,
		VariantResidentialHome:   Residential,
	}
	for _, v := range append(AllVariants(), "unknown") {
		if got := RequiredSpecialism(v); got != want[v] {
			t.Errorf("RequiredSpecialism(%q) = %q, want %q", v, got, want[v])
		}
	}
}

func TestAllocateExclusions(t *testing.T) {
	base := AllocationRequest{Track: CaringSchools, Variant: VariantPrimary}
	tests := []struct {
		name string
		req  func(*AllocationRequest)
		c    func(*Candidate)
		want string // "" = eligible
	}{
		{"eligible", nil, nil, ""},
		{"inactive", nil, func(c *Candidate) { c.Active = false }, "inactive"},
		{"track", nil, func(c *Candidate) { c.Tracks = []Track{LearningHomes} }, "not qualified for the Caring Schools Award"},
		{"track other", func(r *AllocationRequest) { r.Track, r.Variant = LearningHomes, VariantRespiteFoster },
			func(c *Candidate) { c.Tracks = []Track{CaringSchools} }, "not qualified for the Learning Homes Award"},
		{"early years", func(r *AllocationRequest) { r.Variant = VariantEarlyYearsSetting },
			func(c *Candidate) { c.Specialisms = []Specialism{Residential} }, "no early-years specialism"},
		{"residential", func(r *AllocationRequest) { r.Track, r.Variant = LearningHomes, VariantResidentialHome },
			func(c *Candidate) { c.Specialisms = nil }, "no residential specialism"},
		{"specialism not needed", nil, func(c *Candidate) { c.Specialisms = nil }, ""},
		{"excluded by request", func(r *AllocationRequest) { r.Excluded = map[string]string{"a": "declined the offer"} },
			nil, "declined the offer"},
		{"excluded without reason", func(r *AllocationRequest) { r.Excluded = map[string]string{"a": ""} }, nil, "excluded"},
		{"excluded other person", func(r *AllocationRequest) { r.Excluded = map[string]string{"b": "declined"} }, nil, ""},
		{"conflict", nil, func(c *Candidate) { c.Conflict = "governor at the school" }, "declared conflict: governor at the school"},
		{"previous assessor", func(r *AllocationRequest) { r.PreviousAssessor = "a" }, nil, "assessed this setting in its previous cycle"},
		{"applicant", func(r *AllocationRequest) { r.Applicant = "a" }, nil, "is the applicant of this application"},
		{"applicant other person", func(r *AllocationRequest) { r.Applicant = "b" }, nil, ""},
		{"supporter", func(r *AllocationRequest) { r.Supporter = "a" }, nil, "supports this setting"},
		{"supporter other person", func(r *AllocationRequest) { r.Supporter = "b" }, nil, ""},
		{"default capacity reached", nil, func(c *Candidate) { c.Open = 3 }, "at capacity (3 of 3 open)"},
		{"default capacity one below", nil, func(c *Candidate) { c.Open = 2 }, ""},
		{"custom capacity reached", nil, func(c *Candidate) { c.Capacity, c.Open = 5, 5 }, "at capacity (5 of 5 open)"},
		{"custom capacity one below", nil, func(c *Candidate) { c.Capacity, c.Open = 5, 4 }, ""},
		{"custom capacity below default", nil, func(c *Candidate) { c.Capacity, c.Open = 1, 1 }, "at capacity (1 of 1 open)"},
		{"negative capacity is default", nil, func(c *Candidate) { c.Capacity, c.Open = -1, 3 }, "at capacity (3 of 3 open)"},
		{"over capacity", nil, func(c *Candidate) { c.Open = 4 }, "at capacity (4 of 3 open)"},
		// Precedence: a candidate failing several rules gets the earliest one. The parties'
		// bar comes first: it is the one reason no roster change can lift.
		{"applicant before everything", func(r *AllocationRequest) {
			r.Applicant, r.Supporter, r.PreviousAssessor, r.Excluded = "a", "a", "a", map[string]string{"a": "declined the offer"}
		}, func(c *Candidate) { c.Active, c.Tracks, c.Conflict, c.Open = false, nil, "relative", 9 }, "is the applicant of this application"},
		{"supporter before everything", func(r *AllocationRequest) {
			r.Supporter, r.PreviousAssessor, r.Excluded = "a", "a", map[string]string{"a": "declined the offer"}
		}, func(c *Candidate) { c.Active, c.Tracks, c.Conflict, c.Open = false, nil, "relative", 9 }, "supports this setting"},
		{"inactive before track", nil, func(c *Candidate) { c.Active, c.Tracks = false, nil }, "inactive"},
		{"track before specialism", func(r *AllocationRequest) { r.Variant = VariantEarlyYearsSetting },
			func(c *Candidate) { c.Tracks, c.Specialisms = nil, nil }, "not qualified for the Caring Schools Award"},
		{"specialism before request", func(r *AllocationRequest) {
			r.Variant, r.Excluded = VariantEarlyYearsSetting, map[string]string{"a": "declined the offer"}
		}, func(c *Candidate) { c.Specialisms = nil }, "no early-years specialism"},
		{"request before conflict", func(r *AllocationRequest) { r.Excluded = map[string]string{"a": "did not answer"} },
			func(c *Candidate) { c.Conflict = "relative" }, "did not answer"},
		{"conflict before previous", func(r *AllocationRequest) { r.PreviousAssessor = "a" },
			func(c *Candidate) { c.Conflict = "relative" }, "declared conflict: relative"},
		{"supporter before previous", func(r *AllocationRequest) { r.PreviousAssessor, r.Supporter = "a", "a" },
			nil, "supports this setting"},
		{"previous before capacity", func(r *AllocationRequest) { r.PreviousAssessor = "a" },
			func(c *Candidate) { c.Open = 3 }, "assessed this setting in its previous cycle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := base
			if tc.req != nil {
				tc.req(&req)
			}
			c := assessor("a")
			if tc.c != nil {
				tc.c(&c)
			}
			got := Allocate(req, []Candidate{c})
			if tc.want == "" {
				if got.Chosen != "a" || len(got.Excluded) != 0 || !slices.Equal(got.Ranked, []string{"a"}) {
					t.Fatalf("want a chosen, got %+v", got)
				}
				return
			}
			want := Allocation{
				Reason:   "no eligible assessor: 1 excluded",
				Ranked:   []string{},
				Excluded: []Exclusion{{PersonID: "a", Name: "Name a", Reason: tc.want}},
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestAllocateRanking(t *testing.T) {
	open := func(n int) func(*Candidate) { return func(c *Candidate) { c.Open = n } }
	last := func(d int) func(*Candidate) { return func(c *Candidate) { c.LastAllocatedAt = day(d) } }
	tests := []struct {
		name   string
		roster []Candidate
		ranked []string
		reason string
	}{
		{"only one", []Candidate{assessor("a", open(1))}, []string{"a"}, "only eligible assessor (1 open of 3)"},
		{"least loaded wins", []Candidate{assessor("a", open(2)), assessor("b", open(1), last(20)), assessor("c", open(0), last(25))},
			[]string{"c", "b", "a"}, "least loaded (0 open of 3)"},
		{"plain open count, not ratio", []Candidate{
			assessor("a", open(2), func(c *Candidate) { c.Capacity = 10 }), assessor("b", open(1), func(c *Candidate) { c.Capacity = 2 })},
			[]string{"b", "a"}, "least loaded (1 open of 2)"},
		{"tie on load: longest ago", []Candidate{assessor("a", open(1), last(10)), assessor("b", open(1), last(5))},
			[]string{"b", "a"}, "least loaded (1 open of 3); allocated longest ago (2025-03-05)"},
		{"never beats allocated", []Candidate{assessor("a", open(1), last(1)), assessor("z", open(1))},
			[]string{"z", "a"}, "least loaded (1 open of 3); allocated longest ago (never)"},
		{"tie on both: person id", []Candidate{assessor("b", open(1)), assessor("a", open(1)), assessor("c", open(1), last(2))},
			[]string{"a", "b", "c"}, "least loaded (1 open of 3); allocated longest ago (never); first by person id among equals"},
		{"same instant: person id", []Candidate{assessor("b", last(3)), assessor("a", last(3))},
			[]string{"a", "b"}, "least loaded (0 open of 3); allocated longest ago (2025-03-03); first by person id among equals"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Allocate(AllocationRequest{Track: CaringSchools, Variant: VariantPrimary}, tc.roster)
			if got.Chosen != tc.ranked[0] || !slices.Equal(got.Ranked, tc.ranked) || got.Reason != tc.reason {
				t.Errorf("got chosen %q ranked %v reason %q\nwant ranked %v reason %q", got.Chosen, got.Ranked, got.Reason, tc.ranked, tc.reason)
			}
		})
	}
}

func TestAllocateNobody(t *testing.T) {
	got := Allocate(AllocationRequest{Track: CaringSchools}, nil)
	want := Allocation{Reason: "no eligible assessor: the roster is empty", Ranked: []string{}, Excluded: []Exclusion{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("empty roster: got %+v", got)
	}

	roster := []Candidate{
		assessor("d", func(c *Candidate) { c.Open = 3 }),
		assessor("b", func(c *Candidate) { c.Active = false }),
		assessor("c"),
		assessor("a", func(c *Candidate) { c.Conflict = "sibling attends" }),
	}
	roster = append(roster, assessor("e"))
	req := AllocationRequest{Track: CaringSchools, Variant: VariantPrimary, Applicant: "e", Supporter: "c"}
	got = Allocate(req, roster)
	want = Allocation{
		Reason: "no eligible assessor: 5 excluded",
		Ranked: []string{},
		Excluded: []Exclusion{
			{"a", "Name a", "declared conflict: sibling attends"},
			{"b", "Name b", "inactive"},
			{"c", "Name c", "supports this setting"},
			{"d", "Name d", "at capacity (3 of 3 open)"},
			{"e", "Name e", "is the applicant of this application"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("all excluded:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestAllocateMixedAndPure(t *testing.T) {
	roster := []Candidate{
		assessor("e", func(c *Candidate) { c.Open = 1 }),
		assessor("d", func(c *Candidate) { c.Specialisms = []Specialism{EarlyYears} }),
		assessor("c", func(c *Candidate) { c.Open = 1; c.LastAllocatedAt = day(1) }),
		assessor("b"),
		assessor("a", func(c *Candidate) { c.Capacity = 1; c.Open = 1 }),
	}
	req := AllocationRequest{
		Track: LearningHomes, Variant: VariantResidentialHome,
		PreviousAssessor: "b", Excluded: map[string]string{"x": "declined the offer"},
	}
	rosterCopy := slices.Clone(roster)
	for i := range rosterCopy {
		rosterCopy[i].Tracks = slices.Clone(roster[i].Tracks)
		rosterCopy[i].Specialisms = slices.Clone(roster[i].Specialisms)
	}
	reqCopy := req
	reqCopy.Excluded = map[string]string{"x": "declined the offer"}

	first := Allocate(req, roster)
	want := Allocation{
		Chosen:   "e",
		Reason:   "least loaded (1 open of 3); allocated longest ago (never)",
		Ranked:   []string{"e", "c"},
		Excluded: []Exclusion{{"a", "Name a", "at capacity (1 of 1 open)"}, {"b", "Name b", "assessed this setting in its previous cycle"}, {"d", "Name d", "no residential specialism"}},
	}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("got  %+v\nwant %+v", first, want)
	}
	if !reflect.DeepEqual(roster, rosterCopy) || !reflect.DeepEqual(req, reqCopy) {
		t.Error("Allocate mutated its inputs")
	}
	// Workflow replay relies on the same answer every time.
	for range 20 {
		if again := Allocate(req, roster); !reflect.DeepEqual(again, first) {
			t.Fatalf("not deterministic: %+v vs %+v", again, first)
		}
	}
}
