package award

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// testFramework has four areas of three standards: A3 and D2 apply from
// Silver, B3 only at Gold; everything else from Bronze.
func testFramework() Framework {
	std := func(code string, from Level) Standard {
		s := Standard{Code: code, Title: "Standard " + code, From: from}
		if from <= Bronze {
			s.Descriptors.Bronze = code + " at bronze"
		}
		if from <= Silver {
			s.Descriptors.Silver = code + " at silver"
		}
		s.Descriptors.Gold = code + " at gold"
		return s
	}
	return Framework{
		ID: "test-fw", Variant: VariantPrimary, Version: 1, Title: "Test framework", Sample: true,
		Areas: []Area{
			{Code: "A", Title: "Area A", Standards: []Standard{std("A1", Bronze), std("A2", Bronze), std("A3", Silver)}},
			{Code: "B", Title: "Area B", Standards: []Standard{std("B1", Bronze), std("B2", Bronze), std("B3", Gold)}},
			{Code: "C", Title: "Area C", Standards: []Standard{std("C1", Bronze), std("C2", Bronze), std("C3", Bronze)}},
			{Code: "D", Title: "Area D", Standards: []Standard{std("D1", Bronze), std("D2", Silver), std("D3", Bronze)}},
		},
	}
}

func codesOf(ss []Standard) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Code)
	}
	return out
}

func TestFrameworkAccessors(t *testing.T) {
	f := testFramework()
	all := []string{"A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "D1", "D2", "D3"}
	tests := []struct {
		level Level
		want  []string
	}{
		{NotMet, nil},
		{Bronze, []string{"A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "D3"}},
		{Silver, []string{"A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "D1", "D2", "D3"}},
		{Gold, all},
	}
	for _, tc := range tests {
		if got := codesOf(f.StandardsFor(tc.level)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("StandardsFor(%s) = %v, want %v", tc.level, got, tc.want)
		}
	}
	if got := codesOf(f.Standards()); !reflect.DeepEqual(got, all) {
		t.Errorf("Standards() = %v", got)
	}
	if s, ok := f.Standard("B3"); !ok || s.From != Gold || s.Descriptors.For(Gold) != "B3 at gold" || s.Descriptors.For(Bronze) != "" {
		t.Errorf("Standard(B3) = %+v, %v", s, ok)
	}
	if _, ok := f.Standard("b3"); ok {
		t.Error("codes are case-sensitive")
	}
	if a, ok := f.AreaOf("D2"); !ok || a.Code != "D" {
		t.Errorf("AreaOf(D2) = %v, %v", a.Code, ok)
	}
	if f.Track() != CaringSchools {
		t.Errorf("Track() = %q", f.Track())
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("test framework invalid: %v", err)
	}
}

func TestFrameworkValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Framework)
		want   string // substring of the error; "" means valid
	}{
		{"valid", func(*Framework) {}, ""},
		{"bad id", func(f *Framework) { f.ID = "CS Primary" }, `id "CS Primary"`},
		{"unknown variant", func(f *Framework) { f.Variant = "nursery" }, `unknown variant "nursery"`},
		{"version 0", func(f *Framework) { f.Version = 0 }, "version must be 1 or more"},
		{"no title", func(f *Framework) { f.Title = " " }, "title is required"},
		{"three areas", func(f *Framework) { f.Areas = f.Areas[:3] }, "has 3 areas, want 4"},
		{"five areas", func(f *Framework) { f.Areas = append(f.Areas, f.Areas[0]) }, "has 5 areas, want 4"},
		{"duplicate area code", func(f *Framework) { f.Areas[1].Code = "A" }, "duplicate area code"},
		{"area without title", func(f *Framework) { f.Areas[2].Title = "" }, `area 3 ("C"): title is required`},
		{"too few standards", func(f *Framework) { f.Areas[2].Standards = f.Areas[2].Standards[:2] }, "has 2 standards, want 3 to 5"},
		{"too many standards", func(f *Framework) {
			s := f.Areas[2].Standards[0]
			for _, c := range []string{"C4", "C5", "C6"} {
				s.Code = c
				f.Areas[2].Standards = append(f.Areas[2].Standards, s)
			}
		}, "has 6 standards, want 3 to 5"},
		{"duplicate standard code", func(f *Framework) { f.Areas[3].Standards[0].Code = "A1" }, `standard "A1" in area 4 ("D"): duplicate code (already used in area "A")`},
		{"bad standard code", func(f *Framework) { f.Areas[0].Standards[0].Code = "A 1" }, "code must be letters and digits"},
		{"standard without title", func(f *Framework) { f.Areas[0].Standards[1].Title = "" }, `standard "A2": title is required`},
		{"from not met", func(f *Framework) { f.Areas[0].Standards[0].From = NotMet }, "from must be bronze, silver or gold, got not_met"},
		{"missing bronze descriptor", func(f *Framework) { f.Areas[0].Standards[0].Descriptors.Bronze = "" }, `standard "A1": bronze descriptor is required`},
		{"missing gold descriptor", func(f *Framework) { f.Areas[1].Standards[2].Descriptors.Gold = "  " }, `standard "B3": gold descriptor is required (the standard applies from gold)`},
		{"descriptor below from", func(f *Framework) { f.Areas[0].Standards[2].Descriptors.Bronze = "x" }, `standard "A3": has a bronze descriptor but applies only from silver`},
		{"nothing from bronze", func(f *Framework) {
			for i := range f.Areas {
				for j := range f.Areas[i].Standards {
					s := &f.Areas[i].Standards[j]
					s.From, s.Descriptors.Bronze = Gold, ""
					s.Descriptors.Silver = ""
				}
			}
		}, "no standard applies from bronze"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := testFramework()
			tc.mutate(&f)
			err := f.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v\nwant it to contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), `framework "`) {
				t.Errorf("error should name the framework: %v", err)
			}
		})
	}
}

