package award

import (
	"strings"
)

// Track is one of the two awards a local authority runs.
type Track string

const (
	// CaringSchools is the Caring Schools Award, for education settings.
	CaringSchools Track = "caring_schools"
	// LearningHomes is the Learning Homes Award, for carers.
	LearningHomes Track = "learning_homes"
)

// Tracks returns every track, in a stable order.
func Tracks() []Track { return []Track{CaringSchools, LearningHomes} }

// Valid reports whether t is a known track.
func (t Track) Valid() bool { return t == CaringSchools || t == LearningHomes }

// Title is the award's name as people know it, or the raw value for an
// unknown track.
func (t Track) Title() string {
	switch t {
	case CaringSchools:
		return "Caring Schools Award"
	case LearningHomes:
		return "Learning Homes Award"
	}
	return string(t)
}

// ParseTrack parses a track identifier ("caring_schools", "learning_homes").
// Surrounding spaces and letter case are ignored, and "-" may be used for "_".
// The error is an *InputError for field "track" that lists the valid tracks.
func ParseTrack(s string) (Track, error) {
	t := Track(normalizeIdent(s))
	if t.Valid() {
		return t, nil
	}
	if strings.TrimSpace(s) == "" {
		return "", inputErr("track", "track is required; valid tracks: %s", joinTracks())
	}
	return "", inputErr("track", "unknown track %q; valid tracks: %s", s, joinTracks())
}

func joinTracks() string {
	ts := Tracks()
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// normalizeIdent lower-cases s, trims spaces and turns "-" and " " into "_".
func normalizeIdent(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer("-", "_", " ", "_").Replace(s)
}

// Variant is the kind of setting within a track; it chooses the toolkit and
// the framework.
type Variant string

// Caring Schools variants.
const (
	VariantPrimary           Variant = "primary"
	VariantSecondary         Variant = "secondary"
	VariantSpecial           Variant = "special"
	VariantEarlyYearsSetting Variant = "early_years_setting"
	VariantOtherSetting      Variant = "other_setting" // colleges, alternative provision
)

// Learning Homes variants.
const (
	VariantMainstreamFoster Variant = "mainstream_foster"
	VariantEarlyYearsFoster Variant = "early_years_foster"
	VariantRespiteFoster    Variant = "respite_foster"
	VariantFirstYearFoster  Variant = "first_year_foster" // also covers the TSD Standards
	VariantResidentialHome  Variant = "residential_home"
	VariantChildminder      Variant = "childminder"
	VariantAdoptiveSGO      Variant = "adoptive_sgo" // adoptive parents and special guardians
)

type variantInfo struct {
	v     Variant
	track Track
	title string
}

// variantTable is the single source of truth for variants, in display order.
var variantTable = []variantInfo{
	{VariantPrimary, CaringSchools, "Primary school"},
	{VariantSecondary, CaringSchools, "Secondary school"},
	{VariantSpecial, CaringSchools, "Special school"},
	{VariantEarlyYearsSetting, CaringSchools, "Early-years setting"},
	{VariantOtherSetting, CaringSchools, "Other setting (college or alternative provision)"},
	{VariantMainstreamFoster, LearningHomes, "Mainstream foster carer"},
	{VariantEarlyYearsFoster, LearningHomes, "Early-years foster carer"},
	{VariantRespiteFoster, LearningHomes, "Respite foster carer"},
	{VariantFirstYearFoster, LearningHomes, "Foster carer in their first year"},
	{VariantResidentialHome, LearningHomes, "Residential children's home"},
	{VariantChildminder, LearningHomes, "Childminder"},
	{VariantAdoptiveSGO, LearningHomes, "Adoptive parent or special guardian"},
}

func lookupVariant(v Variant) (variantInfo, bool) {
	for _, vi := range variantTable {
		if vi.v == v {
			return vi, true
		}
	}
	return variantInfo{}, false
}

// Variants returns the variants of track t in display order (nil for an
// unknown track). The slice is a fresh copy.
func Variants(t Track) []Variant {
	var out []Variant
	for _, vi := range variantTable {
		if vi.track == t {
			out = append(out, vi.v)
		}
	}
	return out
}

// AllVariants returns every variant of every track, Caring Schools first.
func AllVariants() []Variant {
	out := make([]Variant, len(variantTable))
	for i, vi := range variantTable {
		out[i] = vi.v
	}
	return out
}

// Track returns the track v belongs to; false for an unknown variant.
func (v Variant) Track() (Track, bool) {
	vi, ok := lookupVariant(v)
	return vi.track, ok
}

// Valid reports whether v is a known variant.
func (v Variant) Valid() bool {
	_, ok := lookupVariant(v)
	return ok
}

// Title is a human name for the variant ("Primary school", "Residential
// children's home", ...), or the raw value for an unknown variant.
func (v Variant) Title() string {
	if vi, ok := lookupVariant(v); ok {
		return vi.title
	}
	return string(v)
}

// ParseVariant parses a variant identifier for track t, ignoring surrounding
// spaces and letter case and accepting "-" for "_", and checks it with
// CheckVariant.
func ParseVariant(t Track, s string) (Variant, error) {
	v := Variant(normalizeIdent(s))
	if strings.TrimSpace(s) != "" && !v.Valid() {
		v = Variant(s) // report the value as given
	}
	if err := CheckVariant(t, v); err != nil {
		return "", err
	}
	return v, nil
}

// CheckVariant returns nil if v is a variant of track t. Otherwise it returns
// an *InputError: for field "track" if t is unknown, else for field "variant"
// saying that the variant is missing, unknown, or belongs to the other track,
// and listing the variants of t.
func CheckVariant(t Track, v Variant) error {
	if !t.Valid() {
		if t == "" {
			return inputErr("track", "track is required; valid tracks: %s", joinTracks())
		}
		return inputErr("track", "unknown track %q; valid tracks: %s", string(t), joinTracks())
	}
	choices := joinVariants(Variants(t))
	if v == "" {
		return inputErr("variant", "variant is required for track %q; choose one of: %s", string(t), choices)
	}
	vt, ok := v.Track()
	if !ok {
		return inputErr("variant", "unknown variant %q for track %q; choose one of: %s", string(v), string(t), choices)
	}
	if vt != t {
		return inputErr("variant", "variant %q does not belong to track %q; choose one of: %s", string(v), string(t), choices)
	}
	return nil
}

func joinVariants(vs []Variant) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
