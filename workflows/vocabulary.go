package workflows

import "awardengine/award"

// The journey's vocabulary lives in the domain package (award/journey.go) so that the service
// layer, the API and the CLI share it; these aliases keep the workflow code and its histories
// unchanged (an alias is the same type: same JSON, same payloads).
type (
	Stage         = award.Stage
	Actor         = award.Actor
	NextStep      = award.NextStep
	FrameworkRef  = award.FrameworkRef
	StandardRef   = award.StandardRef
	PreviousAward = award.PreviousAward
	Assessment    = award.Assessment
	Offer         = award.Offer
	Moderation    = award.Moderation
	Lifecycle     = award.Lifecycle
)

// Stages (SPEC §3).
const (
	StageToolkit            = award.StageToolkit
	StagePortfolio          = award.StagePortfolio
	StageAwaitingAllocation = award.StageAwaitingAllocation
	StageWithdrawn          = award.StageWithdrawn
	StageOffered            = award.StageOffered
	StageAssessment         = award.StageAssessment
	StageModeration         = award.StageModeration
	StageAwarded            = award.StageAwarded
	StageNotYet             = award.StageNotYet
	StageClosed             = award.StageClosed
	StageLapsed             = award.StageLapsed
	StageSuperseded         = award.StageSuperseded
)

// Roles that act on a journey.
const (
	RoleApplicant = award.RoleApplicant
	RoleAdmin     = award.RoleAdmin
	RoleAssessor  = award.RoleAssessor
	RoleModerator = award.RoleModerator
	RoleSystem    = award.RoleSystem
)