func TestMissingEvidence(t *testing.T) {
	f := testFramework()
	allBronze := map[string]bool{"A1": true, "A2": true, "B1": true, "B2": true, "C1": true, "C2": true, "C3": true, "D1": true, "D3": true}
	everything := map[string]bool{}
	for _, s := range f.Standards() {
		everything[s.Code] = true
	}
	tests := []struct {
		name    string
		target  Level
		covered map[string]bool
		want    []string
	}{
		{"nothing covered, bronze", Bronze, nil, []string{"A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "D3"}},
		{"nothing covered, gold", Gold, map[string]bool{}, codesOf(f.Standards())},
		{"bronze complete", Bronze, allBronze, nil},
		{"bronze evidence is not enough for silver", Silver, allBronze, []string{"A3", "D2"}},
		{"bronze evidence is not enough for gold", Gold, allBronze, []string{"A3", "B3", "D2"}},
		{"gold complete", Gold, everything, nil},
		{"false counts as not covered", Bronze, map[string]bool{"A1": false, "A2": true, "B1": true, "B2": true, "C1": true, "C2": true, "C3": true, "D1": true, "D3": true}, []string{"A1"}},
		{"extra codes ignored", Bronze, map[string]bool{"ZZ9": true}, []string{"A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "D3"}},
		{"not met target needs nothing", NotMet, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MissingEvidence(f, tc.target, tc.covered); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("MissingEvidence(%s) = %v, want %v", tc.target, got, tc.want)
			}
		})
	}
}

func TestUnknownStandards(t *testing.T) {
	f := testFramework()
	tests := []struct {
		name  string
		codes []string
		want  []string
	}{
		{"none", nil, nil},
		{"all known", []string{"A1", "B3", "D2"}, nil},
		{"some unknown, order kept", []string{"Z9", "A1", "a1", "E1"}, []string{"Z9", "a1", "E1"}},
		{"repeats reported once", []string{"X1", "X1", "A2", "X1"}, []string{"X1"}},
		{"empty code", []string{""}, []string{""}},
		{"area code is not a standard", []string{"A"}, []string{"A"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := UnknownStandards(f, tc.codes); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("UnknownStandards(%v) = %v, want %v", tc.codes, got, tc.want)
			}
		})
	}
}

// ratingsAll rates every standard of f at l, then applies the overrides.
func ratingsAll(f Framework, l Level, overrides map[string]Level) map[string]Level {
	r := map[string]Level{}
	for _, s := range f.Standards() {
		r[s.Code] = l
	}
	for c, v := range overrides {
		r[c] = v
	}
	return r
}

func TestLevelReached(t *testing.T) {
	f := testFramework()
	tests := []struct {
		name    string
		ratings map[string]Level
		target  Level
		want    Level
	}{
		{"all gold, target gold", ratingsAll(f, Gold, nil), Gold, Gold},
		{"all gold, capped at silver target", ratingsAll(f, Gold, nil), Silver, Silver},
		{"all gold, capped at bronze target", ratingsAll(f, Gold, nil), Bronze, Bronze},
		{"all gold, target above gold caps at gold", ratingsAll(f, Gold, nil), Level(4), Gold},
		{"all gold, target not met", ratingsAll(f, Gold, nil), NotMet, NotMet},
		{"all not met", ratingsAll(f, NotMet, nil), Gold, NotMet},
		{"no ratings at all", nil, Bronze, NotMet},
		{"one standard below bronze", ratingsAll(f, Gold, map[string]Level{"C2": NotMet}), Gold, NotMet},
		{"one standard at bronze caps at bronze", ratingsAll(f, Gold, map[string]Level{"C2": Bronze}), Gold, Bronze},
		{"one standard at silver caps at silver", ratingsAll(f, Gold, map[string]Level{"A1": Silver}), Gold, Silver},
		{"one rating missing", func() map[string]Level { r := ratingsAll(f, Gold, nil); delete(r, "D3"); return r }(), Gold, NotMet},
		{"gold-only standard not rated gold caps at silver", ratingsAll(f, Gold, map[string]Level{"B3": Silver}), Gold, Silver},
		{"gold-only standard not met still gives silver", ratingsAll(f, Gold, map[string]Level{"B3": NotMet}), Gold, Silver},
		{"silver-from standard not met caps at bronze", ratingsAll(f, Gold, map[string]Level{"A3": NotMet}), Gold, Bronze},
		{"silver-from standard only at bronze caps at bronze", ratingsAll(f, Gold, map[string]Level{"D2": Bronze}), Gold, Bronze},
		{"silver-from standard unrated is fine for bronze", func() map[string]Level {
			r := ratingsAll(f, Bronze, nil)
			delete(r, "A3")
			delete(r, "D2")
			delete(r, "B3")
			return r
		}(), Bronze, Bronze},
		{"all silver, target gold", ratingsAll(f, Silver, nil), Gold, Silver},
		{"all bronze, target silver", ratingsAll(f, Bronze, nil), Silver, Bronze},
		{"unknown codes are ignored", ratingsAll(f, Silver, map[string]Level{"ZZ1": NotMet}), Silver, Silver},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LevelReached(f, tc.ratings, tc.target); got != tc.want {
				t.Errorf("LevelReached(target %s) = %s, want %s", tc.target, got, tc.want)
			}
		})
	}
}

