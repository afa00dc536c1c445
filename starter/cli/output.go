package cli

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"awardengine/award"
	"awardengine/structs"
)

// printJSON writes an API answer as is (for --json), one document per run.
func (a *app) printJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	_, err := fmt.Fprintf(a.stdout, "%s\n", raw)
	return err
}

// printStage prints an application's stage and next step.
// reportStage prints an action's result: the raw JSON with --json, else a headline and the stage.
func (a *app) reportStage(raw []byte, ap structs.Application, headline string, args ...any) error {
	if a.json {
		return a.printJSON(raw)
	}
	fmt.Fprintf(a.stdout, headline, args...)
	a.printStage(ap)
	return nil
}

func (a *app) printStage(ap structs.Application) {
	fmt.Fprintf(a.stdout, "Stage: %s\n", ap.Stage)
	if next := nextText(ap.Next); next != "" {
		fmt.Fprintf(a.stdout, "Next:  %s\n", next)
	}
}

func nextText(n award.NextStep) string {
	s := n.Action
	var extra []string
	if n.Who != "" {
		extra = append(extra, n.Who)
	}
	if n.DueAt != nil {
		extra = append(extra, "due "+dueText(*n.DueAt))
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return strings.TrimSpace(s)
}

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// formatTime shows an API timestamp in local time; the zero time (absent) shows as "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04 MST")
}

// formatTimeP is formatTime of an optional timestamp (nil shows as "").
func formatTimeP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}

// dueText is formatTime plus how far away the moment is.
func dueText(t time.Time) string {
	d := time.Until(t)
	days := int(math.Abs(d.Hours()) / 24)
	var rel string
	switch {
	case d < 0 && days == 0:
		rel = "overdue"
	case d < 0:
		rel = fmt.Sprintf("overdue by %s", plural(days, "day"))
	case days == 0:
		rel = "within a day"
	default:
		rel = "in " + plural(days, "day")
	}
	return formatTime(t) + ", " + rel
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// formatBytes shows a size with binary units (1 MB = 1024 KB).
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, []string{"KB", "MB", "GB", "TB"}[i])
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// joinText joins values of a string type (tracks, specialisms) with sep.
func joinText[T ~string](items []T, sep string) string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = string(v)
	}
	return strings.Join(out, sep)
}

func joinSorted(items []string) string {
	sort.Strings(items)
	return strings.Join(items, ", ")
}
