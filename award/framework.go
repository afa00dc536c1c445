package award

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Framework is one version of the standards a variant's toolkit asks for:
// areas → standards, each standard with a descriptor per level. Frameworks
// are versioned data (JSON), and an application is assessed on the version it
// started with, so a published (ID, Version) never changes.
type Framework struct {
	ID      string  `json:"id"` // e.g. "cs-primary"; one ID belongs to one variant
	Variant Variant `json:"variant"`
	Version int     `json:"version"`
	Title   string  `json:"title"`
	Sample  bool    `json:"sample"` // true for every shipped framework: "sample content"
	Areas   []Area  `json:"areas"`
}

// Area groups the standards of one aim of the scheme.
type Area struct {
	Code      string     `json:"code"`
	Title     string     `json:"title"`
	Standards []Standard `json:"standards"`
}

// Standard is one thing a setting shows evidence for and is rated on.
type Standard struct {
	Code        string      `json:"code"` // unique within the framework, e.g. "LD1"
	Title       string      `json:"title"`
	From        Level       `json:"from"` // lowest level at which the standard applies
	Descriptors Descriptors `json:"descriptors"`
}

// Descriptors say what meeting a standard looks like at each level. A
// descriptor is present for every level from the standard's From upwards and
// absent below it.
type Descriptors struct {
	Bronze string `json:"bronze,omitempty"`
	Silver string `json:"silver,omitempty"`
	Gold   string `json:"gold,omitempty"`
}

// For returns the descriptor for level l ("" for NotMet or an invalid level).
func (d Descriptors) For(l Level) string {
	switch l {
	case Bronze:
		return d.Bronze
	case Silver:
		return d.Silver
	case Gold:
		return d.Gold
	}
	return ""
}

// AppliesAt reports whether the standard is part of an application whose
// target is l, i.e. From <= l.
func (s Standard) AppliesAt(l Level) bool { return s.From <= l }

// Track returns the track of the framework's variant ("" if the variant is
// unknown).
func (f Framework) Track() Track {
	t, _ := f.Variant.Track()
	return t
}

// Standards returns every standard, in framework order (area by area).
func (f Framework) Standards() []Standard {
	var out []Standard
	for _, a := range f.Areas {
		out = append(out, a.Standards...)
	}
	return out
}