func TestLevelReachedOnSamples(t *testing.T) {
	for _, f := range SampleFrameworks() {
		if got := LevelReached(f, ratingsAll(f, Gold, nil), Gold); got != Gold {
			t.Errorf("%s: all gold = %s", f.ID, got)
		}
		var goldOnly string
		for _, s := range f.Standards() {
			if s.From == Gold {
				goldOnly = s.Code
				break
			}
		}
		if goldOnly == "" {
			t.Errorf("%s: no gold-only standard", f.ID)
			continue
		}
		if got := LevelReached(f, ratingsAll(f, Gold, map[string]Level{goldOnly: Silver}), Gold); got != Silver {
			t.Errorf("%s: gold-only %s at silver gives %s, want silver", f.ID, goldOnly, got)
		}
	}
}

func TestCheckRatings(t *testing.T) {
	f := testFramework()
	if err := CheckRatings(f, Gold, ratingsAll(f, NotMet, nil)); err != nil {
		t.Fatalf("complete ratings: %v", err)
	}
	r := ratingsAll(f, Silver, map[string]Level{"ZZ1": Gold, "A1": Level(9)})
	delete(r, "C2")
	err := CheckRatings(f, Silver, r)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "ratings" {
		t.Fatalf("CheckRatings = %v", err)
	}
	for _, want := range []string{"unknown standards: ZZ1", "invalid ratings", "A1 (9)", "not rated", "C2"} {
		if !strings.Contains(ie.Message, want) {
			t.Errorf("message %q lacks %q", ie.Message, want)
		}
	}
	// A bronze application need not rate the silver- and gold-only standards.
	r = ratingsAll(f, Bronze, nil)
	delete(r, "A3")
	delete(r, "B3")
	delete(r, "D2")
	if err := CheckRatings(f, Bronze, r); err != nil {
		t.Errorf("bronze: %v", err)
	}
}
