package award

import (
	"fmt"
	"strings"
)

// Level is an award level, also used for the rating of one standard.
// NotMet (the zero value) means below Bronze ("not yet" as a decision).
type Level int

const (
	NotMet Level = 0
	Bronze Level = 1
	Silver Level = 2
	Gold   Level = 3
)

var levelNames = [...]string{NotMet: "not_met", Bronze: "bronze", Silver: "silver", Gold: "gold"}
var levelTitles = [...]string{NotMet: "Not met", Bronze: "Bronze", Silver: "Silver", Gold: "Gold"}

// AwardLevels returns the levels an award can be held at: Bronze, Silver, Gold.
func AwardLevels() []Level { return []Level{Bronze, Silver, Gold} }

// Valid reports whether l is NotMet, Bronze, Silver or Gold.
func (l Level) Valid() bool { return l >= NotMet && l <= Gold }

// IsAward reports whether l is Bronze, Silver or Gold.
func (l Level) IsAward() bool { return l >= Bronze && l <= Gold }

// String returns "not_met", "bronze", "silver" or "gold" (the identifier used
// in JSON, CSV and URLs), or "Level(n)" for an invalid value.
func (l Level) String() string {
	if l.Valid() {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Title returns "Not met", "Bronze", "Silver" or "Gold" for display.
func (l Level) Title() string {
	if l.Valid() {
		return levelTitles[l]
	}
	return l.String()
}

// ParseLevel parses "not_met", "bronze", "silver" or "gold", ignoring
// surrounding spaces and letter case ("not-met" and "not met" are accepted
// too). The error is an *InputError for field "level" listing the valid values.
func ParseLevel(s string) (Level, error) {
	n := normalizeIdent(s)
	for l, name := range levelNames {
		if n == name {
			return Level(l), nil
		}
	}
	if strings.TrimSpace(s) == "" {
		return NotMet, inputErr("level", "level is required; valid levels: %s", strings.Join(levelNames[:], ", "))
	}
	return NotMet, inputErr("level", "unknown level %q; valid levels: %s", s, strings.Join(levelNames[:], ", "))
}

// MarshalText encodes l as its String form, so JSON holds "bronze".
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("award: cannot marshal invalid level %d", int(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText decodes a level written by MarshalText (see ParseLevel).
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