// StandardsFor returns the standards that apply at level l (From <= l), in
// framework order: the standards an application targeting l must evidence and
// is rated on. It is empty for NotMet.
func (f Framework) StandardsFor(l Level) []Standard {
	var out []Standard
	for _, a := range f.Areas {
		for _, s := range a.Standards {
			if s.AppliesAt(l) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Standard looks up a standard by its code (exact match).
func (f Framework) Standard(code string) (Standard, bool) {
	for _, a := range f.Areas {
		for _, s := range a.Standards {
			if s.Code == code {
				return s, true
			}
		}
	}
	return Standard{}, false
}

// AreaOf returns the area holding the standard with the given code.
func (f Framework) AreaOf(code string) (Area, bool) {
	for _, a := range f.Areas {
		for _, s := range a.Standards {
			if s.Code == code {
				return a, true
			}
		}
	}
	return Area{}, false
}

// Framework shape rules (SPEC §2: four areas of 3–5 standards each).
const (
	FrameworkAreas      = 4
	MinStandardsPerArea = 3
	MaxStandardsPerArea = 5
	maxCodeLen          = 16
)

var (
	frameworkIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	codePattern        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
)

// Validate checks the framework's shape and returns an error listing every
// problem found: an ID of lower-case words joined by "-", a known variant,
// version >= 1, a title, exactly 4 areas each with a unique code, a title and
// 3–5 standards; standard codes unique within the framework (letters then
// digits, at most 16 characters); every standard with a title, From between
// Bronze and Gold, a descriptor for every level from From upwards and none
// below it; and at least one standard that applies from Bronze.
func (f Framework) Validate() error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	if !frameworkIDPattern.MatchString(f.ID) {
		add("id %q must be lower-case letters and digits in words joined by \"-\" (e.g. \"cs-primary\")", f.ID)
	}
	if !f.Variant.Valid() {
		add("unknown variant %q; choose one of: %s", string(f.Variant), joinVariants(AllVariants()))
	}
	if f.Version < 1 {
		add("version must be 1 or more, got %d", f.Version)
	}
	if strings.TrimSpace(f.Title) == "" {
		add("title is required")
	}
	if len(f.Areas) != FrameworkAreas {
		add("has %d areas, want %d", len(f.Areas), FrameworkAreas)
	}
	areaCodes := map[string]bool{}
	stdCodes := map[string]string{} // code -> area code
	bronzeStandards := 0
	for i, a := range f.Areas {
		where := fmt.Sprintf("area %d (%q)", i+1, a.Code)
		switch {
		case !codePattern.MatchString(a.Code) || len(a.Code) > maxCodeLen:
			add("%s: code must be letters and digits starting with a letter, at most %d characters", where, maxCodeLen)
		case areaCodes[a.Code]:
			add("%s: duplicate area code", where)
		}
		areaCodes[a.Code] = true
		if strings.TrimSpace(a.Title) == "" {
			add("%s: title is required", where)
		}
		if n := len(a.Standards); n < MinStandardsPerArea || n > MaxStandardsPerArea {
			add("%s: has %d standards, want %d to %d", where, n, MinStandardsPerArea, MaxStandardsPerArea)
		}
		for _, s := range a.Standards {
			sw := fmt.Sprintf("standard %q", s.Code)
			prev, dup := stdCodes[s.Code]
			switch {
			case !codePattern.MatchString(s.Code) || len(s.Code) > maxCodeLen:
				add("%s in %s: code must be letters and digits starting with a letter, at most %d characters", sw, where, maxCodeLen)
			case dup:
				add("%s in %s: duplicate code (already used in area %q)", sw, where, prev)
			default:
				stdCodes[s.Code] = a.Code
			}
			if strings.TrimSpace(s.Title) == "" {
				add("%s: title is required", sw)
			}
			if !s.From.IsAward() {
				add("%s: from must be bronze, silver or gold, got %s", sw, s.From)
				continue
			}
			if s.From == Bronze {
				bronzeStandards++
			}
			for _, l := range AwardLevels() {
				d := strings.TrimSpace(s.Descriptors.For(l))
				switch {
				case l >= s.From && d == "":
					add("%s: %s descriptor is required (the standard applies from %s)", sw, l, s.From)
				case l < s.From && d != "":
					add("%s: has a %s descriptor but applies only from %s", sw, l, s.From)
				}
			}
		}
	}
	if len(f.Areas) > 0 && bronzeStandards == 0 {
		add("no standard applies from bronze")
	}
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("framework %q version %d is invalid: %s", f.ID, f.Version, strings.Join(p, "; "))
}

// MissingEvidence returns the codes of the standards that apply at target
// (StandardsFor(target)) and are not covered, in framework order; nil if
// none is missing. A submission for target is refused unless this is empty.
func MissingEvidence(f Framework, target Level, covered map[string]bool) []string {
	var missing []string
	for _, s := range f.StandardsFor(target) {
		if !covered[s.Code] {
			missing = append(missing, s.Code)
		}
	}
	return missing
}

// UnknownStandards returns the codes that are not standards of f, in the
// order given and without repeats; nil if all are known. Codes match exactly
// (case-sensitive); "" is unknown.
func UnknownStandards(f Framework, codes []string) []string {
	var unknown []string
	seen := map[string]bool{}
	for _, c := range codes {
		if _, ok := f.Standard(c); ok || seen[c] {
			continue
		}
		seen[c] = true
		unknown = append(unknown, c)
	}
	return unknown
}

// LevelReached decides the level from the ratings of the standards (a missing
// rating counts as NotMet): the highest level l, capped at target (and at
// Gold), such that every standard applying at l (From <= l) is rated l or
// above. If Bronze is not reached, or target is below Bronze, the result is
// NotMet ("not yet").
//
// A standard that applies only from Gold does not count towards Bronze or
// Silver; a Gold-only standard rated below gold caps the result at Silver.
func LevelReached(f Framework, ratings map[string]Level, target Level) Level {
	reached := NotMet
	for _, l := range AwardLevels() {
		if l > target {
			break
		}
		for _, s := range f.StandardsFor(l) {
			if ratings[s.Code] < l {
				return reached
			}
		}
		reached = l
	}
	return reached
}

// CheckRatings checks an assessor's ratings for an application targeting
// target: every standard applying at target must be rated, every rating must
// be not_met, bronze, silver or gold, and every code must be a standard of
// the framework. It returns an *InputError for field "ratings" describing
// every problem, or nil.
func CheckRatings(f Framework, target Level, ratings map[string]Level) error {
	var p []string
	var codes []string
	for c := range ratings {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	if u := UnknownStandards(f, codes); len(u) > 0 {
		p = append(p, fmt.Sprintf("unknown standards: %s", strings.Join(u, ", ")))
	}
	var bad []string
	for _, c := range codes {
		if !ratings[c].Valid() {
			bad = append(bad, fmt.Sprintf("%s (%d)", c, int(ratings[c])))
		}
	}
	if len(bad) > 0 {
		p = append(p, fmt.Sprintf("invalid ratings (use not_met, bronze, silver or gold): %s", strings.Join(bad, ", ")))
	}
	var unrated []string
	for _, s := range f.StandardsFor(target) {
		if _, ok := ratings[s.Code]; !ok {
			unrated = append(unrated, s.Code)
		}
	}
	if len(unrated) > 0 {
		p = append(p, fmt.Sprintf("not rated (every standard of the %s level must be rated): %s", target, strings.Join(unrated, ", ")))
	}
	if len(p) == 0 {
		return nil
	}
	return &InputError{Field: "ratings", Message: strings.Join(p, "; ")}
}

func cloneFramework(f Framework) Framework {
	c := f
	c.Areas = make([]Area, len(f.Areas))
	for i, a := range f.Areas {
		c.Areas[i] = a
		c.Areas[i].Standards = append([]Standard(nil), a.Standards...)
	}
	return c
}
