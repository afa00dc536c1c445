package postgres

import (
	"testing"

	"awardengine/structs"
)

func TestStageCountsListEveryStageInJourneyOrder(t *testing.T) {
	got := StageCounts(map[string]structs.StageCount{
		"assessment": {Stage: "assessment", Applications: 2, Overdue: 1},
		"toolkit":    {Stage: "toolkit", Applications: 5},
		"mystery":    {Stage: "mystery", Applications: 1},
	})
	if len(got) != len(stageOrder)+1 {
		t.Fatalf("want every stage and the unknown one, got %d: %+v", len(got), got)
	}
	for i, st := range stageOrder {
		if got[i].Stage != st {
			t.Fatalf("row %d is %q, want %q", i, got[i].Stage, st)
		}
	}
	if got[0].Applications != 5 || got[4] != (structs.StageCount{Stage: "assessment", Applications: 2, Overdue: 1}) || got[1].Applications != 0 {
		t.Errorf("counts %+v", got)
	}
	if last := got[len(got)-1]; last.Stage != "mystery" || last.Applications != 1 {
		t.Errorf("the unknown stage comes last: %+v", last)
	}
}
