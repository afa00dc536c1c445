package award

import (
	"reflect"
	"testing"
)

func TestPartiesBar(t *testing.T) {
	tests := []struct {
		name    string
		parties Parties
		person  string
		want    string
	}{
		{"applicant", Parties{Applicant: "a", Supporter: "s"}, "a", ReasonApplicant},
		{"supporter", Parties{Applicant: "a", Supporter: "s"}, "s", ReasonSupporter},
		{"anyone else", Parties{Applicant: "a", Supporter: "s"}, "x", ""},
		{"no supporter", Parties{Applicant: "a"}, "x", ""},
		{"nobody is never barred", Parties{Applicant: "a"}, "", ""},
		{"both: named as the applicant", Parties{Applicant: "a", Supporter: "a"}, "a", ReasonApplicant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.parties.Bar(tc.person); got != tc.want {
				t.Errorf("Bar(%q) = %q, want %q", tc.person, got, tc.want)
			}
		})
	}
	if ReasonApplicant != "is the applicant of this application" || ReasonSupporter != "supports this setting" {
		t.Errorf("the report's wording changed: %q, %q", ReasonApplicant, ReasonSupporter)
	}
}

// The applicant and the supporter are never chosen, whoever else is on the roster and however
// idle they are.
func TestAllocateNeverChoosesAParty(t *testing.T) {
	roster := []Candidate{
		assessor("applicant"),
		assessor("supporter"),
		assessor("busy", func(c *Candidate) { c.Open = 2 }),
	}
	got := Allocate(AllocationRequest{Track: CaringSchools, Variant: VariantPrimary, Applicant: "applicant", Supporter: "supporter"}, roster)
	want := Allocation{
		Chosen: "busy", Reason: "only eligible assessor (2 open of 3)", Ranked: []string{"busy"},
		Excluded: []Exclusion{
			{"applicant", "Name applicant", ReasonApplicant},
			{"supporter", "Name supporter", ReasonSupporter},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestChooseModeratorExclusions(t *testing.T) {
	base := ModeratorRequest{Parties: Parties{Applicant: "app", Supporter: "sup"}, Assessor: "ass"}
	tests := []struct {
		name   string
		person string
		c      func(*Candidate)
		want   string // "" = eligible
	}{
		{"eligible", "m", nil, ""},
		{"no track needed", "m", func(c *Candidate) { c.Tracks, c.Specialisms = nil, nil }, ""},
		{"no capacity limit", "m", func(c *Candidate) { c.Capacity, c.Open = 1, 7 }, ""},
		{"applicant", "app", nil, ReasonApplicant},
		{"supporter", "sup", nil, ReasonSupporter},
		{"assessor", "ass", nil, ReasonAssessedIt},
		{"inactive", "m", func(c *Candidate) { c.Active = false }, "inactive"},
		{"conflict", "m", func(c *Candidate) { c.Conflict = "relative" }, "declared conflict: relative"},
		// Precedence: the parties' bar first, then inactive, the assessor, a conflict.
		{"applicant before inactive", "app", func(c *Candidate) { c.Active, c.Conflict = false, "x" }, ReasonApplicant},
		{"supporter before inactive", "sup", func(c *Candidate) { c.Active = false }, ReasonSupporter},
		{"inactive before assessor", "ass", func(c *Candidate) { c.Active = false }, "inactive"},
		{"assessor before conflict", "ass", func(c *Candidate) { c.Conflict = "x" }, ReasonAssessedIt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := assessor(tc.person)
			if tc.c != nil {
				tc.c(&c)
			}
			got := ChooseModerator(base, []Candidate{c})
			if tc.want == "" {
				if got.Chosen != tc.person || len(got.Excluded) != 0 {
					t.Fatalf("want %s chosen, got %+v", tc.person, got)
				}
				return
			}
			if got.Chosen != "" || !reflect.DeepEqual(got.Excluded, []Exclusion{{tc.person, "Name " + tc.person, tc.want}}) {
				t.Fatalf("got %+v, want %s excluded: %q", got, tc.person, tc.want)
			}
		})
	}
}

func TestChooseModeratorRankingAndReasons(t *testing.T) {
	req := ModeratorRequest{Parties: Parties{Applicant: "app", Supporter: "sup"}, Assessor: "ass"}
	if got := ChooseModerator(req, nil); got.Reason != "no eligible moderator: the authority has no moderator" || got.Chosen != "" {
		t.Errorf("empty roster: %+v", got)
	}
	roster := []Candidate{
		assessor("m2", func(c *Candidate) { c.Open = 1 }),
		assessor("app"),
		assessor("m1", func(c *Candidate) { c.Open = 1; c.LastAllocatedAt = day(3) }),
		assessor("ass"),
	}
	got := ChooseModerator(req, roster)
	want := Allocation{
		Chosen: "m2", Reason: "least loaded moderator (1 open)", Ranked: []string{"m2", "m1"},
		Excluded: []Exclusion{{"app", "Name app", ReasonApplicant}, {"ass", "Name ass", ReasonAssessedIt}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// Nobody left: the reason counts the exclusions without naming anyone or quoting a conflict.
	roster = []Candidate{assessor("app"), assessor("ass"), assessor("sup"), assessor("x", func(c *Candidate) { c.Conflict = "my sister" }),
		assessor("y", func(c *Candidate) { c.Conflict = "governor" })}
	got = ChooseModerator(req, roster)
	wantReason := "no eligible moderator: 5 excluded: 1 assessed this application, 2 declared a conflict, " +
		"1 is the applicant of this application, 1 supports this setting"
	if got.Chosen != "" || got.Reason != wantReason || len(got.Excluded) != 5 {
		t.Errorf("got %+v\nwant reason %q", got, wantReason)
	}
}
