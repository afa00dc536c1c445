package award

import (
	"slices"
	"testing"
)

func TestModerationRequired(t *testing.T) {
	const (
		gold    = "Gold recommendation"
		notYet  = `"not yet" recommendation`
		first1  = "assessor's first 3 assessments (this is number 1)"
		first3  = "assessor's first 3 assessments (this is number 3)"
		noDraw  = 0.5 // above any sample rate used here
		veteran = 3
	)
	tests := []struct {
		name string
		c    ModerationCase
		want []string // nil = confirmed automatically
	}{
		{"confirmed", ModerationCase{Recommended: Silver, Target: Silver, AssessorPrior: veteran, Draw: noDraw}, nil},
		{"gold", ModerationCase{Recommended: Gold, Target: Gold, AssessorPrior: veteran, Draw: noDraw}, []string{gold}},
		{"not yet", ModerationCase{Recommended: NotMet, Target: NotMet, AssessorPrior: veteran, Draw: noDraw}, []string{notYet}},
		{"first assessment", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: 0, Draw: noDraw}, []string{first1}},
		{"third assessment", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: 2, Draw: noDraw}, []string{first3}},
		{"fourth assessment", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: 3, Draw: noDraw}, nil},
		{"below target", ModerationCase{Recommended: Bronze, Target: Silver, AssessorPrior: veteran, Draw: noDraw},
			[]string{"recommendation (Bronze) differs from the target (Silver)"}},
		{"above target", ModerationCase{Recommended: Silver, Target: Bronze, AssessorPrior: veteran, Draw: noDraw},
			[]string{"recommendation (Silver) differs from the target (Bronze)"}},
		{"not yet and differs", ModerationCase{Recommended: NotMet, Target: Bronze, AssessorPrior: veteran, Draw: noDraw},
			[]string{notYet, "recommendation (Not met) differs from the target (Bronze)"}},
		{"gold, new, differs; no sample", ModerationCase{Recommended: Gold, Target: Silver, AssessorPrior: 0, Draw: 0.01},
			[]string{gold, first1, "recommendation (Gold) differs from the target (Silver)"}},
		{"not yet, new, differs", ModerationCase{Recommended: NotMet, Target: Gold, AssessorPrior: 2, Draw: noDraw},
			[]string{notYet, first3, "recommendation (Not met) differs from the target (Gold)"}},
		{"sampled", ModerationCase{Recommended: Silver, Target: Silver, AssessorPrior: veteran, Draw: 0.0731},
			[]string{"random sample (draw 0.0731 < 0.10)"}},
		{"draw zero", ModerationCase{Recommended: Silver, Target: Silver, AssessorPrior: veteran, Draw: 0},
			[]string{"random sample (draw 0.0000 < 0.10)"}},
		{"draw just below rate", ModerationCase{Recommended: Silver, Target: Silver, AssessorPrior: veteran, Draw: 0.0999999},
			[]string{"random sample (draw 0.0999999 < 0.10)"}},
		{"draw at rate", ModerationCase{Recommended: Silver, Target: Silver, AssessorPrior: veteran, Draw: 0.10}, nil},
		{"custom rate sampled", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: veteran, Draw: 0.2, SampleRate: 0.25},
			[]string{"random sample (draw 0.2000 < 0.25)"}},
		{"custom rate odd", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: veteran, Draw: 0.12, SampleRate: 0.125},
			[]string{"random sample (draw 0.1200 < 0.125)"}},
		{"custom rate at boundary", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: veteran, Draw: 0.25, SampleRate: 0.25}, nil},
		{"custom rate not sampled at default", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: veteran, Draw: 0.05, SampleRate: 0.01}, nil},
		{"rate 1 samples all", ModerationCase{Recommended: Bronze, Target: Bronze, AssessorPrior: veteran, Draw: 0.99, SampleRate: 1},
			[]string{"random sample (draw 0.9900 < 1.00)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, reasons := ModerationRequired(tc.c)
			if got != (tc.want != nil) || !slices.Equal(reasons, tc.want) || (tc.want == nil && reasons != nil) {
				t.Errorf("ModerationRequired(%+v) = %v, %q; want %v, %q", tc.c, got, reasons, tc.want != nil, tc.want)
			}
		})
	}
	if ModerationSampleRate != 0.10 {
		t.Errorf("ModerationSampleRate = %v, want 0.10", ModerationSampleRate)
	}
}
