package award

import (
	"fmt"
	"strconv"
	"strings"
)

// ModerationSampleRate is the share of otherwise-unmoderated recommendations drawn for
// moderation.
const ModerationSampleRate = 0.10

// moderationNewAssessor is how many of an assessor's first assessments are always moderated.
const moderationNewAssessor = 3

// ModerationCase is what the moderation rule needs to know about one recommendation.
type ModerationCase struct {
	Recommended   Level   // the assessor's recommendation (NotMet = "not yet")
	Target        Level   // the level applied for
	AssessorPrior int     // assessments this assessor completed before this one
	Draw          float64 // a uniform draw in [0,1), recorded in the workflow history
	SampleRate    float64 // 0 → ModerationSampleRate
}

// ModerationRequired says whether a moderator must review the recommendation (SPEC §3,
// Moderation), with every reason that applies in the order the spec lists them. When none
// applies it returns false and nil: the recommendation is confirmed automatically. The
// random draw is supplied by the caller so that the result replays deterministically.
func ModerationRequired(c ModerationCase) (bool, []string) {
	var reasons []string
	if c.Recommended == Gold {
		reasons = append(reasons, "Gold recommendation")
	}
	if c.Recommended == NotMet {
		reasons = append(reasons, `"not yet" recommendation`)
	}
	if c.AssessorPrior < moderationNewAssessor {
		reasons = append(reasons, fmt.Sprintf("assessor's first %d assessments (this is number %d)",
			moderationNewAssessor, c.AssessorPrior+1))
	}
	if c.Recommended != c.Target {
		reasons = append(reasons, fmt.Sprintf("recommendation (%s) differs from the target (%s)",
			c.Recommended.Title(), c.Target.Title()))
	}
	if len(reasons) > 0 {
		return true, reasons
	}
	// The sample is drawn only from "the rest", so it never stacks on another reason.
	rate := c.SampleRate
	if rate == 0 {
		rate = ModerationSampleRate
	}
	if c.Draw < rate {
		return true, []string{fmt.Sprintf("random sample (draw %s < %s)", drawText(c.Draw, rate), rateText(rate))}
	}
	return false, nil
}

// drawText shows the draw with at least 4 decimals, and more when needed to keep the
// printed comparison true (0.09999 must not read as "0.1000 < 0.10").
func drawText(d, rate float64) string {
	for p := 4; p < 17; p++ {
		s := strconv.FormatFloat(d, 'f', p, 64)
		if v, _ := strconv.ParseFloat(s, 64); v < rate {
			return s
		}
	}
	return strconv.FormatFloat(d, 'f', -1, 64)
}

// rateText shows the rate exactly, with at least 2 decimals ("0.10", "0.125").
func rateText(r float64) string {
	s := strconv.FormatFloat(r, 'f', -1, 64)
	i := strings.IndexByte(s, '.')
	if i < 0 {
		s, i = s+".", len(s)
	}
	for len(s)-i-1 < 2 {
		s += "0"
	}
	return s
}
