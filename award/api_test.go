package award

import (
	"encoding"
	"testing"
	"time"
)

// The exported API other packages are coded against; this fails to compile
// if a signature changes.
var (
	_ func(Track) bool                                 = Track.Valid
	_ func(Track) string                               = Track.Title
	_ func(string) (Track, error)                      = ParseTrack
	_ func(Track) []Variant                            = Variants
	_ func() []Variant                                 = AllVariants
	_ func(Variant) (Track, bool)                      = Variant.Track
	_ func(Variant) string                             = Variant.Title
	_ func(Track, Variant) error                       = CheckVariant
	_ func(Level) string                               = Level.String
	_ func(string) (Level, error)                      = ParseLevel
	_ encoding.TextMarshaler                           = Level(0)
	_ encoding.TextUnmarshaler                         = new(Level)
	_ func() []Level                                   = AwardLevels
	_ func(Framework) []Standard                       = Framework.Standards
	_ func(Framework, Level) []Standard                = Framework.StandardsFor
	_ func(Framework, string) (Standard, bool)         = Framework.Standard
	_ func(Framework) error                            = Framework.Validate
	_ func(Framework, Level, map[string]bool) []string = MissingEvidence
	_ func(Framework, []string) []string               = UnknownStandards
	_ func() []Framework                               = SampleFrameworks
	_ func(Variant) (Framework, bool)                  = SampleFramework
	_ func(Framework, map[string]Level, Level) Level   = LevelReached
	_ func() UploadLimits                              = DefaultUploadLimits
	_ func(UploadLimits, Upload, int64) error          = UploadLimits.Check
	_ error                                            = (*InputError)(nil)
	_ func() Settings                                  = DefaultSettings
	_                                                  = Upload{Filename: "", Size: int64(0), ContentType: "", SHA256: ""}
	_                                                  = UploadLimits{MaxFileBytes: int64(0), MaxPortfolioBytes: int64(0), AllowedTypes: []string{}}
	_                                                  = InputError{Field: "", Message: ""}
	_                                                  = Settings{
		ToolkitNudgeAfter: time.Duration(0), InactivityNudgeAfter: time.Duration(0), InactivityNudgeEvery: time.Duration(0),
		InactivityMaxNudges: 0, DormantAfter: time.Duration(0), FirstYearDueMonths: 0, FirstYearReminderMonths: []int{},
		DownloadLinkTTL: time.Duration(0), UploadLinkTTL: time.Duration(0),
	}
	_ = Framework{ID: "", Variant: Variant(""), Version: 0, Title: "", Sample: false, Areas: []Area{}}
	_ = Area{Code: "", Title: "", Standards: []Standard{}}
	_ = Standard{Code: "", Title: "", From: Level(0), Descriptors: Descriptors{Bronze: "", Silver: "", Gold: ""}}
)

func TestConstants(t *testing.T) {
	tracks := map[Track]string{CaringSchools: "caring_schools", LearningHomes: "learning_homes"}
	for tr, s := range tracks {
		if string(tr) != s {
			t.Errorf("%q != %q", tr, s)
		}
	}
	variants := map[Variant]string{
		VariantPrimary: "primary", VariantSecondary: "secondary", VariantSpecial: "special",
		VariantEarlyYearsSetting: "early_years_setting", VariantOtherSetting: "other_setting",
		VariantMainstreamFoster: "mainstream_foster", VariantEarlyYearsFoster: "early_years_foster",
		VariantRespiteFoster: "respite_foster", VariantFirstYearFoster: "first_year_foster",
		VariantResidentialHome: "residential_home", VariantChildminder: "childminder", VariantAdoptiveSGO: "adoptive_sgo",
	}
	for v, s := range variants {
		if string(v) != s {
			t.Errorf("%q != %q", v, s)
		}
	}
	if NotMet != 0 || Bronze != 1 || Silver != 2 || Gold != 3 {
		t.Error("level values changed")
	}
}
