package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Search attributes carry no personal data: tenant, stage, track, variant, due date, flags.
var (
	SearchTenant  = temporal.NewSearchAttributeKeyKeyword("AwardTenant")
	SearchStage   = temporal.NewSearchAttributeKeyKeyword("AwardStage")
	SearchTrack   = temporal.NewSearchAttributeKeyKeyword("AwardTrack")
	SearchVariant = temporal.NewSearchAttributeKeyKeyword("AwardVariant")
	SearchDueAt   = temporal.NewSearchAttributeKeyTime("AwardDueAt")
	SearchFlags   = temporal.NewSearchAttributeKeyKeywordList("AwardFlags")
)

// SearchAttributeTypes lists the custom search attributes to register on the namespace
// (within the SQLite dev store's limits: at most 10 keyword and 3 of each other type).
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SearchTenant.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchStage.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchTrack.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchVariant.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchDueAt.GetName():   enumspb.INDEXED_VALUE_TYPE_DATETIME,
		SearchFlags.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	}
}

// StartSearchAttributes are set when a journey starts, so it is findable from its first moment.
func StartSearchAttributes(in ApplicationInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		SearchTenant.ValueSet(in.TenantID),
		SearchStage.ValueSet(string(StageToolkit)),
		SearchTrack.ValueSet(string(in.Track)),
		SearchVariant.ValueSet(string(in.Variant)),
	)
}
