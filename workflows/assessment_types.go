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

// Working-day deadlines of SPEC §3 (tenant settings in a later change; these are the defaults).
const (
	offerWorkdays        = 5  // an offer is accepted within 5 working days
	assessmentWorkdays   = 20 // an assessment is due 20 working days after acceptance
	moderationWorkdays   = 10 // a moderation is due 10 working days after the request
	reminderWorkdays     = 5  // the first reminder comes this many working days before the due day
	overdueWorkdays      = 3  // this many working days past due, admins are flagged
	resubmitMonths       = 3  // "not yet": the window to resubmit
	resubmitReminderDays = 14 // the window's reminder comes two weeks before it closes
)

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
