package workflows_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"awardengine/award"
	"awardengine/workflows"
)

// The status the API answers a registration with (computed from the input, without a query)
// is the status the journey itself answers once registered, for every variant (the first-year
// foster carers' due date included).
func TestRegisteredStatusIsWhatTheJourneyAnswers(t *testing.T) {
	for _, variant := range []award.Variant{award.VariantPrimary, award.VariantFirstYearFoster} {
		t.Run(string(variant), func(t *testing.T) {
			h := newHarness(t)
			in := input(variant)
			if variant == award.VariantFirstYearFoster {
				approved := h.start.AddDate(0, -2, 0)
				in.ApprovalDate = &approved
			}
			queried := h.statusAt(time.Minute)
			h.withdrawAt(time.Hour)
			h.run(in)

			computed, ok := workflows.RegisteredStatus(in, h.start)
			require.True(t, ok)
			// Compared as the API sees them: through JSON, as the query's answer travels.
			want, _ := json.Marshal(queried)
			got, _ := json.Marshal(computed)
			require.JSONEq(t, string(want), string(got))
			require.Equal(t, workflows.StageToolkit, computed.Stage)
		})
	}
	// A reapplication carrying evidence forward: only the journey knows its portfolio.
	in := input(award.VariantPrimary)
	in.Previous = &workflows.PreviousAward{ApplicationID: "app_old"}
	_, ok := workflows.RegisteredStatus(in, time.Now())
	require.False(t, ok)
}
