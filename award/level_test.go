package award

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestLevelStringParse(t *testing.T) {
	tests := []struct {
		l    Level
		s    string
		also []string
	}{
		{NotMet, "not_met", []string{"NOT-MET", "not met"}},
		{Bronze, "bronze", []string{"Bronze", " BRONZE "}},
		{Silver, "silver", []string{"Silver"}},
		{Gold, "gold", []string{"GOLD"}},
	}
	for _, tc := range tests {
		if got := tc.l.String(); got != tc.s {
			t.Errorf("%d.String() = %q, want %q", int(tc.l), got, tc.s)
		}
		for _, in := range append([]string{tc.s}, tc.also...) {
			got, err := ParseLevel(in)
			if err != nil || got != tc.l {
				t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, tc.l)
			}
		}
	}
	for _, bad := range []string{"", "platinum", "1", "bronze!"} {
		_, err := ParseLevel(bad)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "level" {
			t.Errorf("ParseLevel(%q) error = %v, want level InputError", bad, err)
		}
	}
	if Level(7).String() != "Level(7)" || Level(7).Valid() || Level(-1).Valid() {
		t.Error("invalid level handling")
	}
	if got := AwardLevels(); len(got) != 3 || got[0] != Bronze || got[1] != Silver || got[2] != Gold {
		t.Errorf("AwardLevels() = %v", got)
	}
	if !(NotMet < Bronze && Bronze < Silver && Silver < Gold) {
		t.Error("levels are not ordered")
	}
}

func TestLevelJSON(t *testing.T) {
	type doc struct {
		Target Level            `json:"target"`
		Rating map[string]Level `json:"ratings"`
	}
	in := doc{Target: Silver, Rating: map[string]Level{"LD1": Gold, "RB1": NotMet}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"target":"silver","ratings":{"LD1":"gold","RB1":"not_met"}}`
	if string(b) != want {
		t.Fatalf("Marshal = %s, want %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out.Target != Silver || out.Rating["LD1"] != Gold || out.Rating["RB1"] != NotMet {
		t.Fatalf("Unmarshal = %+v, %v", out, err)
	}
	for _, bad := range []string{`{"target":"platinum"}`, `{"target":2}`} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
	if _, err := json.Marshal(doc{Target: Level(9)}); err == nil {
		t.Error("marshalling an invalid level should fail")
	}
}
