package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports an upload: a redrawn bar on a terminal, one summary line
// otherwise, nothing when disabled (--json). It is safe for the HTTP
// transport's goroutine to read through it while the caller finishes it.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	name     string
	total    int64
	done     int64
	show     bool
	tty      bool
	start    time.Time
	last     time.Time
	finished bool
}

const barWidth = 30

func newProgress(w io.Writer, name string, total int64, enabled bool) *progress {
	return &progress{w: w, name: name, total: total, show: enabled, tty: enabled && isTerminal(w), start: time.Now()}
}

func (p *progress) reader(r io.Reader) io.Reader { return &progressReader{r: r, p: p} }

type progressReader struct {
	r io.Reader
	p *progress
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.add(n)
	return n, err
}

func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += int64(n)
	if p.finished || !p.tty {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || p.done >= p.total {
		p.last = now
		p.draw()
	}
}

func (p *progress) draw() {
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(p.done)/float64(p.total), 1)
	}
	filled := int(frac * barWidth)
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	rate := ""
	if secs := time.Since(p.start).Seconds(); secs > 0.2 {
		rate = formatBytes(int64(float64(p.done)/secs)) + "/s"
	}
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%%  %s / %s  %s\033[K", shorten(p.name, 24), bar, frac*100,
		formatBytes(p.done), formatBytes(p.total), rate)
}

// finish ends the display; ok says whether the upload succeeded.
func (p *progress) finish(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || !p.show {
		p.finished = true
		return
	}
	p.finished = true
	switch {
	case p.tty:
		if ok {
			p.draw()
		}
		fmt.Fprintln(p.w)
	case ok:
		fmt.Fprintf(p.w, "uploaded %s: %s in %s\n", p.name, formatBytes(p.total),
			time.Since(p.start).Round(time.Millisecond))
	}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
