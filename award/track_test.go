package award

import (
	"errors"
	"strings"
	"testing"
)

func TestTrackValidTitleParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Track
		title   string
		wantErr string
	}{
		{in: "caring_schools", want: CaringSchools, title: "Caring Schools Award"},
		{in: "learning_homes", want: LearningHomes, title: "Learning Homes Award"},
		{in: "  Learning-Homes ", want: LearningHomes, title: "Learning Homes Award"},
		{in: "", wantErr: "track is required; valid tracks: caring_schools, learning_homes"},
		{in: "caring", wantErr: `unknown track "caring"; valid tracks: caring_schools, learning_homes`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTrack(tc.in)
			if tc.wantErr != "" {
				var ie *InputError
				if !errors.As(err, &ie) || ie.Field != "track" || ie.Message != tc.wantErr {
					t.Fatalf("ParseTrack(%q) error = %#v, want track error %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseTrack(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			if !got.Valid() || got.Title() != tc.title {
				t.Errorf("%q: Valid=%v Title=%q, want true %q", got, got.Valid(), got.Title(), tc.title)
			}
		})
	}
	if Track("x").Valid() || Track("").Valid() {
		t.Error("unknown tracks must not be valid")
	}
}

func TestEveryVariantBelongsToExactlyOneTrack(t *testing.T) {
	count := map[Variant]int{}
	for _, tr := range Tracks() {
		vs := Variants(tr)
		if len(vs) == 0 {
			t.Errorf("track %q has no variants", tr)
		}
		for _, v := range vs {
			count[v]++
			got, ok := v.Track()
			if !ok || got != tr {
				t.Errorf("%q.Track() = %q, %v; want %q", v, got, ok, tr)
			}
			if err := CheckVariant(tr, v); err != nil {
				t.Errorf("CheckVariant(%q, %q) = %v", tr, v, err)
			}
			if v.Title() == "" || v.Title() == string(v) {
				t.Errorf("%q has no title", v)
			}
		}
	}
	all := AllVariants()
	if len(all) != 12 || len(count) != 12 {
		t.Fatalf("AllVariants has %d, tracks hold %d distinct; want 12", len(all), len(count))
	}
	for _, v := range all {
		if count[v] != 1 {
			t.Errorf("variant %q is in %d tracks, want 1", v, count[v])
		}
	}
	want := map[Track][]Variant{
		CaringSchools: {VariantPrimary, VariantSecondary, VariantSpecial, VariantEarlyYearsSetting, VariantOtherSetting},
		LearningHomes: {VariantMainstreamFoster, VariantEarlyYearsFoster, VariantRespiteFoster, VariantFirstYearFoster,
			VariantResidentialHome, VariantChildminder, VariantAdoptiveSGO},
	}
	for tr, vs := range want {
		if got := Variants(tr); !equalVariants(got, vs) {
			t.Errorf("Variants(%q) = %v, want %v", tr, got, vs)
		}
	}
	if Variants("nope") != nil {
		t.Error("Variants of an unknown track should be nil")
	}
	if _, ok := Variant("nope").Track(); ok {
		t.Error("unknown variant has a track")
	}
}

func equalVariants(a, b []Variant) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCheckVariantErrors(t *testing.T) {
	lhChoices := "mainstream_foster, early_years_foster, respite_foster, first_year_foster, residential_home, childminder, adoptive_sgo"
	csChoices := "primary, secondary, special, early_years_setting, other_setting"
	tests := []struct {
		name      string
		track     Track
		variant   Variant
		wantField string
		wantMsg   string
	}{
		{"wrong track", LearningHomes, VariantPrimary, "variant",
			`variant "primary" does not belong to track "learning_homes"; choose one of: ` + lhChoices},
		{"wrong track reverse", CaringSchools, VariantChildminder, "variant",
			`variant "childminder" does not belong to track "caring_schools"; choose one of: ` + csChoices},
		{"unknown variant", CaringSchools, "nursery", "variant",
			`unknown variant "nursery" for track "caring_schools"; choose one of: ` + csChoices},
		{"empty variant", LearningHomes, "", "variant",
			`variant is required for track "learning_homes"; choose one of: ` + lhChoices},
		{"unknown track", "schools", VariantPrimary, "track",
			`unknown track "schools"; valid tracks: caring_schools, learning_homes`},
		{"empty track", "", VariantPrimary, "track",
			`track is required; valid tracks: caring_schools, learning_homes`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckVariant(tc.track, tc.variant)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("CheckVariant(%q, %q) = %v, want *InputError", tc.track, tc.variant, err)
			}
			if ie.Field != tc.wantField || ie.Message != tc.wantMsg {
				t.Errorf("got {%q, %q}\nwant {%q, %q}", ie.Field, ie.Message, tc.wantField, tc.wantMsg)
			}
			if err.Error() != tc.wantMsg {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestParseVariant(t *testing.T) {
	v, err := ParseVariant(CaringSchools, " Early-Years-Setting ")
	if err != nil || v != VariantEarlyYearsSetting {
		t.Fatalf("got %q, %v", v, err)
	}
	if _, err := ParseVariant(CaringSchools, "respite_foster"); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Fatalf("wrong-track variant: %v", err)
	}
	if _, err := ParseVariant(CaringSchools, "Nursery"); err == nil || !strings.Contains(err.Error(), `unknown variant "Nursery"`) {
		t.Fatalf("unknown variant: %v", err)
	}
}
