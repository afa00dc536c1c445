package workflows

import (
	"awardengine/award"
)

// Flags shown to admins after submission.
const (
	FlagNoAssessor        = "no_eligible_assessor"
	FlagAssessmentOverdue = "assessment_overdue"
	FlagModerationOverdue = "moderation_overdue"
	FlagNoModerator       = "no_eligible_moderator"
)

// deadlines are the journey's working-day deadlines after submission: the tenant's settings
// as they were when the application was registered (award.Settings.Deadlines; a journey
// registered before they were settings has zeros there, which mean SPEC §3's defaults, the
// constants it ran on, so its replay is unchanged).
func (j *journey) deadlines() award.Deadlines { return j.in.Settings.Deadlines() }

// Update names of the assessment stages.
const (
	UpdateAcceptOffer  = "accept_offer"
	UpdateDeclineOffer = "decline_offer"
	UpdateSaveRatings  = "save_ratings"
	UpdateSubmitAssess = "submit_assessment"
	UpdateModerate     = "moderate"
	UpdateAllocate     = "allocate"
	UpdateReassign     = "reassign"
)

// OfferReply answers an offer.
type OfferReply struct {
	Actor  Actor
	Reason string // why declined
}

// RatingsRequest saves (or submits) an assessment.
type RatingsRequest struct {
	Actor     Actor
	Ratings   map[string]award.Level
	Feedback  string
	VisitDate string // YYYY-MM-DD, optional
}

// Moderation decisions.
const (
	ModerationConfirm   = "confirm"
	ModerationAmend     = "amend"
	ModerationReferBack = "refer_back"
)

// ModerateRequest is a moderator's decision.
type ModerateRequest struct {
	Actor     Actor
	Decision  string                 // confirm, amend, refer_back
	Ratings   map[string]award.Level // amend: the moderated ratings (all standards)
	Rationale string                 // required to amend or refer back
}

// AllocateRequest is an admin allocating an assessor by hand.
type AllocateRequest struct {
	Actor      Actor
	AssessorID string
	Reason     string
}

// ReassignRequest is an admin taking an assessment away from its assessor.
type ReassignRequest struct {
	Actor  Actor
	Reason string
}
