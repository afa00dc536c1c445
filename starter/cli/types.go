package cli

import "strings"

// splitCodes parses "LD1, RB2,LD1" into ["LD1", "RB2"].
func splitCodes(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
